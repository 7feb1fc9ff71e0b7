"""Chroma access: the one place that knows collection names, metadata and batching.

Embeddings are computed by us and passed in (``embedding_function=None``), so
Chroma never tries to download its default ONNX model. Every filter kind of
``vocabulary.KINDS`` is list metadata, filtered with ``$contains``; empty lists
are omitted because Chroma rejects them.
"""

from __future__ import annotations

import math
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse

from .errors import StoreError
from .records import Document, Passage, filter_values
from .state import DamagedIndexError

#: Small documents (manifest, stories, glossary) for replicas that have only the server.
#: Not under the ``labstories-`` prefix, which :func:`drop_other_collections` clears.
META_COLLECTION = "labstories_meta"
#: UTF-8 bytes per meta document and documents per request: Chroma Cloud's limits
#: (16,384 bytes per document, 300 records per write), which a local server does not enforce.
META_CHUNK = 16_000
META_BATCH = 100


def open_client(data_dir: Path, chroma_url: str = ""):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as error:  # chromadb raises several types for an unreachable server
            raise StoreError("unreachable", url=chroma_url, detail=type(error).__name__) from None
        return client
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    _forget_cached_system(str(path))
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as error:  # a damaged sqlite file fails here, with several exception types
        raise DamagedIndexError(path / "chroma.sqlite3", f"Chroma cannot open it: {type(error).__name__}") from None


def _forget_cached_system(path: str) -> None:
    """Make the next ``PersistentClient(path)`` read the files afresh.

    chromadb keeps one System per path per process, with the HNSW index in
    memory; after another process (``labstories index``) rewrote the files,
    that System answers from the old graph and fails with "Error finding id".
    Dropping it from the cache gives the next client a new System; clients
    opened before keep theirs (a collection holds its own API object), so a
    search under way finishes on the index it started with.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(path, None)
        SharedSystemClient._identifier_to_refcount.pop(path, None)


#: The nearest-neighbour graph of new collections. Chroma's default (16 neighbours, construction
#: breadth 100) held 0.64 of the exact top 10 at 100k synthetic passages, many near-duplicates;
#: 32 and 200 hold 0.93, build 11% slower and query faster (benchmarks/scale.py, docs/retrieval.md).
#: An existing collection keeps the graph it was built with (``index --rebuild`` makes a new one).
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 200}


def get_collection(client, name: str, create: bool = False, where: str = ""):
    """The collection ``name``; a missing one is damage at ``where`` when given."""
    if create:
        return client.get_or_create_collection(name, embedding_function=None, configuration={"hnsw": HNSW})
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception:
        if where:
            raise DamagedIndexError(where, f"the collection {name} is missing") from None
        raise StoreError("missing_collection", collection=name) from None


def passage_metadata(passage: Passage, document: Document, content_hash: str, end: int | None) -> dict:
    """What Chroma keeps beside a passage's vector: where it sits, and every filter kind's values
    (list metadata, filtered with ``$contains``; empty lists omitted, Chroma rejects them)."""
    meta = {
        "doc": document.id,
        "hash": content_hash,
        "section": passage.section_start,
        "start": passage.start,
        "window": passage.window,
        # where the passage sits in its span of speech, for its own moment (rag/moments.py)
        "words_before": passage.words_before,
        "span_words": passage.span_words,
    }
    if end is not None:
        meta["end"] = end
    if passage.span_end is not None:
        meta["span_end"] = passage.span_end
    context = passage.embed_text[: -len(passage.text) - 1] if passage.embed_text.endswith("\n" + passage.text) else ""
    if context:
        meta["context"] = context  # what the model read before the text: a replica rebuilds embed_text
    meta.update((kind, values) for kind, values in filter_values(passage, document).items() if values)
    return meta


def chroma_id(passage_id: str, content_hash: str) -> str:
    """Ids carry the story's content hash, so a re-embedded story never overwrites
    the vectors the current index still points at."""
    return f"{passage_id}~{content_hash}"


def add_batches(collection, ids, embeddings, documents, metadatas, batch_size: int) -> None:
    for begin in range(0, len(ids), batch_size):
        end = begin + batch_size
        collection.upsert(
            ids=ids[begin:end],
            embeddings=embeddings[begin:end],
            documents=documents[begin:end],
            metadatas=metadatas[begin:end],
        )


def stored_ids(collection) -> set[str]:
    """Every stored id. Pages are large: each ``get`` with an offset rescans from the start, so the
    whole archive's 70k ids take 0.7 s in one page and 2.8 s in pages of 5,000."""
    ids: set[str] = set()
    offset, page = 0, 100_000
    while True:
        batch = collection.get(include=[], limit=page, offset=offset)["ids"]
        ids.update(batch)
        if len(batch) < page:
            return ids
        offset += page


