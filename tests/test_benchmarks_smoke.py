"""``python benchmarks/run.py --smoke`` runs every benchmark once on the mini corpus and reports
numbers per benchmark, with the machine, as JSON and Markdown — so CI notices a broken benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_smoke_run_reports_every_benchmark(tmp_path):
    began = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(tmp_path / "out"),
                           "--work", str(tmp_path / "work")], capture_output=True, text=True, timeout=2400, cwd=ROOT)
    elapsed = time.monotonic() - began
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert report["repeats"] == 1
    assert {"cores", "ram_gb", "cpu", "python", "torch", "chromadb", "gradio"} <= set(report["machine"])
    runs = {b["name"]: b["runs"] for b in report["benchmarks"]}
    assert {"index_and_search", "app_latency", "scale"} <= set(runs)

    [scale] = runs["scale"]
    assert scale["sizes.2000.passages"] == 2000
    assert 0 < scale["sizes.2000.search_ms.search.median"] <= scale["sizes.2000.search_ms.search.p95"]
    assert 0.0 <= scale["sizes.2000.recall_at_10.filtered"] <= 1.0
    assert scale["sizes.2000.recall_at_10.unfiltered"] >= 0.5     # near-duplicate copies: not exact, not lost
    assert scale["sizes.2000.disk_mb"] > 0
    [index_run] = runs["index_and_search"]
    assert index_run["full_index_seconds"] > 0 and index_run["search_median_ms"] > 0
    [app] = runs["app_latency"]
    assert app["questions"] == 20 and app["rss_peak_mb"] >= app["rss_warm_mb"] > 0

    table = (tmp_path / "out" / "results.md").read_text()
    assert "| benchmark | metric | min | median | max | runs |" in table
    assert "| scale | sizes.2000.search_ms.search.median |" in table
    assert "| cores |" in table
    # bounded: each benchmark has a timeout; the whole smoke run stays well inside them
    assert elapsed < 2400
