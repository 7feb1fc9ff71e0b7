"""Story pages → :class:`Story` records, tolerant of the archive's real defects.

The archive was exported from several tools and typed by hand, so a timestamp
may arrive as ``### [[0:33]] q``, ``### [[0:01\\]\\]q``, ``[[9:46]] text``,
``### [[2:40 q``, ``**\\[\\[11:28]] Thank you\\.**`` or ``[[0:0]]``. Every one of
them starts a section; a parser that only knew the clean form would silently
drop whole stories (see the corpus README).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .records import Paragraph, Section, Story, empty_tags
from .text import is_web_url, unescape
from .vocabulary import ROLE_OF_PREFIX, TAG_KINDS

# One to three opening brackets (each maybe escaped), m:ss or h:mm:ss, then up
# to four closing brackets (maybe escaped) — or none at all.
_TIMESTAMP_LINE = re.compile(
    r"""^(?P<hashes>\#{1,6}\s*)?(?P<bold>\*\*)?
        (?:\\?\[){1,3}\s*
        (?P<a>\d{1,2}):(?P<b>\d{1,2})(?::(?P<c>\d{1,2}))?
        \s*(?:\\?\]){0,4}
        (?P<rest>.*)$""",
    re.VERBOSE,
)
# A bare "7:27" or "22:07 And lastly…" opening a paragraph: an inline time.
_INLINE_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?:\s+|$)")
_META_START = re.compile(r"^\[\[(?P<key>ai_summary|audio|continent|country|type):(?P<value>.*)$", re.S)
_TAG_LINE = re.compile(r"^\[\[(?P<kind>" + "|".join(TAG_KINDS) + r"):(?P<value>[^\]]*)\]\]$")
_HEADING = re.compile(r"^#{1,6}\s*")
_FENCED = re.compile(r"^```.*?^```", re.S | re.M)
#: Page metadata written inside a paragraph (a joined or damaged line): read by read_metadata, not text.
_INLINE_META = re.compile(r"\[\[(?:ai_summary|audio|continent|country|type):(?:(?!\[\[|\]\]).)*\]\]")
#: Markup left in text by damaged pages (a lost bracket, a timestamp mid-line): never passage text.
_STRAY = re.compile(r"\[\[\s*\d{1,2}:\d{1,2}(?::\d{1,2})?\s*\]*|\[\[|\]\]|#{2,}")


@lru_cache(maxsize=1)
def continents() -> dict[str, str]:
    """ISO3 → continent, for stories whose page lacks ``[[continent:]]``."""
    raw = resources.files("labstories.index").joinpath("data/continents.json").read_text("utf-8")
    return json.loads(raw)["continents"]


class ParseError(ValueError):
    """A page that cannot become a story; the message says why."""


def seconds(a: str, b: str, c: str | None = None) -> int:
    if c is not None:
        return int(a) * 3600 + int(b) * 60 + int(c)
    return int(a) * 60 + int(b)


def read_metadata(text: str) -> dict[str, list[str]]:
    """All ``[[key:value]]`` page metadata, values possibly spanning lines."""
    meta: dict[str, list[str]] = {}
    text = text.replace("\\[", "[").replace("\\]", "]")  # also when escaped in a heading
    # A value may span lines and paragraphs, but not another "[[" or a heading: a lost "]]" must not
    # swallow the page.
    for key, value in re.findall(
        r"\[\[(ai_summary|audio|continent|country|type):((?:(?!\[\[|\n\s*#).)*?)\]\]", text, flags=re.S
    ):
        meta.setdefault(key, []).append(" ".join(unescape(value).split()))
    return meta


def page_type(text: str) -> str | None:
    """The page's ``[[type:…]]``, or None when it has none."""
    text = _FENCED.sub("", text)  # a README quoting the format is not a story
    found = re.search(r"^\s*\[\[type:\s*([A-Za-z_]+)\s*\]\]", text, flags=re.M)
    return found.group(1).lower() if found else None


def split_stem(stem: str) -> tuple[str, str]:
    """``SolutionMappers_TGO`` → (``Solutions Mapper``, ``TGO``)."""
    prefix, _, iso3 = stem.partition("_")
    role = ROLE_OF_PREFIX.get(prefix.lower(), prefix)
    return role, iso3.upper() if len(iso3) == 3 else ""


def clean_title(line: str) -> str:
    title = _HEADING.sub("", line)
    title = _HEADING.sub("", title)  # "# # Title"
    title = unescape(title).strip().strip('"“”').strip()
    return title


class _Builder:
    """Line-by-line state machine; keeps every piece of text somewhere."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.pending_tags = empty_tags()
        self.buffer: list[str] = []
        self.title: str | None = None
        self.preamble: list[Paragraph] = []

    # -- paragraphs -------------------------------------------------------
    def flush(self) -> None:
        if not self.buffer:
            return
        raw = " ".join(line.strip() for line in self.buffer)
        self.buffer = []
        text = clean_markup(unescape(_INLINE_META.sub(" ", raw)))
        start = None
        inline = _INLINE_TIME.match(text)
        if inline:
            start = seconds(inline.group(1), inline.group(2))
            text = text[inline.end() :].strip()
        if not text:
            return
        paragraph = Paragraph(text=text, tags=self.pending_tags, start=start)
        self.pending_tags = empty_tags()
        if self.sections:
            self.sections[-1].paragraphs.append(paragraph)
        else:
            self.preamble.append(paragraph)

    def tag(self, kind: str, value: str) -> None:
        self.flush()
        value = unescape(value)
        if value and value not in self.pending_tags[kind]:
            self.pending_tags[kind].append(value)

    def timestamp(self, match: re.Match) -> None:
        self.flush()
        start = seconds(match["a"], match["b"], match["c"])
        rest = match["rest"].strip()
        if match["bold"]:
            rest = rest.removesuffix("**").strip()
        rest = unescape(rest).lstrip("]")
        rest = rest.lstrip(".,:;* ").strip()  # "[[15:26\]\]\. When…" → "When…"
        heading, body = rest, ""
        if not match["hashes"] and not match["bold"] and not _looks_like_question(rest):
            # "[[0:00]] OK, so my name is…": the answer itself, not a heading.
            heading, body = "", rest
        self.sections.append(Section(start=start, end=None, heading=clean_markup(heading)))
        if body:
            self.buffer.append(body)
            self.flush()

    def finish(self) -> list[Section]:
        self.flush()
        if self.preamble:
            # Text before the first timestamp is the untimed opening, at 0.
            if self.sections and self.sections[0].start == 0 and not self.sections[0].paragraphs:
                self.sections[0].paragraphs = self.preamble
            else:
                self.sections.insert(0, Section(start=0, end=None, heading="", paragraphs=self.preamble))
        for current, following in zip(self.sections, self.sections[1:]):
            current.end = following.start
        return self.sections


def _opens_block(line: str) -> bool:
    """A line that starts something new: a tag, metadata, timestamp or heading line."""
    return line.lstrip().startswith(("[[", "\\[", "#", "**[", "**\\["))


def clean_markup(text: str) -> str:
    """Stray ``[[``, ``]]``, ``##`` and mid-line timestamps out; every word stays."""
    return " ".join(_STRAY.sub(" ", text).split()) if ("[[" in text or "]]" in text or "##" in text) else text


def _looks_like_question(text: str) -> bool:
    return len(text) <= 400 and "?" in text


def parse_story(text: str, path: Path | str) -> Story:
    """Parse one ``[[type:story]]`` page; raises :class:`ParseError` with the reason."""
    path = Path(path)
    kind = page_type(text)
    if kind != "story":
        raise ParseError(f"page type is {kind or 'missing'}, not story")
    meta = read_metadata(text)
    builder = _Builder()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            builder.flush()
            continue
        meta_start = _META_START.match(line)
        if meta_start:
            # Skip the metadata block — to its "]]", which may be lines on but not past the next
            # marker or heading (a lost "]]" must not swallow the story) — and keep what follows it.
            block, end = line, i
            if "]]" not in line:
                k = i
                while k < len(lines) and "]]" not in lines[k] and not _opens_block(lines[k]):
                    k += 1
                if k < len(lines) and "]]" in lines[k]:
                    block, end = " ".join([line, *lines[i : k + 1]]), k + 1
            i = end
            builder.flush()
            rest = block.split("]]", 1)[1].strip() if "]]" in block else ""
            if rest:
                lines.insert(i, rest)
            continue
        tag = _TAG_LINE.match(line)
        if tag:
            builder.tag(tag["kind"], tag["value"])
            continue
        stamp = _TIMESTAMP_LINE.match(line)
        if stamp:
            builder.timestamp(stamp)
            continue
        if builder.title is None and line.startswith("# "):
            builder.flush()
            builder.title = clean_title(line)
            continue
        if _INLINE_TIME.match(line):
            builder.flush()  # "22:07 And lastly…" opens a new, finer-timed paragraph
        if line.startswith("#"):
            # "### answer text": a heading-shaped answer paragraph.
            builder.flush()
            line = _HEADING.sub("", line)
            if not line:
                continue
        builder.buffer.append(line)
    sections = builder.finish()
    if not sections:
        raise ParseError("no timestamped sections and no text")
    role, iso3 = split_stem(path.stem)
    audio = _first(meta, "audio") or None
    warnings = []
    continent = _first(meta, "continent")
    if not continent and iso3 in continents():
        continent = continents()[iso3]
        warnings.append(f"no [[continent:]]; used {continent} from the file name's country code {iso3}")
    if audio and not is_web_url(audio):
        warnings.append(f"audio URL {audio[:60]!r} is not http(s); dropped")
        audio = None
    country = _first(meta, "country")
    return Story(
        id=path.stem,
        title=builder.title or path.stem,
        summary=_first(meta, "ai_summary"),
        links={"audio": audio} if audio else {},
        countries=[country] if country else [],
        continents=[continent] if continent else [],
        role=role,
        iso3=iso3,
        sections=sections,
        path=str(path),
        warnings=warnings,
    )


def _first(meta: dict[str, list[str]], key: str) -> str:
    values = meta.get(key) or [""]
    return values[0].strip()
