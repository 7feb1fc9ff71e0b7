"""In-process A/B of ``StoryIndex.candidates``: the original (per-passage mask, full-array BM25) against the shipped one.

    python benchmarks/ab_candidates.py DATA_DIR [QUESTIONS]        # QUESTIONS: ../shared/eval/dev.jsonl by default
    python benchmarks/ab_candidates.py --data-dir DATA_DIR --corpus ../shared/corpus --rounds 5
    python benchmarks/ab_candidates.py --smoke --json /tmp/ab.json    # mini corpus, its questions, seconds

Chroma's HNSW answers vary between processes, so only an in-process comparison
on one opened index isolates a code change. The original ``candidates()``
filtered with :func:`rag.filters.passage_mask` (a Python check of every
passage) and scored BM25 over the whole array (``KeywordIndex.scores``); the
shipped one takes the allowed positions from ``rag.filterindex`` and reads the
query tokens' posting lists only (``KeywordIndex.matches``). Both hand the
same allowed positions to the dense side (``StoryIndex._dense``) and pick the
keyword top with the same tie rule (``search.top_positions``), so any
difference in the top 20 is a difference of the two filter/keyword paths.

Per question: whether the top 20 (section, start, score) are identical, and
the time of ``candidates()`` on each side (interleaved, ``--rounds`` times).
Prints the differing questions and a summary; ``--json`` writes the figures.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from labstories.index import Embedder, Settings, update
from labstories.rag import Filters, StoryIndex, read_questions
from labstories.rag.filters import passage_mask
from labstories.rag.fusion import best_per_group
from labstories.rag.search import Candidates, top_positions

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
MINI = ROOT / "tests" / "data" / "mini"
MINI_QUESTIONS = ROOT / "tests" / "data" / "eval" / "mini_dev.jsonl"


class Original(StoryIndex):
    """``candidates()`` as first written: a boolean mask over every passage, BM25 over every passage."""

    def candidates(self, query: str, filters: Filters | None = None) -> Candidates:
        query = query.strip()
        filters = self.resolve(filters)
        understood = self.understand(query)
        mask = passage_mask(filters, self.state.passages, self.state.documents)
        if not mask.any():
            return Candidates({}, {}, {}, self.stems(understood))
        allowed = np.flatnonzero(mask) if filters else None
        dense = best_per_group(self._dense(understood.text, filters, allowed), self._section_of)
        scores = np.where(mask, self.state.keyword.scores(self._keyword_tokens(understood)), 0.0)
        wanted = self.config.candidates_for(self.config.keyword_candidates, len(self.state.passages))
        top = top_positions(scores, min(wanted, int((scores > 0).sum())))
        keyword = best_per_group([(int(i), float(scores[i])) for i in top], self._section_of)
        shown = {key: position for key, position, _ in keyword}
        shown.update({key: position for key, position, _ in dense})
        return Candidates(
            {key: score for key, _, score in dense},
            {key: score for key, _, score in keyword},
            shown,
            self.stems(understood),
        )


def top(index: StoryIndex, question: str, filters: Filters, k: int) -> list[tuple[str, int, float]]:
    return [(h.section, h.start, h.score) for h in index.search(question, filters, k)]


def timed_ms(function, *args) -> float:
    began = time.perf_counter()
    function(*args)
    return (time.perf_counter() - began) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "data_dir", nargs="?", help="the index to open (default .labstories; with --smoke a temporary one)"
    )
    parser.add_argument(
        "questions", nargs="?", help="JSON lines with id/question/filters (default ../shared/eval/dev.jsonl)"
    )
    parser.add_argument("--data-dir", dest="data_dir_option", metavar="DATA_DIR", help="the same as DATA_DIR")
    parser.add_argument("--questions", dest="questions_option", metavar="QUESTIONS", help="the same as QUESTIONS")
    parser.add_argument(
        "--corpus", help="index this archive folder into the data directory first (unchanged stories are reused)"
    )
    parser.add_argument("--k", type=int, default=20, help="hits compared per question")
    parser.add_argument("--rounds", type=int, default=3, help="times each side's candidates() is timed per question")
    parser.add_argument(
        "--smoke", action="store_true", help="quick: the mini corpus (tests/data/mini) and its questions, one round"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir_option or args.data_dir
    args.questions = args.questions_option or args.questions
    if args.smoke:
        args.corpus = args.corpus or str(MINI)
        args.questions = args.questions or str(MINI_QUESTIONS)
        args.rounds = 1
    questions = read_questions(args.questions or SHARED / "eval" / "dev.jsonl")

    with tempfile.TemporaryDirectory(prefix="labstories-ab-") as tmp:
        data_dir = Path(args.data_dir or (tmp if args.smoke else ".labstories"))
        embedder = Embedder()
        if args.corpus:
            update(args.corpus, Settings(data_dir=data_dir), embedder=embedder)
        new = StoryIndex.open(Settings(data_dir=data_dir), embedder=embedder)
        old = copy.copy(new)  # the same opened index (state, vectors, embedder, config) ...
        old.__class__ = Original  # ... with the original candidates()
        new.search("warm up the model and the collection")

        same, differing = 0, []
        times: dict[str, list[float]] = {"original": [], "shipped": []}
        for q in questions:
            filters = Filters.from_dict(q.filters)
            a, b = top(old, q.question, filters, args.k), top(new, q.question, filters, args.k)
            if a == b:
                same += 1
            else:
                differing.append(q.id)
                changed = [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y][:3]
                print(f"{q.id} differs ({len(a)} against {len(b)} hits): {changed}")
            for _ in range(args.rounds):
                times["original"].append(timed_ms(old.candidates, q.question, filters))
                times["shipped"].append(timed_ms(new.candidates, q.question, filters))
        passages = len(new.state.passages)

    median = {side: statistics.median(values) for side, values in times.items()}
    print(f"{same}/{len(questions)} questions: identical top {args.k} (section, start, score) over {passages} passages")
    print(
        f"candidates() median: original {median['original']:.2f} ms, shipped {median['shipped']:.2f} ms "
        f"({len(times['shipped'])} calls each)"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "benchmark": "ab_candidates",
                    "passages": passages,
                    "questions": len(questions),
                    "identical": same,
                    "differing": len(differing),
                    "differing_ids": differing,
                    "original_candidates_median_ms": round(median["original"], 3),
                    "shipped_candidates_median_ms": round(median["shipped"], 3),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
