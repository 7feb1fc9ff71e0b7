"""What lives in the data directory, and how a build is switched in atomically.

::

    data_dir/
      manifest.json        format, model, chunking, collection, build, document hashes,
                           sha256 of every build file
      chroma/              local Chroma files (absent with a Chroma server)
      builds/<build>/      documents.json, glossary.json, passages.json, keyword/
      cache/<build>/       with a Chroma server: the keyword index rebuilt from it

A build writes a new ``builds/<build>/`` folder first and replaces
``manifest.json`` last (``os.replace`` is atomic), so an interrupted run leaves
the previous index whole and usable; the next run finds the difference and
repairs it. The manifest records a checksum of each build file, so a file
that was truncated, changed or deleted afterwards is named at open instead of
answering from half an index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import orjson

from . import vectors
from .errors import DamagedIndexError, NoIndexError
from .keyword import KeywordIndex
from .records import Document, Element, Passage, Story, document_from_dict

#: The build files' layout (5: passages without their texts repeated); a build of another layout is
#: written again by the next ``labstories index``, from its own records and vectors.
FORMAT_VERSION = 5
#: What a stored passage is: bump when parsing or windowing changes it (its vectors are stored anew).
PASSAGES_VERSION = 4
MANIFEST = "manifest.json"
BUILD_FILES = ("documents.json", "glossary.json", "passages.json")


@dataclass
class Manifest:
    format: int
    model: str
    dimension: int
    chunking: dict
    collection: str
    build: str
    corpus: str
    documents: dict[str, str] = field(default_factory=dict)  # document id → content hash of its page
    indexed_at: str = ""
    #: build file (relative to builds/<build>/) → sha256 of its bytes
    files: dict[str, str] = field(default_factory=dict)
    #: Passages in the build (0: not recorded, in builds before it was).
    passages: int = 0

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)


@dataclass
class IndexState:
    """Everything search needs besides the vectors, loaded once per build."""

    manifest: Manifest
    documents: dict[str, Document]
    glossary: dict[str, Element]
    passages: list[Passage]
    keyword: KeywordIndex

    @property
    def version(self) -> str:
        return self.manifest.build

    @cached_property
    def stories(self) -> dict[str, Story]:
        """The interview stories among the documents (they have audio and moments)."""
        return {key: doc for key, doc in self.documents.items() if isinstance(doc, Story)}


def read_manifest(data_dir: Path) -> Manifest | None:
    """The current manifest, None when there is none; a damaged one raises."""
    path = Path(data_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        return Manifest.from_json(path.read_text("utf-8"))
    except (OSError, ValueError, TypeError) as error:
        raise DamagedIndexError(path, f"unreadable: {type(error).__name__}") from None


def current_version(data_dir: Path) -> str | None:
    """The live build's id, cheap enough to poll: None when there is no (readable) manifest."""
    try:
        manifest = read_manifest(data_dir)
    except DamagedIndexError:
        return None
    return manifest.build if manifest else None


def build_dir(data_dir: Path, build: str) -> Path:
    return Path(data_dir) / "builds" / build


def write_build(
    data_dir: Path,
    build: str,
    documents: list[Document],
    elements: list[Element],
    passages: list[Passage],
    keyword: KeywordIndex,
    matrix=None,
) -> dict[str, str]:
    """Write a build folder; returns the checksum of each file for the manifest.

    ``matrix``: the passages' vectors, row by row, kept beside the build so a
    read-only data folder can still be searched (:mod:`index.vectors`)."""
    folder = build_dir(data_dir, build)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    _dump(folder / "documents.json", [asdict(d) for d in documents])
    _dump(folder / "glossary.json", [asdict(e) for e in elements])
    _dump(folder / "passages.json", [passage_row(p) for p in passages])
    keyword.save(folder / "keyword")
    if matrix is not None:
        vectors.write(folder, matrix)
    return checksums(folder)


def checksums(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): sha256(path) for path in sorted(Path(folder).rglob("*")) if path.is_file()
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(folder: Path, expected: dict[str, str]) -> None:
    """Raise :class:`DamagedIndexError` naming the first file that is missing or changed."""
    for name in (*BUILD_FILES, "keyword"):
        if not (folder / name).exists():
            raise DamagedIndexError(folder / name, "missing")
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise DamagedIndexError(path, "missing")
        if sha256(path) != digest:
            raise DamagedIndexError(path, "checksum mismatch: truncated or changed since it was built")


def switch_manifest(data_dir: Path, manifest: Manifest) -> None:
    path = Path(data_dir) / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(manifest.to_json(), "utf-8")
    os.replace(tmp, path)


