"""``StoryIndex.search(query, filters, k)``: hybrid, filtered, section-grouped retrieval.

Dense candidates come from Chroma (cosine over context-prefixed windows),
keyword candidates from bm25s over the same windows; both are filtered before
ranking. Windows are grouped by section — a section's score on each side is its
best window — so one long section cannot fill the list with its windows. Each
side's section scores are standardised over its own candidates and added with a
weight, then a story's best sections lift its other sections a little
(:mod:`rag.fusion`; reciprocal rank fusion stays as the reference baseline).
The numbers behind these choices are in docs/retrieval.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from labstories.index.embed import Embedder
from labstories.index.errors import DamagedIndexError, NoIndexError
from labstories.index.records import Element, Passage, Story
from labstories.index.settings import Settings
from labstories.index.sources import open_source
from labstories.index.speakers import interviewee
from labstories.index.state import IndexState
from labstories.index.text import gist, tokenize, without_surrogates
from labstories.index.vocabulary import parse_section_key, section_key

from . import filters as filtering
from . import links
from .errors import QueryError
from .filterindex import FilterIndex
from .fusion import best_per_group, combine, ranked, reciprocal_rank_fusion, story_boost
from .moments import SpeakingRate, moment, speaking_rate
from .records import Filters, Hit
from .snippets import query_stems, snippet
from .translate import Translation, to_english
from .vector_source import VectorSource, open_vectors


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
    rrf_smoothing: float = 60.0
    #: Carry French/Spanish questions to English before searching.
    translate: bool = True
    #: Corpus size up to which the candidate counts above hold; beyond it they grow
    #: with the square root of the size (see :meth:`candidates_for`).
    reference_size: int = 10_000
    #: Above ``reference_size``, a filter keeping at least this share of the passages is applied
    #: to an unfiltered query for candidates/share (× margin) neighbours: Chroma's own ``where``
    #: over tens of thousands of matching ids took 240 ms at 100k passages, this 15 ms.
    post_filter_share: float = 0.2
    post_filter_margin: float = 1.5

    def candidates_for(self, base: int, size: int) -> int:
        """Candidates per side for a corpus of ``size`` passages.

        Below ``reference_size`` (the real archive has ~2,000 passages) the count is
        ``base``, so rankings there are exactly the tuned ones. Above it the count
        grows as sqrt(size / reference_size): a fixed 300 would be a shrinking share
        of a growing archive, while a proportional count would make each query's
        cost grow with the corpus again.
        """
        if size <= self.reference_size:
            return base
        return int(round(base * (size / self.reference_size) ** 0.5))

    def filters_after(self, size: int, share: float) -> bool:
        """Whether a filter keeping ``share`` of ``size`` passages is applied after an unfiltered
        nearest-neighbour query rather than inside Chroma (see :meth:`StoryIndex._dense`)."""
        return size > self.reference_size and share >= self.post_filter_share


@dataclass
class Candidates:
    """Both sides' section scores for one query, before the tunable ranking step."""

    dense: dict[str, float]  # section key → best window cosine
    keyword: dict[str, float]  # section key → best window BM25
    best_window: dict[str, int]  # section key → position of the passage (window) to show
    stems: set[str]


