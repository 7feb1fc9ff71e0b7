"""Score fusion (rag/fusion.py) against hand-computed values: reciprocal rank fusion, best per group,
z-scores, the weighted combination and the story boost."""

from __future__ import annotations

import math

import pytest

from labstories.rag.fusion import best_per_group, combine, ranked, reciprocal_rank_fusion, story_boost, zscores


def test_rrf_hand_computed():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], smoothing=60)
    assert [key for key, _ in fused] == ["b", "c", "a", "d"]
    expected = {"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 63 + 1 / 62, "d": 1 / 63}
    assert dict(fused) == pytest.approx(expected)


def test_rrf_weights_and_small_k():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], smoothing=1, weights=[2.0, 1.0])
    assert [key for key, _ in fused] == ["b", "a", "c", "d"]
    assert [score for _, score in fused] == pytest.approx([2 / 3 + 1 / 2, 1.0, 2 / 4 + 1 / 3, 1 / 4])


def test_rrf_ties_keep_first_appearance_and_empty_lists():
    assert [key for key, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]])] == ["x", "y"]
    assert reciprocal_rank_fusion([[], []]) == []
    assert reciprocal_rank_fusion([["only"], []]) == [("only", pytest.approx(1 / 61))]


def test_best_per_group_keeps_each_groups_best_item():
    scored = [("A@0#1", 0.5), ("B@9#0", 0.9), ("A@0#0", 0.7), ("A@30#0", 0.1)]
    grouped = best_per_group(scored, lambda item: item.split("#")[0])
    assert grouped == [("B@9", "B@9#0", 0.9), ("A@0", "A@0#0", 0.7), ("A@30", "A@30#0", 0.1)]


def test_zscores_by_hand():
    z = zscores({"a": 1.0, "b": 2.0, "c": 3.0})
    spread = math.sqrt(2 / 3)
    assert z == pytest.approx({"a": -1 / spread, "b": 0.0, "c": 1 / spread})
    assert zscores({"only": 5.0}) == {"only": 0.0}
    assert zscores({}) == {}


def test_combine_gives_a_missing_key_the_sides_floor():
    dense = {"s1": 0.9, "s2": 0.5, "s3": 0.1}  # z: 1.2247, 0, -1.2247 (times 1/0.3266…)
    keyword = {"s2": 10.0, "s4": 0.0}  # z: +1, -1
    fused = combine([dense, keyword], [0.5, 0.5])
    zd, zk = zscores(dense), zscores(keyword)
    assert fused["s1"] == pytest.approx(0.5 * zd["s1"] + 0.5 * zk["s4"])  # keyword floor (-1)
    assert fused["s4"] == pytest.approx(0.5 * zd["s3"] + 0.5 * -1.0)  # dense floor = lowest dense z
    assert [key for key, _ in ranked(fused)][0] == "s2"


def test_story_boost_lifts_sections_of_strong_stories():
    scores = {"A@1": 3.0, "A@2": 2.0, "A@3": 1.0, "A@4": 0.0, "B@1": 2.5, "B@2": -1.0}
    boosted = story_boost(scores, lambda key: key.split("@")[0], weight=1.0, top=3)
    assert boosted["A@4"] == pytest.approx(0.0 + (3 + 2 + 1) / 3)
    assert boosted["B@1"] == pytest.approx(2.5 + (2.5 - 1.0) / 2)
    assert story_boost(scores, lambda key: key[0], weight=0.0) == scores
    # A's weakest section now outranks B's second section, and A@1 leads.
    assert [k for k, _ in ranked(boosted)][0] == "A@1"
