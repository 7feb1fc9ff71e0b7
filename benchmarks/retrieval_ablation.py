"""Scores the shipped retrieval and its ablations on a judged question file.

    python benchmarks/retrieval_ablation.py ../shared/eval/dev.jsonl --data-dir .labstories
    python benchmarks/retrieval_ablation.py tests/data/eval/mini_dev.jsonl --data-dir /tmp/mini --corpus tests/data/mini

Each row switches one component off (or back to the reference); the numbers
feed docs/retrieval.md. ``--corpus`` indexes that archive into ``--data-dir``
first (unchanged stories are reused); ``--json`` also writes the figures.
Prints a table, asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labstories.index import Embedder, Settings, update  # noqa: E402
from labstories.rag import StoryIndex, evaluate, read_questions  # noqa: E402
from labstories.rag.search import RetrievalConfig  # noqa: E402

SHIPPED = RetrievalConfig()
#: (key in the JSON, row label, configuration)
VARIANTS = [
    (
        "keyword_only",
        "keyword only (bm25s, stemmed windows)",
        replace(SHIPPED, dense_weight=0.0, story_weight=0.0, translate=False),
    ),
    (
        "dense_only",
        "dense only (context-prefixed windows)",
        replace(SHIPPED, dense_weight=1.0, story_weight=0.0, translate=False),
    ),
    ("hybrid_rrf", "hybrid RRF k=60 (reference)", replace(SHIPPED, fusion="rrf", dense_weight=0.5, translate=False)),
    ("rrf_translation", "+ FR/ES glossary translation", replace(SHIPPED, fusion="rrf", dense_weight=0.5)),
    ("z_fusion", "+ z-score fusion (no story boost)", replace(SHIPPED, story_weight=0.0)),
    ("shipped", "+ story boost = shipped", SHIPPED),
    ("shipped_no_translation", "shipped without translation", replace(SHIPPED, translate=False)),
]
KINDS = ("topical", "known_item", "filtered", "keyword", "multilingual")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions")
    parser.add_argument("--data-dir", default=".labstories")
    parser.add_argument(
        "--corpus", help="index this archive folder into --data-dir first (unchanged stories are reused)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    questions = read_questions(args.questions)
    settings, embedder = Settings(data_dir=Path(args.data_dir)), Embedder()
    if args.corpus:
        update(args.corpus, settings, embedder=embedder)
    base = StoryIndex.open(settings, embedder=embedder)
    base.search("warm up the model and the collection")
    print("| method | nDCG@10 | Recall@10 | MRR@10 | " + " | ".join(KINDS) + " | median ms |")
    print("|---|---|---|---|" + "---|" * len(KINDS) + "---|")
    found = {}
    for key, name, config in VARIANTS:
        index = copy.copy(base)  # the same opened index (state, vectors, embedder), other ranking knobs
        index.config = config
        times = []
        for q in questions[:10]:
            began = time.perf_counter()
            index.search(q.question)
            times.append((time.perf_counter() - began) * 1000)
        rows = evaluate(index, questions).rows
        kinds = " | ".join(f"{rows[k]['ndcg']:.3f}" if k in rows else "–" for k in KINDS)
        print(
            f"| {name} | {rows['all']['ndcg']:.3f} | {rows['all']['recall']:.3f} | {rows['all']['mrr']:.3f} | "
            f"{kinds} | {statistics.median(times):.0f} |"
        )
        found[key] = {
            "ndcg": round(rows["all"]["ndcg"], 4),
            "recall": round(rows["all"]["recall"], 4),
            "mrr": round(rows["all"]["mrr"], 4),
            "median_ms": round(statistics.median(times), 2),
            "ndcg_by_kind": {k: round(rows[k]["ndcg"], 4) for k in KINDS if k in rows},
        }
    if args.json:
        Path(args.json).write_text(
            json.dumps({"benchmark": "retrieval_ablation", "questions": len(questions), "variants": found}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
