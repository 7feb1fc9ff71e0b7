"""The filter structures built once per index (rag/filterindex.py) against the obvious per-passage
checks on the mini corpus: same masks, same positions, same counts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from labstories.index.records import TAG_KINDS
from labstories.rag import Filters
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
