"""Measures the per-story threshold that folds loosely related stories (rag/strength.py).

    python benchmarks/story_strength.py ../shared/eval/dev.jsonl tests/data/eval/off_topic.jsonl --data-dir .labstories

For every dev question, each story (document) of its answer — the whole ranked
list, every page — gets its own strength: the best dense cosine among the
moments it shows, and the share of the question's content-word weight (IDF) that
those moments mention. A story *speaks to the question* when one of the moments
it shows is in a judged-relevant section (grade ≥ 1); the others are loosely
related (unjudged ones count as loose, so the folded share is a lower bound of
what is right to fold). For each rule — cosine ≥ c and coverage ≥ v, or cosine
≥ sure — it prints how many relevant stories stay listed, how many loose ones
are folded and how many off-topic stories are folded. The chosen rule keeps at
least 75% of the relevant stories listed and has the best balance of the two
(mean of kept and folded shares) — a rule over all questions, not a fit to any
one. Prints tables; asserts nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from weak_match import calibration_setup  # noqa: E402

from labstories.rag import Filters, StoryIndex, read_questions  # noqa: E402
from labstories.rag.answer import answer  # noqa: E402
from labstories.rag.strength import (  # noqa: E402
    STORY_COSINE,
    STORY_COVERAGE,
    STORY_SURE_COSINE,
    coverage,
    group_cosine,
)

COSINES = (0.25, 0.28, 0.30, 0.32, 0.35)
COVERAGES = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3)
SURE = (0.45, 0.50, 0.55, 1.0)
KEEP = 0.75  # share of relevant stories that must stay listed


def story_rows(index: StoryIndex, questions, off_topic: bool) -> list[dict]:
    """One row per story of each question's whole answer: its cosine and whether it speaks to it."""
    found = []
    for q in questions:
        whole = answer(index, q.question, Filters.from_dict(q.filters), labs=None)
        weights = index.term_weights(q.question)
        for group in whole.groups:
            grade = max((q.relevant.get(h.section, 0) for h in group.hits), default=0)
            found.append(
                {
                    "question": q.id,
                    "kind": "off-topic" if off_topic else q.kind,
                    "off_topic": off_topic,
                    "cosine": group_cosine(group.hits),
                    "coverage": coverage(group.hits, weights),
                    "relevant": grade >= 1,
                }
            )
    return found


def listed(row: dict, cosine: float, cover: float, sure: float) -> bool:
    return row["cosine"] >= sure or (row["cosine"] >= cosine and row["coverage"] >= cover)


def sweep(rows: list[dict]) -> list[dict]:
    dev = [r for r in rows if not r["off_topic"]]
    off = [r for r in rows if r["off_topic"]]
    relevant = [r for r in dev if r["relevant"]]
    loose = [r for r in dev if not r["relevant"]]
    table = []
    for c in COSINES:
        for v in COVERAGES:
            for sure in SURE:
                kept = sum(listed(r, c, v, sure) for r in relevant) / max(1, len(relevant))
                folded = sum(not listed(r, c, v, sure) for r in loose) / max(1, len(loose))
                table.append(
                    {
                        "cosine": c,
                        "coverage": v,
                        "sure": sure,
                        "relevant_listed": kept,
                        "loose_folded": folded,
                        "balance": (kept + folded) / 2,
                        "off_topic_folded": sum(not listed(r, c, v, sure) for r in off) / max(1, len(off)),
                    }
                )
    return table


def shipped(row: dict) -> bool:
    return (row["cosine"], row["coverage"], row["sure"]) == (STORY_COSINE, STORY_COVERAGE, STORY_SURE_COSINE)


def main(argv: list[str] | None = None) -> int:
    args, index = calibration_setup(__doc__.split("\n\n")[0], argv)
    rows = story_rows(index, read_questions(args.dev), False) + story_rows(index, read_questions(args.off_topic), True)
    dev = [r for r in rows if not r["off_topic"]]
    print(
        f"{len(dev)} stories listed over {len({r['question'] for r in dev})} dev questions, "
        f"{sum(r['relevant'] for r in dev)} of them speak to the question; "
        f"{sum(r['off_topic'] for r in rows)} stories over the off-topic questions"
    )
    table = sweep(rows)
    eligible = [row for row in table if row["relevant_listed"] >= KEEP]
    rule = max(eligible, key=lambda row: (row["balance"], -row["sure"])) if eligible else None  # ties: list more
    print(
        "| cosine ≥ | coverage ≥ | or cosine ≥ | relevant stories listed | loose folded | balance | off-topic folded |"
    )
    print("|---|---|---|---|---|---|---|")
    best = sorted(table, key=lambda row: -row["balance"])[:12]
    for row in sorted({id(r): r for r in [*best, *filter(shipped, table)]}.values(), key=lambda r: -r["balance"]):
        mark = " ← shipped" if shipped(row) else ""
        print(
            f"| {row['cosine']:.2f} | {row['coverage']:.2f} | {row['sure']:.2f}{mark} | {row['relevant_listed']:.0%} | "
            f"{row['loose_folded']:.0%} | {row['balance']:.3f} | {row['off_topic_folded']:.0%} |"
        )
    for name, cosine_only in (("cosine alone at the shipped cosine", (STORY_COSINE, 0.0, 1.0)),):
        row = next(r for r in table if (r["cosine"], r["coverage"], r["sure"]) == cosine_only)
        print(f"{name}: relevant listed {row['relevant_listed']:.0%}, loose folded {row['loose_folded']:.0%}")
    if rule:
        print(
            f"\nrule (keep ≥ {KEEP:.0%} of relevant stories listed, best balance): cosine ≥ {rule['cosine']:.2f} and "
            f"coverage ≥ {rule['coverage']:.2f}, or cosine ≥ {rule['sure']:.2f}"
        )
    kinds = sorted({r["kind"] for r in dev if r["relevant"]})
    print(
        "relevant stories listed at the shipped rule, per kind: "
        + ", ".join(
            f"{k} {sum(listed(r, STORY_COSINE, STORY_COVERAGE, STORY_SURE_COSINE) for r in dev if r['relevant'] and r['kind'] == k)}"
            f"/{sum(1 for r in dev if r['relevant'] and r['kind'] == k)}"
            for k in kinds
        )
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "benchmark": "story_strength",
                    "shipped": [STORY_COSINE, STORY_COVERAGE, STORY_SURE_COSINE],
                    "rule": rule,
                    "sweep": table,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
