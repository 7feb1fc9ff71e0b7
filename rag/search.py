"""``StoryIndex.search(query, filters, k)``: hybrid, filtered, section-grouped retrieval.

Dense candidates come from Chroma (cosine over context-prefixed windows),
keyword candidates from bm25s over the same windows; both are filtered before
ranking. Windows are grouped by section — a section's score on each side is its
best window — and the two section rankings are fused with reciprocal rank
fusion, so one long section cannot fill the list with its windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from labstories.index import store, vectors
from labstories.index.embed import Embedder
from labstories.index.keyword import tokenize
from labstories.index.records import Element, Passage, Story
from labstories.index.settings import Settings
from labstories.index.state import IndexState, build_dir, load_state
from labstories.index.vocabulary import STORY_KINDS, parse_section_key, section_key

from . import filters as filtering
from . import links
from .fusion import best_per_group, combine, ranked, reciprocal_rank_fusion, story_boost
from .records import Filters, Hit
from .snippets import query_stems, snippet
from .translate import to_english


_SURROGATE = re.compile(r"[\ud800-\udfff]")


class QueryError(ValueError):
    """The query cannot be run as given (empty, k out of range…)."""


@dataclass(frozen=True)
class RetrievalConfig:
    """Ranking knobs. The defaults are the cross-validated choice in docs/retrieval.md."""

    dense_candidates: int = 300
    keyword_candidates: int = 300
    #: Weight of the dense side against the keyword side (z-scored section scores).
    dense_weight: float = 0.45
    #: How much a story's best sections lift its other sections.
    story_weight: float = 0.8
    story_top: int = 3
    #: "z" (standardised scores, shipped) or "rrf" (reciprocal rank fusion, the reference).
    fusion: str = "z"
    rrf_k: float = 60.0
    #: Carry French/Spanish questions to English before searching.
    translate: bool = True


@dataclass
class Candidates:
    """Both sides' section scores for one query, before the tunable ranking step."""

    dense: dict[str, float]       # section key → best window cosine
    keyword: dict[str, float]     # section key → best window BM25
    shown: dict[str, int]         # section key → passage position to show
    stems: set[str]


