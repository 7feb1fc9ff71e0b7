"""Fitting the two ranking weights on judged questions, and cross-validating that fit.

Only ``dense_weight`` and ``story_weight`` are fitted; everything else is fixed
by design. The expensive half of each search (embedding, Chroma, BM25) runs
once per question; the grid then re-ranks the cached candidates, so a 5-fold
cross-validation costs about as much as one evaluation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from itertools import product
from statistics import fmean

from .evaluate import Question, format_table, ndcg, score, section_of, section_starts
from .records import Filters

DENSE_WEIGHTS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
STORY_WEIGHTS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2)


@dataclass
class Fit:
    dense_weight: float
    story_weight: float
    ndcg: float


def _ranked(index, found, config, starts, depth=10) -> list[str]:
    keys = [key for key, _ in index.rank(found, config)[:depth]]
    # Map each shown passage's start to its section, exactly as `eval` does for hits.
    return [
        section_of(
            index.state.passages[found.best_window[key]].doc, index.state.passages[found.best_window[key]].start, starts
        )
        for key in keys
    ]


def fit(index, questions: list[Question], cached: dict) -> Fit:
    """The grid point with the best mean nDCG@10 on ``questions`` (ties: the earlier point)."""
    starts = section_starts(index)
    best = None
    for dense_weight, story_weight in product(DENSE_WEIGHTS, STORY_WEIGHTS):
        config = replace(index.config, dense_weight=dense_weight, story_weight=story_weight)
        value = fmean(ndcg(_ranked(index, cached[q.id], config, starts), q.relevant) for q in questions)
        if best is None or value > best.ndcg + 1e-12:
            best = Fit(dense_weight, story_weight, value)
    return best


def cross_validate(index, questions: list[Question], folds: int = 5, seed: int = 13) -> str:
    """Fit on k−1 folds, score the held-out fold, report the pooled held-out table."""
    if not 2 <= folds <= len(questions):
        raise ValueError(f"--cv {folds} needs between 2 and {len(questions)} folds")
    cached = {q.id: index.candidates(q.question, Filters.from_dict(q.filters)) for q in questions}
    starts = section_starts(index)
    order = questions[:]
    random.Random(seed).shuffle(order)
    held_out: dict[str, list[str]] = {}
    fits = []
    for fold in range(folds):
        test = order[fold::folds]
        train = [q for q in order if q not in test]
        chosen = fit(index, train, cached)
        fits.append(chosen)
        config = replace(index.config, dense_weight=chosen.dense_weight, story_weight=chosen.story_weight)
        for q in test:
            held_out[q.id] = _ranked(index, cached[q.id], config, starts)
    whole = fit(index, questions, cached)
    lines = [format_table(score(questions, held_out)), ""]
    lines += [
        f"fold {i + 1}: dense_weight={f.dense_weight} story_weight={f.story_weight} (train nDCG@10 {f.ndcg:.3f})"
        for i, f in enumerate(fits)
    ]
    lines.append(
        f"fit on all questions: dense_weight={whole.dense_weight} story_weight={whole.story_weight} "
        f"(nDCG@10 {whole.ndcg:.3f}); shipped: dense_weight={index.config.dense_weight} "
        f"story_weight={index.config.story_weight}"
    )
    return "\n".join(lines)
