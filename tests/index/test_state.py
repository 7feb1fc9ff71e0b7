"""The stored index (index/state.py): every file of a data folder, deleted, truncated or corrupted in turn.

Opening the index then either fails with a :class:`DamagedIndexError` that
names the damaged file (the CLI prints it as one line, exit 2), or answers
exactly as the clean index does — never with nothing or with wrong passages.
And ``labstories index`` repairs each case to an index equal to a clean build:
same stories, passages, vectors and top hits.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA

from labstories.index import NoIndexError, Settings, StoreError, update
from labstories.index.state import DamagedIndexError
from labstories.rag import StoryIndex
from labstories.ui import cli
from labstories.ui.messages import for_cli

MINI = DATA / "mini"
QUESTIONS = ("how did experimenters run pilots with small budgets?", "how did they build trust with communities?")

#: Every file (or folder) a local data folder holds; a test checks that the list is complete.
PATTERNS = (
    "manifest.json",
    "builds/*/documents.json",
    "builds/*/glossary.json",
    "builds/*/passages.json",
    "builds/*/vectors.npy",
    "builds/*/keyword/params.index.json",
    "builds/*/keyword/vocab.index.json",
    "builds/*/keyword/data.csc.index.npy",
    "builds/*/keyword/indices.csc.index.npy",
    "builds/*/keyword/indptr.csc.index.npy",
    "chroma/chroma.sqlite3",
    "chroma/*-*/header.bin",
    "chroma/*-*/data_level0.bin",
    "chroma/*-*/length.bin",
    "chroma/*-*/link_lists.bin",
    "chroma/*-*/index_metadata.pickle",
)
FOLDERS = ("builds/*", "builds/*/keyword", "chroma", "chroma/*-*")
CASES = (
    [(pattern, how) for pattern in PATTERNS for how in ("delete", "truncate", "corrupt")]
    + [(folder, "delete") for folder in FOLDERS]
    + [(pattern, "shorten") for pattern in PATTERNS if pattern.startswith("builds/") and pattern.endswith(".json")]
)


def snapshot(settings: Settings, embedder) -> dict:
    """What must come out equal: records, vectors by id, and the top hits."""
    index = StoryIndex.open(settings, embedder=embedder)
    stored = index.vectors.collection.get(include=["embeddings"])
    return {
        "stories": {k: asdict(v) for k, v in index.state.stories.items()},
        "glossary": {k: asdict(v) for k, v in index.state.glossary.items()},
        "passages": [asdict(p) for p in index.state.passages],
        "vectors": dict(zip(stored["ids"], np.asarray(stored["embeddings"]))),
        "hits": top_hits(index),
    }


def top_hits(index: StoryIndex) -> list[list[str]]:
    return [[f"{h.section}#{h.start}" for h in index.search(q, k=5)] for q in QUESTIONS]


def assert_same(got: dict, clean: dict) -> None:
    assert got["stories"] == clean["stories"] and got["glossary"] == clean["glossary"]
    assert got["passages"] == clean["passages"]
    assert sorted(got["vectors"]) == sorted(clean["vectors"])
    for key, vector in clean["vectors"].items():
        np.testing.assert_allclose(got["vectors"][key], vector, atol=1e-5)
    assert got["hits"] == clean["hits"]


@pytest.fixture(scope="module")
def clean(mini_settings, embedder):
    settings, _ = mini_settings
    return settings, snapshot(settings, embedder)


def damage(data: Path, pattern: str, how: str) -> Path:
    """Apply ``how`` to the one file or folder ``pattern`` matches; returns it."""
    matches = sorted(data.glob(pattern))
    if not matches:
        pytest.skip(f"this Chroma version writes no {pattern}")
    target = matches[0]
    if how == "delete":
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    elif how == "truncate":
        raw = target.read_bytes()
        target.write_bytes(raw[: len(raw) // 2])
    elif how == "shorten":  # still valid JSON: the last entries dropped (13 passages were lost this way)
        entries = json.loads(target.read_text("utf-8"))
        shorter = entries[:-3] if isinstance(entries, list) else dict(list(entries.items())[:-1])
        target.write_text(json.dumps(shorter), "utf-8")
    else:  # 64 bytes flipped in the middle (an empty file gets 64 bytes of noise)
        raw = bytearray(target.read_bytes()) or bytearray(64)
        middle = len(raw) // 2
        for i in range(max(0, middle - 32), min(len(raw), middle + 32)):
            raw[i] ^= 0x5A
        target.write_bytes(bytes(raw))
    return target


def test_the_cases_cover_every_file_of_a_data_folder(clean):
    settings, _ = clean
    data = Path(settings.data_dir)
    files = {p for p in data.rglob("*") if p.is_file()}
    covered = {p for pattern in PATTERNS for p in data.glob(pattern)}
    assert files <= covered, f"untested files: {sorted(str(p.relative_to(data)) for p in files - covered)}"


@pytest.mark.parametrize("pattern, how", CASES)
def test_damage_is_named_or_harmless_and_index_repairs_it(pattern, how, clean, embedder, tmp_path):
    settings, expected = clean
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    target = damage(data, pattern, how)
    damaged = Settings(data_dir=data)

    try:
        index = StoryIndex.open(damaged, embedder=embedder)
    except DamagedIndexError as error:
        named = Path(error.path)
        assert named == target or named in target.parents or target in named.parents or named.name == "chroma"
        assert str(named) in str(error) and "labstories index" in for_cli(error)
    else:  # Chroma rebuilt what was lost from its own log: then the answers must be the clean ones
        assert top_hits(index) == expected["hits"]

    update(MINI, damaged, embedder=embedder)
    assert_same(snapshot(damaged, embedder), expected)


@pytest.mark.parametrize(
    "pattern, how, named",
    [
        ("builds/*/passages.json", "delete", "passages.json"),
        ("builds/*/passages.json", "truncate", "passages.json"),
        ("manifest.json", "truncate", "manifest.json"),
        ("chroma/chroma.sqlite3", "corrupt", "chroma"),
    ],
)
def test_cli_search_on_a_damaged_index_is_one_line_naming_it(pattern, how, named, clean, tmp_path, capsys):
    settings, _ = clean
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    damage(data, pattern, how)

    code = cli.main(["search", "savings groups", "--data-dir", str(data)])

    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and named in err and "is damaged" in err and "labstories index" in err


def test_index_rebuild_starts_from_scratch(clean, embedder, tmp_path):
    settings, expected = clean
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    copy = Settings(data_dir=data)

    report = update(MINI, copy, embedder=embedder, rebuild=True)

    assert report.embedded == report.passages == len(expected["passages"])
    assert len(list((data / "builds").iterdir())) == 1
    assert_same(snapshot(copy, embedder), expected)


def test_no_index_at_all_is_not_called_damage(tmp_path, embedder):
    with pytest.raises(NoIndexError, match="no index in .* yet") as caught:
        StoryIndex.open(Settings(data_dir=tmp_path / "empty"), embedder=embedder)
    assert not isinstance(caught.value, (DamagedIndexError, StoreError))


def test_a_lost_nearest_neighbour_graph_is_detected_and_rebuilt(clean, embedder, tmp_path):
    """Past ~1,000 vectors Chroma persists its graph in the segment folder and no
    longer replays it from sqlite: losing that folder made queries silently wrong
    while counts and ids still looked right. 1,100 extra vectors push the
    fixture's collection past that point."""
    from labstories.index import store

    settings, expected = clean
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    copy = Settings(data_dir=data)
    collection = store.get_collection(
        store.open_client(data), StoryIndex.open(copy, embedder=embedder).state.manifest.collection
    )
    vectors = np.random.default_rng(7).normal(size=(1100, 384)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.add_batches(
        collection,
        [f"extra-{i}~0" for i in range(1100)],
        vectors.tolist(),
        ["extra"] * 1100,
        [{"doc": "extra"}] * 1100,
        batch_size=500,
    )
    del collection
    [segment] = [p for p in (data / "chroma").iterdir() if p.is_dir() and (p / "data_level0.bin").exists()]
    shutil.rmtree(segment)

    with pytest.raises(DamagedIndexError, match="chroma"):
        StoryIndex.open(copy, embedder=embedder)
    report = update(MINI, copy, embedder=embedder)
    assert report.fixed and report.embedded == len(expected["passages"])
    assert_same(snapshot(copy, embedder), expected)


def test_passages_are_stored_without_their_text_repeated_and_read_back_whole(mini_index, mini_settings):
    from labstories.index.records import Passage
    from labstories.index.state import passage_row, passages_from_json

    passages = mini_index.state.passages
    rows = [passage_row(p) for p in passages]
    assert all("embed_text" not in row and "keyword_text" not in row for row in rows)  # prefixes only
    assert passages_from_json(json.loads(json.dumps(rows))) == passages
    odd = Passage("a:0:0", "a", 0, 0, "text", embed_text="other", keyword_text="", tags={"principles": ["Trust"]})
    assert passage_row(odd)["embed_text"] == "other" and passages_from_json([passage_row(odd)]) == [odd]
    assert passages_from_json([asdict(p) for p in passages]) == passages  # as older builds wrote them
    folder = Path(mini_settings[0].data_dir) / "builds" / mini_index.state.manifest.build
    stored = json.loads((folder / "passages.json").read_text())
    assert len(stored) == len(passages) and "embed_text_prefix" in stored[0]


def test_a_build_of_an_older_layout_is_written_again_without_embedding(mini_settings, embedder, tmp_path):
    from labstories.index.state import FORMAT_VERSION, read_manifest

    data = tmp_path / "data"
    shutil.copytree(mini_settings[0].data_dir, data)
    settings = Settings(data_dir=data)
    manifest = json.loads((data / "manifest.json").read_text())
    folder = data / "builds" / manifest["build"]
    old = [asdict(p) for p in StoryIndex.open(settings, embedder=embedder).state.passages]  # the layout of format 4
    (folder / "passages.json").write_text(json.dumps(old))
    manifest.update(
        format=FORMAT_VERSION - 1, files={k: v for k, v in manifest["files"].items() if k != "passages.json"}
    )
    (data / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(NoIndexError):
        StoryIndex.open(settings, embedder=embedder)  # an older layout is not read as if it were this one
    report = update(MINI, settings, embedder=embedder)
    assert report.embedded == 0 and not (report.added or report.changed or report.removed)
    rewritten = read_manifest(data)
    assert rewritten.format == FORMAT_VERSION and rewritten.build != manifest["build"]
    reopened = StoryIndex.open(settings, embedder=embedder)
    assert [asdict(p) for p in reopened.state.passages] == old
    assert update(MINI, settings, embedder=embedder).seconds >= 0 and read_manifest(data).build == rewritten.build


def test_an_unchanged_corpus_is_checked_without_reading_its_passages(mini_settings, embedder, tmp_path, monkeypatch):
    from labstories.index import state
    from labstories.index.state import read_manifest

    data = tmp_path / "data"
    shutil.copytree(mini_settings[0].data_dir, data)
    settings = Settings(data_dir=data)
    update(MINI, settings, embedder=embedder)  # counts the passages in the manifest, if it did not yet
    build = read_manifest(data).build

    def unread(*args, **kwargs):
        raise AssertionError("passages read")

    monkeypatch.setattr(state, "load_passages", unread)
    report = update(MINI, settings, embedder=embedder)
    assert report.passages == read_manifest(data).passages > 0 and read_manifest(data).build == build
    monkeypatch.undo()
    store = StoryIndex.open(settings, embedder=embedder).vectors.collection
    gone = sorted(store.get(include=[])["ids"])[0]
    store.delete(ids=[gone])  # one vector lost: the quick check sees it and the full one repairs it
    repaired = update(MINI, settings, embedder=embedder)
    assert repaired.embedded + repaired.cached == 1 and repaired.repaired
