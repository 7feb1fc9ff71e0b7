"""What lives in the data directory, and how a build is switched in atomically.

::

    data_dir/
      manifest.json        format, model, chunking, collection, build, story hashes
      chroma/              local Chroma files (absent with a Chroma server)
      builds/<build>/      stories.json, glossary.json, passages.json, keyword/

A build writes a new ``builds/<build>/`` folder first and replaces
``manifest.json`` last (``os.replace`` is atomic), so an interrupted run leaves
the previous index whole and usable; the next run finds the difference and
repairs it.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .keyword import KeywordIndex
from .records import Element, Paragraph, Passage, Section, Story

FORMAT_VERSION = 3  # bump when parsing or windowing changes what a stored passage is
MANIFEST = "manifest.json"


class NoIndexError(FileNotFoundError):
    """There is no usable index in the data directory yet."""


@dataclass
class Manifest:
    format: int
    model: str
    dimension: int
    chunking: dict
    collection: str
    build: str
    corpus: str
    stories: dict[str, str] = field(default_factory=dict)  # story id → content hash
    indexed_at: str = ""


@dataclass
class IndexState:
    """Everything search needs besides the vectors, loaded once per process."""

    manifest: Manifest
    stories: dict[str, Story]
    glossary: dict[str, Element]
    passages: list[Passage]
    keyword: KeywordIndex


def read_manifest(data_dir: Path) -> Manifest | None:
    path = Path(data_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text("utf-8"))
        manifest = Manifest(**raw)
    except (ValueError, TypeError) as error:
        raise NoIndexError(f"{path} is damaged ({error}); run `labstories index PATH` to rebuild") from None
    return manifest


def build_dir(data_dir: Path, build: str) -> Path:
    return Path(data_dir) / "builds" / build


def write_build(data_dir: Path, build: str, stories: list[Story], elements: list[Element],
                passages: list[Passage], keyword: KeywordIndex) -> None:
    folder = build_dir(data_dir, build)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    _dump(folder / "stories.json", [asdict(s) for s in stories])
    _dump(folder / "glossary.json", [asdict(e) for e in elements])
    _dump(folder / "passages.json", [asdict(p) for p in passages])
    keyword.save(folder / "keyword")


def switch_manifest(data_dir: Path, manifest: Manifest) -> None:
    path = Path(data_dir) / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(manifest), indent=1, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


def remove_old_builds(data_dir: Path, keep: str) -> None:
    root = Path(data_dir) / "builds"
    for folder in root.iterdir() if root.exists() else ():
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)


def load_passages(data_dir: Path, build: str) -> list[Passage]:
    path = build_dir(data_dir, build) / "passages.json"
    if not path.exists():
        return []
    return [Passage(**p) for p in json.loads(path.read_text("utf-8"))]


def load_state(data_dir: Path) -> IndexState:
    manifest = read_manifest(data_dir)
    if manifest is None:
        raise NoIndexError(f"no index in {data_dir} yet; run `labstories index PATH` first")
    if manifest.format != FORMAT_VERSION:
        raise NoIndexError(f"the index in {data_dir} has format {manifest.format}, this program reads {FORMAT_VERSION}; run `labstories index PATH` to rebuild")
    folder = build_dir(data_dir, manifest.build)
    try:
        stories = [_story(s) for s in json.loads((folder / "stories.json").read_text("utf-8"))]
        elements = [Element(**e) for e in json.loads((folder / "glossary.json").read_text("utf-8"))]
        keyword = KeywordIndex.load(folder / "keyword")
    except (OSError, ValueError, TypeError) as error:
        raise NoIndexError(f"the index build {folder} is incomplete ({error}); run `labstories index PATH` to repair it") from None
    return IndexState(
        manifest=manifest,
        stories={s.id: s for s in stories},
        glossary={e.name: e for e in elements},
        passages=load_passages(data_dir, manifest.build),
        keyword=keyword,
    )


def _story(raw: dict) -> Story:
    sections = [
        Section(**{**s, "paragraphs": [Paragraph(**p) for p in s["paragraphs"]]}) for s in raw["sections"]
    ]
    return Story(**{**raw, "sections": sections})


def _dump(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
