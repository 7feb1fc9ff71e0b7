"""The typed records that flow from the archive files to the stored index.

Defined once here and imported everywhere, so a field means the same thing in
the parser, the store, the search and the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .vocabulary import TAG_KINDS, section_key


def empty_tags() -> dict[str, list[str]]:
    return {kind: [] for kind in TAG_KINDS}


@dataclass
class Paragraph:
    """One answer paragraph with the element tags written directly above it."""

    text: str
    tags: dict[str, list[str]] = field(default_factory=empty_tags)
    #: A finer start time (seconds) when the paragraph opens with an inline timestamp.
    start: int | None = None


@dataclass
class Section:
    """The span of an interview from one timestamp to the next."""

    start: int
    end: int | None
    heading: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def tags(self) -> dict[str, list[str]]:
        return merge_tags(p.tags for p in self.paragraphs)


@dataclass
class Story:
    """One interview page. ``id`` is the file stem, e.g. ``Experimenters_SSD``."""

    id: str
    title: str
    summary: str
    audio_url: str | None
    country: str
    continent: str
    role: str
    iso3: str
    sections: list[Section] = field(default_factory=list)
    path: str = ""
    #: Problems met while parsing that did not stop it (reported, not stored).
    warnings: list[str] = field(default_factory=list)

    def section_key(self, section: Section) -> str:
        return section_key(self.id, section.start)


@dataclass
class Element:
    """A glossary entry: the definition of a tag value, from its element page."""

    name: str
    title: str
    types: list[str]
    overview: str
    purpose: str
    path: str = ""


@dataclass
class Passage:
    """The unit that is embedded: a window of one section, with its context."""

    id: str
    story: str
    section_start: int
    start: int
    text: str
    #: What the model reads: context (title, country, question) + text.
    embed_text: str
    #: What the keyword index reads.
    keyword_text: str
    tags: dict[str, list[str]] = field(default_factory=empty_tags)
    window: int = 0
    #: Answer words between ``start`` and this passage's first word, for the passage's own moment.
    words_before: int = 0
    #: Words from ``start`` to the next known time (``span_end``): the next inline time or the section's end.
    span_words: int = 0
    #: That next known time in seconds; None in a story's last section (no end is known).
    span_end: int | None = None


def merge_tags(tag_dicts) -> dict[str, list[str]]:
    """Union of several tag dicts, keeping first-seen order and no duplicates."""
    merged = empty_tags()
    for tags in tag_dicts:
        for kind in TAG_KINDS:
            for value in tags.get(kind, ()):
                if value not in merged[kind]:
                    merged[kind].append(value)
    return merged
