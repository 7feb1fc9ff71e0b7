"""Filters → a Chroma ``where`` clause and a keyword-side mask, checked against the index.

Filtering happens before ranking on both sides (Chroma's ``where`` on the dense
side, the allowed positions from ``filterindex`` on the keyword side), so a filter never empties a top-k
that had matches further down.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np

from labstories.index.records import Passage, Story
from labstories.index.vocabulary import FILTER_KINDS, STORY_KINDS, TAG_KINDS

from .errors import FilterError
from .records import Filters


def facet_counts(stories: dict[str, Story]) -> dict[str, dict[str, int]]:
    """Tag values counted in sections; country, continent and role counted in stories."""
    counts: dict[str, dict[str, int]] = {kind: {} for kind in FILTER_KINDS}
    for story in stories.values():
        for kind in STORY_KINDS:
            value = getattr(story, kind)
            if value:
                counts[kind][value] = counts[kind].get(value, 0) + 1
        for section in story.sections:
            for kind, values in section.tags.items():
                for value in values:
                    counts[kind][value] = counts[kind].get(value, 0) + 1
    return {kind: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))) for kind, values in counts.items()}


def resolve(filters: Filters, facets: dict[str, dict[str, int]]) -> Filters:
    """The same filters with each value in the index's spelling; unknown values raise."""
    resolved = {}
    for kind, values in filters.items():
        known = {value.casefold(): value for value in facets.get(kind, {})}
        canonical = []
        for value in values:
            match = known.get(value.casefold())
            if match is None:
                close = difflib.get_close_matches(value, list(facets.get(kind, {})), n=5, cutoff=0.5)
                raise FilterError(kind, value, close, len(known))
            if match not in canonical:
                canonical.append(match)
        resolved[kind] = canonical
    return Filters(**resolved)


def chroma_where(filters: Filters) -> dict | None:
    clauses = []
    for kind, values in filters.items():
        if kind in TAG_KINDS:
            options = [{kind: {"$contains": value}} for value in values]
        else:
            options = [{kind: {"$eq": value}} for value in values]
        clauses.append(options[0] if len(options) == 1 else {"$or": options})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def passage_mask(filters: Filters, passages: list[Passage], stories: dict[str, Story]) -> np.ndarray:
    """True where a passage satisfies every filter kind.

    The obvious per-passage check, kept as the reference the tests hold
    :class:`~labstories.rag.filterindex.FilterIndex` to; search uses the
    latter, whose cost follows the matches instead of the corpus size.
    """
    mask = np.ones(len(passages), dtype=bool)
    for kind, values in filters.items():
        wanted = set(values)
        if kind in TAG_KINDS:
            hits = [bool(wanted.intersection(p.tags.get(kind, ()))) for p in passages]
        else:
            hits = [getattr(stories[p.story], kind) in wanted for p in passages]
        mask &= np.asarray(hits, dtype=bool)
    return mask


@dataclass
class Relaxation:
    """What dropping one filter kind would give back, for the "no results" message."""

    kind: str
    values: list[str]
    passages: int                                   # passages matching the other filters
    alternatives: list[tuple[str, int]] = field(default_factory=list)  # same-kind values that would match


def relaxations(filters: Filters, filter_index, limit: int = 5) -> list[Relaxation]:
    """For each active filter kind: how many passages match without it, and which of its values would.

    Search only comes back empty when no passage satisfies every filter, so the
    diagnosis needs counts, not searches; the index's filter structures
    (:class:`rag.filterindex.FilterIndex`) give them without a pass over every passage.
    """
    found = []
    for kind, values in filters.items():
        others = Filters(**{k: v for k, v in filters.items() if k != kind})
        counts = filter_index.value_counts(kind, others)
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        found.append(Relaxation(kind, list(values), filter_index.count(others), best))
    return sorted(found, key=lambda r: -r.passages)
