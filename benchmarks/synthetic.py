"""A synthetic archive of N passages made from a real index, written with the project's storage code.

Copy c of every real story gets a new id (``<id>_S<c>``) and keeps its text,
tags, country and role; its passages reuse the real vectors with a small random
perturbation (renormalised), so scaling to 100k passages costs no embedding.
The result is a data directory in exactly the layout ``index/update.py``
writes — Chroma collection with the same metadata and id scheme, keyword index,
build folder, manifest — so ``StoryIndex.open`` and ``labstories serve
--data-dir`` open it unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from labstories.index import state, store
from labstories.index.keyword import KeywordIndex
from labstories.index.records import Passage, Story


@dataclass
class Source:
    """The real index, read once: its state and one vector per passage (state order)."""

    state: state.IndexState
    vectors: np.ndarray  # float32 (passages, 384), unit length

    @classmethod
    def read(cls, data_dir: Path) -> Source:
        current = state.load_state(data_dir)
        collection = store.get_collection(store.open_client(data_dir), current.manifest.collection)
        by_id: dict[str, np.ndarray] = {}
        offset, page = 0, 5000
        while True:
            got = collection.get(include=["embeddings"], limit=page, offset=offset)
            by_id.update(zip(got["ids"], got["embeddings"]))
            if len(got["ids"]) < page:
                break
            offset += page
        hashes = current.manifest.documents
        vectors = np.stack([by_id[store.chroma_id(p.id, hashes[p.doc])] for p in current.passages])
        return cls(current, vectors.astype(np.float32))


@dataclass
class BuildTimes:
    chroma: float = 0.0
    keyword: float = 0.0
    files: float = 0.0

    @property
    def total(self) -> float:
        return self.chroma + self.keyword + self.files


@dataclass
class Synthetic:
    """What was written, and the vectors (for the exact-cosine oracle)."""

    data_dir: Path
    passages: list[Passage]
    vectors: np.ndarray
    origin: np.ndarray  # position of each passage's real original in the source
    times: BuildTimes


def copies(source: Source, size: int, noise: float, seed: int = 0):
    """(stories, passages, hashes, vectors, origins) for ``size`` passages: whole copies of the real archive,
    the last one cut short. Copy 0 is the real archive itself."""
    rng = np.random.default_rng(seed)
    real = source.state
    by_story: dict[str, list[int]] = {}
    for position, passage in enumerate(real.passages):
        by_story.setdefault(passage.doc, []).append(position)
    stories: list[Story] = []
    passages: list[Passage] = []
    hashes: dict[str, str] = {}
    chosen: list[int] = []
    copy = 0
    while len(passages) < size:
        for story_id, positions in by_story.items():
            if len(passages) >= size:
                break
            new_id = story_id if copy == 0 else f"{story_id}_S{copy:04d}"
            stories.append(replace(real.stories[story_id], id=new_id))
            hashes[new_id] = hashlib.sha256(f"{real.manifest.documents[story_id]}/{copy}".encode()).hexdigest()[:16]
            for position in positions[: size - len(passages)]:
                p = real.passages[position]
                passages.append(replace(p, id=p.id.replace(story_id, new_id, 1), doc=new_id))
                chosen.append(position)
        copy += 1
    vectors = source.vectors[chosen].copy()
    perturbed = np.asarray([p.doc != real.passages[i].doc for p, i in zip(passages, chosen)])
    vectors[perturbed] += rng.normal(0.0, noise, size=(int(perturbed.sum()), vectors.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return stories, passages, hashes, vectors, np.asarray(chosen)


def build(source: Source, size: int, data_dir: Path, noise: float = 0.01) -> Synthetic:
    """Write the synthetic index to ``data_dir`` (replacing what is there); times each part."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    stories, passages, hashes, vectors, origin = copies(source, size, noise)
    story_of = {s.id: s for s in stories}
    manifest = source.state.manifest
    times = BuildTimes()

    began = time.perf_counter()
    client = store.open_client(data_dir)
    collection = store.get_collection(client, manifest.collection, create=True)
    ends = {(s.id, sec.start): sec.end for s in stories for sec in s.sections}
    store.add_batches(
        collection,
        ids=[store.chroma_id(p.id, hashes[p.doc]) for p in passages],
        embeddings=vectors,
        documents=[p.text for p in passages],
        metadatas=[
            store.passage_metadata(p, story_of[p.doc], hashes[p.doc], ends.get((p.doc, p.section_start)))
            for p in passages
        ],
        batch_size=min(5000, client.get_max_batch_size()),
    )
    times.chroma = time.perf_counter() - began

    began = time.perf_counter()
    keyword = KeywordIndex.build([p.keyword_text for p in passages])
    times.keyword = time.perf_counter() - began

    began = time.perf_counter()
    build_name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    files = state.write_build(data_dir, build_name, stories, list(source.state.glossary.values()), passages, keyword)
    state.switch_manifest(
        data_dir,
        replace(
            manifest,
            build=build_name,
            documents=hashes,
            corpus=f"synthetic:{size}",
            files=files,
            indexed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    )
    times.files = time.perf_counter() - began
    return Synthetic(data_dir, passages, vectors, origin, times)


def disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
