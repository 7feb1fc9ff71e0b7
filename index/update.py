"""``update(corpus, settings)``: bring the stored index in line with a corpus folder.

Only new or changed stories (by content hash) are embedded; deleted stories
disappear; a change of model, chunking or format builds a fresh collection.
Vectors are written under ids that carry the story's hash, the keyword index
and story records go to a new build folder, and the manifest is switched last
— so until the very end the previous index stays whole, and a run that dies
half-way is repaired by the next one.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm.auto import tqdm

from . import state, store
from .embed import DIMENSION, MODEL_NAME, Embedder
from .keyword import KeywordIndex
from .onnx_embed import indexing_embedder
from .passages import Chunking, story_passages
from .records import Passage, Story
from .scan import ScanResult, Skipped, markdown_files, scan
from .settings import Settings

COLLECTION_PREFIX = "labstories-"


@dataclass
class UpdateReport:
    stories: int = 0
    sections: int = 0
    passages: int = 0
    elements: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    embedded: int = 0
    problems: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)
    other_types: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


def collection_name(chunking: Chunking, model: str) -> str:
    """Changes whenever what a vector means changes, so old and new never mix."""
    params = json.dumps({"format": state.FORMAT_VERSION, "model": model, "chunking": asdict(chunking)}, sort_keys=True)
    return COLLECTION_PREFIX + hashlib.sha256(params.encode()).hexdigest()[:12]


def update(corpus: Path | str, settings: Settings, embedder: Embedder | None = None,
           chunking: Chunking = Chunking(), show_progress: bool = False) -> UpdateReport:
    began = time.perf_counter()
    data_dir = Path(settings.data_dir)
    files = markdown_files(Path(corpus))
    with tqdm(total=len(files), desc="Reading pages", unit="page", disable=not show_progress) as bar:
        scanned = scan(corpus, on_file=lambda _path: bar.update())
    embedder = embedder or indexing_embedder(settings.model_path or None, settings.batch_size)

    old = state.read_manifest(data_dir)
    backend = "" if embedder.backend == "torch" else ":" + embedder.backend  # torch keeps its old names
    name = collection_name(chunking, MODEL_NAME + ":" + str(settings.model_path or "bundled") + backend)
    client = store.open_client(data_dir, settings.chroma_url)
    collection = store.get_collection(client, name, create=True)
    old_hashes = old.stories if old and old.collection == name else {}
    reusable = _reusable_passages(data_dir, old) if old and old.collection == name else {}

    hashes = {s.id: content_hash(scanned.story_bytes[s.id]) for s in scanned.stories}
    report = _plan(scanned, hashes, old_hashes)
    passages: list[Passage] = []
    to_embed: list[tuple[Passage, Story]] = []
    present = store.stored_ids(collection)
    for story in scanned.stories:
        own = reusable.get(story.id) if hashes[story.id] == old_hashes.get(story.id) else None
        if own is None:
            own = story_passages(story, embedder.count_tokens, chunking)
        missing = [p for p in own if store.chroma_id(p.id, hashes[story.id]) not in present]
        if missing and story.id not in report.added + report.changed:
            report.repaired.append(story.id)
        to_embed.extend((p, story) for p in missing)
        passages.extend(own)

    _embed_and_store(collection, to_embed, hashes, embedder, settings.batch_size, show_progress)
    report.embedded = len(to_embed)

    keyword = KeywordIndex.build([p.keyword_text for p in passages])
    build = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    state.write_build(data_dir, build, scanned.stories, scanned.elements, passages, keyword)
    state.switch_manifest(data_dir, state.Manifest(
        format=state.FORMAT_VERSION, model=MODEL_NAME, dimension=DIMENSION, chunking=asdict(chunking),
        collection=name, build=build, corpus=str(Path(corpus).resolve()), stories=hashes,
        indexed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    ))

    # The new index is live; now clear what nothing points at any more.
    wanted = {store.chroma_id(p.id, hashes[p.story]) for p in passages}
    store.delete_ids(collection, sorted(store.stored_ids(collection) - wanted), settings.batch_size * 64)
    store.drop_other_collections(client, keep=name, prefix=COLLECTION_PREFIX)
    state.remove_old_builds(data_dir, keep=build)

    report.passages = len(passages)
    report.sections = sum(len(s.sections) for s in scanned.stories)
    report.seconds = time.perf_counter() - began
    return report


def _plan(scanned: ScanResult, hashes: dict[str, str], old_hashes: dict[str, str]) -> UpdateReport:
    report = UpdateReport(
        stories=len(scanned.stories), elements=len(scanned.elements), problems=scanned.problems,
        warnings=scanned.warnings, other_types=dict(scanned.other_types),
    )
    for story_id, digest in hashes.items():
        if story_id not in old_hashes:
            report.added.append(story_id)
        elif old_hashes[story_id] != digest:
            report.changed.append(story_id)
    report.removed = sorted(set(old_hashes) - set(hashes))
    return report


def _reusable_passages(data_dir: Path, old: state.Manifest) -> dict[str, list[Passage]]:
    by_story: dict[str, list[Passage]] = {}
    for passage in state.load_passages(data_dir, old.build):
        by_story.setdefault(passage.story, []).append(passage)
    return by_story


def _embed_and_store(collection, items: list[tuple[Passage, Story]], hashes: dict[str, str],
                     embedder: Embedder, batch_size: int, show_progress: bool) -> None:
    if not items:
        return
    # Similar lengths batch together, so little of each batch is padding.
    items = sorted(items, key=lambda item: len(item[0].embed_text))
    chunk = batch_size  # one encode call and one Chroma upsert per batch
    with tqdm(total=len(items), desc="Embedding passages", unit="passage", disable=not show_progress) as bar:
        for begin in range(0, len(items), chunk):
            part = items[begin: begin + chunk]
            vectors = embedder.encode([p.embed_text for p, _ in part])
            ends = [_section_end(story, p.section_start) for p, story in part]
            store.add_batches(
                collection,
                ids=[store.chroma_id(p.id, hashes[s.id]) for p, s in part],
                embeddings=vectors,
                documents=[p.text for p, _ in part],
                metadatas=[store.passage_metadata(p, s, hashes[s.id], end) for (p, s), end in zip(part, ends)],
                batch_size=chunk,
            )
            bar.update(len(part))


def _section_end(story: Story, start: int) -> int | None:
    for section in story.sections:
        if section.start == start:
            return section.end
    return None
