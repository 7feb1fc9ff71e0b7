"""The whole archive on this machine: build, unchanged re-index, warm search, serve start-up and memory, disk.

Measures issue 16's targets on the archive's whole ``pages/`` folder:

* ``--build``: a full index from nothing (a fresh data folder and an empty
  vector cache) with ``labstories index PAGES``, its wall time and peak memory;
* a re-index with nothing changed (the same command again), ``--repeats`` times;
* search in a warm process: 100 mixed questions, the 50 below without filters
  and again each with a filter set (type, SDG, year range, country, continent,
  language, tag), timing :meth:`StoryIndex.search` and :func:`answer`;
* ``labstories serve`` as a process: seconds from launch to the first answer
  through ``/chat``, then its resident memory after ``--questions`` more;
* the data folder's size on disk, by part.

Example (the build takes most of an hour on 2 busy cores):
    python benchmarks/whole_archive.py ../shared/archive/pages --data-dir /tmp/whole --build --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app_latency import free_port, memory_kb, tls_context, wait_for_port

QUESTIONS = [
    "how did labs build belonging with migrants?",
    "solar energy for rural households",
    "turning plastic waste into building materials",
    "how are cities using data to respond to floods?",
    "women entrepreneurs in the informal economy",
    "digital tools for community health workers",
    "what did labs learn from failed experiments?",
    "youth unemployment and skills for new jobs",
    "collective intelligence to map local solutions",
    "how did the pandemic change small businesses?",
    "drought resistant crops and farmers' own innovations",
    "recycling electronic waste safely",
    "citizen participation in local government budgets",
    "air pollution sensors built by communities",
    "mobile money and financial inclusion for refugees",
    "indigenous knowledge about forests and land",
    "reducing food waste in markets",
    "early warning systems for disasters",
    "behavioural insights to increase vaccination",
    "clean cooking stoves and charcoal",
    "water harvesting in dry regions",
    "how to scale a pilot with the government",
    "artificial intelligence in public services",
    "misinformation and social media during elections",
    "circular economy in the textile industry",
    "access to justice for vulnerable groups",
    "waste pickers and their cooperatives",
    "tourism after covid",
    "mapping informal settlements with drones",
    "gender-based violence prevention",
    "how did the lab measure the impact of its experiment?",
    "learning plan about the future of work",
    "blockchain for land registries",
    "fishermen and the blue economy",
    "sustainable fashion made by artisans",
    "school dropout and remote learning",
    "how do labs use ethnography and deep listening?",
    "urban mobility and bicycles",
    "agricultural value chains and cooperatives",
    "renewable energy mini-grids",
    "portfolio approach to development challenges",
    "open data platforms for transparency",
    "social protection for informal workers",
    "cómo apoyar a las mujeres emprendedoras",
    "gestion des déchets dans les villes",
    "plastic bottles collection and deposit schemes",
    "climate adaptation for smallholder farmers",
    "youth-led innovation challenges and hackathons",
    "health data and telemedicine in rural areas",
    "what did solution mappers find in the field?",
]

FILTER_SETS = [
    {"type": ["solution"]},
    {"type": ["experiment"]},
    {"type": ["learningplan"]},
    {"type": ["blog", "publications"]},
    {"type": ["story"]},
    {"sdgs": ["13"]},
    {"sdgs": ["5"], "continent": ["Africa"]},
    {"year": ["2020-2022"]},
    {"country": ["Kenya"]},
    {"continent": ["Asia"]},
    {"language": ["es"]},
    {"principles": ["Trust"]},
    {"type": ["solution"], "sdgs": ["12"]},
]


def run_index(pages: Path, data_dir: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of ``labstories index pages`` as a child process."""
    began = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "labstories.ui.cli", "index", str(pages)]
        + ["--data-dir", str(data_dir), "--quiet"],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"labstories index failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024


