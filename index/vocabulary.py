"""The program's vocabulary, declared once: filter kinds, document types, lab roles, section keys.

Records, the store, links, the CLI, the app and the chat grammar all read
these tables, so a new filter kind or role spelling is one line here rather
than an edit in six modules that must agree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FilterKind:
    """One way to narrow a search, and every name it goes by.

    A kind is one line of :data:`KINDS`: the ``Filters`` record takes its fields
    from it, the CLI its flag, links their parameter, the store its metadata key,
    the filter index and the facets their values, the panel its dropdown.
    """

    name: str  # the Filters field, the JSON key and the stored metadata key: "principles"
    label: str  # a panel heading: "Principles"
    singular: str  # in a sentence: "principle"
    param: str  # the URL parameter and the CLI flag's word: "principle"
    #: "passage": element tags written above paragraphs, so they differ within a document;
    #: "document": a fact of the whole page, read from the Document attribute ``attribute``
    #: (or from ``Document.metadata[name]`` when ``attribute`` is empty).
    level: str
    attribute: str = ""
    #: Other keys accepted for it in JSON (``--queries``, the app's API): "sdg" for "sdgs".
    aliases: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--" + self.param

    @property
    def tag(self) -> bool:
        """True for element tags (they vary passage by passage)."""
        return self.level == "passage"


KINDS: tuple[FilterKind, ...] = (
    FilterKind("principles", "Principles", "principle", "principle", "passage"),
    FilterKind("tactics", "Tactics", "tactic", "tactic", "passage"),
    FilterKind("tools", "Tools", "tool", "tool", "passage"),
    FilterKind("skills", "Skills", "skill", "skill", "passage"),
    FilterKind("country", "Country", "country", "country", "document", "countries", ("countries",)),
    FilterKind("continent", "Continent", "continent", "continent", "document", "continents", ("continents",)),
    FilterKind("role", "Lab role", "lab role", "role", "document", "role", ("roles",)),
    FilterKind("type", "Type", "type", "type", "document", "type", ("types",)),
    FilterKind("sdgs", "SDG", "SDG", "sdg", "document", "", ("sdg",)),
    FilterKind("year", "Year", "year", "year", "document", "year", ("years",)),
    FilterKind("language", "Language", "language", "language", "document", "language", ("languages",)),
    FilterKind("methods", "Methods", "method", "method", "document", "", ("method",)),
)
KIND: dict[str, FilterKind] = {kind.name: kind for kind in KINDS}
KIND_BY_PARAM: dict[str, FilterKind] = {kind.param: kind for kind in KINDS}
#: Every key a JSON filters mapping may use for a kind: its name, its parameter and its aliases.
KIND_BY_KEY: dict[str, FilterKind] = {key: kind for kind in KINDS for key in (kind.name, kind.param, *kind.aliases)}
#: Element tag kinds, in display order.
TAG_KINDS: tuple[str, ...] = tuple(kind.name for kind in KINDS if kind.tag)
#: Facts of a whole document that are filters.
DOCUMENT_KINDS: tuple[str, ...] = tuple(kind.name for kind in KINDS if not kind.tag)
#: Every filter kind, tags first, then where and who.
FILTER_KINDS: tuple[str, ...] = tuple(kind.name for kind in KINDS)


@dataclass(frozen=True)
class DocumentType:
    """A type of archive page (its ``[[type:…]]``) and how to name it."""

    name: str
    label: str  # "Learning plan"
    plural: str  # "learning plans"


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("story", "Story", "stories"),
    DocumentType("solution", "Solution", "solutions"),
    DocumentType("experiment", "Experiment", "experiments"),
    DocumentType("learningplan", "Learning plan", "learning plans"),
    DocumentType("blog", "Blog", "blogs"),
    DocumentType("publications", "Publication", "publications"),
)
DOCUMENT_TYPE: dict[str, DocumentType] = {t.name: t for t in DOCUMENT_TYPES}


@dataclass(frozen=True)
class Role:
    """A lab role: its display name, the file-name prefixes that carry it, and what people call it."""

    name: str
    file_prefixes: tuple[str, ...]
    spoken: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role("Experimenter", ("experimenters", "experimenter"), ("experimenter",)),
    Role("Explorer", ("explorers", "explorer"), ("explorer",)),
    Role("Solutions Mapper", ("solutionmappers", "solutionmapper"), ("solution mapper", "solutions mapper", "mapper")),
)
ROLE_NAMES: tuple[str, ...] = tuple(role.name for role in ROLES)
ROLE_OF_PREFIX: dict[str, str] = {prefix: role.name for role in ROLES for prefix in role.file_prefixes}


def section_key(story: str, start: int) -> str:
    """``Experimenters_SSD@478``: a section's key in the evaluation files and in hits."""
    return f"{story}@{int(start)}"


def parse_section_key(key: str) -> tuple[str, int]:
    """The inverse of :func:`section_key`; raises ValueError on a malformed key."""
    story, sep, start = key.rpartition("@")
    if not sep or not story or not start.isdigit():
        raise ValueError(f"section key {key!r} is not <story>@<seconds>")
    return story, int(start)


__all__ = [
    "DOCUMENT_TYPE",
    "DOCUMENT_TYPES",
    "DocumentType",
    "FILTER_KINDS",
    "KIND",
    "KINDS",
    "KIND_BY_PARAM",
    "ROLES",
    "ROLE_NAMES",
    "ROLE_OF_PREFIX",
    "DOCUMENT_KINDS",
    "KIND_BY_KEY",
    "TAG_KINDS",
    "FilterKind",
    "Role",
    "parse_section_key",
    "section_key",
]
