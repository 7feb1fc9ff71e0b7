"""Search latency, build time, disk, serve memory/start-up and HNSW recall at N passages.

    python benchmarks/scale.py --sizes 10000 100000 --json scale.json
    python benchmarks/scale.py --source-data-dir .labstories --sizes 100000     # reuse an index

The real archive is indexed once (``--corpus``, cached in ``--work``) or read
from an existing index (``--source-data-dir``); a synthetic archive of each size
is built from it (``benchmarks/synthetic.py``: new story ids, real text and tags,
real vectors slightly perturbed) in the project's own layout. For each size:

* build seconds from cached vectors (Chroma upsert, keyword index, build files)
  and disk size;
* in-process search over the dev questions (some filtered) and extra filtered
  ones: median and p95 of the whole search, and of its parts (query encoding,
  Chroma, keyword side, the rest: grouping, fusion, hits);
* recall@10 of the Chroma top (as search queries it) against exact cosine
  (numpy over all vectors), unfiltered and filtered;
* ``labstories serve --data-dir`` as a real process: start-up seconds until its
  port opens (it opens the index and runs a warm-up search first), and VmRSS /
  VmHWM from /proc after warm-up and a round of questions through the app API.

Prints a table; ``--json`` writes every figure. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import serve_probe  # noqa: E402
import synthetic  # noqa: E402

from labstories.index import Embedder, Settings, update  # noqa: E402
from labstories.rag import Filters, StoryIndex, read_questions  # noqa: E402

ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
#: Filtered questions beyond the dev set's six: several kinds, several values, a selective country.
EXTRA = [
    ("how did labs earn the trust of communities?", {"principles": ["Trust"], "continent": ["Africa"]}),
    ("what did solution mappers learn from local innovators?", {"role": ["Solutions Mapper"]}),
    ("experiments with farmers and climate adaptation", {"continent": ["Africa", "Asia"]}),
    ("digital payments and financial inclusion", {"country": ["South Sudan"]}),
    ("partnerships with universities", {"principles": ["Collaboration"], "role": ["Experimenter"]}),
]


@dataclass
class SizeResult:
    passages: int
    stories: int
    build_seconds: dict[str, float]
    disk_mb: float
    search_ms: dict[str, dict[str, float]]  # part → {"median", "p95"}
    candidates: int
    recall_at_10: dict[str, float]
    serve: dict[str, float | str] = field(default_factory=dict)


class StageTimer:
    """Wraps a StoryIndex's parts on the instance, adding each call's milliseconds to a stage."""

    def __init__(self, index: StoryIndex):
        self.current: dict[str, float] = {}
        for owner, name, stage in (
            (index.embedder, "encode_query", "encode"),
            (index, "_dense", "dense"),
            (index, "_keyword", "keyword"),
        ):
            setattr(owner, name, self._timed(getattr(owner, name), stage))

    def _timed(self, method, stage):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.current[stage] = self.current.get(stage, 0.0) + (time.perf_counter() - began) * 1000

        return timed


def questions(path: Path | None) -> list[tuple[str, Filters]]:
    found = [(q.question, Filters.from_dict(q.filters)) for q in read_questions(path)] if path and path.exists() else []
    return found + [(q, Filters.from_dict(f)) for q, f in EXTRA]


def usable(index: StoryIndex, asked: list[tuple[str, Filters]]) -> list[tuple[str, Filters]]:
    """The questions with filters in the index's spelling; a value this archive lacks becomes the
    most common value of its kind, so a small source archive still gets filtered questions."""
    found = []
    for question, filters in asked:
        values = {}
        for kind, wanted in filters.items():
            known = index.facets.get(kind, {})
            kept = [v for v in wanted if v.casefold() in {k.casefold() for k in known}]
            values[kind] = kept or list(known)[:1]
        found.append((question, index.resolve(Filters(**values))))
    return found


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 2),
        "p95": round(ordered[min(len(ordered) - 1, int(np.ceil(0.95 * len(ordered))) - 1)], 2),
    }


def measure_search(index: StoryIndex, asked: list[tuple[str, Filters]], rounds: int) -> dict[str, dict[str, float]]:
    timer = StageTimer(index)
    index.search("warm up the model and the collection")
    parts: dict[str, list[float]] = {"search": [], "encode": [], "dense": [], "keyword": [], "rest": []}
    for _ in range(rounds):
        for question, filters in asked:
            timer.current = {}
            began = time.perf_counter()
            index.search(question, filters, 10)
            total = (time.perf_counter() - began) * 1000
            encode, dense, keyword = (timer.current.get(s, 0.0) for s in ("encode", "dense", "keyword"))
            parts["search"].append(total)
            parts["encode"].append(encode)
            parts["dense"].append(dense - encode)  # Chroma and the candidate loop
            parts["keyword"].append(keyword)
            parts["rest"].append(total - dense - keyword)  # filters, grouping, fusion, hits
    return {part: summary(values) for part, values in parts.items()}


def measure_recall(
    index: StoryIndex, vectors: np.ndarray, origin: np.ndarray, asked: list[tuple[str, Filters]]
) -> dict[str, float]:
    """Share of the exact top 10 (cosine, numpy) that the dense side's top 10 holds, as search
    queries it (Chroma's nearest neighbours, filtered in Chroma or after, see ``StoryIndex._dense``).

    "unfiltered"/"filtered" compare passage ids. The synthetic copies of one real
    passage are near-duplicates, so the exact top 10 is often ten copies of one
    passage that differ only by the perturbation; the "_content" figures compare
    the real passages behind the ids instead (which texts a reader would see).
    """
    found: dict[str, list[float]] = {}
    for question, filters in asked:
        query = index.embedder.encode_query(question)
        for label, used in (("unfiltered", Filters()), ("filtered", filters)):
            if label == "filtered" and not used:
                continue
            allowed = index.filter_index.positions(used)
            candidates = np.arange(len(vectors)) if allowed is None else allowed
            sims = vectors[candidates] @ query
            exact = [int(candidates[i]) for i in np.argsort(-sims, kind="stable")[:10]]
            got = [position for position, _ in index._dense(question, used, allowed)[:10]]
            found.setdefault(label, []).append(len(set(exact) & set(got)) / len(exact))
            real = set(origin[exact].tolist())
            found.setdefault(label + "_content", []).append(len(real & set(origin[got].tolist())) / len(real))
    return {label: round(float(np.mean(values)), 4) for label, values in found.items() if values}


def source_dir(args, work: Path) -> Path:
    if args.source_data_dir:
        return Path(args.source_data_dir)
    target = work / "source"
    if not (target / "manifest.json").exists():
        print(f"indexing {args.corpus} once into {target} …", file=sys.stderr, flush=True)
        update(args.corpus, Settings(data_dir=target))
    return target


def run_size(source: synthetic.Source, size: int, work: Path, asked, args, embedder: Embedder) -> SizeResult:
    built = synthetic.build(source, size, work / f"n{size}", noise=args.noise)
    print(f"  built {size} passages in {built.times.total:.1f} s", file=sys.stderr, flush=True)
    index = StoryIndex.open(Settings(data_dir=built.data_dir), embedder=embedder)
    asked = usable(index, asked)
    candidates = index.config.candidates_for(index.config.dense_candidates, size)
    recall = measure_recall(index, built.vectors, built.origin, asked)
    latency = measure_search(index, asked, args.rounds)
    result = SizeResult(
        passages=size,
        stories=len(index.state.stories),
        build_seconds={k: round(v, 2) for k, v in asdict(built.times).items()} | {"total": round(built.times.total, 2)},
        disk_mb=round(synthetic.disk_mb(built.data_dir), 1),
        search_ms=latency,
        candidates=candidates,
        recall_at_10=recall,
    )
    del index
    if not args.no_serve:
        for attempt in (1, 2):  # under heavy load Gradio's own localhost check can time out
            try:
                result.serve = serve_probe.probe(built.data_dir)
                break
            except Exception as error:  # noqa: BLE001 — reported in the results, the rest still runs
                result.serve = {"error": f"attempt {attempt}: {type(error).__name__}: {error}"[:300]}
    return result


def table(results: list[SizeResult]) -> str:
    rows = [
        "| passages | build s | disk MB | search median / p95 ms | encode / Chroma / keyword / rest median ms "
        "| candidates | recall@10 unfiltered / filtered | serve start s | serve RSS MB (peak) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r.search_ms
        serve = r.serve or {}
        rows.append(
            f"| {r.passages:,} | {r.build_seconds['total']:.0f} | {r.disk_mb:.0f} | "
            f"{s['search']['median']:.0f} / {s['search']['p95']:.0f} | "
            f"{s['encode']['median']:.0f} / {s['dense']['median']:.0f} / {s['keyword']['median']:.0f} / {s['rest']['median']:.0f} | "
            f"{r.candidates} | {r.recall_at_10.get('unfiltered', float('nan')):.3f} / {r.recall_at_10.get('filtered', float('nan')):.3f} | "
            f"{serve.get('startup_seconds', float('nan')):.1f} | "
            f"{serve.get('rss_mb', float('nan')):.0f} ({serve.get('peak_mb', float('nan')):.0f}) |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--corpus", default=str(SHARED / "corpus"), help="real archive to index once (default ../shared/corpus)"
    )
    parser.add_argument("--source-data-dir", help="read this existing index instead of indexing --corpus")
    parser.add_argument("--questions", default=str(SHARED / "eval" / "dev.jsonl"))
    parser.add_argument("--work", help="folder for the source and synthetic indexes (default: a temporary one)")
    parser.add_argument("--rounds", type=int, default=2, help="times each question is searched")
    parser.add_argument("--noise", type=float, default=0.01, help="per-dimension σ of the vector perturbation")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve process (start-up, RSS)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="labstories-scale-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        source = synthetic.Source.read(source_dir(args, work))
        asked = questions(Path(args.questions) if args.questions else None)
        embedder = Embedder()
        results = []
        for size in args.sizes:
            print(f"size {size} …", file=sys.stderr, flush=True)
            results.append(run_size(source, size, work, asked, args, embedder))
    print(table(results))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"benchmark": "scale", "sizes": {str(r.passages): asdict(r) for r in results}}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
