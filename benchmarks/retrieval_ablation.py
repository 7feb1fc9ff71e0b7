"""Scores the shipped retrieval and its ablations on a judged question file.

    python benchmarks/retrieval_ablation.py ../shared/eval/dev.jsonl --data-dir .labstories

Each row switches one component off (or back to the reference); the numbers
feed docs/retrieval.md. Prints a table, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labstories.index import Settings  # noqa: E402
from labstories.rag import StoryIndex, evaluate, read_questions  # noqa: E402
from labstories.rag.search import RetrievalConfig  # noqa: E402

SHIPPED = RetrievalConfig()
VARIANTS = {
    "keyword only (bm25s, stemmed windows)": replace(SHIPPED, dense_weight=0.0, story_weight=0.0, translate=False),
    "dense only (context-prefixed windows)": replace(SHIPPED, dense_weight=1.0, story_weight=0.0, translate=False),
    "hybrid RRF k=60 (reference)": replace(SHIPPED, fusion="rrf", dense_weight=0.5, translate=False),
    "+ FR/ES glossary translation": replace(SHIPPED, fusion="rrf", dense_weight=0.5),
    "+ z-score fusion (no story boost)": replace(SHIPPED, story_weight=0.0),
    "+ story boost = shipped": SHIPPED,
    "shipped without translation": replace(SHIPPED, translate=False),
}
KINDS = ("topical", "known_item", "filtered", "keyword", "multilingual")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions")
    parser.add_argument("--data-dir", default=".labstories")
    args = parser.parse_args()
    questions = read_questions(args.questions)
    base = StoryIndex.open(Settings(data_dir=Path(args.data_dir)))
    print("| method | nDCG@10 | Recall@10 | MRR@10 | " + " | ".join(KINDS) + " | median ms |")
    print("|---|---|---|---|---|" + "---|" * len(KINDS) + "---|" )
    for name, config in VARIANTS.items():
        index = StoryIndex(base.settings, base.state, base.collection, base.embedder, config)
        times = []
        for q in questions[:10]:
            began = time.perf_counter()
            index.search(q.question)
            times.append((time.perf_counter() - began) * 1000)
        rows = evaluate(index, questions).rows
        kinds = " | ".join(f"{rows[k]['ndcg']:.3f}" if k in rows else "–" for k in KINDS)
        print(f"| {name} | {rows['all']['ndcg']:.3f} | {rows['all']['recall']:.3f} | {rows['all']['mrr']:.3f} | "
              f"{kinds} | {statistics.median(times):.0f} |")


if __name__ == "__main__":
    main()
