"""Chroma access (index/store.py) through a real `chroma run` server (``--chroma-url``): the same index
and search as in a local folder, the server chosen by the environment, an unreachable one named."""

from __future__ import annotations

import pytest
from conftest import _free_port

from labstories.index import Settings, update
from labstories.index.store import StoreError, open_client
from labstories.rag import StoryIndex
from labstories.ui import cli


def test_index_and_search_through_a_chroma_server(chroma_url, mini_corpus_dir, embedder, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_url)
    report = update(mini_corpus_dir, settings, embedder=embedder)
    assert report.embedded == report.passages > 0
    assert not (tmp_path / "data" / "chroma").exists()  # vectors live in the server, not in local files

    index = StoryIndex.open(settings, embedder=embedder)
    assert index.vectors.count() == report.passages
    story = next(iter(index.state.stories.values()))
    first_words = " ".join(story.sections[-1].text.split()[:12]) or story.title
    hits = index.search(first_words, k=3)
    assert hits and hits[0].story == story.id

    again = update(mini_corpus_dir, settings, embedder=embedder)
    assert again.embedded == 0


def test_env_var_selects_the_server(chroma_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LABSTORIES_CHROMA_URL", chroma_url)
    assert Settings.load().chroma_url == chroma_url
    client = open_client(tmp_path, Settings.load().chroma_url)
    assert client.heartbeat() > 0


def test_unreachable_server_is_one_clear_line(tmp_path, capsys):
    port = _free_port()  # nothing listens here
    with pytest.raises(StoreError, match=f"cannot reach the Chroma server at http://127.0.0.1:{port}"):
        open_client(tmp_path, f"http://127.0.0.1:{port}")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "Experimenters_XYZ.md").write_text("[[type:story]]\n# T\n### [[0:01]] Q?\n\nAnswer.\n", "utf-8")
    code = cli.main(["index", str(corpus), "--chroma-url", f"http://127.0.0.1:{port}", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "cannot reach the Chroma server" in err and "Traceback" not in err
