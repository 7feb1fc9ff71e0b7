"""The vectors shipped with the snapshot (index/vector_cache.py): every passage has one, they are what
the model computes now, and indexing reuses them — embedding only passages whose text changed."""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil

import numpy as np
import pytest

from labstories.index import Chunking, Settings, document_passages, scan, update
from labstories.index.snapshot import ARCHIVE, source
from labstories.index.vector_cache import DiskCache, VectorCache, bundled, cache_key
from labstories.index.vector_cache import default as vector_cache_default
from labstories.rag import StoryIndex
from labstories.ui import cli

SAMPLE = 64


@pytest.fixture(scope="module")
def snapshot_passages(embedder):
    return [p for story in scan(ARCHIVE).stories for p in document_passages(story, embedder.count_tokens)]


def test_every_snapshot_passage_has_a_cache_entry(snapshot_passages, embedder):
    cache = bundled()
    missing = [p.id for p in snapshot_passages if cache_key(p.embed_text, embedder.identity) not in cache]
    assert len(snapshot_passages) > 1500 and missing == []
    assert cache.vectors.dtype == np.float32 and cache.vectors.shape == (len(cache), 384)
    assert cache.models == [embedder.identity]


def test_cached_vectors_are_what_the_model_computes_now(snapshot_passages, embedder):
    sample = random.Random(8).sample(snapshot_passages, SAMPLE)
    computed = embedder.encode([p.embed_text for p in sample])
    cached = np.stack([bundled().get(cache_key(p.embed_text, embedder.identity)) for p in sample])
    cosines = np.sum(computed * cached, axis=1) / (np.linalg.norm(computed, axis=1) * np.linalg.norm(cached, axis=1))
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.999, f"{sample[worst].id}: cosine {cosines[worst]:.5f}"


def test_cache_round_trip_and_keys(tmp_path):
    keys = [cache_key(text, "m:1") for text in ("b", "a")]
    assert cache_key("a", "m:1") != cache_key("a", "m:2")
    cache = VectorCache(keys=keys, vectors=np.array([[0, 1], [1, 0]], dtype=np.float32), models=["m:1"])
    cache.save(tmp_path / "v.npz")
    back = VectorCache.load(tmp_path / "v.npz")
    assert sorted(back.keys) == sorted(keys) and back.models == ["m:1"]
    assert back.get(cache_key("a", "m:1")).tolist() == [1, 0] and back.get("nope") is None
    assert len(VectorCache.load(tmp_path / "missing.npz")) == 0


@pytest.fixture(scope="module")
def snapshot_index(tmp_path_factory):
    """``labstories index`` with no PATH: the bundled snapshot, through the real command."""
    data = tmp_path_factory.mktemp("snapshot-index")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["index", "--quiet", "--data-dir", str(data)]) == 0
    data.joinpath("index-output.txt").write_text(out.getvalue(), "utf-8")
    return data