class StoryIndex:
    """The searchable index: stories, passages, keyword index, and the vectors' nearest-neighbour
    source (:mod:`.vector_source`: the Chroma collection, or the build's own vectors searched exactly)."""

    def __init__(
        self,
        settings: Settings,
        state: IndexState,
        vectors: VectorSource,
        embedder: Embedder,
        config: RetrievalConfig = RetrievalConfig(),
    ):
        self.settings = settings
        self.state = state
        self.vectors = vectors
        self.embedder = embedder
        self.config = config
        #: Built once: a query's filter work then depends on its matches, not on the corpus.
        self.filter_index = FilterIndex.build(state.passages, state.documents)
        #: Section key of every passage, so grouping candidates is a list lookup.
        self._section_keys = [section_key(p.doc, p.section_start) for p in state.passages]
        self._byline: dict[str, tuple[str, str]] = {}  # document id → (one-line summary, interviewee), as first needed

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        config: RetrievalConfig = RetrievalConfig(),
        source=None,
    ) -> StoryIndex:
        """Load the live build whole and check its vectors before anything is answered.

        ``source`` (local files or the Chroma server, see :mod:`index.sources`)
        may be shared by a caller that polls it. A build switched in by another
        process between reading the state and checking the vectors is retried once.
        """
        source = source or open_source(settings)
        for attempt in (1, 2):
            state = source.load()
            try:
                vectors = open_vectors(settings, state, source)
                break
            except DamagedIndexError:
                if attempt == 2 or source.version() == state.version:
                    raise
        embedder = embedder or Embedder(settings.model_path or None, settings.batch_size, settings.query_backend)
        if state.manifest.model != embedder.identity:
            # Query vectors from another model would rank by noise: refuse, naming both.
            raise NoIndexError(Path(settings.data_dir), "model", found=state.manifest.model, expected=embedder.identity)
        return cls(settings, state, vectors, embedder, config)

    @property
    def version(self) -> str:
        """The build this index answers from (changes with every ``labstories index``)."""
        return self.state.version

    # -- lookups ----------------------------------------------------------
    @cached_property
    def facets(self) -> dict[str, dict[str, int]]:
        return filtering.facet_counts(self.state.documents)

    @cached_property
    def speaking_rate(self) -> SpeakingRate:
        """Words per second in this archive, for moments in a story's last section."""
        return speaking_rate(self.state.stories.values())

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
            "documents": self.facets.get("type", {}),
            "sections": len(sections),
            "empty_sections": sum(1 for s in sections if not s.paragraphs),
            "passages": len(self.state.passages),
            "stories_without_audio": sorted(s.id for s in stories if not s.audio_url),
            "glossary_entries": len(self.state.glossary),
            "countries": len(self.facets["country"]),
            "speaking_rate": {
                "median": self.speaking_rate.median,
                "q1": self.speaking_rate.q1,
                "q3": self.speaking_rate.q3,
                "sections": self.speaking_rate.sections,
            },
            "model": manifest.model,
            "chunking": manifest.chunking,
            "collection": manifest.collection,
            "vectors": self.vectors.count(),
            "store": self.settings.chroma_url or str(Path(self.settings.data_dir).resolve()),
            "corpus": manifest.corpus,
            "indexed_at": manifest.indexed_at,
        }

    def relaxations(self, filters: Filters) -> list[filtering.Relaxation]:
        """Which filter to drop when ``filters`` leave nothing (see :func:`filtering.relaxations`)."""
        return filtering.relaxations(filters, self.filter_index)

    # -- search -----------------------------------------------------------
    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[Hit]:
        k = k or self.settings.k
        if not 1 <= k <= 1000:
            raise QueryError("k_range", k=k)
        found = self.candidates(query, filters)
        return [
            self._hit(self.state.passages[found.best_window[key]], score, found.stems, found.dense.get(key))
            for key, score in self.rank(found)[:k]
        ]

    def candidates(self, query: str, filters: Filters | None = None) -> Candidates:
        """The expensive half of a search: embed, query Chroma, score BM25, group by section."""
        # Lone surrogates (from JSON "\ud800" or undecodable argv bytes) crash the tokenizer: make them U+FFFD.
        query = without_surrogates(query or "").strip()
        if not query:
            raise QueryError("empty")
        filters = self.resolve(filters)
        understood = self.understand(query)
        stems = self.stems(understood)
        allowed = self.filter_index.positions(filters)  # None: no filter
        available = len(self.state.passages) if allowed is None else len(allowed)
        if not available:
            return Candidates({}, {}, {}, stems)
        dense = best_per_group(self._dense(understood.text, filters, allowed), self._section_of)
        keyword = best_per_group(self._keyword(self._keyword_tokens(understood), allowed), self._section_of)
        best_window = {key: position for key, position, _ in keyword}
        best_window.update({key: position for key, position, _ in dense})  # prefer the best dense window
        return Candidates(
            dense={key: score for key, _, score in dense},
            keyword={key: score for key, _, score in keyword},
            best_window=best_window,
            stems=stems,
        )

    def understand(self, query: str) -> Translation:
        """The question as searched: French and Spanish ones meet the English documents in English."""
        return to_english(query) if self.config.translate else Translation("en", query)

    @staticmethod
    def stems(understood: Translation) -> set[str]:
        """Words to mark in a passage: the English rendering's, and a translated question's own
        (which the archive's Spanish and French documents use)."""
        return query_stems(understood.text) | query_stems(" ".join(understood.words))

    @staticmethod
    def _keyword_tokens(understood: Translation) -> list[str]:
        """BM25's query: the English words, and a translated question's own words too, so a Spanish
        question also finds the Spanish documents by their words (each token once)."""
        return list(dict.fromkeys(tokenize(understood.text) + tokenize(" ".join(understood.words))))

    def term_weights(self, query: str, own: bool = False) -> dict[str, float]:
        """The question's content words (stems, in English) with their weight in the archive (IDF):
        what a passage must mention to be about the question and not only near it in meaning.
        ``own``: a translated question's own words instead, which its language's documents use."""
        understood = self.understand(query)
        stems = query_stems(" ".join(understood.words) if own else understood.text)
        size = len(self.state.passages)
        return {s: math.log(1 + size / (1 + self.state.keyword.document_frequency(s))) for s in stems}

    def rank(self, found: Candidates, config: RetrievalConfig | None = None) -> list[tuple[str, float]]:
        """The cheap half: fuse the sides, lift sections of strong stories, sort."""
        config = config or self.config
        weights = [config.dense_weight, 1.0 - config.dense_weight]
        if config.fusion == "rrf":
            sides = [[key for key, _ in ranked(side)] for side in (found.dense, found.keyword)]
            return reciprocal_rank_fusion(sides, smoothing=config.rrf_smoothing, weights=weights)
        fused = combine([found.dense, found.keyword], weights)
        boosted = story_boost(fused, lambda key: parse_section_key(key)[0], config.story_weight, config.story_top)
        return ranked(boosted)

    def _about(self, document) -> tuple[str, str]:
        """A document's one-line summary and (a story's) interviewee: read from its text once, not for
        each of the hundred-odd hits of every answer."""
        found = self._byline.get(document.id)
        if found is None:
            speaker = interviewee(document) if isinstance(document, Story) else ""
            found = self._byline[document.id] = (gist(document.summary), speaker)
        return found

    def _section_of(self, position: int) -> str:
        return self._section_keys[position]

    def _dense(self, query: str, filters: Filters, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """(passage position, cosine similarity), best first, among the ``allowed`` positions.

        A narrow filter goes to the vector source (as ``where`` for Chroma, as the
        ``allowed`` positions for the exact source). A broad one on a large archive
        (:meth:`RetrievalConfig.filters_after`) does not: Chroma's pre-filter costs
        grow with the number of matching ids, so the query asks for as many more
        unfiltered neighbours as the filter will drop, and keeps the allowed ones."""
        vector = self.embedder.encode_query(query)
        size = len(self.state.passages)
        wanted = self.config.candidates_for(self.config.dense_candidates, size)
        available = size if allowed is None else len(allowed)
        if not (allowed is not None and self.config.filters_after(size, available / size)):
            return self.vectors.nearest(vector, min(wanted, available), allowed, filtering.chroma_where(filters))
        n = min(size, math.ceil(wanted * size / available * self.config.post_filter_margin))
        live = self.vectors.nearest(vector, n)
        found = np.fromiter((position for position, _ in live), dtype=allowed.dtype, count=len(live))
        inside = np.searchsorted(allowed, found)
        keep = (inside < len(allowed)) & (allowed[np.minimum(inside, len(allowed) - 1)] == found)
        return [pair for pair, kept in zip(live, keep) if kept][:wanted]

    def _keyword(self, tokens: list[str], allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """(passage position, BM25), best first, among the allowed positions only."""
        positions, scores = self.state.keyword.matches(tokens, allowed)
        wanted = self.config.candidates_for(self.config.keyword_candidates, len(self.state.passages))
        keep = top_positions(scores, min(wanted, len(scores)))
        return [(int(positions[i]), float(scores[i])) for i in keep]

    def _hit(self, passage: Passage, score: float, stems: set[str], cosine: float | None = None) -> Hit:
        document = self.state.documents[passage.doc]
        section = next(s for s in document.sections if s.start == passage.section_start)
        is_story = isinstance(document, Story)
        at, interpolated = moment(passage, self.speaking_rate.median) if is_story else (passage.start, False)
        if is_story and section.end is not None and at >= section.end:  # inline times out of order: stay inside
            at = max(passage.start, section.end - 1)
            interpolated = at > passage.start
        audio = document.links.get("audio")
        summary, speaker = self._about(document)
        return Hit(
            story=document.id,
            title=document.title,
            role=getattr(document, "role", ""),
            country=document.countries[0] if document.countries else "",
            continent=document.continents[0] if document.continents else "",
            section=section_key(document.id, section.start),
            start=passage.start,
            end=section.end,
            heading=section.heading,
            text=passage.text,
            snippet=snippet(passage.text, stems),
            tags=passage.tags,
            score=round(score, 6),
            audio_url=audio,
            audio_at=links.audio_at(audio, at),
            link=links.story_link(document.id, at) if is_story else links.document_link(document.id),
            at=at,
            interpolated=interpolated,
            cosine=None if cosine is None else round(cosine, 6),
            doc=document.id,
            type=document.type,
            year=document.year,
            language=document.language,
            url=links.page_url(document, at),
            summary=summary,
            speaker=speaker,
        )


def top_positions(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` best scores, best first; ties (also at the cut) go to the lower index,
    so the candidates do not depend on how numpy partitions. Linear in ``len(scores)`` plus n log n."""
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    if n < len(scores):
        cut = -np.partition(-scores, n - 1)[n - 1]
        above = np.flatnonzero(scores > cut)
        tied = np.flatnonzero(scores == cut)[: n - len(above)]
        chosen = np.concatenate([above, tied])
    else:
        chosen = np.arange(len(scores))
    return chosen[np.lexsort((chosen, -scores[chosen]))]
