"""Is anything in the archive a strong match for the question? One absolute signal, one threshold.

The fused ranking score is standardised per query, so it ranks well but says
nothing about whether the best passage is any good: the top hit of "recipe for
lasagna" scores as high as the top hit of a question the archive answers. The
dense side's cosine similarity is absolute: the best cosine among the top
``TOP`` hits is compared with :data:`STRONG_COSINE`, calibrated on the graded
dev questions and on off-topic questions (``benchmarks/weak_match.py``; the
table is in docs/retrieval.md). When filters are what removed the strong
matches, :func:`assess` names the filters whose removal brings one back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .filters import Relaxation
from .records import Filters, Hit

#: Hits whose cosine is considered.
TOP = 3
#: Below this best cosine no passage speaks to the question directly (see benchmarks/weak_match.py).
STRONG_COSINE = 0.28


def best_cosine(hits: list[Hit], top: int = TOP) -> float:
    """The highest dense cosine among the first ``top`` hits (0 when none has one)."""
    return max((h.cosine for h in hits[:top] if h.cosine is not None), default=0.0)


def is_strong(hits: list[Hit], threshold: float = STRONG_COSINE) -> bool:
    return bool(hits) and best_cosine(hits) >= threshold


@dataclass
class MatchStrength:
    """What the answer should say about how well its passages match."""

    strong: bool
    best: float
    #: True when the question has strong matches without the filters.
    filtered_out: bool = False
    #: The filter kinds whose removal alone brings a strong match back.
    blamed: list[Relaxation] = field(default_factory=list)


def assess(index, query: str, filters: Filters, hits: list[Hit]) -> MatchStrength:
    """Strength of ``hits`` (the search of ``query`` under ``filters``) and, when weak, whether the
    filters are the reason: the unfiltered search has a strong match, and which single filter hides it."""
    strength = MatchStrength(is_strong(hits), round(best_cosine(hits), 3))
    if strength.strong or not filters:
        return strength
    if not is_strong(index.search(query, None, TOP)):
        return strength
    strength.filtered_out = True
    for relax in index.relaxations(filters):
        if relax.passages and is_strong(index.search(query, filters.without(relax.kind), TOP)):
            strength.blamed.append(relax)
    return strength


__all__ = ["MatchStrength", "STRONG_COSINE", "TOP", "assess", "best_cosine", "is_strong"]
