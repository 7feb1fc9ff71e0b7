"""The keyword side (index/keyword.py): its postings give the full BM25 scores, bit for bit, with or
without a filter."""

from __future__ import annotations

import numpy as np
import pytest

from labstories.index.text import tokenize
from labstories.rag import Filters


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
