"""Filters → a Chroma ``where`` clause and a keyword-side mask, checked against the index.

Filtering happens before ranking on both sides (Chroma's ``where`` on the dense
side, the allowed positions from ``filterindex`` on the keyword side), so a filter never empties a top-k
that had matches further down.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np

from labstories.index.pages import canonical_method, canonical_sdg
from labstories.index.records import Document, Passage, filter_values
from labstories.index.text import fold
from labstories.index.vocabulary import DOCUMENT_KINDS, FILTER_KINDS

from .errors import FilterError
from .records import Filters


def facet_counts(documents: dict[str, Document]) -> dict[str, dict[str, int]]:
    """Tag values counted in sections; a document's own facts (country, role…) counted in documents."""
    counts: dict[str, dict[str, int]] = {kind: {} for kind in FILTER_KINDS}
    for document in documents.values():
        for kind in DOCUMENT_KINDS:
            for value in dict.fromkeys(document.values(kind)):
                counts[kind][value] = counts[kind].get(value, 0) + 1
        for section in document.sections:
            for kind, values in section.tags.items():
                for value in values:
                    counts[kind][value] = counts[kind].get(value, 0) + 1
    return {kind: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))) for kind, values in counts.items()}


def resolve(filters: Filters, facets: dict[str, dict[str, int]]) -> Filters:
    """The same filters with each value in the index's spelling; unknown values raise.

    Done once per index: the result remembers the facets it was resolved by, and
    resolving it again against them returns it as it is."""
    if filters.resolved_by is facets:
        return filters
    resolved = {}
    for kind, values in filters.items():
        known = {value.casefold(): value for value in facets.get(kind, {})}
        canonical = []
        for value in values:
            matches = [
                known[v.casefold()] for v in _spellings(kind, value, facets.get(kind, {})) if v.casefold() in known
            ]
            if not matches:
                raise FilterError(kind, value, closest(value, facets.get(kind, {})), len(known))
            canonical.extend(matches)
        resolved[kind] = canonical
    result = Filters(**resolved)
    result.resolved_by = facets
    return result


def closest(value: str, known, n: int = 5) -> list[str]:
    """The ``n`` values of ``known`` spelt most like ``value`` (difflib, cutoff 0.5), best first."""
    return difflib.get_close_matches(value, list(known), n=n, cutoff=0.5)


#: Language names people type, for the codes documents carry.
LANGUAGE_NAMES = {
    "english": "en",
    "anglais": "en",
    "ingles": "en",
    "spanish": "es",
    "espagnol": "es",
    "espanol": "es",
    "castellano": "es",
    "french": "fr",
    "francais": "fr",
    "frances": "fr",
    "portuguese": "pt",
    "portugues": "pt",
    "arabic": "ar",
    "russian": "ru",
    "chinese": "zh",
    "german": "de",
    "italian": "it",
    "turkish": "tr",
}
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-|–|—|\.\.|to|a|à)\s*(\d{4})\s*$")


def _spellings(kind: str, value: str, known: dict[str, int]) -> list[str]:
    """What ``value`` can mean for ``kind``: itself, and for some kinds other ways to say it — an SDG by
    number or name ("10", "sdg 10", "reduced inequality"), a year range ("2020-2022"), a language by
    name ("Spanish"), a method in any case."""
    if kind == "sdgs":
        return [value, canonical_sdg(value) or value]
    if kind == "year":
        span = _YEARS.match(value)
        if span:
            first, last = sorted(int(y) for y in span.groups())
            return [year for year in known if year.isdigit() and first <= int(year) <= last]
    if kind == "language":
        return [value, LANGUAGE_NAMES.get(fold(value.casefold()).strip(), value)]
    if kind == "methods":
        return [value, canonical_method(value)]
    return [value]


def chroma_where(filters: Filters) -> dict | None:
    """Any value within a kind (``$or``), every kind (``$and``); every kind is list metadata."""
    clauses = []
    for kind, values in filters.items():
        options = [{kind: {"$contains": value}} for value in values]
        clauses.append(options[0] if len(options) == 1 else {"$or": options})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def passage_mask(filters: Filters, passages: list[Passage], documents: dict[str, Document]) -> np.ndarray:
    """True where a passage satisfies every filter kind.

    The obvious per-passage check, kept as the reference the tests hold
    :class:`~labstories.rag.filterindex.FilterIndex` to; search uses the
    latter, whose cost follows the matches instead of the corpus size.
    """
    mask = np.ones(len(passages), dtype=bool)
    for kind, values in filters.items():
        wanted = set(values)
        hits = [bool(wanted.intersection(filter_values(p, documents[p.doc])[kind])) for p in passages]
        mask &= np.asarray(hits, dtype=bool)
    return mask


@dataclass
class Relaxation:
    """What dropping one filter kind would give back, for the "no results" message."""

    kind: str
    values: list[str]
    passages: int  # passages matching the other filters
    alternatives: list[tuple[str, int]] = field(default_factory=list)  # same-kind values that would match


def relaxations(filters: Filters, filter_index, limit: int = 5) -> list[Relaxation]:
    """For each active filter kind: how many passages match without it, and which of its values would.

    Search only comes back empty when no passage satisfies every filter, so the
    diagnosis needs counts, not searches; the index's filter structures
    (:class:`rag.filterindex.FilterIndex`) give them without a pass over every passage.
    """
    found = []
    for kind, values in filters.items():
        others = filters.without(kind)
        counts = filter_index.value_counts(kind, others)
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        found.append(Relaxation(kind, list(values), filter_index.count(others), best))
    return sorted(found, key=lambda r: -r.passages)
