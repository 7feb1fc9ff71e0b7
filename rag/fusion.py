"""Rank fusion: ranked lists in, one ranked list out. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Hashable]], k: float = 60.0, weights: Sequence[float] | None = None
) -> list[tuple[Hashable, float]]:
    """Cormack et al.'s RRF: score(d) = Σ w_i / (k + rank_i(d)), ranks from 1.

    Ties keep the order of first appearance, so the result is deterministic.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def best_per_group(scored: Sequence[tuple[Hashable, float]], group_of) -> list[tuple[Hashable, Hashable, float]]:
    """Collapse (item, score) pairs, best first, to one (group, best item, score) per group."""
    seen: dict[Hashable, tuple[Hashable, Hashable, float]] = {}
    for item, score in sorted(scored, key=lambda pair: -pair[1]):
        group = group_of(item)
        if group not in seen:
            seen[group] = (group, item, score)
    return list(seen.values())
