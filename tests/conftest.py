"""Shared fixtures: an isolated data directory per test, one model load per session,
and session-scoped indexes of the small fixture corpus and of ../shared/corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# `python -m pytest` puts the repository root on sys.path, where index/, rag/ and
# ui/ would import as bare top-level packages. Take it off, so every test runs
# against the installed `labstories` package and a stray `import index` fails.
sys.path[:] = [p for p in sys.path if Path(p or os.getcwd()).resolve() != ROOT]

from labstories.index import Embedder, Settings, update  # noqa: E402
from labstories.rag import StoryIndex  # noqa: E402

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
