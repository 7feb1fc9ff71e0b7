"""A place asked for that the archive has no story from ("only in Kenya"): the values it has that are nearest.

Pure functions over the index's facets (:class:`ui.followups.Vocabulary`);
nothing here searches. For a country, the nearest are the archive's countries
on the same continent (from the bundled country lookup, ``index.pages``), else
the closest spellings (``rag.filters.closest``), else the countries it has
most documents from; for a continent, the continents it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labstories.index.pages import country_continents
from labstories.rag.filters import closest

from .followups import Vocabulary

#: Nearest values named per absent place.
NEAREST = 5


@dataclass
class Absent:
    """One place the archive lacks, and the values it has instead, with their document counts."""

    kind: str
    value: str
    label: str  # what the nearest values are: "Countries in Africa it has"
    nearest: list[tuple[str, int]] = field(default_factory=list)


def nearest(kind: str, value: str, vocabulary: Vocabulary, limit: int = NEAREST) -> Absent:
    """What the archive has nearest to ``value`` of ``kind`` (country or continent)."""
    counts = vocabulary.facets.get(kind, {})
    if kind == "country":
        places = country_continents(value)
        same = [(c, n) for c, n in counts.items() if vocabulary.continent_of.get(c) in places]
        if same:
            return Absent(kind, value, f"Countries in {' and '.join(places)} it has", same[:limit])
        close = closest(value, counts, limit)
        if close:
            return Absent(kind, value, "Countries spelt most like it", [(c, counts[c]) for c in close])
        return Absent(kind, value, "Countries it has most documents from", list(counts.items())[:limit])
    return Absent(kind, value, "Continents it has", list(counts.items())[:limit])


__all__ = ["NEAREST", "Absent", "nearest"]
