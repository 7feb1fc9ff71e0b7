"""Many people at once: errors, latency, throughput and memory of the app under concurrent users.

Starts ``labstories serve`` as a child process on 127.0.0.1 (over an index of
the corpus, built once into ``--data-dir`` when missing) and lets 1, 10, 25
and 50 simulated users talk to it through ``gradio_client``, each with its own
session: a question from ``../shared/eval/dev.jsonl`` (with its filters), and
for some questions a follow-up ("only in Africa", "more"). Every message goes
through ``/chat``, the call the browser makes on enter.

First every conversation is run once alone; that is the reference each answer
under load is compared with (the passages of the answer shown: story and
start of each "Open story" link). Then each level of users runs until
``--questions`` messages have been answered or ``--max-seconds`` have passed.
The server's resident memory is read from /proc when the cumulative count of
answered messages passes 100 and 1,000, and at the end of each level.

Traffic goes to 127.0.0.1 only, bounded in count and time; the server is
stopped at the end. Numbers taken while other processes load the CPU say so
only if you say so: re-run on a quiet machine for figures to quote.

Examples:
    python benchmarks/load.py                                  # 1, 10, 25, 50 users, 300 messages each
    python benchmarks/load.py --users 50 --questions 200 --concurrency 1,2,4,8
    python benchmarks/load.py --smoke --json /tmp/load.json     # seconds, for CI
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app_latency import KINDS, free_port, memory_kb, tls_context, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
#: Follow-ups asked after some dev questions, in the same session.
FOLLOW_UPS = ("only in Africa", "more", "what about Asia", "only experimenters")
CHECKPOINTS = (100, 500, 1000, 2000)
TARGETS = {"users": 50, "errors": 0, "p95_s": 3.0, "memory_growth": 0.10}
TOP = 5
#: Each conversation in a new Gradio session (a new visitor); --one-session keeps one per user.
NEW_SESSIONS = True
OPEN_LINK = re.compile(r'<a class="ls-open" href="([^"]*)"')


@dataclass(frozen=True)
class Turn:
    message: str
    filters: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Conversation:
    """What one visitor types in one session, in order."""

    id: str
    turns: tuple[Turn, ...]


@dataclass
class Reply:
    conversation: str
    turn: int
    seconds: float
    passages: tuple[str, ...] = ()
    error: str = ""


@dataclass
class Level:
    users: int
    questions: int
    errors: int
    differ_from_alone: int
    p50_s: float
    p95_s: float
    max_s: float
    wall_s: float
    questions_per_s: float
    rss_mb_end: float
    error_examples: list[str] = field(default_factory=list)


@dataclass
class Run:
    concurrency: str
    server_start_s: float
    alone_questions: int
    alone_errors: int
    levels: list[Level]
    rss_mb: dict[str, float]  # "after 100", "after 1000", "idle"
    peak_rss_mb: float


# -- the questions -------------------------------------------------------------------
def conversations(dev: Path) -> list[Conversation]:
    """One conversation per dev question; every third one carries a follow-up."""
    result = []
    for number, line in enumerate(dev.read_text("utf-8").splitlines()):
        if not line.strip():
            continue
        raw = json.loads(line)
        filters = {k: v if isinstance(v, list) else [v] for k, v in (raw.get("filters") or {}).items()}
        turns = [Turn(raw["question"], filters)]
        if number % 3 == 0:
            turns.append(Turn(FOLLOW_UPS[(number // 3) % len(FOLLOW_UPS)], filters))
        result.append(Conversation(raw["id"], tuple(turns)))
    return result


# -- the server ----------------------------------------------------------------------
def ensure_index(corpus: Path, data_dir: Path, env: dict) -> None:
    """Bring the index up to date: built once, then a no-op (an older format or damage is rebuilt)."""
    print(f"indexing {corpus} into {data_dir}…", file=sys.stderr, flush=True)
    subprocess.run(
        [sys.executable, "-m", "labstories.ui.cli", "index", str(corpus), "--data-dir", str(data_dir), "--quiet"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


class Server:
    """``labstories serve`` in a child process on 127.0.0.1; a context manager that always stops it."""

    def __init__(self, data_dir: Path, env: dict, timeout: float = 300):
        self.data_dir, self.env, self.timeout = data_dir, env, timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = tempfile.TemporaryFile()

    def __enter__(self) -> Server:
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "labstories.ui.cli",
                "serve",
                "--data-dir",
                str(self.data_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        wait_for_port(self.port, self.process, self.timeout, log=self.log)
        self.start_s = time.perf_counter() - began
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss_mb(self, key: str = "VmRSS") -> float:
        return memory_kb(self.process.pid).get(key, 0) / 1024


# -- users ---------------------------------------------------------------------------
class Ledger:
    """Thread-safe: hands out the question budget, counts answers, reads memory at checkpoints."""

    def __init__(self, server: Server, budget: int, deadline: float, answered: int):
        self.server, self.budget, self.deadline = server, budget, deadline
        self.answered = answered
        self.rss: dict[str, float] = {}
        self.lock = threading.Lock()

    def take(self, turns: int) -> bool:
        with self.lock:
            if self.budget < turns or time.monotonic() > self.deadline:
                return False
            self.budget -= turns
            return True

    def done(self) -> None:
        with self.lock:
            self.answered += 1
            if self.answered in CHECKPOINTS:
                self.rss[f"after {self.answered}"] = round(self.server.rss_mb(), 1)


def ask(client, conversation: Conversation, timeout: float, new_session: bool = True) -> list[Reply]:
    """One visitor's session: a new session hash, then each turn with the history and the
    conversation so far, as the browser sends them."""
    if new_session:
        client.reset_session()
    history: list = []
    held: dict = {}
    replies = []
    for number, turn in enumerate(conversation.turns):
        began = time.perf_counter()
        try:
            filters = {k: turn.filters.get(k, []) for k in KINDS}
            job = client.submit(turn.message, history, filters, held, api_name="/chat")
            _, history, _, held, _ = job.result(timeout=timeout)
            replies.append(Reply(conversation.id, number, time.perf_counter() - began, passages(history)))
        except Exception as error:  # noqa: BLE001 — any failure a user would see is an error here
            replies.append(
                Reply(
                    conversation.id, number, time.perf_counter() - began, error=f"{type(error).__name__}: {error}"[:300]
                )
            )
            break
    return replies


def passages(history: list) -> tuple[str, ...]:
    """The answer's passages as ``?story=…&t=…`` links, in the order shown (at most 5)."""
    content = history[-1]["content"] if history else ""
    text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
    return tuple(html.unescape(link) for link in OPEN_LINK.findall(text))[:TOP]