def remove_old_builds(data_dir: Path, keep: str) -> None:
    root = Path(data_dir) / "builds"
    for folder in root.iterdir() if root.exists() else ():
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)


def remove_everything(data_dir: Path) -> None:
    """``index --rebuild``: forget the manifest, every build, cache and local Chroma file."""
    data_dir = Path(data_dir)
    (data_dir / MANIFEST).unlink(missing_ok=True)
    for name in ("builds", "cache", "chroma"):
        shutil.rmtree(data_dir / name, ignore_errors=True)


def load_passages(data_dir: Path, manifest: Manifest, checked: bool = False) -> list[Passage]:
    """The build's passages, checked against the manifest (raises when damaged); ``checked``: the
    caller has just verified the build's files, so the 180 MB of the whole archive are not hashed twice."""
    folder = build_dir(data_dir, manifest.build)
    path = folder / "passages.json"
    if not path.is_file():
        raise DamagedIndexError(path, "missing")
    if not checked and "passages.json" in manifest.files and sha256(path) != manifest.files["passages.json"]:
        raise DamagedIndexError(path, "checksum mismatch: truncated or changed since it was built")
    return passages_from_json(_read_json(path))


def load_records(data_dir: Path, manifest: Manifest) -> tuple[dict[str, Document], dict[str, Element]]:
    """The build's documents and glossary, checked against the manifest (raises when damaged)."""
    folder = build_dir(data_dir, manifest.build)
    raw = []
    for name in ("documents.json", "glossary.json"):
        path = folder / name
        if not path.is_file():
            raise DamagedIndexError(path, "missing")
        if name in manifest.files and sha256(path) != manifest.files[name]:
            raise DamagedIndexError(path, "checksum mismatch: truncated or changed since it was built")
        raw.append(_read_json(path))
    return documents_from_json(raw[0]), glossary_from_json(raw[1])


def load_state(data_dir: Path) -> IndexState:
    data_dir = Path(data_dir)
    manifest = read_manifest(data_dir)
    if manifest is None:
        if (data_dir / "builds").is_dir():
            raise DamagedIndexError(data_dir / MANIFEST, "missing, though builds exist")
        raise NoIndexError(data_dir, "missing")
    check_format(manifest, data_dir)
    folder = build_dir(data_dir, manifest.build)
    if not folder.is_dir():
        raise DamagedIndexError(folder, "missing")
    verify(folder, manifest.files)
    return IndexState(
        manifest=manifest,
        documents=documents_from_json(_read_json(folder / "documents.json")),
        glossary=glossary_from_json(_read_json(folder / "glossary.json")),
        passages=load_passages(data_dir, manifest, checked=True),
        keyword=load_keyword(folder / "keyword"),
    )


def check_format(manifest: Manifest, where) -> None:
    if manifest.format != FORMAT_VERSION:
        raise NoIndexError(Path(str(where)), "format", found=str(manifest.format), expected=str(FORMAT_VERSION))


def load_keyword(folder: Path) -> KeywordIndex:
    try:
        return KeywordIndex.load(folder)
    except Exception as error:  # bm25s raises whatever numpy/json raise on a bad file
        raise DamagedIndexError(folder, f"unreadable: {type(error).__name__}") from None


def documents_from_json(raw: list) -> dict[str, Document]:
    documents = [document_from_dict(d) for d in raw]
    return {d.id: d for d in documents}


def glossary_from_json(raw: list) -> dict[str, Element]:
    return {e.name: e for e in (Element(**e) for e in raw)}


def passage_row(passage: Passage) -> dict:
    """A passage as stored: what its embed and keyword texts add before its text, not the texts
    again (a third of the bytes every start reads), and no tags when it has none."""
    row = asdict(passage)
    for name in ("embed_text", "keyword_text"):
        if row[name].endswith(passage.text):
            row[f"{name}_prefix"] = row.pop(name)[: -len(passage.text) or None]
    if not any(row["tags"].values()):
        del row["tags"]
    return row


def passages_from_json(raw: list) -> list[Passage]:
    """Passages from their stored rows (:func:`passage_row`, or whole texts as older builds wrote them)."""
    passages = []
    for row in raw:
        for name in ("embed_text", "keyword_text"):
            if (prefix := row.pop(f"{name}_prefix", None)) is not None:
                row[name] = prefix + row["text"]
        passages.append(Passage(**row))
    return passages


def _read_json(path: Path):
    """orjson reads the whole archive's 180 MB of passages in half the time of json."""
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise DamagedIndexError(path, f"unreadable: {type(error).__name__}") from None


def _dump(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
