"""Time from pressing enter to passages shown, through the app's API, and the server's memory.

Starts ``labstories serve`` as a child process on a free localhost port (the
index must exist, or pass --corpus to build it first), sends 20 questions to
the ``/chat`` endpoint with ``gradio_client`` — the same call the browser makes
on enter, including refinement, search and HTML rendering — and prints the
median and 90th percentile round trip, then the server's resident memory
(VmRSS now, VmHWM peak) read from /proc.

Example:
    labstories index ../shared/corpus --data-dir /tmp/ls
    python benchmarks/app_latency.py --data-dir /tmp/ls
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from labstories.index.vocabulary import FILTER_KINDS as KINDS

QUESTIONS = [
    ("how did labs build belonging with migrants?", {}),
    ("how did labs earn the trust of communities?", {"principles": ["Trust"]}),
    ("what did solution mappers learn from local innovators?", {"role": ["Solutions Mapper"]}),
    ("how did labs work with governments on policy?", {}),
    ("experiments with farmers and climate adaptation", {"continent": ["Africa"]}),
    ("how did the lab use GIS maps?", {}),
    ("working with young people and youth unemployment", {}),
    ("what went wrong and what did you learn from failure?", {}),
    ("how did labs involve women entrepreneurs?", {"continent": ["South America"]}),
    ("waste management and recycling", {}),
    ("how did you convince the country office to take risks?", {"role": ["Experimenter"]}),
    ("collective intelligence and citizen science", {}),
    ("how did the pandemic change the lab's work?", {}),
    ("partnerships with universities", {"principles": ["Collaboration"]}),
    ("indigenous knowledge and local expertise", {}),
    ("scaling a solution after the pilot", {}),
    ("how did labs measure impact?", {}),
    ("digital payments and financial inclusion", {"continent": ["Asia"]}),
    ("water and sanitation in informal settlements", {}),
    ("what advice would you give a new lab?", {}),
]


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """One TLS context for every request. gradio_client opens a new httpx client per message, which
    re-reads the CA bundle each time (about 25 ms of CPU, on the machine that runs the server too);
    a browser keeps one. Loopback traffic is plain http anyway."""
    return ssl.create_default_context()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 300, log=None) -> None:
    """Until the server listens on ``port``; ``log``: a file holding its stderr, quoted if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = ""
            if log is not None:
                log.seek(0)
                tail = ":\n" + log.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"the server exited with code {process.returncode}; is the index built?{tail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not open port {port} within {timeout:.0f} s")


def known_values(data_dir: str) -> dict[str, set[str]]:
    """Filter values the index holds, so the questions' filters also work on a small archive
    (a value the archive lacks is dropped: the app's dropdowns would reject it)."""
    from labstories.index.state import load_state
    from labstories.rag.filters import facet_counts

    return {kind: set(values) for kind, values in facet_counts(load_state(Path(data_dir)).stories).items()}


def memory_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


@contextmanager
def served(data_dir: str):
    """``labstories serve`` on ``data_dir`` as a real process: (process, client, seconds until its port
    opened, RSS after one warm-up question); stopped on leaving."""
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    port = free_port()
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "labstories.ui.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        startup = time.perf_counter() - began
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}/", verbose=False, ssl_verify=tls_context())
        client.predict("warm up", [], {}, api_name="/chat")  # message, history, filters {kind: [values]}
        yield server, client, startup, memory_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("LABSTORIES_DATA", ".labstories"))
    parser.add_argument("--corpus", help="index this archive folder first (unchanged stories are reused)")
    parser.add_argument("--rounds", type=int, default=1, help="times to send the 20 questions")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    if args.corpus:
        subprocess.run(
            [sys.executable, "-m", "labstories.ui.cli", "index", args.corpus, "--data-dir", args.data_dir, "--quiet"],
            check=True,
            env=env,
        )
    with served(args.data_dir) as (server, client, startup, idle):
        times = []
        known = known_values(args.data_dir)
        for _ in range(args.rounds):
            for question, filters in QUESTIONS:
                values = {kind: [v for v in filters.get(kind, []) if v in known.get(kind, ())] for kind in KINDS}
                start = time.perf_counter()
                _, history, *_ = client.predict(question, [], values, api_name="/chat")
                times.append(time.perf_counter() - start)
                content = history[-1]["content"]
                text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
                if "ls-hit" not in text:
                    print(f"warning: no passages for {question!r}", file=sys.stderr)
        after = memory_kb(server.pid)
    times.sort()
    p90 = times[int(0.9 * (len(times) - 1))]
    print(f"questions            {len(times)} through /chat (gradio_client, localhost)")
    print(f"server start         {startup:.1f} s (opening the index and warming the model)")
    print(
        f"enter → passages     median {statistics.median(times) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms"
    )
    print(
        f"server memory (RSS)  {idle['VmRSS'] / 1024:.0f} MB after warm-up, {after['VmRSS'] / 1024:.0f} MB after the "
        f"questions, peak {after['VmHWM'] / 1024:.0f} MB"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "benchmark": "app_latency",
                    "questions": len(times),
                    "startup_seconds": round(startup, 2),
                    "chat_median_ms": round(statistics.median(times) * 1000, 1),
                    "chat_p90_ms": round(p90 * 1000, 1),
                    "chat_max_ms": round(times[-1] * 1000, 1),
                    "rss_warm_mb": round(idle["VmRSS"] / 1024, 1),
                    "rss_after_mb": round(after["VmRSS"] / 1024, 1),
                    "rss_peak_mb": round(after["VmHWM"] / 1024, 1),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
