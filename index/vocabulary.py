"""The program's vocabulary, declared once: filter kinds, lab roles, what a word is.

Records, the store, links, the CLI, the app and the chat grammar all read
these tables, so a new filter kind or role spelling is one line here rather
than an edit in six modules that must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FilterKind:
    """One way to narrow a search, and every name it goes by."""

    name: str        # the Filters field and the Chroma metadata key: "principles"
    label: str       # a panel heading: "Principles"
    singular: str    # in a sentence: "principle"
    param: str       # the URL parameter and the CLI flag's word: "principle"
    #: True for element tags (list metadata on each passage); False for story facts.
    tag: bool

    @property
    def flag(self) -> str:
        return "--" + self.param

    @property
    def meta_key(self) -> str:
        return self.name


KINDS: tuple[FilterKind, ...] = (
    FilterKind("principles", "Principles", "principle", "principle", tag=True),
    FilterKind("tactics", "Tactics", "tactic", "tactic", tag=True),
    FilterKind("tools", "Tools", "tool", "tool", tag=True),
    FilterKind("skills", "Skills", "skill", "skill", tag=True),
    FilterKind("country", "Country", "country", "country", tag=False),
    FilterKind("continent", "Continent", "continent", "continent", tag=False),
    FilterKind("role", "Lab role", "lab role", "role", tag=False),
)
KIND: dict[str, FilterKind] = {kind.name: kind for kind in KINDS}
KIND_BY_PARAM: dict[str, FilterKind] = {kind.param: kind for kind in KINDS}
#: Element tag kinds, in display order.
TAG_KINDS: tuple[str, ...] = tuple(kind.name for kind in KINDS if kind.tag)
#: Story facts that are filters (one value per story).
STORY_KINDS: tuple[str, ...] = tuple(kind.name for kind in KINDS if not kind.tag)
#: Every filter kind, tags first, then where and who.
FILTER_KINDS: tuple[str, ...] = tuple(kind.name for kind in KINDS)


@dataclass(frozen=True)
class Role:
    """A lab role: its display name, the file-name prefixes that carry it, and what people call it."""

    name: str
    file_prefixes: tuple[str, ...]
    spoken: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role("Experimenter", ("experimenters", "experimenter"), ("experimenter",)),
    Role("Explorer", ("explorers", "explorer"), ("explorer",)),
    Role("Solutions Mapper", ("solutionmappers", "solutionmapper"),
         ("solution mapper", "solutions mapper", "mapper")),
)
ROLE_NAMES: tuple[str, ...] = tuple(role.name for role in ROLES)
ROLE_OF_PREFIX: dict[str, str] = {prefix: role.name for role in ROLES for prefix in role.file_prefixes}

#: A word for ranking and highlighting: two or more word characters.
WORD = re.compile(r"\w\w+", re.UNICODE)
#: A word as people type it in a sentence, apostrophes and hyphens included.
SPOKEN_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


#: A lone UTF-16 surrogate ("\ud800" from JSON or undecodable argv bytes): tokenizers and JSON
#: encoders fail on it, so text is cleaned with :func:`without_surrogates` before any work.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """Each lone surrogate replaced by U+FFFD, the replacement character."""
    return LONE_SURROGATE.sub("\ufffd", text)


def section_key(story: str, start: int) -> str:
    """``Experimenters_SSD@478``: a section's key in the evaluation files and in hits."""
    return f"{story}@{int(start)}"


def parse_section_key(key: str) -> tuple[str, int]:
    """The inverse of :func:`section_key`; raises ValueError on a malformed key."""
    story, sep, start = key.rpartition("@")
    if not sep or not story or not start.isdigit():
        raise ValueError(f"section key {key!r} is not <story>@<seconds>")
    return story, int(start)


__all__ = ["FILTER_KINDS", "KIND", "KINDS", "KIND_BY_PARAM", "ROLES", "ROLE_NAMES", "ROLE_OF_PREFIX", "SPOKEN_WORD",
           "STORY_KINDS", "TAG_KINDS", "WORD", "LONE_SURROGATE", "without_surrogates", "FilterKind", "Role", "parse_section_key", "section_key"]
