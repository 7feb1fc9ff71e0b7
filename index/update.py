"""``update(corpus, settings)``: bring the stored index in line with a corpus folder.

Only new or changed stories (by content hash) are stored again, and of their
passages only those whose text the model has not read before are embedded
(the rest come from a content-addressed :class:`VectorCache`; the package
ships one for its archive snapshot); deleted stories disappear; a change of
model, chunking or format builds a fresh collection.
Vectors are written under ids that carry the story's hash, the keyword index
and story records go to a new build folder, and the manifest is switched last
— so until the very end the previous index stays whole, and a run that dies
half-way is repaired by the next one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from . import snapshot, state, store, vector_cache
from .embed import Embedder
from .errors import CorpusError, DamagedIndexError
from .onnx_embed import indexing_embedder
from .passages import Chunking, document_passages
from .records import Document, Passage
from .scan import ScanResult, Skipped, markdown_files, scan
from .settings import Settings
from .sources import open_source
from .vector_cache import DiskCache, VectorCache

COLLECTION_PREFIX = "labstories-"


@dataclass
class UpdateReport:
    stories: int = 0
    #: Documents of every type by type ({"story": 80, "solution": 5998, …}).
    documents: dict[str, int] = field(default_factory=dict)
    sections: int = 0
    passages: int = 0
    elements: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    #: damage found and repaired (the DamagedIndexError messages)
    fixed: list[str] = field(default_factory=list)
    embedded: int = 0
    #: Passages stored with a vector found in the cache instead of embedded.
    cached: int = 0
    #: Documents taken unparsed from the previous index (their files' bytes did not change).
    reused: int = 0
    #: Which corpus this is: the bundled snapshot's label or a resolved path.
    corpus: str = ""
    problems: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    other_types: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def collection_name(chunking: Chunking, model: str) -> str:
    """Changes whenever what a vector means changes, so old and new never mix."""
    params = json.dumps(
        {"format": state.PASSAGES_VERSION, "model": model, "chunking": asdict(chunking)}, sort_keys=True
    )
    return COLLECTION_PREFIX + hashlib.sha256(params.encode()).hexdigest()[:12]


def update(
    corpus: Path | str,
    settings: Settings,
    embedder: Embedder | None = None,
    chunking: Chunking = Chunking(),
    show_progress: bool = False,
    rebuild: bool = False,
    cache: VectorCache | None = None,
) -> UpdateReport:
    """Bring the index in line with ``corpus``; ``rebuild`` starts from nothing.

    ``cache``: vectors to reuse by passage text; default the bundled snapshot's
    under this machine's own (``settings.vector_cache``), ``VectorCache()`` for
    none. Damage is repaired on the way: an unreadable manifest or build file is
    treated as absent (passages are cut again), and a Chroma store that fails
    :func:`store.check_vectors` is dropped and embedded afresh. When nothing
    changed, nothing is written: the re-run costs reading and hashing the files.
    """
    began = time.perf_counter()
    files = markdown_files(Path(corpus))  # a missing or empty folder fails here, before anything is touched
    if not files:
        raise CorpusError(Path(corpus), "empty")
    embedder = embedder or indexing_embedder(
        settings.model_path or None, settings.batch_size, settings.embed_backend, settings.query_backend
    )
    fixed: list[str] = []
    if rebuild:
        open_source(settings).reset()
    old = _readable(open_source(settings).manifest, fixed)
    name = collection_name(chunking, embedder.vector_identity)
    source, client, collection, present = _sound_store(settings, name, fixed)
    same = old is not None and old.collection == name
    old_hashes = old.documents if same else {}
    documents, glossary = (_readable(lambda: source.records(old), fixed) or ({}, {})) if same else ({}, {})
    known = {d.id: (old_hashes[d.id], d) for d in documents.values() if d.id in old_hashes}

    with tqdm(total=len(files), desc="Reading pages", unit="page", disable=not show_progress) as bar:
        scanned = scan(corpus, on_file=lambda _path: bar.update(), max_bytes=settings.max_story_bytes, known=known)
    hashes = scanned.hashes
    report = _plan(scanned, hashes, old_hashes)
    report.fixed = fixed
    report.reused = scanned.reused
    report.corpus = snapshot.corpus_label(corpus)
    # Nothing changed and the store holds this build's vectors and no others: its passages need not be read.
    settled = (
        same
        and not (report.added or report.changed or report.removed)
        and 0 < old.passages == len(present)
        and _all_current(present, old_hashes)
    )

    def passages_and_missing():
        reusable = _readable(lambda: _by_document(source.passages(old)), fixed) or {} if same else {}
        return _passages_and_missing(scanned, reusable, old_hashes, present, embedder, chunking, report, show_progress)

    passages, to_embed = ([], []) if settled else passages_and_missing()
    report.passages = old.passages if settled else len(passages)
    report.sections = sum(len(d.sections) for d in scanned.documents)

    if same and not (report.added or report.changed or report.removed or report.repaired):
        _readable(lambda: source.verify(old), fixed)  # a damaged build is written again even when nothing changed
    unchanged = (
        same
        and not (report.added or report.changed or report.removed or report.repaired or fixed)
        and old.corpus == report.corpus
        and old.format == state.FORMAT_VERSION  # an older layout is written again (nothing to embed)
        and old.passages == report.passages  # so is a manifest that does not count them
        and [asdict(e) for e in scanned.elements] == [asdict(e) for e in glossary.values()]
        and len(present) == report.passages
    )
    if unchanged:  # nothing to store: the live build already is this corpus
        report.seconds = time.perf_counter() - began
        return report
    if settled:  # something else changed (the glossary, the folder's label): the build is written again
        passages, to_embed = passages_and_missing()

    cache = vector_cache.default(settings.vector_cache_folder()) if cache is None else cache
    report.cached, report.embedded = _embed_and_store(
        collection, to_embed, hashes, embedder, cache, settings.batch_size, show_progress
    )

    build = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    source.publish(
        state.Manifest(
            format=state.FORMAT_VERSION,
            model=embedder.identity,
            dimension=embedder.dimension,
            chunking=asdict(chunking),
            collection=name,
            build=build,
            corpus=report.corpus,
            documents=hashes,
            indexed_at=datetime.now(UTC).isoformat(timespec="seconds"),
            passages=len(passages),
        ),
        scanned.documents,
        scanned.elements,
        passages,
        collection,
    )

    # The new index is live; now clear what nothing points at any more.
    wanted = {store.chroma_id(p.id, hashes[p.doc]) for p in passages}
    store.delete_ids(collection, sorted(store.stored_ids(collection) - wanted), settings.batch_size * 64)
    store.drop_other_collections(client, keep=name, prefix=COLLECTION_PREFIX)
    source.clean(keep=build)

    report.seconds = time.perf_counter() - began
    return report


def _passages_and_missing(scanned, reusable, old_hashes, present, embedder, chunking, report, show_progress):
    """Every passage of the corpus (those of new or changed documents cut afresh, the rest reused),
    and those whose vector the store lacks, to embed; documents missing vectors are noted as repaired."""
    hashes = scanned.hashes
    passages: list[Passage] = []
    to_embed: list[tuple[Passage, Document]] = []
    fresh = [d for d in scanned.documents if d.id not in reusable or hashes[d.id] != old_hashes.get(d.id)]
    cut = _cut(fresh, embedder, chunking, show_progress)
    for document in scanned.documents:
        own = cut[document.id] if document.id in cut else reusable.get(document.id, [])
        missing = [p for p in own if store.chroma_id(p.id, hashes[document.id]) not in present]
        if missing and document.id not in report.added + report.changed:
            report.repaired.append(document.id)
        to_embed.extend((p, document) for p in missing)
        passages.extend(own)
    return passages, to_embed


def _all_current(present: set[str], hashes: dict[str, str]) -> bool:
    """Does every stored vector belong to a document of the build at its current content? Ids are
    ``doc@section#n~hash`` (:func:`store.chroma_id`); with as many as the build's passages, and passage
    ids fixed by a document's content and the chunking, they are then exactly the build's."""
    for stored in present:
        passage, _, digest = stored.rpartition("~")
        if hashes.get(passage.rpartition("@")[0]) != digest:
            return False
    return True


def _cut(documents: list[Document], embedder: Embedder, chunking: Chunking, show_progress: bool) -> dict:
    """Passages of the documents that are new or changed (the whole archive: about a minute)."""
    with tqdm(
        total=len(documents), desc="Cutting passages", unit="doc", disable=not show_progress or len(documents) < 200
    ) as bar:
        cut = {}
        for document in documents:
            cut[document.id] = document_passages(document, embedder.count_tokens, chunking)
            bar.update()
    return cut


def _sound_store(settings: Settings, name: str, fixed: list[str]):
    """The state source, a Chroma client, the collection ``name`` with vectors that can be trusted, and
    the ids it holds.

    A store that fails :func:`store.check_vectors` (or cannot be opened) is
    thrown away — local Chroma files are deleted, a server's collection is
    dropped — and everything is embedded again.
    """
    for attempt in (1, 2):
        client = None
        try:
            source = open_source(settings)
            client = store.open_client(Path(settings.data_dir), settings.chroma_url)
            collection = _collection(client, name, source.vectors_at())
            present = store.check_vectors(collection, set(), source.vectors_at())
            return source, client, collection, present
        except DamagedIndexError as damage:
            if attempt == 2:
                raise
            fixed.append(f"{damage.path} ({damage.damage})")
            if settings.chroma_url and client is not None:
                store.delete_collection(client, name)
            else:
                shutil.rmtree(Path(settings.data_dir) / "chroma", ignore_errors=True)


def _collection(client, name: str, where: str):
    try:
        return store.get_collection(client, name, create=True)
    except Exception as error:  # a damaged local store fails here with chromadb's own errors
        raise DamagedIndexError(where, f"Chroma fails on it: {type(error).__name__}") from None


def _readable(read, fixed: list[str]):
    """``read()``, or None when what it reads is damaged (noted in ``fixed``)."""
    try:
        return read()
    except DamagedIndexError as damage:
        fixed.append(f"{damage.path} ({damage.damage})")
        return None


def _by_document(passages: list[Passage]) -> dict[str, list[Passage]]:
    by_document: dict[str, list[Passage]] = {}
    for passage in passages:
        by_document.setdefault(passage.doc, []).append(passage)
    return by_document


def _plan(scanned: ScanResult, hashes: dict[str, str], old_hashes: dict[str, str]) -> UpdateReport:
    report = UpdateReport(
        stories=len(scanned.stories),
        documents=dict(Counter(d.type for d in scanned.documents)),
        elements=len(scanned.elements),
        problems=scanned.problems,
        warnings=scanned.warnings,
        other_types=dict(scanned.other_types),
    )
    for doc_id, digest in hashes.items():
        if doc_id not in old_hashes:
            report.added.append(doc_id)
        elif old_hashes[doc_id] != digest:
            report.changed.append(doc_id)
    report.removed = sorted(set(old_hashes) - set(hashes))
    return report


def _embed_and_store(
    collection,
    items: list[tuple[Passage, Document]],
    hashes: dict[str, str],
    embedder: Embedder,
    cache: VectorCache | DiskCache,
    batch_size: int,
    show_progress: bool,
) -> tuple[int, int]:
    """Store a vector for every item, from the cache where it has one; returns (cached, embedded)."""
    if not items:
        return 0, 0
    known, fresh = [], []
    if len(cache):
        for item in items:
            vector = cache.get(vector_cache.cache_key(item[0].embed_text, embedder.vector_identity))
            (known if vector is not None else fresh).append((item, vector))
    else:
        fresh = [(item, None) for item in items]
    for begin in range(0, len(known), 1000):  # cheap: no bar needed
        part = known[begin : begin + 1000]
        _store([item for item, _ in part], np.stack([vector for _, vector in part]), collection, hashes)
    # Similar lengths batch together, so little of each batch is padding.
    fresh = sorted((item for item, _ in fresh), key=lambda item: len(item[0].embed_text))
    chunk = batch_size  # one encode call and one Chroma upsert per batch
    with tqdm(
        total=len(fresh), desc="Embedding passages", unit="passage", disable=not show_progress or not fresh
    ) as bar:
        try:
            for begin in range(0, len(fresh), chunk):
                part = fresh[begin : begin + chunk]
                vectors = embedder.encode([p.embed_text for p, _ in part])
                _store(part, vectors, collection, hashes)
                for (passage, _), vector in zip(part, vectors):
                    cache.add(vector_cache.cache_key(passage.embed_text, embedder.vector_identity), vector)
                bar.update(len(part))
        finally:  # an interrupted run keeps what it embedded, for the next one
            cache.flush()
    return len(known), len(fresh)


def _store(part: list[tuple[Passage, Document]], vectors, collection, hashes: dict[str, str]) -> None:
    ends = [_section_end(document, p.section_start) for p, document in part]
    store.add_batches(
        collection,
        ids=[store.chroma_id(p.id, hashes[s.id]) for p, s in part],
        embeddings=vectors,
        documents=[p.text for p, _ in part],
        metadatas=[store.passage_metadata(p, s, hashes[s.id], end) for (p, s), end in zip(part, ends)],
        batch_size=len(part),
    )


def _section_end(document: Document, start: int) -> int | None:
    for section in document.sections:
        if section.start == start:
            return section.end
    return None
