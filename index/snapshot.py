"""The archive snapshot that ships inside the package, so a fresh install answers at once.

``data/archive/`` holds a text-only copy of the archive's interview stories
(copied byte for byte, defects and all: the parser handles them) and of its
element pages (cut down to what the glossary reads: ``[[type:…]]``, title,
Overview, Purpose — the originals are 55 MB of base64 images), with the
archive's MIT licence and a ``SOURCE.json`` naming the exact commit. It is an
ordinary archive folder: the scanner and parsers read it unchanged, and any
PATH the user gives replaces it.

The manifest records which corpus an index came from (:func:`corpus_label`), so
``serve`` without a PATH can tell an index of the snapshot (cheap to refresh)
from an index of the user's own archive (kept as it is).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .elements import ELEMENT_TYPES, strip_images
from .parse import page_type
from .scan import markdown_files, read_text, scan
from .settings import Settings
from .state import read_manifest

ARCHIVE = Path(__file__).resolve().parent / "data" / "archive"
SOURCE_FILE = "SOURCE.json"
LABEL_PREFIX = "bundled snapshot of "

_TYPE_TAG = re.compile(r"\[\[type:\s*[A-Za-z_]+\s*\]\]")
_TITLE = re.compile(r"^#\s+.+?\s*$", re.M)
_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.M)
#: The element page sections the glossary reads (index/elements.py).
KEPT_SECTIONS = ("overview", "purpose")


@dataclass(frozen=True)
class Source:
    """Where the snapshot was taken from; written beside it as SOURCE.json."""

    repository: str = "UNDP-Accelerator-Labs/sdg-innovation-commons"
    branch: str = "gh-pages"
    folder: str = "pages/"
    commit: str = "15b33dfb1886da81cea8d74be35e53ea11f83164"
    date: str = "2025-11-13"
    license: str = "MIT (LICENSE beside this file)"
    stories: int = 0
    elements: int = 0

    @property
    def label(self) -> str:
        """How ``stats`` and the manifest name this corpus."""
        return f"{LABEL_PREFIX}{self.repository} @ {self.commit[:8]} ({self.date})"


def source(root: Path = ARCHIVE) -> Source:
    return Source(**json.loads((Path(root) / SOURCE_FILE).read_text("utf-8")))


def is_snapshot(path: Path | str) -> bool:
    return Path(path).resolve() == ARCHIVE


def corpus_label(path: Path | str) -> str:
    """What the manifest records: the snapshot's label, or the resolved path of any other corpus."""
    return source().label if is_snapshot(path) else str(Path(path).resolve())


def from_snapshot(label: str) -> bool:
    """Whether a manifest's corpus is a bundled snapshot (of this or an earlier release)."""
    return label.startswith(LABEL_PREFIX)


def chosen_corpus(settings: Settings) -> Path:
    """The folder ``labstories index`` reads: the corpus setting (PATH, ``LABSTORIES_CORPUS``) or the snapshot."""
    return Path(settings.corpus).expanduser() if settings.corpus else ARCHIVE


def corpus_to_serve(settings: Settings) -> Path | None:
    """The folder ``labstories serve`` indexes before starting, or None to serve the index as it is.

    A corpus the user names is always indexed. Without one, the snapshot is
    indexed when there is no index yet or the index is of a snapshot (a cheap
    update that also picks up a newer snapshot after an upgrade). An index of
    any other corpus is kept: re-indexing it from the snapshot would drop the
    user's own stories. With a Chroma server, ``serve`` is a replica: one
    machine runs ``labstories index``, replicas only read (two replicas indexing
    the same server at once would race)."""
    if settings.corpus:
        return chosen_corpus(settings)
    if settings.chroma_url:
        return None
    manifest = read_manifest(Path(settings.data_dir))
    if manifest is None or from_snapshot(manifest.corpus):
        return ARCHIVE
    return None


# -- making the snapshot (scripts/make_snapshot.py) ---------------------------------


def slim_element(text: str) -> str:
    """An element page with only what :func:`parse_element` reads: type tags, title, Overview, Purpose.

    Lines are kept verbatim (still markdown-escaped), so parsing the slim page
    gives the same glossary entry as parsing the original."""
    text = strip_images(text)
    lines = _TYPE_TAG.findall(text)
    title = _TITLE.search(text)
    if title:
        lines += ["", title.group(0).strip()]
    marks = list(_HEADING.finditer(text))
    seen = set()
    for mark, following in zip(marks, marks[1:] + [None]):
        name = mark.group(1).lower()
        if name in KEPT_SECTIONS and name not in seen:
            seen.add(name)
            body = text[mark.end() : following.start() if following else len(text)].strip()
            lines += ["", mark.group(0).strip(), body]
    return "\n".join(lines) + "\n"


@dataclass
class SnapshotReport:
    stories: int = 0
    elements: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


def write_snapshot(corpus: Path, dest: Path, license_file: Path, origin: Source = Source()) -> SnapshotReport:
    """Replace ``dest`` with the text-only snapshot of every story and element page under ``corpus``.

    Works on any archive folder, including the archive's whole ``pages/``:
    other page types are left out."""
    dest = Path(dest)
    for sub in ("stories", "elements"):
        shutil.rmtree(dest / sub, ignore_errors=True)
        (dest / sub).mkdir(parents=True)
    report = SnapshotReport()
    for path in markdown_files(Path(corpus)):
        text, raw, problem = read_text(path)
        kind = page_type(text) if not problem else None
        if kind == "story" and not (dest / "stories" / path.name).exists():
            (dest / "stories" / path.name).write_bytes(raw)
            report.stories += 1
            report.bytes_out += len(raw)
        elif kind in ELEMENT_TYPES and not (dest / "elements" / path.name).exists():
            slim = slim_element(text).encode("utf-8")
            (dest / "elements" / path.name).write_bytes(slim)
            report.elements += 1
            report.bytes_out += len(slim)
        else:
            continue
        report.bytes_in += len(raw)
    shutil.copyfile(license_file, dest / "LICENSE")
    counted = Source(**{**asdict(origin), "stories": report.stories, "elements": report.elements})
    (dest / SOURCE_FILE).write_text(json.dumps(asdict(counted), indent=1) + "\n", "utf-8")
    return report


def differences(corpus: Path | str, snapshot: Path | str = ARCHIVE) -> list[str]:
    """What the snapshot parses to differently from its source folder (file paths aside); [] when equal."""
    source, copy = scan(corpus), scan(snapshot)
    problems = []
    stories = {s.id: replace(s, path="") for s in copy.stories}
    for story in source.stories:
        if stories.get(story.id) != replace(story, path=""):
            problems.append(f"story {story.id} differs")
    glossary = {e.name: replace(e, path="") for e in copy.elements}
    for element in source.elements:
        if glossary.get(element.name) != replace(element, path=""):
            problems.append(f"glossary entry {element.name!r} differs")
    extra = {s.id for s in copy.stories} - {s.id for s in source.stories}
    extra |= set(glossary) - {e.name for e in source.elements}
    return problems + [f"{name} is only in the snapshot" for name in sorted(extra)]