def test_indexing_the_untouched_snapshot_embeds_nothing(snapshot_index, snapshot_passages, capsys):
    printed = (snapshot_index / "index-output.txt").read_text("utf-8").splitlines()
    assert (
        printed[1]
        == f"  80 new, 0 changed, 0 removed; 0 passages embedded, {len(snapshot_passages)} from the vector cache"
    )
    assert printed[-1] == "  corpus: " + source().label
    assert cli.main(["stats", "--json", "--data-dir", str(snapshot_index)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["corpus"] == source().label
    assert (stats["stories"], stats["passages"], stats["vectors"]) == (
        80,
        len(snapshot_passages),
        len(snapshot_passages),
    )


def test_index_output_names_the_snapshot_and_the_cache(tmp_path, capsys, embedder):
    corpus = tmp_path / "two"
    (corpus / "stories").mkdir(parents=True)
    for name in ("SolutionMappers_PER.md", "Experimenters_SSD.md"):
        shutil.copy(ARCHIVE / "stories" / name, corpus / "stories" / name)
    report = update(corpus, Settings(data_dir=tmp_path / "data"), embedder=embedder)
    assert report.embedded == 0 and report.cached == report.passages > 10  # a user's folder benefits as well
    assert report.corpus == str(corpus.resolve())


def test_a_changed_story_is_embedded_and_the_rest_comes_from_the_cache(
    tmp_path, snapshot_index, snapshot_passages, embedder
):
    corpus = tmp_path / "archive"
    shutil.copytree(ARCHIVE, corpus)
    story = corpus / "stories" / "SolutionMappers_PER.md"
    story.write_text(
        story.read_text("utf-8") + "\n### [[59:00]] One more thing?\n\n"
        "We taught the bakers of Lima to make kites from banana leaves\\.\n",
        "utf-8",
    )
    settings = Settings(data_dir=tmp_path / "data")
    shutil.copytree(snapshot_index, settings.data_dir)

    report = update(corpus, settings, embedder=embedder)

    assert (report.added, report.changed, report.removed) == ([], ["SolutionMappers_PER"], [])
    assert report.embedded == 1  # the new section; the story's other passages kept their text, hence their keys
    assert report.cached == sum(1 for p in snapshot_passages if p.doc == "SolutionMappers_PER") > 10
    hits = StoryIndex.open(settings, embedder=embedder).search("kites from banana leaves", k=3)
    assert hits[0].section == "SolutionMappers_PER@3540"


def test_without_a_cache_every_passage_is_embedded(tmp_path, embedder):
    corpus = tmp_path / "one"
    corpus.mkdir()
    shutil.copy(ARCHIVE / "stories" / "Experimenters_SSD.md", corpus)
    report = update(corpus, Settings(data_dir=tmp_path / "data"), embedder=embedder, cache=VectorCache())
    assert report.cached == 0 and report.embedded == report.passages


# -- this machine's own cache: what was embedded once is never embedded again -----------------

SMALL = Chunking(window_tokens=17, overlap_tokens=5)  # the snapshot's vectors know none of these windows


class Interrupted(Exception):
    pass


def _stop_after(embedder, calls: int):
    """The session model, except that encode call number ``calls + 1`` raises (an interruption)."""
    real = embedder.encode
    count = {"n": 0}

    def encode(texts, show_progress=False):
        count["n"] += 1
        if count["n"] > calls:
            raise Interrupted
        return real(texts, show_progress)

    return encode


def test_an_interrupted_run_keeps_what_it_embedded_for_the_next(tmp_path, embedder, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(ARCHIVE / "stories", corpus, ignore=lambda _d, names: [n for n in names if "SSD" not in n])
    settings = Settings(data_dir=tmp_path / "data", batch_size=16, vector_cache=str(tmp_path / "vectors"))
    monkeypatch.setattr(embedder, "encode", _stop_after(embedder, calls=3))
    with pytest.raises(Interrupted):
        update(corpus, settings, embedder=embedder, chunking=SMALL)
    monkeypatch.undo()
    assert len(list((tmp_path / "vectors").glob("*.npz"))) == 1  # 48 vectors, flushed on the way out

    report = update(corpus, settings, embedder=embedder, chunking=SMALL, rebuild=True)

    assert report.passages > 48
    assert report.cached >= 48 and report.cached + report.embedded == report.passages  # the 48, and no more embedded
    again = update(corpus, settings, embedder=embedder, chunking=SMALL, rebuild=True)
    assert (again.cached, again.embedded) == (again.passages, 0)
    index = StoryIndex.open(settings, embedder=embedder)
    assert index.search("savings groups for women", k=1)[0].doc.endswith("_SSD")  # cached vectors search


def test_an_unreadable_shard_only_costs_its_vectors(tmp_path, caplog):
    folder = tmp_path / "vectors"
    cache = DiskCache(folder, shard_size=2)
    cache.add("a" * 32, np.ones(3, dtype=np.float32))
    cache.add("b" * 32, np.zeros(3, dtype=np.float32))  # the second fills a shard: written
    (folder / "broken.npz").write_bytes(b"PK\x03\x04 not a zip")

    reopened = DiskCache(folder)

    assert reopened.get("a" * 32).tolist() == [1.0, 1.0, 1.0] and reopened.get("c" * 32) is None
    assert "broken.npz" in caplog.text and "embedded again" in caplog.text


def test_the_cache_can_be_turned_off(tmp_path):
    assert Settings(vector_cache="off").vector_cache_folder() is None
    assert Settings(vector_cache=str(tmp_path)).vector_cache_folder() == tmp_path
    assert isinstance(vector_cache_default(None), VectorCache)
