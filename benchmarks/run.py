"""Runs every benchmark with repeats; writes JSON and a Markdown table (min, median, max) with the machine.

    python benchmarks/run.py                      # full: 3 repeats, shared corpus and dev questions, scale at 10k and 100k
    python benchmarks/run.py --smoke              # short: mini corpus and its questions, small N, 1 repeat (2-3 minutes)
    python benchmarks/run.py --only scale --repeats 1 --out bench-out

Each benchmark runs as its own process (``python benchmarks/X.py ... --json
FILE``) so its memory and start-up are its own, with its own timeout:

* ``index_and_search``: a full index of the corpus, an unchanged rerun, in-process searches;
* ``app_latency``: ``labstories serve`` as a process, 20 questions through ``/chat``, its memory;
* ``browser_latency``: the same questions typed into headless Chromium, Enter to answer shown;
* ``load``: concurrent simulated users through ``/chat`` (errors, latency, throughput, memory);
* ``scale``: synthetic archives of N passages (build, disk, search parts, HNSW recall, and
  ``serve`` start-up and memory through ``serve_probe``);
* ``ab_candidates``: in-process A/B of ``StoryIndex.candidates`` (original against shipped);
* ``moments``: speaking rate and how far hits' moments lie from their section's start;
* ``retrieval_ablation``: nDCG/Recall/MRR of the shipped ranking and its ablations;
* ``weak_match``: the weak-match threshold against off-topic and answered questions;
* ``story_strength``: the rule that folds an answer's loosely related stories;
* ``onnx_embedding``: torch against the ONNX fp32/int8 exports (speed, agreement, nDCG).

``synthetic.py`` and ``serve_probe.py`` are helpers of ``scale`` (:data:`HELPERS`),
not benchmarks. The benchmarks that need an index share one (``{work}/app``,
brought up to date by each, so nothing is indexed twice). ``--smoke`` runs them
on ``tests/data/mini`` with ``tests/data/eval/mini_dev.jsonl`` (questions judged
on that corpus) and small sizes. A benchmark fails when it exits non-zero, times
out or reports no number. Every number in a benchmark's JSON becomes a row. The
numbers depend on what else runs on the machine: the report records the load
average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
MINI = ROOT / "tests" / "data" / "mini"
EVAL = ROOT / "tests" / "data" / "eval"
#: Questions judged on the mini corpus, and questions the archive does not answer.
MINI_QUESTIONS = EVAL / "mini_dev.jsonl"
OFF_TOPIC = EVAL / "off_topic.jsonl"
#: Modules in benchmarks/ this runner does not run: itself, the helpers of scale.py, and whole_archive.py,
#: which needs the archive's whole pages/ folder and an hour (run it by hand; see its docstring).
HELPERS = ("run.py", "synthetic.py", "serve_probe.py", "whole_archive.py")


@dataclass
class Bench:
    """One benchmark: its script and arguments (``{work}`` is the run's work folder)."""

    name: str
    script: str
    args: list[str]
    timeout: float = 3600.0


@dataclass
class Outcome:
    name: str
    runs: list[dict[str, float]] = field(default_factory=list)  # flattened numbers per repeat
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def plan(smoke: bool, corpus: Path, questions: Path) -> list[Bench]:
    """Every benchmark, in running order. ``{work}/app`` is the index they share."""
    if smoke:
        mini, asked, index = str(MINI), str(MINI_QUESTIONS), ["--data-dir", "{work}/app", "--corpus", str(MINI)]
        return [
            Bench("index_and_search", "index_and_search.py", [mini, "--queries", asked], 180),
            Bench("app_latency", "app_latency.py", index, 180),
            Bench("browser_latency", "browser_latency.py", [*index, "--questions", "3"], 180),
            Bench("load", "load.py", [*index, "--dev", asked, "--smoke"], 240),
            Bench(
                "scale",
                "scale.py",
                ["--corpus", mini, "--work", "{work}/scale", "--sizes", "2000", "--rounds", "1", "--questions", asked],
                300,
            ),
            Bench("ab_candidates", "ab_candidates.py", ["--smoke", *index], 180),
            Bench("moments", "moments.py", [asked, *index], 180),
            Bench("retrieval_ablation", "retrieval_ablation.py", [asked, *index], 180),
            Bench("weak_match", "weak_match.py", [asked, str(OFF_TOPIC), *index], 180),
            Bench("story_strength", "story_strength.py", [asked, str(OFF_TOPIC), *index], 180),
            Bench(
                "onnx_embedding",
                "onnx_embedding.py",
                [mini, "--dev", asked, "--work", "{work}/onnx", "--sample", "32"],
                300,
            ),
        ]
    asked, index = str(questions), ["--data-dir", "{work}/app", "--corpus", str(corpus)]
    return [
        Bench("index_and_search", "index_and_search.py", [str(corpus), "--queries", asked]),
        Bench("app_latency", "app_latency.py", [*index, "--rounds", "2"]),
        Bench("browser_latency", "browser_latency.py", index),
        Bench("load", "load.py", [*index, "--dev", asked]),
        Bench(
            "scale",
            "scale.py",
            ["--corpus", str(corpus), "--work", "{work}/scale", "--questions", asked, "--sizes", "10000", "100000"],
            7200,
        ),
        Bench("ab_candidates", "ab_candidates.py", [*index, "--questions", asked]),
        Bench("moments", "moments.py", [asked, *index]),
        Bench("retrieval_ablation", "retrieval_ablation.py", [asked, *index]),
        Bench("weak_match", "weak_match.py", [asked, str(OFF_TOPIC), *index]),
        Bench("story_strength", "story_strength.py", [asked, str(OFF_TOPIC), *index]),
        Bench("onnx_embedding", "onnx_embedding.py", [str(corpus), "--dev", asked, "--work", "{work}/onnx"], 7200),
    ]


def flatten(data, prefix: str = "") -> dict[str, float]:
    """Every number in a JSON document, keyed by its path ("sizes.10000.search_ms.search.median")."""
    found: dict[str, float] = {}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            found[path] = float(value)
        else:
            found.update(flatten(value, path))
    return found


def run_one(bench: Bench, work: Path, out: Path, repeat: int) -> tuple[dict[str, float] | None, float, str]:
    script = HERE / bench.script
    target = out / f"{bench.name}-{repeat}.json"
    args = [a.replace("{work}", str(work)) for a in bench.args]
    command = [sys.executable, str(script), *args, "--json", str(target)]
    print(f"[{bench.name} {repeat + 1}] {' '.join(command[1:])}", file=sys.stderr, flush=True)
    began = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=bench.timeout, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - began, f"timed out after {bench.timeout:.0f} s"
    seconds = time.perf_counter() - began
    (out / f"{bench.name}-{repeat}.log").write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
    if done.returncode != 0 or not target.exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, seconds, f"exit {done.returncode}: {tail}"
    try:
        numbers = flatten(json.loads(target.read_text()))
    except ValueError as error:
        return None, seconds, f"unreadable JSON in {target.name}: {error}"
    if not numbers:
        return None, seconds, f"no numbers in {target.name}"
    return numbers, seconds, ""


def machine() -> dict[str, str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    info = {"cores": str(os.cpu_count()), "python": platform.python_version(), "platform": platform.platform()}
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        info["cpu"] = models[0] if models else platform.processor()
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = next(line for line in meminfo.read_text().splitlines() if line.startswith("MemTotal"))
        info["ram_gb"] = f"{int(total.split()[1]) / 2**20:.1f}"
    for name in ("torch", "chromadb", "gradio", "sentence-transformers", "bm25s", "numpy"):
        info[name] = version(name)
    return info


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def markdown(outcomes: list[Outcome], info: dict[str, str], repeats: int) -> str:
    lines = ["# Benchmarks", "", "| machine | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in info.items()]
    lines += [
        "",
        f"Repeats per benchmark: {repeats}. Each cell: min / median / max over the repeats that succeeded.",
        "",
        "| benchmark | metric | min | median | max | runs |",
        "|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        for problem in outcome.errors:
            lines.append(f"| {outcome.name} | **failed**: {problem} | | | | |")
        keys = list(dict.fromkeys(key for run in outcome.runs for key in run))
        for key in keys:
            values = [run[key] for run in outcome.runs if key in run]
            lines.append(
                f"| {outcome.name} | {key} | {_fmt(min(values))} | {_fmt(statistics.median(values))} | "
                f"{_fmt(max(values))} | {len(values)} |"
            )
        if outcome.seconds:
            lines.append(
                f"| {outcome.name} | wall seconds (whole run) | {_fmt(min(outcome.seconds))} | "
                f"{_fmt(statistics.median(outcome.seconds))} | {_fmt(max(outcome.seconds))} | {len(outcome.seconds)} |"
            )
    return "\n".join(lines) + "\n"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="mini corpus, small N, 1 repeat, bounded time")
    parser.add_argument("--repeats", type=int, help="runs per benchmark (default 3; 1 with --smoke)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--list", action="store_true", help="print the benchmarks' names and stop")
    parser.add_argument("--corpus", default=str(SHARED / "corpus"))
    parser.add_argument("--questions", default=str(SHARED / "eval" / "dev.jsonl"))
    parser.add_argument("--out", default="benchmark-results", help="folder for JSON, logs and results.md")
    parser.add_argument("--work", help="folder for indexes shared by the repeats (default: a temporary one)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.smoke else 3)
    benches = plan(args.smoke, Path(args.corpus), Path(args.questions))
    if args.list:
        print("\n".join(b.name for b in benches))
        return 0
    unknown = sorted(set(args.only or ()) - {b.name for b in benches})
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; there are {', '.join(b.name for b in benches)}")
    benches = [b for b in benches if not args.only or b.name in args.only]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    info = machine() | {"load average before": load_average(), "mode": "smoke" if args.smoke else "full"}
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="labstories-bench-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        for bench in benches:
            outcome = Outcome(bench.name)
            for repeat in range(repeats):
                numbers, seconds, problem = run_one(bench, work, out, repeat)
                outcome.seconds.append(round(seconds, 2))
                if numbers is None:
                    outcome.errors.append(f"repeat {repeat + 1}: {problem} (see {out}/{bench.name}-{repeat}.log)")
                else:
                    outcome.runs.append(numbers)
            outcomes.append(outcome)
    info["load average after"] = load_average()
    (out / "results.json").write_text(
        json.dumps({"machine": info, "repeats": repeats, "benchmarks": [asdict(o) for o in outcomes]}, indent=1)
    )
    report = markdown(outcomes, info, repeats)
    (out / "results.md").write_text(report)
    print(report)
    failed = [o.name for o in outcomes if o.errors]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
