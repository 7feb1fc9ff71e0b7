"""The wheel works on its own: built from the repository, installed into a brand-new virtual
environment, started with plain ``labstories serve`` from a folder outside the repository, and
answering the app's example question from the archive snapshot inside the wheel.

Minutes of work (a venv with torch, Chroma and Gradio), so it runs in CI (``CI`` set) or with
``LABSTORIES_TEST_WHEEL=1``; pip's cache makes repeated runs quicker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from app_support import free_port

ROOT = Path(__file__).resolve().parents[1]
RUN = bool(os.environ.get("CI")) or os.environ.get("LABSTORIES_TEST_WHEEL") == "1"
pytestmark = pytest.mark.skipif(
    not RUN,
    reason="builds a wheel and installs it into a new venv (minutes); runs when CI is set or LABSTORIES_TEST_WHEEL=1",
)

BUILD_SECONDS, INSTALL_SECONDS, START_SECONDS, ANSWER_SECONDS = 600, 1200, 300, 120
QUESTION = "How did labs build belonging with migrants?"
NOT_COPIED = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".labstories", ".venv", "tests"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel --no-deps`` of a clean copy of the repository (the checkout gets no build/ folder)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(source)],
        check=True,
        timeout=BUILD_SECONDS,
        capture_output=True,
    )
    [built] = (work / "dist").glob("labstories-*.whl")
    print(f"\nwheel: {built.name}, {built.stat().st_size / 1e6:.2f} MB")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A brand-new venv (no system site-packages) with the wheel and its dependencies from the index."""
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=120)
    result = subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        timeout=INSTALL_SECONDS,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return env_dir


def test_wheel_holds_the_snapshot_and_its_vectors(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    archive = "labstories/index/data/archive/"
    assert sum(n.startswith(archive + "stories/") for n in names) == 80
    assert sum(n.startswith(archive + "elements/") for n in names) == 187
    assert archive + "elements/Active listening.md" in names
    assert {archive + "LICENSE", archive + "SOURCE.json", "labstories/index/data/vectors.npz"} <= set(names)
    assert {"labstories/ui/static/app.css", "labstories/ui/static/app.js"} <= set(names)  # the app's CSS and script
    assert not any(n.startswith(("tests/", "scripts/", "index/", "labstories/index/data/archive/pages")) for n in names)
    assert wheel.stat().st_size < 8_000_000


def test_installed_wheel_serves_the_bundled_archive(venv, tmp_path):
    outside = tmp_path / "elsewhere"  # not the repository: nothing may come from the checkout
    outside.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABSTORIES_", "PYTHON"))}
    log = (tmp_path / "serve.log").open("w")
    began = time.perf_counter()
    server = subprocess.Popen(
        [str(venv / "bin" / "labstories"), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        cwd=outside,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, server, tmp_path / "serve.log")
        started = time.perf_counter() - began
        answer = _ask(url, QUESTION)
        answered = time.perf_counter() - began
        print(f"\nfresh serve: app up after {started:.1f} s, first answer after {answered:.1f} s")
        assert "SolutionMappers_PER" in answer  # Peru: Venezuelan migrants and belonging
        assert "ls-hit" in answer
        _assert_assets_served(url)
        output = (tmp_path / "serve.log").read_text("utf-8")
        assert "0 passages embedded" in output and "bundled snapshot of UNDP-Accelerator-Labs" in output
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"labstories serve exited with {server.returncode}:\n{log.read_text('utf-8')[-3000:]}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"labstories serve was not up after {START_SECONDS} s:\n{log.read_text('utf-8')[-3000:]}")


def _assert_assets_served(url: str) -> None:
    """The page's CSS and script come from the installed package, not the checkout."""
    import re

    config = httpx.get(url + "config", timeout=10).json()
    assert ".ls-answer" in config["css"]  # ui/static/app.css, inlined by Gradio
    src = re.search(r'<script src="(gradio_api/file=[^"]+)"', config["head"]).group(1)
    assert "/labstories/ui/static/app.js?v=" in src and str(ROOT) not in src  # the installed copy
    script = httpx.get(url + src, timeout=10)
    assert script.status_code == 200 and "window.lsSync" in script.text


def _ask(url: str, question: str) -> str:
    """The app's own example question through its HTTP API, as tests/test_app_client.py calls it."""
    from gradio_client import Client

    client = Client(url, verbose=False, httpx_kwargs={"timeout": ANSWER_SECONDS})
    _, history, *_ = client.predict(question, [], {}, api_name="/chat")  # message, history, filters
    content = history[-1]["content"]
    if isinstance(content, list):
        return "".join(block.get("text", "") for block in content if isinstance(block, dict))
    return content