class StoryIndex:
    """The searchable index: stories, passages, keyword index and the Chroma collection."""

    def __init__(self, settings: Settings, state: IndexState, collection, embedder: Embedder,
                 config: RetrievalConfig = RetrievalConfig()):
        self.settings = settings
        self.state = state
        self.collection = collection
        self.embedder = embedder
        self.config = config
        self._position = {p.id: i for i, p in enumerate(state.passages)}
        self._stale = max(0, collection.count() - len(state.passages))

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None,
             config: RetrievalConfig = RetrievalConfig()) -> "StoryIndex":
        state = load_state(Path(settings.data_dir))
        collection = _open_vectors(settings, state)
        embedder = embedder or Embedder(settings.model_path or None, settings.batch_size)
        return cls(settings, state, collection, embedder, config)

    # -- lookups ----------------------------------------------------------
    @cached_property
    def facets(self) -> dict[str, dict[str, int]]:
        return filtering.facet_counts(self.state.stories)

    def story(self, story_id: str) -> Story | None:
        return self.state.stories.get(story_id)

    def element(self, name: str) -> Element | None:
        return self.state.glossary.get(name)

    def resolve(self, filters: Filters | None) -> Filters:
        return filtering.resolve(filters or Filters(), self.facets)

    def stats(self) -> dict:
        """What is in the index and where it lives (``labstories stats``)."""
        stories = self.state.stories.values()
        sections = [s for story in stories for s in story.sections]
        manifest = self.state.manifest
        return {
            "stories": len(self.state.stories),
            "sections": len(sections),
            "empty_sections": sum(1 for s in sections if not s.paragraphs),
            "passages": len(self.state.passages),
            "stories_without_audio": sorted(s.id for s in stories if not s.audio_url),
            "glossary_entries": len(self.state.glossary),
            "countries": len(self.facets["country"]),
            "model": manifest.model,
            "chunking": manifest.chunking,
            "collection": manifest.collection,
            "vectors": self.collection.count(),
            "store": self.settings.chroma_url or str(Path(self.settings.data_dir).resolve()),
            "corpus": manifest.corpus,
            "indexed_at": manifest.indexed_at,
        }

    def relaxations(self, filters: Filters) -> list[filtering.Relaxation]:
        """Which filter to drop when ``filters`` leave nothing (see :func:`filtering.relaxations`)."""
        return filtering.relaxations(filters, self.state.passages, self.state.stories)

    # -- search -----------------------------------------------------------
    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[Hit]:
        k = k or self.settings.k
        if not 1 <= k <= 1000:
            raise QueryError(f"k of {k} is out of range; use 1 to 1000")
        found = self.candidates(query, filters)
        return [self._hit(self.state.passages[found.shown[key]], score, found.stems)
                for key, score in self.rank(found)[:k]]

    def candidates(self, query: str, filters: Filters | None = None) -> Candidates:
        """The expensive half of a search: embed, query Chroma, score BM25, group by section."""
        # Lone surrogates (from JSON "\ud800" or undecodable argv bytes) crash the tokenizer: make them U+FFFD.
        query = _SURROGATE.sub("\ufffd", query or "").strip()
        if not query:
            raise QueryError("the query is empty; type a question, e.g. \"how did labs build trust?\"")
        filters = self.resolve(filters)
        # French/Spanish questions meet English transcripts
        english = to_english(query).text if self.config.translate else query
        mask = filtering.passage_mask(filters, self.state.passages, self.state.stories)
        if not mask.any():
            return Candidates({}, {}, {}, query_stems(english))
        dense = best_per_group(self._dense(english, filters, int(mask.sum())), self._section_of)
        keyword = best_per_group(self._keyword(english, mask), self._section_of)
        shown = {key: position for key, position, _ in keyword}
        shown.update({key: position for key, position, _ in dense})  # prefer the best dense window
        return Candidates(
            dense={key: score for key, _, score in dense},
            keyword={key: score for key, _, score in keyword},
            shown=shown, stems=query_stems(english),
        )

    def rank(self, found: Candidates, config: RetrievalConfig | None = None) -> list[tuple[str, float]]:
        """The cheap half: fuse the sides, lift sections of strong stories, sort."""
        config = config or self.config
        weights = [config.dense_weight, 1.0 - config.dense_weight]
        if config.fusion == "rrf":
            sides = [[key for key, _ in ranked(side)] for side in (found.dense, found.keyword)]
            return reciprocal_rank_fusion(sides, k=config.rrf_k, weights=weights)
        fused = combine([found.dense, found.keyword], weights)
        boosted = story_boost(fused, lambda key: parse_section_key(key)[0], config.story_weight, config.story_top)
        return ranked(boosted)

    def _section_of(self, position: int) -> str:
        passage = self.state.passages[position]
        return section_key(passage.story, passage.section_start)

    def _dense(self, query: str, filters: Filters, available: int) -> list[tuple[int, float]]:
        """(passage position, cosine similarity), best first, filtered in Chroma."""
        vector = self.embedder.encode_query(query)
        # Vectors not (or no longer) live in this build — an update under way or
        # interrupted — may take places in Chroma's top n; ask for that many more.
        n = min(self.config.dense_candidates, available) + self._stale
        result = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=n,
            where=filtering.chroma_where(filters), include=["distances"],
        )
        live = []
        for chroma_id, distance in zip(result["ids"][0], result["distances"][0]):
            position = self._current(chroma_id)
            if position is not None:
                live.append((position, 1.0 - float(distance)))
        return live

    def _current(self, chroma_id: str) -> int | None:
        """Position of a stored vector in this build, or None for a stale one."""
        passage_id, _, digest = chroma_id.rpartition("~")
        position = self._position.get(passage_id)
        if position is None:
            return None
        story = self.state.passages[position].story
        return position if self.state.manifest.stories.get(story) == digest else None

    def _keyword(self, query: str, mask: np.ndarray) -> list[tuple[int, float]]:
        scores = self.state.keyword.scores(tokenize(query))
        scores = np.where(mask, scores, 0.0)
        n = min(self.config.keyword_candidates, int((scores > 0).sum()))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top]

    def _hit(self, passage: Passage, score: float, stems: set[str]) -> Hit:
        story = self.state.stories[passage.story]
        section = next(s for s in story.sections if s.start == passage.section_start)
        return Hit(
            story=story.id, title=story.title, role=story.role, country=story.country,
            continent=story.continent, section=section_key(story.id, section.start), start=passage.start,
            end=section.end, heading=section.heading, text=passage.text,
            snippet=snippet(passage.text, stems), tags=passage.tags, score=round(score, 6),
            audio_url=story.audio_url, audio_at=links.audio_at(story.audio_url, passage.start),
            link=links.story_link(story.id, passage.start),
        )


def _open_vectors(settings: Settings, state: IndexState):
    """Chroma's collection; on a local folder Chroma cannot write (it writes even to read), the
    build's own memory-mapped vectors searched exactly (see :mod:`index.vectors`)."""
    data_dir = Path(settings.data_dir)
    if settings.chroma_url or vectors.writable(data_dir / "chroma"):
        client = store.open_client(data_dir, settings.chroma_url)
        return store.get_collection(client, state.manifest.collection)
    matrix = vectors.load(build_dir(data_dir, state.manifest.build))
    if matrix is None or len(matrix) != len(state.passages):
        raise store.StoreError(f"the index in {data_dir} is read-only and was built without its own copy of the "
                               "vectors; run `labstories index PATH` once with write access")
    hashes = state.manifest.stories
    ids = [store.chroma_id(p.id, hashes.get(p.story, "")) for p in state.passages]
    stories = state.stories
    metadata = [{**{kind: getattr(stories[p.story], kind) for kind in STORY_KINDS}, **p.tags} for p in state.passages]
    return vectors.ExactVectors(matrix, ids, metadata)
