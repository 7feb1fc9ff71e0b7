"""Score fusion: per-side scores in, one ranked list out. Pure functions, no I/O.

Two ways are kept. Reciprocal rank fusion (``reciprocal_rank_fusion``) uses
ranks only and is the reference baseline. The shipped ranking standardises
each side's scores over its own candidates (``zscores``), adds them with a
weight (``combine``), and then lets a story's best sections lift its other
sections a little (``story_boost``): a question about an initiative is usually
answered in several parts of the interview that tells it (docs/retrieval.md).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from statistics import fmean

import numpy as np


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Hashable]], smoothing: float = 60.0, weights: Sequence[float] | None = None
) -> list[tuple[Hashable, float]]:
    """Cormack et al.'s RRF: score(d) = Σ w_i / (smoothing + rank_i(d)), ranks from 1 (their k = 60).

    Ties keep the order of first appearance, so the result is deterministic.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (smoothing + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def best_per_group(scored: Sequence[tuple[Hashable, float]], group_of) -> list[tuple[Hashable, Hashable, float]]:
    """Collapse (item, score) pairs to one (group, best item, score) per group, best first."""
    seen: dict[Hashable, tuple[Hashable, Hashable, float]] = {}
    for item, score in sorted(scored, key=lambda pair: -pair[1]):
        group = group_of(item)
        if group not in seen:
            seen[group] = (group, item, score)
    return list(seen.values())


def zscores(scores: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Standardise one side's scores so cosine and BM25 can be added."""
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    mean, spread = float(values.mean()), float(values.std()) or 1.0  # population deviation, as pstdev
    return {key: (value - mean) / spread for key, value in scores.items()}


def combine(sides: Sequence[Mapping[Hashable, float]], weights: Sequence[float]) -> dict[Hashable, float]:
    """Weighted sum of standardised sides; a key a side did not return gets that side's lowest score."""
    normalised = [zscores(side) for side in sides]
    keys = list(dict.fromkeys(key for side in normalised for key in side))
    floors = [min(side.values()) if side else 0.0 for side in normalised]
    return {key: sum(w * side.get(key, floor) for side, w, floor in zip(normalised, weights, floors)) for key in keys}


def story_boost(
    scores: Mapping[Hashable, float], story_of: Callable[[Hashable], Hashable], weight: float, top: int = 3
) -> dict[Hashable, float]:
    """score + weight × mean of the story's ``top`` best section scores."""
    if not weight:
        return dict(scores)
    story = {key: story_of(key) for key in scores}  # once per key: thousands of keys a search
    by_story: dict[Hashable, list[float]] = {}
    for key, value in scores.items():
        by_story.setdefault(story[key], []).append(value)
    story_score = {name: fmean(sorted(values, reverse=True)[:top]) for name, values in by_story.items()}
    return {key: value + weight * story_score[story[key]] for key, value in scores.items()}


def ranked(scores: Mapping[Hashable, float]) -> list[tuple[Hashable, float]]:
    """Best first; ties keep insertion order."""
    return sorted(scores.items(), key=lambda item: -item[1])