def delete_ids(collection, ids: list[str], batch_size: int) -> None:
    for begin in range(0, len(ids), batch_size):
        collection.delete(ids=ids[begin : begin + batch_size])


def drop_other_collections(client, keep: str, prefix: str) -> None:
    for collection in client.list_collections():
        name = getattr(collection, "name", collection)
        if name != keep and name.startswith(prefix):
            client.delete_collection(name)


def delete_collection(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # absent already
        pass


def stored_records(collection) -> tuple[list[str], list[str], list[dict]]:
    """Every stored (id, document, metadata), paged: what a replica rebuilds passages from."""
    ids, documents, metadatas = [], [], []
    offset, page = 0, 2000
    while True:
        batch = collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
        ids += batch["ids"]
        documents += batch["documents"]
        metadatas += batch["metadatas"]
        if len(batch["ids"]) < page:
            return ids, documents, metadatas
        offset += page


def check_vectors(collection, expected: set[str], where: str, sample: int = 8) -> set[str]:
    """Raise :class:`DamagedIndexError` unless the collection really serves ``expected``; returns the
    ids it holds (read once: the whole archive's take a second).

    Counts and ids come from Chroma's sqlite; the nearest-neighbour graph lives
    in separate segment files that can be lost or damaged on their own, and
    then queries return wrong neighbours without an error. So a few stored
    vectors, spread over the ids, are fetched and most must come back among
    their own nearest neighbours.
    """
    try:
        stored = stored_ids(collection)  # its length is the count: one read of the ids, not two
        if len(stored) < len(expected):  # more is fine: vectors of a build being written or not yet cleared
            raise DamagedIndexError(where, f"{len(stored)} vectors stored, the index has {len(expected)} passages")
        missing = expected - stored
        if missing:
            raise DamagedIndexError(where, f"{len(missing)} of {len(expected)} vectors are missing")
        _self_query(collection, sorted(expected or stored), where, sample)
        check_write_log(Path(where) / "chroma.sqlite3")
        return stored
    except DamagedIndexError:
        raise
    except Exception as error:  # chromadb's own errors on broken segment files
        raise DamagedIndexError(where, f"Chroma fails on it: {type(error).__name__}: {str(error)[:120]}") from None


#: Fields of a write-log record as Chroma writes them: its collection's topic and its time.
_TOPIC = re.compile(r"^persistent://[\w.-]+/[\w.-]+/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CREATED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$")


def check_write_log(sqlite: Path) -> None:
    """Raise :class:`DamagedIndexError` when a record of local Chroma's write log is damaged.

    Chroma replays the records of its ``embeddings_queue`` table that its vector
    files do not hold yet. A record whose collection topic or time has flipped
    bytes passes sqlite's own checks and Chroma's counts, is then skipped by
    Chroma, and queries fail with "Error finding id" (seen when a corruption
    landed in the middle of ``chroma.sqlite3``). Both fields are Chroma's own and
    have a fixed shape, so they are checked here. A server's log is the server's.
    """
    if not sqlite.is_file():
        return
    try:
        with closing(sqlite3.connect(f"file:{sqlite}?mode=ro", uri=True)) as db:
            for topic, created in db.execute("SELECT topic, created_at FROM embeddings_queue"):
                if not _TOPIC.match(str(topic)) or not _CREATED.match(str(created)):
                    raise DamagedIndexError(sqlite, "a record of Chroma's write log is damaged")
    except sqlite3.Error as error:  # no such table (another Chroma version), or unreadable: counts and queries decide
        if "no such table" not in str(error):
            raise DamagedIndexError(sqlite, f"unreadable: {error}") from None


def _self_query(collection, ids: list[str], where: str, sample: int) -> None:
    if not ids:
        return
    step = max(1, len(ids) // sample)
    picks = ids[step // 2 :: step][:sample]
    got = collection.get(ids=picks, include=["embeddings"])
    vectors = [list(map(float, v)) for v in got["embeddings"]]
    for chroma_id, vector in zip(got["ids"], vectors):
        if abs(math.sqrt(sum(x * x for x in vector)) - 1.0) > 1e-3:
            raise DamagedIndexError(where, f"stored vector {chroma_id} is not a unit vector")
    # Among its 10 nearest, not necessarily first: near-copies of a passage (a story
    # re-told, or the scale benchmark's perturbed copies) may tie with it in HNSW.
    # A lost or damaged graph loses them all; many near-copies can hide one or two.
    found = collection.query(query_embeddings=vectors, n_results=10, include=["distances"])
    lost = [
        chroma_id
        for chroma_id, ids_, distances in zip(got["ids"], found["ids"], found["distances"])
        if chroma_id not in ids_ and not (distances and distances[0] <= 1e-4)
    ]
    if len(lost) > len(got["ids"]) // 2:
        raise DamagedIndexError(where, f"nearest-neighbour search does not find stored vectors such as {lost[0]}")


# -- the meta collection: manifest, stories and glossary for replicas ------------------------
def meta_collection(client, create: bool = False):
    if create:
        return client.get_or_create_collection(META_COLLECTION, embedding_function=None)
    try:
        return client.get_collection(META_COLLECTION, embedding_function=None)
    except Exception:
        return None


def put_document(meta, key: str, build: str, text: str) -> None:
    """Store ``text`` under ``key`` as numbered chunks of at most :data:`META_CHUNK` UTF-8 bytes."""
    parts = _chunks(text, META_CHUNK)
    ids = [f"{key}:{number}" for number in range(len(parts))]
    metadatas = [{"key": key, "build": build, "part": n, "parts": len(parts)} for n in range(len(parts))]
    for begin in range(0, len(parts), META_BATCH):
        end = begin + META_BATCH
        meta.upsert(
            ids=ids[begin:end],
            embeddings=[[1.0]] * len(ids[begin:end]),
            documents=parts[begin:end],
            metadatas=metadatas[begin:end],
        )


def get_document(meta, key: str) -> str | None:
    """The text stored under ``key``, or None when absent or incomplete."""
    found: list[tuple[int, int, str]] = []
    offset = 0
    while True:
        got = meta.get(where={"key": key}, include=["documents", "metadatas"], limit=META_BATCH, offset=offset)
        found += [(m["part"], m["parts"], d) for m, d in zip(got["metadatas"], got["documents"])]
        if len(got["ids"]) < META_BATCH:
            break
        offset += META_BATCH
    if not found or len(found) != found[0][1]:
        return None
    return "".join(document for _, _, document in sorted(found))


def _chunks(text: str, limit: int) -> list[str]:
    """Pieces of ``text`` whose UTF-8 encodings are at most ``limit`` bytes (never splitting a character)."""
    parts, raw = [], text.encode("utf-8")
    while raw:
        cut = min(limit, len(raw))
        while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:  # step back off a continuation byte
            cut -= 1
        parts.append(raw[:cut].decode("utf-8"))
        raw = raw[cut:]
    return parts or [""]


def drop_documents_except(meta, build: str, keep: tuple[str, ...] = ()) -> None:
    """Delete the chunks of other builds (but never the keys in ``keep``)."""
    got = meta.get(include=["metadatas"])
    stale = [i for i, m in zip(got["ids"], got["metadatas"]) if m["build"] != build and m["key"] not in keep]
    if stale:
        meta.delete(ids=stale)
