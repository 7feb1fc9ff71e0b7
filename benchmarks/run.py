"""Runs every benchmark with repeats; writes JSON and a Markdown table (min, median, max) with the machine.

    python benchmarks/run.py                      # full: 3 repeats, scale at 10k and 100k
    python benchmarks/run.py --smoke              # short: mini corpus, small N, 1 repeat (< 2 minutes)
    python benchmarks/run.py --only scale --repeats 1 --out bench-out

Each benchmark runs as its own process (``python benchmarks/X.py ... --json
FILE``) so its memory and start-up are its own: ``index_and_search``,
``app_latency``, ``scale`` and, when present, ``load`` (its contract:
``python benchmarks/load.py --json OUT``; ``--data-dir``, ``--corpus`` and
``--smoke`` are passed when its ``--help`` lists them). Every number in a benchmark's JSON
becomes a row. The numbers depend on what else runs on the machine: the report
records the load average before and after.
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
    runs: list[dict[str, float]] = field(default_factory=list)   # flattened numbers per repeat
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def plan(smoke: bool, corpus: Path, questions: Path) -> list[Bench]:
    if smoke:
        return [
            Bench("index_and_search", "index_and_search.py", [str(MINI)], 600),
            Bench("app_latency", "app_latency.py", ["--data-dir", "{work}/app", "--corpus", str(MINI)], 600),
            Bench("scale", "scale.py", ["--corpus", str(MINI), "--work", "{work}/scale", "--sizes", "2000",
                                        "--rounds", "1", "--no-serve", "--questions", ""], 600),
            Bench("load", "load.py", [], 600),
        ]
    return [
        Bench("index_and_search", "index_and_search.py", [str(corpus), "--queries", str(questions)]),
        Bench("app_latency", "app_latency.py", ["--data-dir", "{work}/app", "--corpus", str(corpus), "--rounds", "2"]),
        Bench("scale", "scale.py", ["--corpus", str(corpus), "--work", "{work}/scale", "--questions", str(questions),
                                    "--sizes", "10000", "100000"], 7200),
        Bench("load", "load.py", []),
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


def load_args(script: Path, work: Path, smoke: bool, corpus: Path) -> list[str]:
    """The colleague's load benchmark: pass only the options its --help declares; it shares
    app_latency's index (same corpus, same data directory), so nothing is indexed twice."""
    shown = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120).stdout
    args = []
    if "--data-dir" in shown:
        args += ["--data-dir", str(work / "app")]
    if "--corpus" in shown:
        args += ["--corpus", str(MINI if smoke else corpus)]
    if smoke and "--smoke" in shown:
        args.append("--smoke")
    return args


def run_one(bench: Bench, work: Path, out: Path, repeat: int, smoke: bool, corpus: Path) -> tuple[dict[str, float] | None, float, str]:
    script = HERE / bench.script
    target = out / f"{bench.name}-{repeat}.json"
    args = [a.replace("{work}", str(work)) for a in bench.args]
    if bench.name == "load":
        args = load_args(script, work, smoke, corpus)
    command = [sys.executable, str(script), *args, "--json", str(target)]
    print(f"[{bench.name} {repeat + 1}] {' '.join(command[1:])}", file=sys.stderr, flush=True)
    began = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=bench.timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - began, f"timed out after {bench.timeout:.0f} s"
    seconds = time.perf_counter() - began
    (out / f"{bench.name}-{repeat}.log").write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
    if done.returncode != 0 or not target.exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, seconds, f"exit {done.returncode}: {tail}"
    return flatten(json.loads(target.read_text())), seconds, ""


def machine() -> dict[str, str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    info = {"cores": str(os.cpu_count()), "python": platform.python_version(), "platform": platform.platform()}
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
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
    lines += ["", f"Repeats per benchmark: {repeats}. Each cell: min / median / max over the repeats that succeeded.", "",
              "| benchmark | metric | min | median | max | runs |", "|---|---|---|---|---|---|"]
    for outcome in outcomes:
        for problem in outcome.errors:
            lines.append(f"| {outcome.name} | **failed**: {problem} | | | | |")
        keys = list(dict.fromkeys(key for run in outcome.runs for key in run))
        for key in keys:
            values = [run[key] for run in outcome.runs if key in run]
            lines.append(f"| {outcome.name} | {key} | {_fmt(min(values))} | {_fmt(statistics.median(values))} | "
                         f"{_fmt(max(values))} | {len(values)} |")
        if outcome.seconds:
            lines.append(f"| {outcome.name} | wall seconds (whole run) | {_fmt(min(outcome.seconds))} | "
                         f"{_fmt(statistics.median(outcome.seconds))} | {_fmt(max(outcome.seconds))} | {len(outcome.seconds)} |")
    return "\n".join(lines) + "\n"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="mini corpus, small N, 1 repeat, bounded time")
    parser.add_argument("--repeats", type=int, help="runs per benchmark (default 3; 1 with --smoke)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--corpus", default=str(SHARED / "corpus"))
    parser.add_argument("--questions", default=str(SHARED / "eval" / "dev.jsonl"))
    parser.add_argument("--out", default="benchmark-results", help="folder for JSON, logs and results.md")
    parser.add_argument("--work", help="folder for indexes shared by the repeats (default: a temporary one)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.smoke else 3)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    benches = [b for b in plan(args.smoke, Path(args.corpus), Path(args.questions)) if not args.only or b.name in args.only]
    info = machine() | {"load average before": load_average(), "mode": "smoke" if args.smoke else "full"}
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="labstories-bench-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        for bench in benches:
            outcome = Outcome(bench.name)
            if not (HERE / bench.script).exists():
                outcome.errors.append(f"benchmarks/{bench.script} is not there yet; skipped")
                outcomes.append(outcome)
                continue
            for repeat in range(repeats):
                numbers, seconds, problem = run_one(bench, work, out, repeat, args.smoke, Path(args.corpus))
                outcome.seconds.append(round(seconds, 2))
                if numbers is None:
                    outcome.errors.append(f"repeat {repeat + 1}: {problem} (see {out}/{bench.name}-{repeat}.log)")
                else:
                    outcome.runs.append(numbers)
            outcomes.append(outcome)
    info["load average after"] = load_average()
    (out / "results.json").write_text(json.dumps(
        {"machine": info, "repeats": repeats, "benchmarks": [asdict(o) for o in outcomes]}, indent=1))
    report = markdown(outcomes, info, repeats)
    (out / "results.md").write_text(report)
    print(report)
    missing_ok = {"load"}  # written elsewhere; absent is not a failure of this run
    failed = [o.name for o in outcomes if o.errors and not (o.name in missing_ok and not o.runs and not o.seconds)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
