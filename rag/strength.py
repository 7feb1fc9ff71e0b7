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

from labstories.index.text import tokenize

from .filters import Relaxation
from .records import Filters, Hit

#: Hits whose cosine is considered.
TOP = 3
#: Below this best cosine no passage speaks to the question directly (see benchmarks/weak_match.py).
STRONG_COSINE = 0.28
#: A story (or document) of an answer speaks to the question when its best moment's cosine is at
#: least STORY_COSINE and it mentions STORY_COVERAGE of the question's content words (by their IDF
#: weight), or when its cosine alone is STORY_SURE_COSINE; the others are loosely related, listed
#: apart, folded. Measured on the dev questions by benchmarks/story_strength.py (docs/retrieval.md):
#: the rule with the best balance of relevant stories kept and loose ones folded that still keeps
#: at least 75% of the relevant stories listed.
STORY_COSINE = 0.28
STORY_COVERAGE = 0.25
STORY_SURE_COSINE = 0.55
#: A document in a French or Spanish question's own language: the English model cannot judge how
#: close the two are in meaning, so words alone decide, with a stricter bar — it speaks when it
#: mentions half the weight of the question's own content words.
OWN_LANGUAGE_COVERAGE = 0.5


def best_cosine(hits: list[Hit], top: int = TOP) -> float:
    """The highest dense cosine among the first ``top`` hits (0 when none has one)."""
    return max((h.cosine for h in hits[:top] if h.cosine is not None), default=0.0)


def group_cosine(hits: list[Hit]) -> float:
    """A story's own strength in an answer: the best cosine among the moments it shows (a moment
    only the keyword side found counts 0: nothing says it is close in meaning)."""
    return max((h.cosine for h in hits if h.cosine is not None), default=0.0)


def coverage(hits: list[Hit], weights: dict[str, float]) -> float:
    """Share of the question's content-word weight that the moments (or their title) mention."""
    total = sum(weights.values())
    if not total:
        return 1.0  # nothing to mention: meaning alone decides
    words = {token for hit in hits for token in tokenize(hit.text + " " + hit.title)}
    return sum(weight for stem, weight in weights.items() if stem in words) / total


def speaks(hits: list[Hit], weights: dict[str, float], own: dict[str, float] | None = None) -> bool:
    """Does this story's part of the answer speak to the question (see :data:`STORY_COSINE`)?
    ``own``: the weights of a translated question's own words, for a document in its language."""
    cosine = group_cosine(hits)
    if cosine >= STORY_SURE_COSINE or (cosine >= STORY_COSINE and coverage(hits, weights) >= STORY_COVERAGE):
        return True
    return bool(own) and coverage(hits, own) >= OWN_LANGUAGE_COVERAGE


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


__all__ = [
    "STORY_COSINE",
    "STORY_COVERAGE",
    "STORY_SURE_COSINE",
    "STRONG_COSINE",
    "TOP",
    "MatchStrength",
    "assess",
    "best_cosine",
    "coverage",
    "group_cosine",
    "is_strong",
    "speaks",
]
