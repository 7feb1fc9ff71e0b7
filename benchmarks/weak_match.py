"""Calibrates the weak-match threshold (rag/strength.py) and prints the evidence.

    python benchmarks/weak_match.py ../shared/eval/dev.jsonl tests/data/eval/off_topic.jsonl --data-dir .labstories

Per question: the best dense cosine among the top 3 hits, and for graded dev
questions whether a grade-2 section is in the top 3. Conditions: every
off-topic question is flagged weak (best < threshold); no dev question with a
grade-2 passage in its top 3 is flagged. The suggested threshold is the
midpoint of the gap between the two groups; the shipped one is printed beside
it. Prints a table, asserts nothing (tests/test_strength.py checks the conditions).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labstories.index import Settings  # noqa: E402
from labstories.rag import Filters, StoryIndex, read_questions  # noqa: E402
from labstories.rag.strength import STRONG_COSINE, TOP, best_cosine  # noqa: E402


def rows(index: StoryIndex, questions, off_topic: bool) -> list[dict]:
    found = []
    for q in questions:
        hits = index.search(q.question, Filters.from_dict(q.filters), 10)
        grade2 = any(q.relevant.get(h.section, 0) >= 2 for h in hits[:TOP])
        found.append({"id": q.id, "kind": "off-topic" if off_topic else q.kind, "question": q.question,
                      "best": best_cosine(hits), "grade2_top3": grade2})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dev")
    parser.add_argument("off_topic")
    parser.add_argument("--data-dir", default=".labstories")
    args = parser.parse_args()
    index = StoryIndex.open(Settings(data_dir=Path(args.data_dir)))
    table = rows(index, read_questions(args.dev), False) + rows(index, read_questions(args.off_topic), True)
    print("| id | kind | grade-2 in top 3 | best cosine (top 3) | flagged at shipped threshold |")
    print("|---|---|---|---|---|")
    for row in sorted(table, key=lambda r: -r["best"]):
        print(f"| {row['id']} | {row['kind']} | {'yes' if row['grade2_top3'] else ''} | {row['best']:.3f} | "
              f"{'weak' if row['best'] < STRONG_COSINE else ''} |")
    off = [r["best"] for r in table if r["kind"] == "off-topic"]
    must_pass = [r["best"] for r in table if r["grade2_top3"]]
    print(f"\noff-topic: {len(off)} questions, best cosine max {max(off):.3f}")
    print(f"dev with grade 2 in top 3: {len(must_pass)} questions, best cosine min {min(must_pass):.3f}")
    if max(off) < min(must_pass):
        print(f"separable: any threshold in ({max(off):.3f}, {min(must_pass):.3f}]; "
              f"midpoint {(max(off) + min(must_pass)) / 2:.3f}")
    else:
        print("NOT separable by this signal")
    other = [r for r in table if r["kind"] != "off-topic" and not r["grade2_top3"] and r["best"] < STRONG_COSINE]
    print(f"shipped threshold {STRONG_COSINE}: off-topic flagged {sum(b < STRONG_COSINE for b in off)}/{len(off)}, "
          f"grade-2 dev flagged {sum(b < STRONG_COSINE for b in must_pass)}/{len(must_pass)}, "
          f"other dev questions flagged {len(other)}")


if __name__ == "__main__":
    main()
