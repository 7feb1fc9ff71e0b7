"""``python benchmarks/run.py --smoke`` runs every benchmark once on the mini corpus and reports
numbers per benchmark, with the machine, as JSON and Markdown — so CI notices a broken benchmark.

Every script in benchmarks/ except the runner and its helpers (``run.HELPERS``) must be in the
smoke plan, must succeed and must report figures that make sense for the mini corpus."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
EVAL = ROOT / "tests" / "data" / "eval"


def runner():
    spec = importlib.util.spec_from_file_location("benchmarks_run", BENCHMARKS / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def lines(path: Path) -> int:
    return sum(1 for line in path.read_text("utf-8").splitlines() if line.strip())


def test_every_benchmark_script_is_in_the_smoke_plan():
    run = runner()
    scripts = {p.name for p in BENCHMARKS.glob("*.py")} - set(run.HELPERS)
    planned = run.plan(True, run.SHARED / "corpus", run.SHARED / "eval" / "dev.jsonl")
    assert {b.script for b in planned} == scripts
    assert {b.script for b in run.plan(False, run.SHARED / "corpus", run.SHARED / "eval" / "dev.jsonl")} == scripts
    assert all(0 < b.timeout <= 300 for b in planned)  # each bounded, and the sum within the test's timeout
    assert sum(b.timeout for b in planned) < 2400


def test_smoke_run_reports_every_benchmark(tmp_path):
    began = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--smoke",
            "--out",
            str(tmp_path / "out"),
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=2400,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.monotonic() - began
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert report["repeats"] == 1
    assert {"cores", "ram_gb", "cpu", "python", "torch", "chromadb", "gradio"} <= set(report["machine"])
    benchmarks = {b["name"]: b for b in report["benchmarks"]}
    assert set(benchmarks) == {b.name for b in runner().plan(True, Path(), Path())}
    for name, outcome in benchmarks.items():
        assert not outcome["errors"], (name, outcome["errors"])
        assert len(outcome["runs"]) == 1 and outcome["runs"][0], name
    runs = {name: outcome["runs"][0] for name, outcome in benchmarks.items()}
    questions = lines(EVAL / "mini_dev.jsonl")

    index_run = runs["index_and_search"]
    assert index_run["passages"] > 0 and index_run["full_index_seconds"] > 0
    assert 0 < index_run["search_median_ms"] <= index_run["search_p90_ms"]

    app = runs["app_latency"]
    assert app["questions"] == 20 and app["startup_seconds"] > 0 and app["chat_median_ms"] > 0
    assert app["rss_peak_mb"] >= app["rss_warm_mb"] > 0

    load = runs["load"]
    assert load["runs.0.alone_questions"] > 0 and load["runs.0.alone_errors"] == 0
    for level, users in enumerate((1, 2)):
        assert load[f"runs.0.levels.{level}.users"] == users
        assert load[f"runs.0.levels.{level}.questions"] > 0 and load[f"runs.0.levels.{level}.errors"] == 0
        assert 0 < load[f"runs.0.levels.{level}.p50_s"] <= load[f"runs.0.levels.{level}.p95_s"]
    assert load["runs.0.peak_rss_mb"] > 0

    scale = runs["scale"]
    assert scale["sizes.2000.passages"] == 2000
    assert 0 < scale["sizes.2000.search_ms.search.median"] <= scale["sizes.2000.search_ms.search.p95"]
    assert 0.0 <= scale["sizes.2000.recall_at_10.filtered"] <= 1.0
    assert scale["sizes.2000.recall_at_10.unfiltered"] >= 0.5  # near-duplicate copies: not exact, not lost
    assert scale["sizes.2000.disk_mb"] > 0
    # serve_probe: the synthetic index served as a real process, questions through /chat
    assert scale["sizes.2000.serve.startup_seconds"] > 0 and scale["sizes.2000.serve.chat_median_ms"] > 0
    assert scale["sizes.2000.serve.peak_mb"] >= scale["sizes.2000.serve.warm_rss_mb"] > 0

    browser = runs["browser_latency"]
    assert browser["questions"] == 3 and 0 < browser["median_ms"] <= browser["p90_ms"] <= browser["max_ms"]

    ab = runs["ab_candidates"]
    assert ab["questions"] == questions and ab["identical"] == questions and ab["differing"] == 0
    assert ab["original_candidates_median_ms"] > 0 and ab["shipped_candidates_median_ms"] > 0

    moments = runs["moments"]
    assert moments["hits"] > 0 and moments["speaking_rate.median"] > 0
    assert 0 <= moments["late_30s_share"] <= 1 and 0 <= moments["interpolated_share"] <= 1
    assert 0 <= moments["gap_seconds.median"] <= moments["gap_seconds.max"]

    ablation = runs["retrieval_ablation"]
    assert ablation["questions"] == questions
    variants = {key.split(".")[1] for key in ablation if key.startswith("variants.")}
    assert len(variants) == 7 and "shipped" in variants
    for variant in variants:
        for metric in ("ndcg", "recall", "mrr"):
            assert 0 <= ablation[f"variants.{variant}.{metric}"] <= 1, (variant, metric)
        assert ablation[f"variants.{variant}.median_ms"] > 0
    assert ablation["variants.shipped.ndcg"] >= 0.5  # the mini questions are judged on the mini corpus

    weak = runs["weak_match"]
    assert weak["off_topic.questions"] == lines(EVAL / "off_topic.jsonl")
    assert 1 <= weak["grade2_top3.questions"] <= questions
    assert -1 <= weak["off_topic.best_max"] <= 1 and -1 <= weak["grade2_top3.best_min"] <= 1
    assert 0 < weak["shipped_threshold"] < 1

    onnx = runs["onnx_embedding"]
    assert onnx["fp32_mb"] > 0 and onnx["int8_mb"] > 0 and onnx["sample_passages"] > 0
    for backend in ("torch", "onnx-fp32", "onnx-int8"):
        assert onnx[f"backends.{backend}.passages_per_s"] > 0, backend
    assert onnx["backends.onnx-fp32.cosine_to_torch_min"] > 0.999
    assert onnx["backends.onnx-int8.cosine_to_torch_mean"] > 0.95
    assert onnx["query_ms.torch"] > 0 and onnx["query_ms.onnx-int8"] > 0
    ndcg = [value for key, value in onnx.items() if key.startswith("dev_ndcg.") and key.endswith(".all")]
    assert len(ndcg) == 3 and all(0 <= value <= 1 for value in ndcg)

    table = (tmp_path / "out" / "results.md").read_text()
    assert "| benchmark | metric | min | median | max | runs |" in table
    assert "| scale | sizes.2000.search_ms.search.median |" in table
    assert "**failed**" not in table
    for name in benchmarks:
        assert f"| {name} | wall seconds (whole run) |" in table
    assert "| cores |" in table
    # bounded: each benchmark has a timeout; the whole smoke run stays well inside them
    assert elapsed < 2400
