"""Content-addressed passage vectors, so text the model has already read is not embedded again.

A vector is keyed by what it is a function of: the exact text the model reads
(``Passage.embed_text``) and the model itself (:attr:`Embedder.identity`,
folder name plus a hash of the weights). Any corpus benefits: a user's newer
copy of the archive reuses the vector of every passage that did not change,
and a different model or chunking simply finds no keys.

The package ships one such cache for its bundled archive snapshot
(``data/vectors.npz``, float32), made by ``scripts/make_snapshot.py``; it turns
the first start's minute of embedding into a lookup. Beside it, every vector
this machine embeds is kept in a :class:`DiskCache` (small ``.npz`` shards in
the ``vector_cache`` folder, written as the model goes): an interrupted hour of
indexing the whole archive resumes where it stopped, and a ``--rebuild`` or a
new chunking embeds only the texts it has never seen.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import state, store

BUNDLED = Path(__file__).resolve().parent / "data" / "vectors.npz"
#: Vectors per shard file: a crash loses at most this many embeddings (about a minute of work).
SHARD_SIZE = 2048

log = logging.getLogger(__name__)


def cache_key(embed_text: str, model_identity: str) -> str:
    """32 hex digits of sha256(model identity, NUL, text): collisions are not a practical concern."""
    return hashlib.sha256(f"{model_identity}\0{embed_text}".encode()).hexdigest()[:32]


@dataclass(eq=False)
class VectorCache:
    """Unit vectors by :func:`cache_key`; row ``i`` of ``vectors`` belongs to ``keys[i]``."""

    keys: list[str] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    #: The model identities the vectors were made with (informative; the keys already carry them).
    models: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._row = {key: row for row, key in enumerate(self.keys)}

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: str) -> bool:
        return key in self._row

    def get(self, key: str) -> np.ndarray | None:
        row = self._row.get(key)
        return None if row is None else self.vectors[row]

    @classmethod
    def load(cls, path: Path | str) -> VectorCache:
        """The cache in an ``.npz`` file; an empty cache when the file is missing."""
        if not Path(path).exists():
            return cls()
        with np.load(path, allow_pickle=False) as data:
            return cls(
                keys=[str(k) for k in data["keys"]],
                vectors=data["vectors"].astype(np.float32, copy=False),
                models=[str(m) for m in data["models"]],
            )

    def save(self, path: Path | str) -> None:
        """Keys sorted, so regenerating an unchanged snapshot gives the same file."""
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        np.savez(
            path,
            keys=np.array([self.keys[i] for i in order], dtype="U32"),
            vectors=np.asarray(self.vectors, dtype=np.float32)[order],
            models=np.array(sorted(set(self.models)), dtype=str),
        )

    def add(self, key: str, vector: np.ndarray) -> None:
        """A read-only cache keeps nothing new (the bundled one ships with the package)."""

    def flush(self) -> None:
        """Nothing is pending in a read-only cache."""


class DiskCache:
    """Vectors embedded on this machine, kept in a folder of ``.npz`` shards, over a read-only ``base``.

    Written as embedding goes (one shard per :data:`SHARD_SIZE` vectors, each
    written to a temporary name and renamed, so a shard is whole or absent). A
    cache only saves time, so an unreadable shard is skipped with a warning and
    its texts are embedded again.
    """

    def __init__(self, folder: Path | str, base: VectorCache | None = None, shard_size: int = SHARD_SIZE):
        self.folder = Path(folder)
        self.base = base if base is not None else VectorCache()
        self.shard_size = shard_size
        self._rows: dict[str, np.ndarray] = {}
        self._pending: dict[str, np.ndarray] = {}
        for shard in sorted(self.folder.glob("*.npz")) if self.folder.is_dir() else ():
            try:
                with np.load(shard, allow_pickle=False) as data:
                    vectors = data["vectors"].astype(np.float32, copy=False)
                    self._rows.update(zip((str(k) for k in data["keys"]), vectors))
            except Exception as error:  # noqa: BLE001 — numpy/zipfile raise many kinds on a bad file
                log.warning("vector cache shard %s is unreadable (%s); its texts will be embedded again", shard, error)

    def __len__(self) -> int:
        return len(self.base) + len(self._rows) + len(self._pending)

    def get(self, key: str) -> np.ndarray | None:
        vector = self.base.get(key)
        if vector is None:
            vector = self._rows.get(key)
        return self._pending.get(key) if vector is None else vector

    def add(self, key: str, vector: np.ndarray) -> None:
        if key in self._rows or key in self.base:
            return
        self._pending[key] = np.asarray(vector, dtype=np.float32)
        if len(self._pending) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        """Write what is pending as one shard; a full disk costs only the cache, never the index."""
        if not self._pending:
            return
        keys = list(self._pending)
        name = f"{len(keys)}-{uuid.uuid4().hex[:12]}"
        tmp = self.folder / f".{name}.tmp.npz"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.savez(tmp, keys=np.array(keys, dtype="U32"), vectors=np.stack([self._pending[k] for k in keys]))
            os.replace(tmp, self.folder / f"{name}.npz")
        except OSError as error:
            log.warning("could not keep %d vectors in %s (%s)", len(keys), self.folder, error)
            tmp.unlink(missing_ok=True)
            return
        self._rows.update(self._pending)
        self._pending = {}


def default(folder: Path | str | None) -> VectorCache | DiskCache:
    """The bundled snapshot's vectors, under this machine's own cache unless ``folder`` is None."""
    return bundled() if folder is None else DiskCache(folder, base=bundled())


@lru_cache(maxsize=1)
def bundled() -> VectorCache:
    """The vectors of the bundled archive snapshot, loaded once per process."""
    return VectorCache.load(BUNDLED)


def from_index(settings, model_identity: str) -> VectorCache:
    """The vectors an existing index holds, keyed by passage text (how the snapshot's cache is made)."""
    current = state.load_state(Path(settings.data_dir))
    collection = store.get_collection(
        store.open_client(settings.data_dir, settings.chroma_url), current.manifest.collection
    )
    hashes = current.manifest.documents
    texts = {store.chroma_id(p.id, hashes[p.doc]): p.embed_text for p in current.passages}
    keys, rows = [], []
    ids = sorted(texts)
    for begin in range(0, len(ids), 1000):
        got = collection.get(ids=ids[begin : begin + 1000], include=["embeddings"])
        for chroma_id, vector in zip(got["ids"], got["embeddings"]):
            keys.append(cache_key(texts[chroma_id], model_identity))
            rows.append(np.asarray(vector, dtype=np.float32))
    unique = dict(zip(keys, rows))  # equal texts (rare) share one entry
    return VectorCache(
        keys=list(unique),
        vectors=np.stack(list(unique.values())) if unique else np.zeros((0, 0), dtype=np.float32),
        models=[model_identity],
    )
