"""Follow-up understanding: a chat message + the previous question and filters → the next search.

Pure functions over the index's vocabulary (facet values and which continent
each country lies in); nothing here searches. The rules, chosen to be
predictable rather than clever:

* Country, continent and role names mentioned anywhere in a message, and
  element names in a follow-up (case-insensitive, whole words, plural ``s``
  allowed, longest name first so "South Sudan" is not also "Sudan") become
  filters the user can see and remove. In a new question an element name is
  left as part of the topic: the archive's tags were assigned automatically,
  and "how did they design the pilot?" is not a request for the tag *Design*.
  Role aliases ("experimenters", "solution mappers", "mappers") and place
  aliases ("Latin America", "DRC") are understood. A name that is an element
  of several kinds goes to the kind that tags most sections.
* A mentioned value *replaces* the values of its kind ("only in Africa" after
  Asia means Africa, not Asia-or-Africa), unless the message says "also" /
  "or" / "as well", which adds. Filters of other kinds are kept. A continent
  drops countries outside it, a country drops a continent it is not in.
* "without Peru" / "remove Trust" / "not in Africa" remove the named values;
  "clear filters" / "all countries" clear all or one kind.
* A message is a *follow-up* when a previous question exists and, once the
  recognised names and filler words ("only", "what about", "more from"…) are
  taken out, at most two words remain: the previous question is searched again
  under the new filters. Otherwise the message is a new question (filters kept).
* "more" / "show more" asks for the next passages of the previous answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from labstories.index.records import TAG_KINDS

from .records import FILTER_KINDS, Filters

#: Extra spellings → (kind, values). Only applied for values the index knows.
ALIASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "experimenter": ("role", ("Experimenter",)),
    "explorer": ("role", ("Explorer",)),
    "solution mapper": ("role", ("Solutions Mapper",)),
    "solutions mapper": ("role", ("Solutions Mapper",)),
    "mapper": ("role", ("Solutions Mapper",)),
    "latin america": ("continent", ("North America", "South America")),
    "the americas": ("continent", ("North America", "South America")),
    "americas": ("continent", ("North America", "South America")),
    "central america": ("continent", ("North America",)),
    "drc": ("country", ("Democratic Republic of Congo",)),
    "congo": ("country", ("Democratic Republic of Congo",)),
    "swaziland": ("country", ("Eswatini",)),
    "lao pdr": ("country", ("Laos",)),
    "east timor": ("country", ("Timor Leste",)),
}
_FILLER = set("""
    a an and also any as about be by can did do does for from further go how i in is it just labs lab
    me more my narrow not of on only or other others please refine same show so stories story tell that
    the their them then there these they this those to try us was we well were what when where which
    who why with within without instead now again too like ones one what's how's let's lets see
    remove drop except filter filters clear all reset
    """.split())
_ADD_WORDS = re.compile(r"\b(also|as well|or|plus|add)\b", re.I)
_REMOVE = re.compile(r"\b(without|remove|drop|except|exclude|not in|not from|no more)\b", re.I)
_MORE = re.compile(r"^\s*(show |give me |load )?(some )?more( passages| results| please)?\s*[.!?]*\s*$", re.I)
_CLEAR_ALL = re.compile(r"\b(clear|reset|remove|drop) (all )?(the )?filters\b|\bno filters\b", re.I)
_CLEAR_KIND = re.compile(r"\b(all|any) (countries|continents|roles|principles|tactics|tools|skills)\b", re.I)
_KIND_WORD = {"countries": "country", "continents": "continent", "roles": "role"}
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


@dataclass
class Vocabulary:
    """What can be recognised: facet values by kind, and each country's continent."""

    facets: dict[str, dict[str, int]]
    continent_of: dict[str, str] = field(default_factory=dict)
    _names: list | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_index(cls, index) -> "Vocabulary":
        stories = index.state.stories.values()
        return cls(index.facets, {s.country: s.continent for s in stories if s.country and s.continent})

    def names(self) -> list[tuple[re.Pattern, str, tuple[str, ...]]]:
        """(pattern, kind, values) for every recognisable name, longest first; built once."""
        if self._names is None:
            self._names = [(re.compile(r"(?<![\w])" + re.escape(p) + r"s?(?![\w])"), k, v) for p, k, v in self._phrases()]
        return self._names

    def _phrases(self) -> list[tuple[str, str, tuple[str, ...]]]:
        found: dict[str, tuple[str, tuple[str, ...]]] = {}
        for kind in ("country", "continent", "role") + TAG_KINDS:
            for value, count in self.facets.get(kind, {}).items():
                phrase = _norm(value)
                if len(phrase) < 3 or phrase in _FILLER:
                    continue
                previous = found.get(phrase)
                if previous is None or (kind in TAG_KINDS and previous[0] in TAG_KINDS
                                        and count > self.facets[previous[0]].get(previous[1][0], 0)):
                    found[phrase] = (kind, (value,))
        for phrase, (kind, values) in ALIASES.items():
            known = tuple(v for v in values if v in self.facets.get(kind, {}))
            if known and phrase not in found:
                found[phrase] = (kind, known)
        return sorted(((p, k, v) for p, (k, v) in found.items()), key=lambda item: -len(item[0]))