def warm_search(data_dir: Path) -> dict:
    from labstories.index import Settings
    from labstories.rag import Filters, StoryIndex
    from labstories.rag.answer import answer

    began = time.perf_counter()
    index = StoryIndex.open(Settings(data_dir=data_dir))
    index.search("warm up")
    opened = time.perf_counter() - began
    asked = [(q, Filters()) for q in QUESTIONS]
    asked += [(q, Filters.from_dict(FILTER_SETS[n % len(FILTER_SETS)])) for n, q in enumerate(QUESTIONS)]
    search_ms, answer_ms, empty = [], [], 0
    for question, filters in asked:
        start = time.perf_counter()
        hits = index.search(question, filters, k=10)
        search_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        answer(index, question, filters)
        answer_ms.append((time.perf_counter() - start) * 1000)
        empty += not hits
    return {
        "questions": len(asked),
        "open_seconds": round(opened, 2),
        "search_median_ms": round(statistics.median(search_ms), 1),
        "search_p95_ms": round(percentile(search_ms, 0.95), 1),
        "search_max_ms": round(max(search_ms), 1),
        "answer_median_ms": round(statistics.median(answer_ms), 1),
        "answer_p95_ms": round(percentile(answer_ms, 0.95), 1),
        "questions_without_hits": empty,
    }


def serve(data_dir: Path, questions: int, env: dict) -> dict:
    """Launch → first answer through /chat, then memory after ``questions`` more."""
    from gradio_client import Client

    port = free_port()
    began = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "labstories.ui.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_for_port(port, server, log=log)
            client = Client(f"http://127.0.0.1:{port}/", verbose=False, ssl_verify=tls_context())
            client.predict(QUESTIONS[0], [], {}, api_name="/chat")
            first = time.perf_counter() - began
            warm = memory_kb(server.pid)
            times = []
            for n in range(questions):
                filters = {} if n % 2 == 0 else FILTER_SETS[(n // 2) % len(FILTER_SETS)]
                start = time.perf_counter()
                client.predict(QUESTIONS[n % len(QUESTIONS)], [], filters, api_name="/chat")
                times.append((time.perf_counter() - start) * 1000)
            after = memory_kb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "start_to_first_answer_seconds": round(first, 2),
        "rss_after_first_mb": round(warm["VmRSS"] / 1024, 1),
        "questions": questions,
        "chat_median_ms": round(statistics.median(times), 1),
        "chat_p95_ms": round(percentile(times, 0.95), 1),
        "rss_after_questions_mb": round(after["VmRSS"] / 1024, 1),
        "rss_peak_mb": round(after["VmHWM"] / 1024, 1),
    }


def disk(data_dir: Path) -> dict:
    def size(path: Path) -> float:
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6 if path.exists() else 0.0

    return {
        "total_mb": round(size(data_dir), 1),
        "chroma_mb": round(size(data_dir / "chroma"), 1),
        "builds_mb": round(size(data_dir / "builds"), 1),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path, help="the archive's pages/ folder")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--build", action="store_true", help="build from nothing first (the data folder is wiped)")
    parser.add_argument("--repeats", type=int, default=3, help="unchanged re-index runs")
    parser.add_argument("--questions", type=int, default=500, help="questions through /chat before reading memory")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    figures: dict = {"benchmark": "whole_archive"}
    if args.build:
        import shutil

        shutil.rmtree(args.data_dir, ignore_errors=True)
        with tempfile.TemporaryDirectory() as empty_cache:
            seconds, peak = run_index(args.pages, args.data_dir, dict(env, LABSTORIES_VECTOR_CACHE=empty_cache))
        figures["full_index"] = {"seconds": round(seconds, 1), "peak_rss_mb": round(peak, 1)}
        print(f"full index from nothing   {seconds / 60:.1f} min, peak RSS {peak:.0f} MB", flush=True)
    reruns = [run_index(args.pages, args.data_dir, env) for _ in range(args.repeats)]
    figures["unchanged_reindex"] = {
        "seconds_median": round(statistics.median(s for s, _ in reruns), 2),
        "seconds_max": round(max(s for s, _ in reruns), 2),
        "peak_rss_mb": round(max(p for _, p in reruns), 1),
    }
    print(f"re-index, nothing changed {figures['unchanged_reindex']}", flush=True)
    figures["warm_search"] = warm_search(args.data_dir)
    print(f"warm search               {figures['warm_search']}", flush=True)
    figures["serve"] = serve(args.data_dir, args.questions, env)
    print(f"serve                     {figures['serve']}", flush=True)
    figures["disk"] = disk(args.data_dir)
    print(f"disk                      {figures['disk']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
