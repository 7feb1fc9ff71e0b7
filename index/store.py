"""Chroma access: the one place that knows collection names, metadata and batching.

Embeddings are computed by us and passed in (``embedding_function=None``), so
Chroma never tries to download its default ONNX model. Tags are list metadata
(``principles``, ``tactics``, ``tools``, ``skills``) filtered with ``$contains``;
empty lists are omitted because Chroma rejects them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from .errors import StoreError
from .records import Passage, Story
from .vocabulary import TAG_KINDS


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
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def get_collection(client, name: str, create: bool = False):
    if create:
        return client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception:
        raise StoreError("missing_collection", collection=name) from None


def passage_metadata(passage: Passage, story: Story, content_hash: str, end: int | None) -> dict:
    meta = {
        "story": story.id,
        "hash": content_hash,
        "section": passage.section_start,
        "start": passage.start,
        "window": passage.window,
        "country": story.country,
        "continent": story.continent,
        "role": story.role,
    }
    if end is not None:
        meta["end"] = end
    for kind in TAG_KINDS:
        if passage.tags.get(kind):
            meta[kind] = list(passage.tags[kind])
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
    ids: set[str] = set()
    offset, page = 0, 5000
    while True:
        batch = collection.get(include=[], limit=page, offset=offset)["ids"]
        ids.update(batch)
        if len(batch) < page:
            return ids
        offset += page


def delete_ids(collection, ids: list[str], batch_size: int) -> None:
    for begin in range(0, len(ids), batch_size):
        collection.delete(ids=ids[begin: begin + batch_size])


def drop_other_collections(client, keep: str, prefix: str) -> None:
    for collection in client.list_collections():
        name = getattr(collection, "name", collection)
        if name != keep and name.startswith(prefix):
            client.delete_collection(name)