@dataclass
class Refinement:
    """The search to run next, and what was understood, for the answer's lead line."""

    query: str
    filters: Filters
    follow_up: bool = False
    more: bool = False
    recognised: list[tuple[str, str]] = field(default_factory=list)   # (kind, value) applied
    removed: list[tuple[str, str]] = field(default_factory=list)      # (kind, value) taken away


def mentions(message: str, vocabulary: Vocabulary) -> tuple[list[tuple[str, str]], str]:
    """(kind, value) named in the message, and the message with those names blanked out."""
    text = _norm(message)
    found: list[tuple[str, str]] = []
    for pattern, kind, values in vocabulary.names():
        if pattern.search(text):
            text = pattern.sub(" ", text)
            found.extend((kind, value) for value in values if (kind, value) not in found)
    return found, text


def refine(message: str, previous_query: str, previous_filters: Filters, vocabulary: Vocabulary) -> Refinement:
    """Turn one chat message into the next query and filters (see the module docstring)."""
    message = (message or "").strip()
    filters = Filters(**{k: list(v) for k, v in previous_filters.items()})
    if previous_query and _MORE.match(message):
        return Refinement(previous_query, filters, follow_up=True, more=True)
    named, rest = mentions(message, vocabulary)
    leftover = [w for w in _WORD.findall(rest) if w not in _FILLER and not w.isdigit()]
    follow_up = bool(previous_query) and len(leftover) <= 2 and bool(
        named or _CLEAR_ALL.search(message) or _CLEAR_KIND.search(message) or _looks_like_refinement(message))
    if not follow_up and not _REMOVE.search(message):
        # In a new question an element name is usually the topic ("how did they design
        # the pilot?"), not a wish to filter by an approximate tag: places and roles only.
        named = [(kind, value) for kind, value in named if kind not in TAG_KINDS]
    removed = _clear(message, filters)
    if _REMOVE.search(message):
        removed += _remove(filters, named)
        named = []
    elif named:
        _apply(filters, named, add=bool(_ADD_WORDS.search(message)), vocabulary=vocabulary)
    query = previous_query if follow_up else message
    return Refinement(query, filters, follow_up=follow_up, recognised=named, removed=removed)


@dataclass
class Relaxation:
    """What dropping one filter kind would give back, for the "no results" message."""

    kind: str
    values: list[str]
    passages: int                                   # passages matching the other filters
    alternatives: list[tuple[str, int]] = field(default_factory=list)  # same-kind values that would match


def relaxations(filters: Filters, index, limit: int = 5) -> list[Relaxation]:
    """For each active filter kind: how many passages match without it, and which of its values would.

    Search only comes back empty when no passage satisfies every filter, so the
    diagnosis needs counts, not searches; the index's filter structures give them
    without a pass over every passage.
    """
    found = []
    for kind, values in filters.items():
        others = Filters(**{k: v for k, v in filters.items() if k != kind})
        counts = index.filter_index.value_counts(kind, others)
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        found.append(Relaxation(kind, list(values), index.filter_index.count(others), best))
    return sorted(found, key=lambda r: -r.passages)


def _apply(filters: Filters, named: list[tuple[str, str]], add: bool, vocabulary: Vocabulary) -> None:
    by_kind: dict[str, list[str]] = {}
    for kind, value in named:
        by_kind.setdefault(kind, []).append(value)
    for kind, values in by_kind.items():
        current = getattr(filters, kind)
        merged = current + [v for v in values if v not in current] if add else values
        setattr(filters, kind, merged)
    if "continent" in by_kind and "country" not in by_kind:
        filters.country = [c for c in filters.country if vocabulary.continent_of.get(c) in filters.continent]
    if "country" in by_kind and "continent" not in by_kind and filters.continent:
        places = {vocabulary.continent_of.get(c) for c in filters.country}
        if not places <= set(filters.continent):
            filters.continent = []


def _remove(filters: Filters, named: list[tuple[str, str]]) -> list[tuple[str, str]]:
    removed = []
    for kind, value in named:
        if value in getattr(filters, kind):
            getattr(filters, kind).remove(value)
            removed.append((kind, value))
    return removed


def _clear(message: str, filters: Filters) -> list[tuple[str, str]]:
    """"clear filters" empties all; "all countries" empties one kind."""
    kinds = list(FILTER_KINDS) if _CLEAR_ALL.search(message) else [
        _KIND_WORD.get(m.group(2).lower(), m.group(2).lower()) for m in _CLEAR_KIND.finditer(message)]
    removed = []
    for kind in kinds:
        removed.extend((kind, value) for value in getattr(filters, kind))
        setattr(filters, kind, [])
    return removed


def _looks_like_refinement(message: str) -> bool:
    return bool(re.match(r"^\s*(and|what about|how about|only|just|more from|now|same)\b", message, re.I))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[-_’]", " ", text.casefold()).split())


__all__ = ["ALIASES", "Refinement", "Relaxation", "Vocabulary", "mentions", "refine", "relaxations"]
