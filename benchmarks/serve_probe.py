"""``labstories serve`` on an existing index as a real process: start-up time and memory from /proc.

Start-up is the time until the app's port opens; ``serve`` opens the index and
runs one warm-up search (model and Chroma loaded) before it listens. Memory is
VmRSS after one question through the app API, VmRSS after a round of questions,
and the peak (VmHWM).
"""

from __future__ import annotations

import time
from pathlib import Path

from app_latency import KINDS, QUESTIONS, known_values, memory_kb, served


def probe(data_dir: Path, questions: int = len(QUESTIONS)) -> dict[str, float]:
    with served(str(data_dir)) as (server, client, startup, warm):
        times = []
        known = known_values(str(data_dir))
        for question, filters in QUESTIONS[:questions]:
            start = time.perf_counter()
            values = {kind: [v for v in filters.get(kind, []) if v in known.get(kind, ())] for kind in KINDS}
            client.predict(question, [], values, api_name="/chat")
            times.append(time.perf_counter() - start)
        after = memory_kb(server.pid)
    times.sort()
    return {
        "startup_seconds": round(startup, 2),
        "warm_rss_mb": round(warm["VmRSS"] / 1024, 1),
        "rss_mb": round(after["VmRSS"] / 1024, 1),
        "peak_mb": round(after["VmHWM"] / 1024, 1),
        "chat_median_ms": round(times[len(times) // 2] * 1000, 1),
    }
