"""The structures built once per index (filter posting lists, keyword postings) against the
obvious per-passage checks on the mini corpus: same masks, same counts, same BM25 scores."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from labstories.index.records import TAG_KINDS
from labstories.index.text import tokenize
from labstories.rag import Filters, RetrievalConfig
from labstories.rag.filterindex import KindIndex
from labstories.rag.filters import passage_mask


def every_filter(index) -> list[Filters]:
    """Each value alone, two values of a kind, and each pair of values of two kinds."""
    singles = [(kind, value) for kind, values in index.facets.items() for value in values]
    found = [Filters(**{kind: [value]}) for kind, value in singles]
    for kind, values in index.facets.items():
        found += [Filters(**{kind: list(pair)}) for pair in itertools.combinations(list(values)[:6], 2)]
    for (k1, v1), (k2, v2) in itertools.combinations(singles, 2):
        if k1 != k2:
            found.append(Filters(**{k1: [v1], k2: [v2]}))
    return found


def test_precomputed_filters_give_the_per_passage_masks(mini_index):
    passages, stories = mini_index.state.passages, mini_index.state.stories
    combos = every_filter(mini_index)
    assert len(combos) > 200
    nonempty = 0
    for filters in combos:
        expected = passage_mask(filters, passages, stories)
        assert np.array_equal(mini_index.filter_index.mask(filters), expected), filters
        positions = mini_index.filter_index.positions(filters)
        assert positions.tolist() == np.flatnonzero(expected).tolist(), filters
        assert mini_index.filter_index.count(filters) == int(expected.sum())
        nonempty += bool(expected.any())
    assert 0 < nonempty < len(combos)  # both matching and empty combinations were checked


def test_no_filter_means_every_passage(mini_index):
    assert mini_index.filter_index.positions(Filters()) is None
    assert mini_index.filter_index.count(Filters()) == len(mini_index.state.passages)
    assert mini_index.filter_index.mask(Filters()).all()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(continent=["Africa"]),
        Filters(principles=["Trust"]),
        Filters(country=["Eswatini"], principles=["Trust"]),
    ],
)
def test_value_counts_match_a_count_over_passages(mini_index, filters):
    passages, stories = mini_index.state.passages, mini_index.state.stories
    keep = passage_mask(filters, passages, stories)
    for kind in ("principles", "tools", "country", "role"):
        expected: dict[str, int] = {}
        for passage, kept in zip(passages, keep):
            values = passage.tags[kind] if kind in TAG_KINDS else [getattr(stories[passage.doc], kind)]
            for value in set(values) if kept else ():
                expected[value] = expected.get(value, 0) + 1
        assert mini_index.filter_index.value_counts(kind, filters) == expected


def test_kind_index_handles_empty_and_repeated_values():
    kind = KindIndex.build([["a", "b"], [], ["b", "b", ""], ["c"], []])
    assert kind.positions(["b"]).tolist() == [0, 2]
    assert kind.positions(["a", "c"]).tolist() == [0, 3]
    assert kind.positions(["zzz"]).tolist() == []
    assert kind.counts(np.array([1, 2, 3])) == {"b": 1, "c": 1}
    assert kind.counts(None) == {"a": 1, "b": 2, "c": 1}
    assert kind.counts(np.array([], dtype=np.int32)) == {}


def test_relaxations_count_what_dropping_each_filter_gives(mini_index):
    filters = mini_index.resolve(Filters(country=["Eswatini"], principles=["Trust"]))
    found = {r.kind: r for r in mini_index.relaxations(filters)}
    passages, stories = mini_index.state.passages, mini_index.state.stories
    for kind, other in (("country", Filters(principles=["Trust"])), ("principles", Filters(country=["Eswatini"]))):
        keep = passage_mask(other, passages, stories)
        assert found[kind].passages == int(keep.sum())
        values = [
            v
            for p, k in zip(passages, keep)
            if k
            for v in (p.tags[kind] if kind in TAG_KINDS else [stories[p.doc].country])
        ]
        best = sorted({v: values.count(v) for v in values}.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert found[kind].alternatives == best


@pytest.mark.parametrize("query", ["Sanduk wooden box savings", "community trust", "zzzz unknownword", "the"])
def test_keyword_postings_give_the_full_bm25_scores(mini_index, query):
    keyword = mini_index.state.keyword
    tokens = tokenize(query)
    full = keyword.scores(tokens)
    positions, scores = keyword.matches(tokens)
    assert positions.tolist() == np.flatnonzero(full > 0).tolist()
    assert np.array_equal(scores, full[positions])  # bit for bit: same order of float32 sums
    allowed = mini_index.filter_index.positions(Filters(continent=["Africa"]))
    positions, scores = keyword.matches(tokens, allowed)
    assert positions.tolist() == [i for i in allowed.tolist() if full[i] > 0]
    assert np.array_equal(scores, full[positions])


def test_candidate_counts_hold_below_the_reference_size_and_grow_slower_than_it():
    config = RetrievalConfig()
    assert config.candidates_for(300, 1_940) == 300
    assert config.candidates_for(300, config.reference_size) == 300
    grown = config.candidates_for(300, 100 * config.reference_size)
    assert grown == 3000 and grown < 100 * 300


def test_top_positions_break_ties_by_position_even_at_the_cut():
    from labstories.rag.search import top_positions

    scores = np.array([1.0, 3.0, 2.0, 2.0, 3.0, 2.0, 0.5], dtype=np.float32)
    assert top_positions(scores, 3).tolist() == [1, 4, 2]
    assert top_positions(scores, 4).tolist() == [1, 4, 2, 3]
    assert top_positions(scores, 10).tolist() == [1, 4, 2, 3, 5, 0, 6]
    assert top_positions(scores, 0).tolist() == []
    rng = np.random.default_rng(1)
    many = rng.integers(0, 20, size=500).astype(np.float32)  # many ties
    for n in (1, 17, 100, 499):
        expected = sorted(range(500), key=lambda i: (-many[i], i))[:n]
        assert top_positions(many, n).tolist() == expected


def test_only_broad_filters_on_a_large_archive_are_applied_after_the_neighbour_query():
    config = RetrievalConfig()
    assert not config.filters_after(1_940, 0.9)  # the real archive: always Chroma's where, as tuned
    assert config.filters_after(100_000, 0.46)  # continent Africa at 100k
    assert not config.filters_after(100_000, 0.01)  # one country: Chroma's where is cheap there


@pytest.mark.parametrize(
    "question, filters",
    [
        ("how did labs earn the trust of communities?", {"continent": ["Africa"]}),
        ("experiments with farmers", {"continent": ["Africa", "Asia"], "role": ["Experimenter", "Solutions Mapper"]}),
    ],
)
def test_filtering_after_the_query_finds_what_filtering_in_chroma_finds(corpus_index, question, filters):
    """Post-filtering returns only allowed passages, and the same nearest ones as Chroma's ``where``."""
    from dataclasses import replace

    from labstories.rag.search import StoryIndex

    def dense(**knobs):
        # the corpus counts as large; fewer candidates than allowed passages, so the cut is tested too
        config = replace(corpus_index.config, reference_size=100, dense_candidates=40, **knobs)
        index = StoryIndex(
            corpus_index.settings, corpus_index.state, corpus_index.vectors, corpus_index.embedder, config
        )
        return index._dense(question, chosen, allowed)

    chosen = corpus_index.resolve(Filters(**filters))
    allowed = corpus_index.filter_index.positions(chosen)
    assert 0.2 <= len(allowed) / len(corpus_index.state.passages) < 0.9
    after, inside = dense(post_filter_share=0.2), dense(post_filter_share=1.01)
    assert set(p for p, _ in after) <= set(allowed.tolist())
    assert len(after) == len(inside) < len(allowed)
    # the nearest agree exactly; deep in the tail HNSW's approximation may swap a few (162nd of 176 seen)
    assert [p for p, _ in after[:50]] == [p for p, _ in inside[:50]]
    assert len({p for p, _ in after} & {p for p, _ in inside}) >= 0.9 * len(inside)
