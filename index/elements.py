"""Element pages (principles, tactics, tools, skills) → glossary entries.

Tag values in stories are element file names, so the glossary is keyed by file
stem. 57 element pages carry megabytes of base64 ``data:`` images; they are
stripped before anything else so the glossary stays small.
"""

from __future__ import annotations

import re
from pathlib import Path

from .records import Element
from .text import unescape
from .vocabulary import TAG_KINDS

#: Page types of element pages: the tag kinds (tags name element pages).
ELEMENT_TYPES = TAG_KINDS
_DATA_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*data:[^)]*\)", re.S)
_BARE_DATA = re.compile(r"data:[a-z]+/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+", re.I)
_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.M)


def strip_images(text: str) -> str:
    return _BARE_DATA.sub("", _DATA_IMAGE.sub("", text))


def element_name(path: Path) -> str:
    """The tag value an element page defines: ``Adaptability copy.md`` → ``Adaptability``."""
    return re.sub(r"\s+copy$", "", Path(path).stem, flags=re.I)


def parse_element(text: str, path: Path | str) -> Element:
    text = strip_images(text)
    types = [t.lower() for t in re.findall(r"\[\[type:\s*([A-Za-z_]+)\s*\]\]", text)]
    title = re.search(r"^#\s+(.+?)\s*$", text, re.M)
    sections = _sections(text)
    return Element(
        name=element_name(Path(path)),
        title=unescape(title.group(1)) if title else element_name(Path(path)),
        types=[t for t in dict.fromkeys(types) if t in ELEMENT_TYPES],
        overview=sections.get("overview", ""),
        purpose=sections.get("purpose", ""),
        path=str(path),
    )


def _sections(text: str) -> dict[str, str]:
    """``## Heading`` → text up to the next ``##`` heading, keyed by lower-case heading."""
    found = {}
    marks = list(_SECTION.finditer(text))
    for mark, following in zip(marks, marks[1:] + [None]):
        body = text[mark.end() : following.start() if following else len(text)]
        found.setdefault(mark.group(1).lower(), " ".join(unescape(body).split()))
    return found
