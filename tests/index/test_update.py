"""Incremental indexing (index/update.py) on tiny corpora copied into tmp_path: unchanged stories are
not re-embedded, changed ones are, deleted ones disappear from search and Chroma,
and an interrupted run leaves the previous index searchable until the next run
repairs it."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from conftest import DATA

from labstories.index import Chunking, Embedder, NoIndexError, Settings, store, update
from labstories.index.state import read_manifest
from labstories.rag import StoryIndex

MINI = DATA / "mini"
scan_module = importlib.import_module("labstories.index.scan")
#: Windows this small turn the long story into > 64 passages, i.e. more than one embedding batch.
SMALL = Chunking(window_tokens=17, overlap_tokens=5)
BATCH = 16  # update() embeds settings.batch_size passages per encode call


class FailingEmbedder(Embedder):
    """The session model, except that ``encode`` raises on call number ``fail_on``."""

    def __init__(self, real: Embedder, fail_on: int):
        super().__init__(real.model_path, real.batch_size)
        self.__dict__["model"] = real.model
        self.__dict__["tokenizer"] = real.tokenizer
        self.fail_on = fail_on
        self.calls = 0

    def encode(self, texts, show_progress=False):
        self.calls += 1
        if self.calls == self.fail_on:
            raise KeyboardInterrupt("simulated interruption")
        return super().encode(texts, show_progress)


def make_corpus(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "corpus"
    root.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(MINI / "stories" / f"{name}.md", root / f"{name}.md")
    return root


def append(root: Path, name: str, text: str) -> None:
    path = root / f"{name}.md"
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def open_index(settings, embedder) -> StoryIndex:
    return StoryIndex.open(settings, embedder=embedder)


def assert_consistent(settings, embedder) -> StoryIndex:
    """Chroma holds exactly one vector per current passage, under the current story hash."""
    index = open_index(settings, embedder)
    hashes = index.state.manifest.documents
    wanted = {store.chroma_id(p.id, hashes[p.doc]) for p in index.state.passages}
    assert index.vectors.count() == len(index.state.passages)
    assert store.stored_ids(index.vectors.collection) == wanted
    assert set(index.state.stories) == set(hashes)
    return index


def sections(hits) -> list[str]:
    return [h.section for h in hits]


@pytest.fixture
def settings(tmp_path):
    """No vector cache: these tests count what Chroma is missing (tests/index/test_vector_cache.py tests the cache)."""
    return Settings(data_dir=tmp_path / "data", batch_size=BATCH, vector_cache="off")


def test_rerun_on_unchanged_corpus_embeds_nothing(tmp_path, settings, embedder):
    root = make_corpus(tmp_path, "Experimenters_SSD", "Experimenter_NOA", "Experimenters_ZER")
    first = update(root, settings, embedder=embedder)
    assert sorted(first.added) == ["Experimenter_NOA", "Experimenters_SSD", "Experimenters_ZER"]
    assert (first.stories, first.sections, first.passages, first.embedded) == (3, 6, 6, 6)
    build = read_manifest(settings.data_dir).build

    again = update(root, settings, embedder=FailingEmbedder(embedder, fail_on=1))  # any encode would raise

    assert (again.added, again.changed, again.removed, again.repaired, again.embedded) == ([], [], [], [], 0)
    assert (again.passages, again.reused) == (6, 3)  # every page taken from the index, none parsed
    assert read_manifest(settings.data_dir).build == build  # nothing to write, so nothing written
    assert_consistent(settings, embedder)


def test_rerun_parses_only_the_changed_file(tmp_path, settings, embedder, monkeypatch):
    root = make_corpus(tmp_path, "Experimenters_SSD", "Experimenter_NOA", "Experimenters_ZER")
    update(root, settings, embedder=embedder)
    build = read_manifest(settings.data_dir).build
    append(root, "Experimenter_NOA", "\n### [[0:50]] What happened next?\n\nShoppers brought baskets\\.\n")
    parsed = []
    real = scan_module.parse_story
    monkeypatch.setattr(
        scan_module, "parse_story", lambda text, path: parsed.append(Path(path).stem) or real(text, path)
    )

    report = update(root, settings, embedder=embedder)

    assert parsed == ["Experimenter_NOA"] and report.reused == 2
    assert read_manifest(settings.data_dir).build != build
    assert "Shoppers brought baskets." in [p.text for p in assert_consistent(settings, embedder).state.passages]


def test_a_changed_element_page_alone_writes_a_new_build(tmp_path, settings, embedder):
    root = make_corpus(tmp_path, "Experimenters_SSD")
    shutil.copy(MINI / "elements" / "Trust.md", root / "Trust.md")
    update(root, settings, embedder=embedder)
    build = read_manifest(settings.data_dir).build
    page = root / "Trust.md"
    page.write_text(
        page.read_text("utf-8").replace(
            "## Overview\n", "## Overview\n\nTrust grows when a promise is kept in public.\n", 1
        ),
        "utf-8",
    )

    report = update(root, settings, embedder=embedder)

    assert (report.added, report.changed, report.embedded) == ([], [], 0)
    assert read_manifest(settings.data_dir).build != build
    glossary = open_index(settings, embedder).state.glossary
    assert "kept in public" in " ".join(str(v) for v in vars(glossary["Trust"]).values())


def test_changing_one_story_re_embeds_only_that_story(tmp_path, settings, embedder):
    root = make_corpus(tmp_path, "Experimenters_SSD", "Experimenter_NOA", "Experimenters_ZER")
    update(root, settings, embedder=embedder)
    append(
        root, "Experimenter_NOA", "\n### [[0:50]] What happened next?\n\nShoppers brought baskets woven from sisal\\.\n"
    )

    report = update(root, settings, embedder=embedder)

    assert (report.added, report.changed, report.removed, report.repaired) == ([], ["Experimenter_NOA"], [], [])
    assert report.embedded == 2  # both NOA passages: their ids carry the new hash
    index = assert_consistent(settings, embedder)
    hits = index.search("baskets woven from sisal", k=3)
    assert hits[0].section == "Experimenter_NOA@50"
    assert hits[0].text == "Shoppers brought baskets woven from sisal."


def test_deleting_a_story_removes_it_from_search_and_chroma(tmp_path, settings, embedder):
    root = make_corpus(tmp_path, "Experimenters_SSD", "Experimenter_NOA", "Experimenters_ZER")
    update(root, settings, embedder=embedder)
    before = open_index(settings, embedder).search("plastic bags partial ban", k=5)
    assert before[0].section == "Experimenter_NOA@3"

    (root / "Experimenter_NOA.md").unlink()
    report = update(root, settings, embedder=embedder)

    assert (report.removed, report.changed, report.embedded, report.passages) == (["Experimenter_NOA"], [], 0, 5)
    index = assert_consistent(settings, embedder)
    assert "Experimenter_NOA" not in index.state.stories
    hits = index.search("plastic bags partial ban", k=10)
    assert hits and all(h.story != "Experimenter_NOA" for h in hits)
    assert index.vectors.collection.get(where={"doc": "Experimenter_NOA"})["ids"] == []


QUERY = "market women and the prices of dried fish"


def interrupt(tmp_path, settings, embedder):
    """Index three stories, change two, and kill the next run after its first embedding batch.

    Returns the corpus root and the hits the index gave before the interrupted run."""
    root = make_corpus(tmp_path, "Experimenters_SSD", "Experimenter_NOA", "Experimenters_LNG")
    first = update(root, settings, embedder=embedder, chunking=SMALL)
    assert first.passages > BATCH
    before = open_index(settings, embedder).search(QUERY, k=5)
    assert len(before) == 5
    manifest = read_manifest(settings.data_dir)

    append(
        root,
        "Experimenters_LNG",
        "\n### [[9:30]] Anything else?\n\nThe dried fish now sells at a fair price in Makassar\\.\n",
    )
    append(root, "Experimenter_NOA", "\nShoppers brought baskets woven from sisal\\.\n")
    failing = FailingEmbedder(embedder, fail_on=2)  # the first batch is stored, the second dies
    with pytest.raises(KeyboardInterrupt):
        update(root, settings, embedder=failing, chunking=SMALL)
    assert failing.calls == 2
    assert read_manifest(settings.data_dir) == manifest  # nothing was switched in
    return root, before


def test_interrupted_run_keeps_the_previous_index_and_the_next_run_repairs_it(tmp_path, settings, embedder):
    root, before = interrupt(tmp_path, settings, embedder)

    during = open_index(settings, embedder)
    assert set(during.state.stories) == {"Experimenters_SSD", "Experimenter_NOA", "Experimenters_LNG"}
    assert "sisal" not in " ".join(p.text for p in during.state.passages)
    assert during.search(QUERY, k=5)[0].section == before[0].section
    assert during.vectors.count() == len(during.state.passages) + BATCH  # half-stored new vectors, not live

    repair = update(root, settings, embedder=embedder, chunking=SMALL)

    assert sorted(repair.changed) == ["Experimenter_NOA", "Experimenters_LNG"]
    assert (repair.added, repair.removed) == ([], [])
    changed_passages = sum(
        1 for p in open_index(settings, embedder).state.passages if p.doc in ("Experimenter_NOA", "Experimenters_LNG")
    )
    assert changed_passages > BATCH
    assert repair.embedded == changed_passages - BATCH  # the first batch survived the interruption
    index = assert_consistent(settings, embedder)
    assert index.search("dried fish fair price in Makassar", k=3)[0].section == "Experimenters_LNG@570"
    assert index.search("baskets woven from sisal", k=3)[0].story == "Experimenter_NOA"


def test_interrupted_run_leaves_the_previous_results_unchanged(tmp_path, settings, embedder):
    _, before = interrupt(tmp_path, settings, embedder)
    during = open_index(settings, embedder).search(QUERY, k=5)
    assert [(h.section, h.start, h.text) for h in during] == [(h.section, h.start, h.text) for h in before]


def test_lost_vectors_are_repaired(tmp_path, settings, embedder):
    root = make_corpus(tmp_path, "Experimenters_SSD", "Experimenter_NOA")
    update(root, settings, embedder=embedder)
    index = open_index(settings, embedder)
    lost = index.vectors.collection.get(where={"doc": "Experimenters_SSD"})["ids"]
    assert len(lost) == 3
    index.vectors.collection.delete(ids=lost)

    report = update(root, settings, embedder=embedder)

    assert (report.changed, report.repaired, report.embedded) == ([], ["Experimenters_SSD"], 3)
    assert_consistent(settings, embedder)


def test_first_run_interrupted_leaves_no_index_then_builds(tmp_path, settings, embedder):
    root = make_corpus(tmp_path, "Experimenters_SSD")
    with pytest.raises(KeyboardInterrupt):
        update(root, settings, embedder=FailingEmbedder(embedder, fail_on=1))
    with pytest.raises(NoIndexError, match="no index in .* yet") as raised:
        open_index(settings, embedder)
    assert raised.value.problem == "missing"
    report = update(root, settings, embedder=embedder)
    assert (report.added, report.embedded) == (["Experimenters_SSD"], 3)
    assert_consistent(settings, embedder)


def test_changed_chunking_builds_a_fresh_collection(tmp_path, settings, embedder):
    root = make_corpus(tmp_path, "Experimenters_SSD", "Experimenters_LNG")
    update(root, settings, embedder=embedder)
    old_collection = read_manifest(settings.data_dir).collection

    report = update(root, settings, embedder=embedder, chunking=SMALL)

    manifest = read_manifest(settings.data_dir)
    assert manifest.collection != old_collection and manifest.chunking["window_tokens"] == 17
    assert sorted(report.added) == ["Experimenters_LNG", "Experimenters_SSD"]
    assert report.embedded == report.passages
    index = assert_consistent(settings, embedder)
    names = [getattr(c, "name", c) for c in store.open_client(settings.data_dir).list_collections()]
    assert names == [index.state.manifest.collection]
