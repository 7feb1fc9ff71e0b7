"""The vector sources (rag/vector_source.py): on their own, without a model or a Chroma folder —
stale ids skipped and made room for, one reopen of local files, none for a server, the exact
source's filter by position — and on the mini index, where exact vectors rank as Chroma does."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from labstories.index import Settings
from labstories.rag import StoryIndex, vector_source
from labstories.rag.vector_source import ChromaVectors, ExactVectors


def build(hashes: dict[str, str], passages: list[tuple[str, str]]):
    """A stand-in IndexState: passages as (id, document), the manifest's document hashes."""
    return SimpleNamespace(
        passages=[SimpleNamespace(id=i, doc=d) for i, d in passages],
        manifest=SimpleNamespace(documents=hashes, collection="labstories-test"),
    )


class FakeCollection:
    def __init__(self, ids: list[str], distances: list[float], failures: int = 0):
        self.ids, self.distances, self.failures, self.asked = ids, distances, failures, []

    def count(self) -> int:
        return len(self.ids)

    def query(self, query_embeddings, n_results, where=None, include=()):
        self.asked.append((n_results, where))
        if self.failures:
            self.failures -= 1
            raise RuntimeError("Error finding id")
        return {"ids": [self.ids[:n_results]], "distances": [self.distances[:n_results]]}


STATE = build({"A": "new", "B": "b1"}, [("A-0", "A"), ("A-1", "A"), ("B-0", "B")])
#: Five stored vectors for three live passages: A's of an older build are stale.
STORED = ["A-0~old", "A-0~new", "B-0~b1", "A-1~old", "A-1~new"]


def test_stale_ids_are_skipped_and_made_room_for(tmp_path):
    collection = FakeCollection(STORED, [0.1, 0.2, 0.3, 0.4, 0.5])
    source = ChromaVectors(collection, STATE, Settings(data_dir=tmp_path))
    found = source.nearest(np.ones(3, dtype=np.float32), 3, where={"role": {"$eq": "Explorer"}})
    assert collection.asked == [(3 + 2, {"role": {"$eq": "Explorer"}})]
    assert [p for p, _ in found] == [0, 2, 1]
    assert np.allclose([c for _, c in found], [0.8, 0.7, 0.5])
    assert source.count() == 5  # what the collection holds, stale vectors included (``stats``)


def test_a_failing_local_handle_is_reopened_once_and_shared(tmp_path, monkeypatch):
    failing = FakeCollection(STORED, [0.1] * 5, failures=1)
    fresh = FakeCollection(STORED[:3], [0.1, 0.2, 0.3])
    opened = []
    monkeypatch.setattr(
        vector_source.store, "open_client", lambda data_dir, url="": opened.append(data_dir) or "client"
    )
    monkeypatch.setattr(vector_source.store, "get_collection", lambda client, name, **_: fresh)
    source = ChromaVectors(failing, STATE, Settings(data_dir=tmp_path))

    assert [p for p, _ in source.nearest([1.0, 0.0, 0.0], 2)] == [0, 2]
    assert opened == [tmp_path] and source.collection is fresh
    assert fresh.asked == [(2 + 2, None)]  # the same query again
    source.nearest([1.0, 0.0, 0.0], 2)
    assert fresh.asked[-1] == (2, None)  # the reopened files hold no stale vectors: none made room for
    assert source._reopen(failing) is fresh and opened == [tmp_path]  # another thread's failure: no second reopen


def test_a_server_is_never_reopened(tmp_path, monkeypatch):
    monkeypatch.setattr(vector_source.store, "open_client", lambda *a, **k: pytest.fail("reopened a server"))
    source = ChromaVectors(
        FakeCollection(STORED, [0.1] * 5, failures=1),
        STATE,
        Settings(data_dir=tmp_path, chroma_url="http://127.0.0.1:1"),
    )
    with pytest.raises(RuntimeError, match="Error finding id"):
        source.nearest([1.0, 0.0, 0.0], 2)


def test_exact_vectors_filter_by_position_and_break_ties_by_position():
    matrix = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8], [0, 0]], dtype=np.float32)
    exact = ExactVectors(matrix)
    assert exact.count() == 5
    assert [p for p, _ in exact.nearest([1.0, 0.0], 5)] == [0, 2, 3, 1, 4]  # 0 and 2 tie: the lower first
    found = exact.nearest(np.array([2.0, 0.0]), 2, allowed=np.array([1, 2, 3], dtype=np.int32), where={"x": {"$eq": 1}})
    assert [p for p, _ in found] == [2, 3] and np.allclose([c for _, c in found], [1.0, 0.6])
    assert exact.nearest([1.0, 0.0], 3, allowed=np.array([], dtype=np.int32)) == []
    assert exact.nearest([1.0, 0.0], 0) == []
    with pytest.raises(ValueError):
        exact.nearest([1.0, 0.0], 3, where={"x": {"$eq": 1}})


def test_exact_vectors_rank_like_chroma(monkeypatch, mini_settings, embedder):
    """The read-only path in-process: the same sections, in the same order, filters included."""
    import numpy as np

    from labstories.index import vectors
    from labstories.rag import Filters
    from labstories.rag.filters import chroma_where
    from labstories.rag.vector_source import ChromaVectors, ExactVectors

    settings, _ = mini_settings
    chroma = StoryIndex.open(settings, embedder=embedder)
    monkeypatch.setattr(vectors, "writable", lambda path: False)
    exact = StoryIndex.open(settings, embedder=embedder)
    assert isinstance(exact.vectors, ExactVectors) and isinstance(chroma.vectors, ChromaVectors)
    for query, filters in (
        ("trust of beekeepers", Filters()),
        ("savings", Filters(country=["South Sudan"])),
        ("water wells", Filters(principles=["Trust"])),
    ):
        assert [h.section for h in exact.search(query, filters, 8)] == [
            h.section for h in chroma.search(query, filters, 8)
        ]
        # the sources themselves: the same positions and cosines, the filter by position against Chroma's where
        resolved = chroma.resolve(filters)
        allowed, where = chroma.filter_index.positions(resolved), chroma_where(resolved)
        vector = embedder.encode_query(query)
        got, expected = (
            exact.vectors.nearest(vector, 10, allowed, where),
            chroma.vectors.nearest(vector, 10, allowed, where),
        )
        matching = exact.vectors.count() if allowed is None else len(allowed)
        assert [p for p, _ in got] == [p for p, _ in expected] and len(got) == min(10, matching)
        assert np.allclose([c for _, c in got], [c for _, c in expected], atol=1e-4)
    with pytest.raises(ValueError, match="by position"):
        exact.vectors.nearest(vector, 3, where=where)
