"""Where search gets its nearest neighbours: the Chroma collection, or the build's own vectors.

:class:`~.search.StoryIndex` ranks; a vector source holds the vectors and
answers one question, :meth:`~VectorSource.nearest`: the build's passages
nearest a query vector, as (position in this build's ``passages`` list,
cosine similarity), best first. Everything that is about *holding* vectors
lives here rather than in the index: Chroma's ids and the vectors of other
builds the collection still holds, reopening local Chroma files another
process rewrote, and the exact search over ``vectors.npy`` used when the
local Chroma folder cannot be written.

Why a module of ``rag`` and not part of :mod:`labstories.index.vectors`: the
index package writes and stores vectors (``index/store.py`` talks to Chroma,
``index/vectors.py`` is the ``vectors.npy`` file); this is the read side, used
by search only, and it speaks search's currency — positions in the build's
passage list, the same positions :class:`~.filterindex.FilterIndex` and the
keyword side use, so the exact source filters by position instead of
re-evaluating Chroma ``where`` clauses over per-passage metadata.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from labstories.index import store, vectors
from labstories.index.errors import StoreError
from labstories.index.settings import Settings
from labstories.index.state import IndexState, build_dir


class VectorSource(Protocol):
    """What search asks of the vectors."""

    def nearest(
        self, vector, n: int, allowed: np.ndarray | None = None, where: dict | None = None
    ) -> list[tuple[int, float]]:
        """(position, cosine similarity) of live passages of this build nearest ``vector``, best first.

        At least the ``n`` nearest (fewer only when fewer match; Chroma's are HNSW's
        approximate ones); a source may return a few more from further down — Chroma
        does when fewer stale vectors than it made room for came back — so a caller
        that wants exactly ``n`` cuts. A filter
        comes in two equivalent forms, and a source uses the one it can: ``allowed``,
        the sorted positions it keeps, and ``where``, the same filter as a Chroma clause
        (:func:`rag.filters.chroma_where`). Both None: no filter."""

    def count(self) -> int:
        """Vectors held (for Chroma, also those of other builds not yet cleared)."""


class ChromaVectors:
    """A Chroma collection (local files or a server) read for one build.

    The collection may hold vectors that are not (or no longer) live in this
    build — an update under way or interrupted writes under new ids
    (``passage_id~content_hash``, :func:`index.store.chroma_id`) and clears the
    old ones only after switching — so each query asks for that many more and
    skips them (:meth:`_current`).
    """

    def __init__(self, collection, state: IndexState, settings: Settings):
        self.collection = collection
        self.state = state
        self.settings = settings
        self._position = {p.id: i for i, p in enumerate(state.passages)}
        self._stale = max(0, collection.count() - len(state.passages))
        self._reopening = threading.Lock()

    def count(self) -> int:
        return self.collection.count()

    def nearest(
        self, vector, n: int, allowed: np.ndarray | None = None, where: dict | None = None
    ) -> list[tuple[int, float]]:
        # Vectors not (or no longer) live in this build — an update under way or
        # interrupted — may take places in Chroma's top n; ask for that many more.
        result = self._query(
            query_embeddings=[np.asarray(vector).tolist()],
            n_results=n + self._stale,
            where=where,
            include=["distances"],
        )
        live = []
        for chroma_id, distance in zip(result["ids"][0], result["distances"][0]):
            position = self._current(chroma_id)
            if position is not None:
                live.append((position, 1.0 - float(distance)))
        return live

    def _query(self, **kwargs) -> dict:
        """``collection.query``, reopening local Chroma files that another process wrote meanwhile.

        A local Chroma handle keeps its nearest-neighbour graph in memory; once
        ``labstories index`` (another process) adds vectors, filtered queries on
        the old handle fail with "Error finding id". A fresh handle sees the
        files as they are now; this build's vectors are all still there (a build
        never overwrites or deletes what the live build points at), and vectors
        of the build being written are skipped by :meth:`_current`. A server's
        errors are its own: they are raised as they come.
        """
        collection = self.collection
        try:
            return collection.query(**kwargs)
        except Exception:
            if self.settings.chroma_url:
                raise
        return self._reopen(collection).query(**kwargs)

    def _reopen(self, failed):
        with self._reopening:
            if self.collection is failed:  # not already reopened by another thread
                client = store.open_client(Path(self.settings.data_dir))
                self.collection = store.get_collection(client, self.state.manifest.collection)
                self._stale = max(0, self.collection.count() - len(self.state.passages))
            return self.collection

    def _current(self, chroma_id: str) -> int | None:
        """Position of a stored vector in this build, or None for a stale one."""
        passage_id, _, digest = chroma_id.rpartition("~")
        position = self._position.get(passage_id)
        if position is None:
            return None
        document = self.state.passages[position].doc
        return position if self.state.manifest.documents.get(document) == digest else None


class ExactVectors:
    """The build's own ``vectors.npy`` (memory-mapped, see :mod:`index.vectors`), searched exactly.

    Row *i* is passage *i*, so there is nothing stale to skip and a filter is
    just the rows ``allowed`` (``where`` is not needed). Brute-force cosine over
    those rows: used where Chroma cannot open the folder (read-only media,
    another user's index).
    """

    def __init__(self, matrix: np.ndarray):
        self.matrix = matrix

    def count(self) -> int:
        return len(self.matrix)

    def nearest(
        self, vector, n: int, allowed: np.ndarray | None = None, where: dict | None = None
    ) -> list[tuple[int, float]]:
        if where is not None and allowed is None:
            raise ValueError("ExactVectors filters by position: pass the allowed positions with the where clause")
        vector = np.asarray(vector, dtype=np.float32)
        if n < 1 or (allowed is not None and not len(allowed)) or not len(self.matrix):
            return []
        block = np.asarray(self.matrix if allowed is None else self.matrix[allowed], dtype=np.float32)
        norms = np.linalg.norm(block, axis=1) * (np.linalg.norm(vector) or 1.0)
        cosine = block @ vector / np.where(norms == 0, 1.0, norms)
        top = np.argsort(-cosine, kind="stable")[:n]  # ties: the lower position first
        # Through Chroma's float32 distance (1 − cosine), so both sources score a passage alike.
        distance = 1.0 - cosine[top]
        positions = top if allowed is None else np.asarray(allowed)[top]
        return [(int(p), 1.0 - float(d)) for p, d in zip(positions, distance)]


def open_vectors(settings: Settings, state: IndexState, source) -> ChromaVectors | ExactVectors:
    """The vectors of ``state``'s build, checked against it before anything is answered.

    Chroma's collection (local files or ``settings.chroma_url``), checked with
    :func:`index.store.check_vectors` (damage is a :class:`DamagedIndexError`
    naming ``source.vectors_at()``); on a local folder Chroma cannot write (it
    writes even to read, see :mod:`index.vectors`) the build's own
    memory-mapped vectors, searched exactly. A read-only index built without
    them is a :class:`StoreError`.
    """
    data_dir = Path(settings.data_dir)
    if settings.chroma_url or vectors.writable(data_dir / "chroma"):
        client = store.open_client(data_dir, settings.chroma_url)
        collection = store.get_collection(client, state.manifest.collection, where=source.vectors_at())
        hashes = state.manifest.documents
        store.check_vectors(
            collection, {store.chroma_id(p.id, hashes[p.doc]) for p in state.passages}, source.vectors_at()
        )
        return ChromaVectors(collection, state, settings)
    matrix = vectors.load(build_dir(data_dir, state.manifest.build))
    if matrix is None or len(matrix) != len(state.passages):
        raise StoreError(
            "unwritable",
            detail=f"the index in {data_dir} is read-only and was built without its own copy of the vectors",
        )
    return ExactVectors(matrix)


__all__ = ["ChromaVectors", "ExactVectors", "VectorSource", "open_vectors"]
