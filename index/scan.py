"""Walk a corpus folder and sort every ``.md`` page into a document, an element or a skip.

The archive's own ``pages/`` folder mixes ~9,600 pages: stories, solutions,
learning plans, experiments, blogs and publications become documents
(:mod:`index.parse`, :mod:`index.pages`), element pages the glossary. Every
other page, and every file that cannot be read, is counted with its reason so
nothing disappears silently. A story larger than ``max_bytes`` (the
``max_story_bytes`` setting, 2 MB by default; the largest real story is
about 100 KB) is skipped by name before it is parsed: one 20 MB single-line
story would otherwise hold up the whole run for minutes. Element pages are
larger (embedded images, up to 4 MB) and cheap to read, so only a sanity cap
(:data:`MAX_PAGE_BYTES`) applies to every page, before it is read.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from .elements import ELEMENT_TYPES, parse_element
from .errors import CorpusError
from .pages import PAGE_TYPES, detect_language, parse_page
from .parse import ParseError, page_type, parse_story, split_stem
from .records import Document, Element
from .vocabulary import ROLE_NAMES

MAX_STORY_BYTES = 2_000_000
MAX_PAGE_BYTES = 64_000_000


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class ScanResult:
    documents: list[Document] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    #: Files that could not be used, each with the reason (reported to the user).
    problems: list[Skipped] = field(default_factory=list)
    #: Pages of other types, counted by type (expected in the archive's pages/).
    other_types: Counter = field(default_factory=Counter)
    #: Stories that parsed with a warning (e.g. a dropped audio URL).
    warnings: list[Skipped] = field(default_factory=list)
    #: Raw bytes of each document's file.
    raw: dict[str, bytes] = field(default_factory=dict)
    #: Each document's :func:`content_hash`: what decides whether it changed.
    hashes: dict[str, str] = field(default_factory=dict)
    #: Documents taken as they were from the previous index (same file, same bytes).
    reused: int = 0

    @property
    def stories(self) -> list[Document]:
        return [d for d in self.documents if d.type == "story"]


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def markdown_files(root: Path) -> list[Path]:
    """Every ``.md`` file under root, sorted so runs are reproducible."""
    root = Path(root)
    if not root.exists():
        raise CorpusError(root, "missing")
    if root.is_file():
        return [root] if root.suffix.lower() == ".md" else []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder) / name for name in files if name.lower().endswith(".md"))
    return sorted(found, key=lambda path: path.parts)  # Path's own order, without its slow comparisons


def read_text(path: Path, max_bytes: int = MAX_PAGE_BYTES) -> tuple[str | None, bytes, str | None]:
    """(text, raw bytes, problem): text is None when the file is unusable or too large."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, b"", f"is {_size(size)}, over the {_size(max_bytes)} limit for any page"
        raw = path.read_bytes()
    except OSError as error:
        return None, b"", f"cannot be read ({error.strerror or error})"
    if b"\x00" in raw[:8192]:
        return None, raw, "is a binary file, not markdown"
    try:
        return raw.decode("utf-8-sig"), raw, None
    except UnicodeDecodeError as error:
        return None, raw, f"is not UTF-8 (bad byte at offset {error.start}); re-save it as UTF-8"


def scan(
    root: Path | str,
    on_file=None,
    max_bytes: int = MAX_STORY_BYTES,
    known: dict[str, tuple[str, Document]] | None = None,
) -> ScanResult:
    """Classify and parse every page under root. ``on_file`` is called per file (progress);
    files over ``max_bytes`` are listed in ``problems`` unread.

    ``known`` maps a document id to (content hash, document) from the previous
    index: a file whose bytes hash the same is that document again, unparsed —
    parsing all 9,400 pages of the archive takes 20 s, hashing them a second."""
    paths = markdown_files(Path(root))
    if not paths:
        raise CorpusError(Path(root), "empty")
    result = ScanResult()
    seen_ids: dict[str, str] = {}
    known = known or {}
    for path in paths:
        if on_file:
            on_file(path)
        text, raw, problem = read_text(path)
        if problem:
            result.problems.append(Skipped(str(path), problem))
            continue
        digest = content_hash(raw)
        previous = known.get(path.stem)
        if previous is not None and previous[0] == digest and path.stem not in seen_ids:
            _keep(result, path, replace(previous[1], path=str(path)), raw, digest, seen_ids)
            result.reused += 1
            continue
        kind = page_type(text)
        if kind == "story" and len(raw) > max_bytes:
            result.problems.append(
                Skipped(
                    str(path),
                    (
                        f"is {_size(len(raw))}, over the {_size(max_bytes)} limit for a story; "
                        "split it, or raise --max-story-bytes / LABSTORIES_MAX_STORY_BYTES"
                    ),
                )
            )
        elif kind == "story":
            _add(result, path, text, raw, seen_ids, parse_story, kind)
        elif kind in PAGE_TYPES:
            _add(result, path, text, raw, seen_ids, parse_page, kind)
        elif kind in ELEMENT_TYPES:
            result.elements.append(parse_element(text, path))
        elif _named_like_a_story(path):
            # A user expects Experimenters_XYZ.md to be indexed: say which file and why it is not.
            result.problems.append(Skipped(str(path), f"page type is {kind or 'missing'}, not story"))
        else:
            result.other_types[kind or "untyped"] += 1
    return result


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _named_like_a_story(path: Path) -> bool:
    """``{Role}_{ISO3}.md`` with a known role, e.g. ``Experimenters_SSD.md``."""
    role, iso3 = split_stem(path.stem)
    return bool(iso3) and role in ROLE_NAMES


def _add(result: ScanResult, path: Path, text: str, raw: bytes, seen_ids: dict[str, str], parser, kind: str) -> None:
    """Parse one page into a document, or say by name why it is not one."""
    if path.stem in seen_ids:
        result.problems.append(
            Skipped(str(path), f"duplicate {kind} id {path.stem} (also {seen_ids[path.stem]}); kept the first")
        )
        return
    try:
        document = parser(text, path)
    except ParseError as error:
        result.problems.append(Skipped(str(path), str(error)))
        return
    if not document.language:  # a story: its interview's words (pages detect their own)
        document.language = detect_language(" ".join(p.text for sec in document.sections for p in sec.paragraphs))
    _keep(result, path, document, raw, content_hash(raw), seen_ids)


def _keep(
    result: ScanResult, path: Path, document: Document, raw: bytes, digest: str, seen_ids: dict[str, str]
) -> None:
    seen_ids[document.id] = str(path)
    result.documents.append(document)
    result.raw[document.id] = raw
    result.hashes[document.id] = digest
    result.warnings.extend(Skipped(str(path), warning) for warning in document.warnings)
