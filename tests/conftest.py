"""Shared fixtures: an isolated data directory per test, one model load per session,
session-scoped indexes of the small fixture corpus and of ../shared/corpus, a real
`chroma run` server and headless Chromium per module that asks for them; the paths the
tests share (ROOT, DATA, CORPUS, DEV_EVAL)."""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# `python -m pytest` puts the repository root on sys.path, where index/, rag/ and
# ui/ would import as bare top-level packages. Take it off, so every test runs
# against the installed `labstories` package and a stray `import index` fails.
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != ROOT]

TESTS = Path(__file__).resolve().parent
#: tests/index, tests/rag and tests/ui mirror the packages. They have no __init__.py, so with
#: tests/ on sys.path (pytest puts it there, for the support modules) Python would import them
#: as namespace packages named ``index``, ``rag`` and ``ui``. They are folders of test files.
MIRRORS = frozenset({"index", "rag", "ui"})


class _TestsFolderFinder:
    """The path-entry finder of tests/, except that it never offers a mirror folder as a package."""

    def __init__(self, finder):
        self.finder = finder

    def find_spec(self, name, target=None):
        return None if name in MIRRORS else self.finder.find_spec(name, target)

    def invalidate_caches(self):
        self.finder.invalidate_caches()


def _tests_folder_hook(entry):
    if Path(entry or os.getcwd()).resolve() != TESTS:
        raise ImportError("not the tests folder")  # the next hook handles the entry
    for hook in sys.path_hooks[1:]:
        try:
            return _TestsFolderFinder(hook(entry))
        except ImportError:
            continue
    raise ImportError("no finder for the tests folder")


sys.path_hooks.insert(0, _tests_folder_hook)
for _entry in [e for e in sys.path_importer_cache if Path(e or os.getcwd()).resolve() == TESTS]:
    del sys.path_importer_cache[_entry]

from labstories.index import Embedder, Settings, update  # noqa: E402
from labstories.rag import StoryIndex  # noqa: E402

settings_module = importlib.import_module("labstories.index.settings")

DATA = Path(__file__).resolve().parent / "data"
#: The shared archive corpus lives beside the checkout; override with LABSTORIES_TEST_SHARED.
SHARED = Path(os.environ.get("LABSTORIES_TEST_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
DEV_EVAL = SHARED / "eval" / "dev.jsonl"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test touches a user's index: the default data dir points into tmp_path."""
    monkeypatch.setenv("LABSTORIES_DATA", str(tmp_path / "labstories-data"))
    monkeypatch.delenv("LABSTORIES_CHROMA_URL", raising=False)
    monkeypatch.delenv("LABSTORIES_K", raising=False)
    monkeypatch.delenv("LABSTORIES_CORPUS", raising=False)


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory):
    """The int8 ONNX export that `labstories index` makes goes to a session folder, not ~/.cache."""
    os.environ["LABSTORIES_CACHE"] = str(tmp_path_factory.mktemp("labstories-cache"))


@pytest.fixture(autouse=True)
def own_vector_cache(tmp_path, monkeypatch):
    """Each test starts with an empty vector cache of its own (in-process and in the CLIs it runs),
    so what an earlier test embedded never changes what a later one counts."""
    folder = tmp_path / "vector-cache"
    monkeypatch.setattr(settings_module, "cache_dir", lambda: tmp_path / "labstories-cache")
    monkeypatch.setenv("LABSTORIES_VECTOR_CACHE", str(folder))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS / "stories").is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, corpus_dir, embedder):
    """The full shared corpus indexed once per session (about 100 s on 2 cores)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-index"))
    report = update(corpus_dir, settings, embedder=embedder)
    return settings, report


@pytest.fixture(scope="session")
def corpus_index(corpus_settings, embedder) -> StoryIndex:
    settings, _ = corpus_settings
    return StoryIndex.open(settings, embedder=embedder)


@pytest.fixture(scope="session")
def mini_corpus_dir() -> Path:
    """Small hand-written story and element pages, one per parser case.

    ``tests/data/mini/`` holds ``stories/``, ``elements/`` and ``other/`` (a
    non-story page and a README quoting the format); ``tests/data/app/`` belongs
    to the app tests and is not part of this corpus.
    """
    return DATA / "mini"


@pytest.fixture(scope="session")
def mini_settings(tmp_path_factory, mini_corpus_dir, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("mini-index"))
    report = update(mini_corpus_dir, settings, embedder=embedder)
    return settings, report


@pytest.fixture(scope="session")
def mini_index(mini_settings, embedder) -> StoryIndex:
    settings, _ = mini_settings
    return StoryIndex.open(settings, embedder=embedder)


@pytest.fixture
def use_session_model(monkeypatch, embedder):
    """CLI search commands open the index with the already loaded session model (speed only)."""
    from labstories.ui import cli

    monkeypatch.setattr(cli, "_open_index", lambda settings: StoryIndex.open(settings, embedder=embedder))


@pytest.fixture
def mini_dir(mini_settings) -> str:
    return str(mini_settings[0].data_dir)


# -- a real `chroma run` server ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    if not shutil.which("chroma"):
        pytest.skip("the `chroma` command (from the chromadb package) is not on PATH")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        ["chroma", "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("chroma run did not come up within 60 s")
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=20)


# -- headless Chromium --------------------------------------------------------------------------


CHROMIUM = os.environ.get("LABSTORIES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM}; run .ci/install-browser.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh watched page (browser_support.watched_page): no dialog or network request unnoticed."""
    from browser_support import watched_page

    with watched_page(browser) as page:
        yield page
