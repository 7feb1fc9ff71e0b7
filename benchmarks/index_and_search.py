"""Times a full index of a corpus, a second run with nothing changed, and the median search.

    python benchmarks/index_and_search.py ../shared/corpus [--queries ../shared/eval/dev.jsonl] [--no-cache]

The bundled vector cache covers the shared corpus, so the full index looks its
vectors up; ``--no-cache`` times the embedding itself.

Uses a fresh temporary data directory; prints numbers (and writes them to
``--json FILE``), asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labstories.index import Embedder, Settings, update  # noqa: E402
from labstories.index.vector_cache import VectorCache  # noqa: E402
from labstories.rag import Filters, StoryIndex, read_questions  # noqa: E402

QUESTIONS = [
    "how did labs build belonging with migrants?",
    "digitising a traditional savings box",
    "working with city councils on public spaces",
    "what skills did you need to convince the government?",
    "Comment former des agents publics à un nouveau logiciel ?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--queries", help="JSON lines with id/question/filters (default: a built-in handful)")
    parser.add_argument(
        "--no-cache", action="store_true", help="embed every passage instead of using the bundled vectors"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        embedder = Embedder()
        first = update(args.corpus, settings, embedder=embedder, cache=VectorCache() if args.no_cache else None)
        print(
            f"full index:      {first.seconds:7.1f} s  ({first.stories} stories, {first.sections} sections, "
            f"{first.passages} passages: {first.embedded} embedded, {first.cached} from the vector cache)"
        )
        second = update(args.corpus, settings, embedder=embedder)
        print(f"unchanged rerun: {second.seconds:7.1f} s  ({second.embedded} passages embedded)")
        index = StoryIndex.open(settings, embedder=embedder)
        questions = (
            [(q.question, Filters.from_dict(q.filters)) for q in read_questions(args.queries)]
            if args.queries
            else [(q, Filters()) for q in QUESTIONS]
        )
        index.search("warm-up", None, 10)
        times = []
        for _ in range(3):
            for question, filters in questions:
                began = time.perf_counter()
                index.search(question, filters, 10)
                times.append((time.perf_counter() - began) * 1000)
        print(
            f"search:          median {statistics.median(times):.1f} ms, p90 "
            f"{statistics.quantiles(times, n=10)[-1]:.1f} ms over {len(times)} searches"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS:        {peak:.0f} MB")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "benchmark": "index_and_search",
                    "passages": first.passages,
                    "full_index_seconds": round(first.seconds, 2),
                    "unchanged_rerun_seconds": round(second.seconds, 2),
                    "search_median_ms": round(statistics.median(times), 2),
                    "search_p90_ms": round(statistics.quantiles(times, n=10)[-1], 2),
                    "peak_rss_mb": round(peak, 1),
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
