"""The typed records that flow from the archive files to the stored index.

Defined once here and imported everywhere, so a field means the same thing in
the parser, the store, the search and the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .vocabulary import KIND, KINDS, TAG_KINDS, section_key


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
    """A part of a document. In a story, the span of the interview from one timestamp to the
    next (``start`` and ``end`` in seconds); elsewhere, ``start`` is the part's number."""

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


@dataclass(kw_only=True)
class Document:
    """One archive page of any type. ``id`` is the file stem, e.g. ``zuba_power``.

    ``sections`` are the page's own parts in reading order; ``links`` holds the
    URLs the page offers (``source`` for blogs and publications, ``audio`` for a
    story); ``metadata`` holds the page's other filter values by kind name.
    """

    id: str
    type: str
    title: str
    summary: str = ""
    countries: list[str] = field(default_factory=list)
    continents: list[str] = field(default_factory=list)
    year: int | None = None
    language: str = ""
    links: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, list[str]] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    path: str = ""
    #: Problems met while parsing that did not stop it (reported, not stored).
    warnings: list[str] = field(default_factory=list)

    def values(self, kind: str) -> list[str]:
        """The document's values of a document-level filter kind (see ``vocabulary.FilterKind``)."""
        declared = KIND[kind]
        raw = getattr(self, declared.attribute, None) if declared.attribute else self.metadata.get(kind)
        items = raw if isinstance(raw, (list, tuple)) else [raw]
        return [str(value) for value in items if value not in (None, "")]

    def section_key(self, section: Section) -> str:
        return section_key(self.id, section.start)


@dataclass(kw_only=True)
class Story(Document):
    """An interview page: sections start at a second of its audio, and it comes from a lab role."""

    type: str = "story"
    role: str = ""
    iso3: str = ""

    @property
    def audio_url(self) -> str | None:
        return self.links.get("audio")

    @property
    def country(self) -> str:
        return self.countries[0] if self.countries else ""

    @property
    def continent(self) -> str:
        return self.continents[0] if self.continents else ""


def document_from_dict(raw: dict) -> Document:
    """The inverse of ``dataclasses.asdict`` for any document (a story comes back as a :class:`Story`)."""
    sections = [
        Section(**{**s, "paragraphs": [Paragraph(**p) for p in s["paragraphs"]]}) for s in raw.get("sections", [])
    ]
    cls = Story if raw.get("type") == "story" else Document
    return cls(**{**raw, "sections": sections})


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
    doc: str
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


def filter_values(passage: Passage, document: Document) -> dict[str, list[str]]:
    """Every filter kind's values for one passage: its own tags, and its document's facts."""
    return {
        kind.name: list(passage.tags.get(kind.name, ())) if kind.tag else document.values(kind.name) for kind in KINDS
    }


def merge_tags(tag_dicts) -> dict[str, list[str]]:
    """Union of several tag dicts, keeping first-seen order and no duplicates."""
    merged = empty_tags()
    for tags in tag_dicts:
        for kind in TAG_KINDS:
            for value in tags.get(kind, ()):
                if value not in merged[kind]:
                    merged[kind].append(value)
    return merged
