"""Time from pressing Enter to the answer on screen, in real headless Chromium, as a practitioner waits.

Starts ``labstories serve`` as a child process (``app_latency.served``), opens
the app in Debian's ``chromium`` through Playwright, and asks the 20 questions
of ``app_latency`` one after another in one conversation, typed into the
question box: each is timed from the Enter key to its answer card painted
(an ``.ls-answer`` not seen before, laid out). Prints the median,
90th percentile and the slowest; the figure issue 17 asks to stay under 1 s.

Example:
    labstories index ../shared/corpus --data-dir /tmp/ls
    python benchmarks/browser_latency.py --data-dir /tmp/ls
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from app_latency import QUESTIONS, served

CHROMIUM = os.environ.get("LABSTORIES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def ask_all(url: str, questions: list[str], width: int = 1280, height: int = 900) -> list[float]:
    """Seconds from Enter to the answer shown, for each question in turn, in one conversation."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        box = page.locator("#ls-msg textarea")
        box.wait_for(timeout=60_000)
        page.wait_for_selector("#ls-chat .ls-overview", timeout=60_000)  # the first screen is in
        for question in questions:
            # the conversation keeps its newest messages only: a new answer is one not yet marked as seen
            page.evaluate("document.querySelectorAll('#ls-chat .ls-answer').forEach(a => a.dataset.seen = '1')")
            box.fill(question)
            start = time.perf_counter()
            box.press("Enter")
            page.wait_for_function(
                "() => [...document.querySelectorAll('#ls-chat .ls-answer:not([data-seen])')]"
                ".some(a => a.offsetParent !== null)",
                timeout=60_000,
                polling=10,
            )
            times.append(time.perf_counter() - start)
            settle(page, question)
        browser.close()
    return times


def settle(page, question: str) -> None:
    """Until the answer's last step (the address bar and the panel follow it) is done: Gradio drops an
    Enter pressed while the previous question's events still run, as a practitioner reading does not."""
    try:
        page.wait_for_function(
            "q => new URLSearchParams(location.search).get('q') === q", arg=question, timeout=10_000, polling=10
        )
    except Exception:  # the question was read as a follow-up (another address): give it a moment
        page.wait_for_timeout(1000)
    page.wait_for_timeout(200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("LABSTORIES_DATA", ".labstories"))
    parser.add_argument("--corpus", help="index this archive folder first (unchanged stories are reused)")
    parser.add_argument("--questions", type=int, default=len(QUESTIONS), help="how many of the 20 questions")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"chromium not found at {CHROMIUM}; run .ci/install-browser.sh or set LABSTORIES_CHROMIUM")
    if args.corpus:
        env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
        command = [sys.executable, "-m", "labstories.ui.cli", "index", args.corpus, "--data-dir", args.data_dir]
        subprocess.run([*command, "--quiet"], check=True, env=env)
    questions = [question for question, _ in QUESTIONS[: args.questions]]
    with served(args.data_dir) as (_server, client, _startup, _memory):
        times = ask_all(client.src, questions)
    ordered = sorted(times)
    median, p90 = statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))]
    print(f"questions            {len(times)} typed into headless Chromium, one conversation")
    print(
        f"enter → answer shown median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )
    if args.json:
        figures = {
            "benchmark": "browser_latency",
            "questions": len(times),
            "median_ms": round(median * 1000, 1),
            "p90_ms": round(p90 * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
        }
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