def connect(url: str, attempts: int = 5):
    """A visitor opening the page; a busy server may be slow to send its API description, so retry."""
    from gradio_client import Client

    for attempt in range(attempts):
        try:
            return Client(
                url,
                verbose=False,
                download_files=False,
                analytics_enabled=False,
                httpx_kwargs={"timeout": 60},
                ssl_verify=tls_context(),
            )
        except Exception:  # noqa: BLE001
            if attempt == attempts - 1:
                raise
            time.sleep(1 + attempt)


def user(client, plan: list[Conversation], start: int, ledger: Ledger, timeout: float) -> list[Reply]:
    """Works through ``plan`` from ``start`` (round robin) while the ledger has budget."""
    replies: list[Reply] = []
    position = start
    try:
        while True:
            conversation = plan[position % len(plan)]
            position += 1
            if not ledger.take(len(conversation.turns)):
                return replies
            for reply in ask(client, conversation, timeout, NEW_SESSIONS):
                replies.append(reply)
                ledger.done()
    finally:
        client.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))] if ordered else 0.0


def run_level(
    server: Server,
    plan: list[Conversation],
    users: int,
    questions: int,
    max_seconds: float,
    alone: dict[tuple[str, int], tuple[str, ...]],
    answered: int,
    timeout: float,
) -> tuple[Level, Ledger]:
    clients = [connect(server.url) for _ in range(users)]  # visitors open the page before the clock starts
    with ThreadPoolExecutor(users) as pool:
        ledger = Ledger(server, questions, time.monotonic() + max_seconds, answered)
        began = time.perf_counter()
        starts = [i * len(plan) // users for i in range(users)]
        results = list(pool.map(lambda i: user(clients[i], plan, starts[i], ledger, timeout), range(users)))
    wall = time.perf_counter() - began
    replies = [r for rs in results for r in rs]
    errors = [r for r in replies if r.error]
    ok = [r for r in replies if not r.error]
    differ = sum(1 for r in ok if (r.conversation, r.turn) in alone and alone[(r.conversation, r.turn)] != r.passages)
    times = [r.seconds for r in replies]
    level = Level(
        users=users,
        questions=len(replies),
        errors=len(errors),
        differ_from_alone=differ,
        p50_s=round(statistics.median(times), 3) if times else 0.0,
        p95_s=round(percentile(times, 0.95), 3),
        max_s=round(max(times, default=0.0), 3),
        wall_s=round(wall, 1),
        questions_per_s=round(len(replies) / wall, 2) if wall else 0.0,
        rss_mb_end=round(server.rss_mb(), 1),
        error_examples=sorted({r.error for r in errors})[:3],
    )
    return level, ledger


def reference(server: Server, plan: list[Conversation], timeout: float) -> tuple[dict, int]:
    """Each conversation once, alone: its answers are what every answer under load must equal."""
    client = connect(server.url)
    alone, errors = {}, 0
    for conversation in plan:
        for reply in ask(client, conversation, timeout):
            if reply.error:
                errors += 1
            else:
                alone[(reply.conversation, reply.turn)] = reply.passages
    client.close()
    return alone, errors


def run(
    data_dir: Path,
    env: dict,
    plan: list[Conversation],
    users: list[int],
    questions: int,
    max_seconds: float,
    concurrency: str,
    timeout: float,
) -> Run:
    with Server(data_dir, env) as server:
        idle = round(server.rss_mb(), 1)
        alone, alone_errors = reference(server, plan, timeout)
        answered = answered_alone(plan)
        rss = {"idle": idle}
        levels = []
        for count in users:
            level, ledger = run_level(server, plan, count, questions, max_seconds, alone, answered, timeout)
            answered = ledger.answered
            rss.update(ledger.rss)
            levels.append(level)
            print("… " + _row(level), file=sys.stderr, flush=True)
        return Run(
            concurrency or "default",
            round(server.start_s, 1),
            answered_alone(plan),
            alone_errors,
            levels,
            rss,
            round(server.rss_mb("VmHWM"), 1),
        )


def answered_alone(plan: list[Conversation]) -> int:
    return sum(len(c.turns) for c in plan)


# -- report ----------------------------------------------------------------------------
HEADER = "users  questions  errors  differ  p50 s  p95 s  max s  q/s    ×1 user  RSS MB"


def _row(level: Level, base: float | None = None) -> str:
    scale = f"{level.questions_per_s / base:7.2f}" if base else "      -"
    return (
        f"{level.users:5d}  {level.questions:9d}  {level.errors:6d}  {level.differ_from_alone:6d}  "
        f"{level.p50_s:5.2f}  {level.p95_s:5.2f}  {level.max_s:5.2f}  {level.questions_per_s:5.2f}  {scale}  "
        f"{level.rss_mb_end:6.0f}"
    )


def verdict(result: Run) -> dict[str, bool | None]:
    """The issue's targets at 50 users; None when the run did not measure it."""
    top = next((lv for lv in result.levels if lv.users == TARGETS["users"]), None)
    before, after = result.rss_mb.get("after 100"), result.rss_mb.get("after 1000")
    return {
        "zero_errors_at_50": None if top is None else top.errors == 0,
        "p95_at_50_within_3s": None if top is None else top.p95_s <= TARGETS["p95_s"],
        "same_top5_as_alone": None if top is None else top.differ_from_alone == 0,
        "memory_after_1000_within_10pct": None
        if not (before and after)
        else after <= before * (1 + TARGETS["memory_growth"]),
    }


def report(result: Run) -> str:
    base = result.levels[0].questions_per_s if result.levels and result.levels[0].users == 1 else None
    lines = [
        f"queue concurrency {result.concurrency}; server start {result.server_start_s} s; "
        f"{result.alone_questions} messages asked alone first (the reference answers, "
        f"{result.alone_errors} errors)",
        HEADER,
    ]
    lines += [_row(level, base) for level in result.levels]
    lines.append(
        "RSS MB: " + ", ".join(f"{k} {v:.0f}" for k, v in result.rss_mb.items()) + f"; peak {result.peak_rss_mb:.0f}"
    )
    lines.append("targets at 50 users: " + ", ".join(f"{k} {v}" for k, v in verdict(result).items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="1,10,25,50", help="concurrent users per level, comma-separated")
    parser.add_argument("--questions", type=int, default=300, help="messages answered per level (default 300)")
    parser.add_argument(
        "--max-seconds", type=float, default=240, help="stop starting conversations after this, per level"
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds before one message counts as an error")
    parser.add_argument(
        "--concurrency",
        default="",
        help="queue concurrency to try, comma-separated "
        "(a fresh server each, via LABSTORIES_CONCURRENCY); default: the app's setting",
    )
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--dev", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    parser.add_argument(
        "--data-dir",
        default=str(Path(tempfile.gettempdir()) / "labstories-load-index"),
        help="index folder, built once when missing",
    )
    parser.add_argument("--json", metavar="OUT", help="write the summary here as JSON")
    parser.add_argument("--smoke", action="store_true", help="a quick check: users 1,2, 8 messages each")
    parser.add_argument(
        "--one-session",
        action="store_true",
        help="each user keeps one session for all its conversations (tells per-session memory "
        "from per-question memory)",
    )
    args = parser.parse_args(argv)
    global NEW_SESSIONS
    NEW_SESSIONS = not args.one_session
    if args.smoke:
        args.users, args.questions, args.max_seconds = "1,2", 8, 60
    users = [int(u) for u in args.users.split(",") if u.strip()]
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    ensure_index(Path(args.corpus), Path(args.data_dir), env)
    plan = conversations(Path(args.dev))
    if args.smoke:
        plan = plan[:3]
    runs = []
    for limit in [c.strip() for c in args.concurrency.split(",") if c.strip()] or [""]:
        run_env = dict(env, LABSTORIES_CONCURRENCY=limit) if limit else env
        result = run(Path(args.data_dir), run_env, plan, users, args.questions, args.max_seconds, limit, args.timeout)
        print(report(result), flush=True)
        runs.append(result)
    summary = {
        "benchmark": "load",
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "questions_per_level": args.questions,
        "runs": [dict(asdict(r), targets=verdict(r)) for r in runs],
    }
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
