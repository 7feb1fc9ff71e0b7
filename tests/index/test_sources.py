"""Where an index's state lives (index/sources.py): replicas need only the Chroma server (issue 10),
for real on loopback.

One ``chroma run``; this test process indexes into it; two ``labstories
serve --chroma-url`` processes start with EMPTY data folders. Both must answer
exactly as the indexer's own search does, and after a re-index with a changed
story both must pick the change up without a restart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from app_support import free_port
from cli_support import labstories_command
from conftest import DATA

from labstories.index import Settings, update
from labstories.index.sources import LocalSource, ServerSource
from labstories.rag import StoryIndex

MINI = DATA / "mini"
QUESTIONS = (
    "how did villages keep their savings in a wooden box?",
    "who keeps the keys of the box?",
    "what did the lab learn from its first experiment?",
    "the quokka cooperative lending bicycles to midwives",
)
CHANGED = "Experimenters_ZER"
NEW_TEXT = "\n### [[9:59]] Anything else?\n\nWe founded a quokka cooperative that lends bicycles to midwives.\n"
LINK = re.compile(r"\?story=([^&\"]+)&amp;t=(\d+)")


def linked(answer: str) -> list[tuple[str, int]]:
    """The (story, second) of each passage in an answer, in order."""
    seen: list[tuple[str, int]] = []
    for story, t in LINK.findall(answer):
        if (story, int(t)) not in seen:
            seen.append((story, int(t)))
    return seen


def own_search(index: StoryIndex, question: str) -> list[tuple[str, int]]:
    """The (story, moment) pairs in the order the app shows them: grouped by story, best first."""
    from labstories.rag.answer import group_by_story

    shown = [(h.story, h.at) for group in group_by_story(index.search(question, k=30)) for h in group.hits]
    return list(dict.fromkeys(shown))[:5]


def ask(client, question: str) -> str:
    _, history, *_ = client.predict(question, [], {}, api_name="/chat")  # no filters
    content = history[-1]["content"]
    return "".join(b.get("text", "") for b in content if isinstance(b, dict)) if isinstance(content, list) else content


def wait_for_app(url: str, process: subprocess.Popen, seconds: float = 400) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"labstories serve exited: {process.communicate()[0][-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"labstories serve at {url} did not come up within {seconds} s")


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(MINI, root)
    return root


def test_state_rebuilt_from_the_server_equals_the_local_build(chroma_url, corpus, embedder, tmp_path):
    local = Settings(data_dir=tmp_path / "local")
    update(corpus, local, embedder=embedder)
    update(corpus, Settings(data_dir=tmp_path / "indexer", chroma_url=chroma_url), embedder=embedder)

    mine = LocalSource(local).load()
    replica = ServerSource(Settings(data_dir=tmp_path / "empty", chroma_url=chroma_url)).load()

    assert replica.passages == mine.passages  # text, embed text, keyword text, tags, times, order
    assert replica.stories == mine.stories and replica.glossary == mine.glossary
    assert replica.manifest.documents == mine.manifest.documents
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == ["cache"]  # only the keyword cache


def test_an_empty_data_folder_and_no_server_index_is_a_clear_error(chroma_url, tmp_path, embedder):
    from labstories.index import NoIndexError, store

    client = store.open_client(tmp_path, chroma_url)
    store.delete_collection(client, store.META_COLLECTION)
    with pytest.raises(NoIndexError, match=f"no index on the Chroma server at {chroma_url} yet"):
        StoryIndex.open(Settings(data_dir=tmp_path / "empty", chroma_url=chroma_url), embedder=embedder)


def test_two_replicas_with_empty_folders_answer_like_the_indexer_and_follow_a_reindex(
    chroma_url,
    corpus,
    embedder,
    tmp_path,
):
    from gradio_client import Client

    indexer = Settings(data_dir=tmp_path / "indexer", chroma_url=chroma_url)
    update(corpus, indexer, embedder=embedder)
    mine = StoryIndex.open(indexer, embedder=embedder)
    expected = [own_search(mine, q) for q in QUESTIONS]
    assert all(expected[:3])

    replicas, urls = [], []
    env = {**os.environ, "LABSTORIES_CHROMA_URL": chroma_url}
    try:
        for number in (1, 2):
            folder = tmp_path / f"replica{number}"
            folder.mkdir()
            port = free_port()
            replicas.append(
                subprocess.Popen(
                    [*labstories_command(), "serve", "--data-dir", str(folder), "--port", str(port)],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}/")
        for url, process in zip(urls, replicas):
            wait_for_app(url, process)
        clients = [Client(url, verbose=False) for url in urls]

        for client in clients:  # (questions without filter words, so the app adds no filter)
            assert [linked(ask(client, q))[:5] for q in QUESTIONS] == expected

        changed = corpus / "stories" / f"{CHANGED}.md"
        changed.write_text(changed.read_text("utf-8") + NEW_TEXT, "utf-8")
        report = update(corpus, indexer, embedder=embedder)
        assert report.changed == [CHANGED]
        fresh = own_search(StoryIndex.open(indexer, embedder=embedder), QUESTIONS[3])
        assert fresh != expected[3] and fresh[0][0] == CHANGED

        for client in clients:
            deadline = time.monotonic() + 60
            while (answer := ask(client, QUESTIONS[3])) and "founded a" not in answer:
                assert time.monotonic() < deadline, "a replica did not pick up the new build within 60 s"
                time.sleep(1)
            assert linked(answer)[:5] == fresh
    finally:
        for process in replicas:
            process.terminate()
        for process in replicas:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
