"""``StoryIndex.search(query, filters, k)``: hybrid, filtered, section-grouped retrieval.

Dense candidates come from Chroma (cosine over context-prefixed windows),
keyword candidates from bm25s over the same windows; both are filtered before
ranking. Windows are grouped by section — a section's score on each side is its
best window — and the two section rankings are fused with reciprocal rank
fusion, so one long section cannot fill the list with its windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index import store
from index.embed import Embedder
from index.keyword import tokenize
from index.records import Element, Passage, Story
from index.settings import Settings
from index.state import IndexState, load_state

from . import filters as filtering
from . import links
from .fusion import best_per_group, reciprocal_rank_fusion
from .records import Filters, Hit
from .snippets import query_stems, snippet
from .translate import to_english


class QueryError(ValueError):
    """The query cannot be run as given (empty, k out of range…)."""


@dataclass(frozen=True)
class RetrievalConfig:
    """Ranking knobs; the defaults are the configuration measured in docs/retrieval.md."""

    dense_candidates: int = 200
    keyword_candidates: int = 200
    rrf_k: float = 60.0
    dense_weight: float = 1.0
    keyword_weight: float = 1.0


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

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None,
             config: RetrievalConfig = RetrievalConfig()) -> "StoryIndex":
        state = load_state(Path(settings.data_dir))
        client = store.open_client(Path(settings.data_dir), settings.chroma_url)
        collection = store.get_collection(client, state.manifest.collection)
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

    # -- search -----------------------------------------------------------
    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            raise QueryError("the query is empty; type a question, e.g. \"how did labs build trust?\"")
        k = k or self.settings.k
        if not 1 <= k <= 1000:
            raise QueryError(f"k of {k} is out of range; use 1 to 1000")
        filters = self.resolve(filters)
        mask = filtering.passage_mask(filters, self.state.passages, self.state.stories)
        if not mask.any():
            return []
        english = to_english(query).text  # French/Spanish questions meet English transcripts
        dense = self._dense(english, filters, int(mask.sum()))
        keyword = self._keyword(english, mask)
        sections = self._fuse(dense, keyword)
        stems = query_stems(english)
        return [self._hit(self.state.passages[i], score, stems) for _, i, score in sections[:k]]

    def _dense(self, query: str, filters: Filters, available: int) -> list[tuple[int, float]]:
        """(passage position, cosine similarity), best first, filtered in Chroma."""
        vector = self.embedder.encode([query])[0]
        n = min(self.config.dense_candidates, available)
        result = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=n,
            where=filtering.chroma_where(filters), include=["distances"],
        )
        ranked = []
        for chroma_id, distance in zip(result["ids"][0], result["distances"][0]):
            position = self._current(chroma_id)
            if position is not None:
                ranked.append((position, 1.0 - float(distance)))
        return ranked

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

    def _fuse(self, dense, keyword) -> list[tuple[str, int, float]]:
        """Section-level RRF of the two sides; each section shown by its best dense window."""
        section_of = lambda i: self.state.passages[i].story + "@" + str(self.state.passages[i].section_start)  # noqa: E731
        dense_sections = best_per_group(dense, section_of)
        keyword_sections = best_per_group(keyword, section_of)
        fused = reciprocal_rank_fusion(
            [[s for s, _, _ in dense_sections], [s for s, _, _ in keyword_sections]],
            k=self.config.rrf_k, weights=[self.config.dense_weight, self.config.keyword_weight],
        )
        shown = {s: i for s, i, _ in keyword_sections}
        shown.update({s: i for s, i, _ in dense_sections})
        return [(section, shown[section], score) for section, score in fused]

    def _hit(self, passage: Passage, score: float, stems: set[str]) -> Hit:
        story = self.state.stories[passage.story]
        section = next(s for s in story.sections if s.start == passage.section_start)
        return Hit(
            story=story.id, title=story.title, role=story.role, country=story.country,
            continent=story.continent, section=f"{story.id}@{section.start}", start=passage.start,
            end=section.end, heading=section.heading, text=passage.text,
            snippet=snippet(passage.text, stems), tags=passage.tags, score=round(score, 6),
            audio_url=story.audio_url, audio_at=links.audio_at(story.audio_url, passage.start),
            link=links.story_link(story.id, passage.start),
        )
