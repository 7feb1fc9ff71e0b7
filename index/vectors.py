"""Each build's own copy of its vectors (``vectors.npy``), so a read-only data folder can be searched.

Chroma 1.5's local client writes on every open, even to answer a query: it
takes a write lock in ``chroma.sqlite3`` (a journal file appears) and
rewrites the HNSW segment files (``data_level0.bin`` is opened with
``O_TRUNC``) — checked with strace on a fresh index. Its ``migrations=
"validate"``/``"none"`` settings do not change that, and SQLite cannot be
told from outside to open it read-only. So a local Chroma folder cannot be
opened on read-only media or by a user who may not write it, and copying it
elsewhere costs as much as the index.

Instead every build also stores its passages' vectors: row *i* is passage *i*
of ``passages.json`` (384 float32 each: 3 MB for the archive's ≈2,000
passages, 1.5 GB per million). When Chroma's folder is not writable, search
reads this file memory-mapped — nothing is copied, pages are read as
needed — and ranks exactly (brute-force cosine) instead of through HNSW:
:class:`labstories.rag.vector_source.ExactVectors`. This module is the file
and its writing; how search reads vectors (Chroma or this file) is
:mod:`labstories.rag.vector_source`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

FILE = "vectors.npy"


def fetch(collection, ids: list[str], batch: int = 2000) -> np.ndarray:
    """``ids``' vectors from the collection, in this order (one row per id)."""
    rows: dict[str, np.ndarray] = {}
    unique = list(dict.fromkeys(ids))  # two passages may share an id (and so one stored vector); Chroma refuses repeats
    for begin in range(0, len(unique), batch):
        got = collection.get(ids=unique[begin : begin + batch], include=["embeddings"])
        rows.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
    missing = [i for i in ids if i not in rows]
    if missing:
        raise RuntimeError(f"{len(missing)} vectors missing from the store, e.g. {missing[0]}")
    return np.stack([rows[i] for i in ids]) if ids else np.zeros((0, 0), dtype=np.float32)


def write(folder: Path, matrix: np.ndarray) -> None:
    """``folder/vectors.npy``, written whole or not at all."""
    tmp = Path(folder) / (FILE + ".tmp")
    with tmp.open("wb") as out:
        np.save(out, matrix)
    os.replace(tmp, Path(folder) / FILE)


def load(folder: Path) -> np.ndarray | None:
    """The build's vectors, memory-mapped read-only; None for a build made before this file existed."""
    path = Path(folder) / FILE
    return np.load(path, mmap_mode="r") if path.exists() else None


def writable(chroma_dir: Path) -> bool:
    """Whether local Chroma can open this folder (it writes on open; see the module docstring)."""
    chroma_dir = Path(chroma_dir)
    sqlite = chroma_dir / "chroma.sqlite3"
    return os.access(chroma_dir, os.W_OK) and (not sqlite.exists() or os.access(sqlite, os.W_OK))


__all__ = ["FILE", "load", "fetch", "write", "writable"]
