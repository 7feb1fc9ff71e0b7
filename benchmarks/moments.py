"""How far a passage's own moment lies from its section's start, and the archive's speaking rate.

    python benchmarks/moments.py ../shared/eval/dev.jsonl --data-dir .labstories

Prints the speaking rate used for last sections (median words per second over
sections with a known end, with its quartiles) and, over the top 10 hits of each
dev question, the share whose moment (``Hit.at``) is more than 30 s after the
start of their section, with the distribution of that gap.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labstories.index import Settings  # noqa: E402
from labstories.index.vocabulary import parse_section_key  # noqa: E402
from labstories.rag import Filters, StoryIndex, read_questions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions")
    parser.add_argument("--data-dir", default=".labstories")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    index = StoryIndex.open(Settings(data_dir=Path(args.data_dir)))
    rate = index.speaking_rate
    print(f"speaking rate: median {rate.median:.2f} words/s (IQR {rate.q1:.2f}–{rate.q3:.2f}) "
          f"over {rate.sections} sections with a known end")
    gaps, interpolated = [], 0
    for q in read_questions(args.questions):
        for hit in index.search(q.question, Filters.from_dict(q.filters), args.k):
            gaps.append(hit.at - parse_section_key(hit.section)[1])
            interpolated += hit.interpolated
    late = sum(g > 30 for g in gaps)
    print(f"hits: {len(gaps)} (top {args.k}); interpolated {interpolated} ({interpolated / len(gaps):.0%}); "
          f"moment > 30 s after the section's start: {late} ({late / len(gaps):.0%})")
    print(f"gap to section start (s): median {statistics.median(gaps):.0f}, "
          f"quartiles {statistics.quantiles(gaps, n=4)}, max {max(gaps)}")


if __name__ == "__main__":
    main()
