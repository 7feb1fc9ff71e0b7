"""``labstories serve`` on an existing index as a real process: start-up time and memory from /proc.

Start-up is the time until the app's port opens; ``serve`` opens the index and
runs one warm-up search (model and Chroma loaded) before it listens. Memory is
VmRSS after one question through the app API, VmRSS after a round of questions,
and the peak (VmHWM).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app_latency import KINDS, QUESTIONS, free_port, known_values, memory_kb, wait_for_port


def probe(data_dir: Path, questions: int = len(QUESTIONS)) -> dict[str, float]:
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    port = free_port()
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "labstories.ui.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        startup = time.perf_counter() - began
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        client.predict("warm up", [], *[[] for _ in KINDS], api_name="/chat")
        warm = memory_kb(server.pid)
        times = []
        known = known_values(str(data_dir))
        for question, filters in QUESTIONS[:questions]:
            start = time.perf_counter()
            values = [[v for v in filters.get(kind, []) if v in known.get(kind, ())] for kind in KINDS]
            client.predict(question, [], *values, api_name="/chat")
            times.append(time.perf_counter() - start)
        after = memory_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    times.sort()
    return {
        "startup_seconds": round(startup, 2),
        "warm_rss_mb": round(warm["VmRSS"] / 1024, 1),
        "rss_mb": round(after["VmRSS"] / 1024, 1),
        "peak_mb": round(after["VmHWM"] / 1024, 1),
        "chat_median_ms": round(times[len(times) // 2] * 1000, 1),
    }
