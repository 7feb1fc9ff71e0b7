"""How far a passage's own moment lies from its section's start, and the archive's speaking rate.

    python benchmarks/moments.py ../shared/eval/dev.jsonl --data-dir .labstories
    python benchmarks/moments.py tests/data/eval/mini_dev.jsonl --data-dir /tmp/mini --corpus tests/data/mini --json m.json

Prints the speaking rate used for last sections (median words per second over
sections with a known end, with its quartiles) and, over the top 10 hits of each
dev question, the share whose moment (``Hit.at``) is more than 30 s after the
start of their section, with the distribution of that gap. ``--corpus`` indexes
that archive into ``--data-dir`` first (unchanged stories are reused);
``--json`` also writes the figures. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labstories.index import Embedder, Settings, update  # noqa: E402
from labstories.index.vocabulary import parse_section_key  # noqa: E402
from labstories.rag import Filters, StoryIndex, read_questions  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions")
    parser.add_argument("--data-dir", default=".labstories")
    parser.add_argument(
        "--corpus", help="index this archive folder into --data-dir first (unchanged stories are reused)"
    )
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    settings, embedder = Settings(data_dir=Path(args.data_dir)), Embedder()
    if args.corpus:
        update(args.corpus, settings, embedder=embedder)
    index = StoryIndex.open(settings, embedder=embedder)
    rate = index.speaking_rate
    print(
        f"speaking rate: median {rate.median:.2f} words/s (IQR {rate.q1:.2f}–{rate.q3:.2f}) "
        f"over {rate.sections} sections with a known end"
    )
    gaps, interpolated = [], 0
    for q in read_questions(args.questions):
        for hit in index.search(q.question, Filters.from_dict(q.filters), args.k):
            gaps.append(hit.at - parse_section_key(hit.section)[1])
            interpolated += hit.interpolated
    if not gaps:
        raise SystemExit("no hits: nothing to measure")
    late = sum(g > 30 for g in gaps)
    quartiles = statistics.quantiles(gaps, n=4) if len(gaps) > 1 else [gaps[0]] * 3
    print(
        f"hits: {len(gaps)} (top {args.k}); interpolated {interpolated} ({interpolated / len(gaps):.0%}); "
        f"moment > 30 s after the section's start: {late} ({late / len(gaps):.0%})"
    )
    print(f"gap to section start (s): median {statistics.median(gaps):.0f}, quartiles {quartiles}, max {max(gaps)}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "benchmark": "moments",
                    "speaking_rate": {"median": rate.median, "q1": rate.q1, "q3": rate.q3, "sections": rate.sections},
                    "hits": len(gaps),
                    "interpolated": interpolated,
                    "interpolated_share": round(interpolated / len(gaps), 4),
                    "late_30s": late,
                    "late_30s_share": round(late / len(gaps), 4),
                    "gap_seconds": {
                        "median": statistics.median(gaps),
                        "q1": quartiles[0],
                        "q3": quartiles[2],
                        "max": max(gaps),
                    },
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
