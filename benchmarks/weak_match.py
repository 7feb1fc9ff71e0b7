"""Calibrates the weak-match threshold (rag/strength.py) and prints the evidence.

    python benchmarks/weak_match.py ../shared/eval/dev.jsonl tests/data/eval/off_topic.jsonl --data-dir .labstories
    python benchmarks/weak_match.py tests/data/eval/mini_dev.jsonl tests/data/eval/off_topic.jsonl \
        --data-dir /tmp/mini --corpus tests/data/mini --json weak.json

Per question: the best dense cosine among the top 3 hits, and for graded dev
questions whether a grade-2 section is in the top 3. Conditions: every
off-topic question is flagged weak (best < threshold); no dev question with a
grade-2 passage in its top 3 is flagged. The suggested threshold is the
midpoint of the gap between the two groups; the shipped one is printed beside
it. ``--corpus`` indexes that archive into ``--data-dir`` first (unchanged
stories are reused); ``--json`` also writes the figures. Prints a table,
asserts nothing (tests/rag/test_strength.py checks the conditions).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labstories.index import Embedder, Settings, update  # noqa: E402
from labstories.rag import Filters, StoryIndex, read_questions  # noqa: E402
from labstories.rag.strength import STRONG_COSINE, TOP, best_cosine  # noqa: E402


def rows(index: StoryIndex, questions, off_topic: bool) -> list[dict]:
    found = []
    for q in questions:
        hits = index.search(q.question, Filters.from_dict(q.filters), 10)
        grade2 = any(q.relevant.get(h.section, 0) >= 2 for h in hits[:TOP])
        found.append(
            {
                "id": q.id,
                "kind": "off-topic" if off_topic else q.kind,
                "question": q.question,
                "best": best_cosine(hits),
                "grade2_top3": grade2,
            }
        )
    return found


def calibration_setup(description: str, argv: list[str] | None = None):
    """What both calibration benchmarks (this one and story_strength.py) take: the dev and off-topic
    question files, ``--data-dir`` (built from ``--corpus`` first when given) and ``--json``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("dev")
    parser.add_argument("off_topic")
    parser.add_argument("--data-dir", default=".labstories")
    parser.add_argument(
        "--corpus", help="index this archive folder into --data-dir first (unchanged stories are reused)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    settings, embedder = Settings(data_dir=Path(args.data_dir)), Embedder()
    if args.corpus:
        update(args.corpus, settings, embedder=embedder)
    return args, StoryIndex.open(settings, embedder=embedder)


def main(argv: list[str] | None = None) -> int:
    args, index = calibration_setup(__doc__.split("\n\n")[0], argv)
    table = rows(index, read_questions(args.dev), False) + rows(index, read_questions(args.off_topic), True)
    print("| id | kind | grade-2 in top 3 | best cosine (top 3) | flagged at shipped threshold |")
    print("|---|---|---|---|---|")
    for row in sorted(table, key=lambda r: -r["best"]):
        print(
            f"| {row['id']} | {row['kind']} | {'yes' if row['grade2_top3'] else ''} | {row['best']:.3f} | "
            f"{'weak' if row['best'] < STRONG_COSINE else ''} |"
        )
    off = [r["best"] for r in table if r["kind"] == "off-topic"]
    must_pass = [r["best"] for r in table if r["grade2_top3"]]
    if not off or not must_pass:
        raise SystemExit(
            f"nothing to calibrate: {len(off)} off-topic questions, {len(must_pass)} dev questions "
            "with a grade-2 section in their top 3"
        )
    print(f"\noff-topic: {len(off)} questions, best cosine max {max(off):.3f}")
    print(f"dev with grade 2 in top 3: {len(must_pass)} questions, best cosine min {min(must_pass):.3f}")
    separable = max(off) < min(must_pass)
    if separable:
        print(
            f"separable: any threshold in ({max(off):.3f}, {min(must_pass):.3f}]; "
            f"midpoint {(max(off) + min(must_pass)) / 2:.3f}"
        )
    else:
        print("NOT separable by this signal")
    other = [r for r in table if r["kind"] != "off-topic" and not r["grade2_top3"] and r["best"] < STRONG_COSINE]
    print(
        f"shipped threshold {STRONG_COSINE}: off-topic flagged {sum(b < STRONG_COSINE for b in off)}/{len(off)}, "
        f"grade-2 dev flagged {sum(b < STRONG_COSINE for b in must_pass)}/{len(must_pass)}, "
        f"other dev questions flagged {len(other)}"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "benchmark": "weak_match",
                    "shipped_threshold": STRONG_COSINE,
                    "off_topic": {
                        "questions": len(off),
                        "best_max": round(max(off), 4),
                        "flagged": sum(b < STRONG_COSINE for b in off),
                    },
                    "grade2_top3": {
                        "questions": len(must_pass),
                        "best_min": round(min(must_pass), 4),
                        "flagged": sum(b < STRONG_COSINE for b in must_pass),
                    },
                    "other_dev_flagged": len(other),
                    "separable": separable,
                    "suggested_threshold": round((max(off) + min(must_pass)) / 2, 4) if separable else None,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
