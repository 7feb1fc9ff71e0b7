"""Evaluation (rag/evaluate.py) against hand-computed values: nDCG, recall, MRR, section keys, scores
per kind, and reading a questions file."""

from __future__ import annotations

import math

import pytest

from labstories.rag import EvalFileError, Question, read_questions, score
from labstories.rag.evaluate import mrr, ndcg, recall, section_of
from labstories.rag.records import Hit

RELEVANT = {"s1": 2, "s2": 1, "s3": 2}


def test_ndcg_hand_computed():
    # gains 2^g - 1: s1 → 3, x → 0, s2 → 1; ideal 3, 3, 1
    dcg = 3 / 1 + 0 + 1 / math.log2(4)
    idcg = 3 / 1 + 3 / math.log2(3) + 1 / math.log2(4)
    assert ndcg(["s1", "x", "s2"], RELEVANT) == pytest.approx(dcg / idcg) == pytest.approx(0.649015, abs=1e-6)
    assert ndcg(["s1", "s3", "s2"], RELEVANT) == pytest.approx(1.0)
    assert ndcg(["x", "y"], RELEVANT) == 0.0
    assert ndcg(["s1"], {}) == 0.0


def test_ndcg_cuts_at_k():
    ranked = ["x"] * 10 + ["s1"]
    assert ndcg(ranked, RELEVANT, depth=10) == 0.0
    assert ndcg(ranked, RELEVANT, depth=11) == pytest.approx((3 / math.log2(12)) / (3 + 3 / math.log2(3) + 0.5))


def test_ndcg_never_exceeds_one_when_a_section_repeats():
    assert ndcg(["s1", "s1"], {"s1": 2}) <= 1.0


def test_recall_and_mrr_hand_computed():
    assert recall(["s1", "x", "s2"], RELEVANT) == pytest.approx(2 / 3)
    assert recall(["s1", "s1", "s1"], RELEVANT) == pytest.approx(1 / 3)
    assert recall(["x"], {"s1": 0}) == 0.0
    assert mrr(["s1", "x"], RELEVANT) == 1.0
    assert mrr(["x", "y", "s2"], RELEVANT) == pytest.approx(1 / 3)
    assert mrr(["x"] * 10 + ["s1"], RELEVANT) == 0.0
    assert mrr(["x", "s1"], {"x": 0, "s1": 1}) == 0.5


def test_section_of_maps_a_start_to_its_section():
    starts = {"A": [0, 30, 90]}
    assert [section_of("A", t, starts) for t in (0, 29, 30, 45, 90, 500)] == [
        "A@0",
        "A@0",
        "A@30",
        "A@30",
        "A@90",
        "A@90",
    ]
    assert section_of("B", 12, starts) == "B@12"


def test_eval_maps_hits_by_section_start_not_by_moment():
    from labstories.rag.evaluate import section_of

    hit = Hit(
        "S",
        "t",
        "r",
        "c",
        "a",
        "S@60",
        60,
        200,
        "",
        "x",
        "x",
        {},
        1.0,
        None,
        None,
        "?story=S&t=150",
        at=150,
        interpolated=True,
    )
    assert section_of(hit.story, hit.start, {"S": [0, 60, 140]}) == "S@60"  # its moment (150) lies past 140


def test_score_means_per_kind():
    questions = [
        Question("q1", "?", kind="topical", relevant={"s1": 2}),
        Question("q2", "?", kind="topical", relevant={"s2": 1}),
        Question("q3", "?", kind="known_item", relevant={"s3": 1}),
    ]
    scores = score(questions, {"q1": ["s1"], "q2": ["x", "s2"], "q3": []})
    assert scores.counts == {"all": 3, "topical": 2, "known_item": 1}
    assert scores.per_question["q2"] == pytest.approx({"ndcg": 1 / math.log2(3), "recall": 1.0, "mrr": 0.5})
    assert scores.rows["topical"] == pytest.approx({"ndcg": (1 + 1 / math.log2(3)) / 2, "recall": 1.0, "mrr": 0.75})
    assert scores.rows["known_item"] == {"ndcg": 0.0, "recall": 0.0, "mrr": 0.0}
    assert scores.rows["all"]["mrr"] == pytest.approx(0.5)


def test_read_questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "question": "trust?", "filters": {"principles": "Trust"}, "relevant": {"S@1": "2"}}\n'
        '\n{"question": "second"}\n',
        "utf-8",
    )
    first, second = read_questions(path)
    assert (first.id, first.question, first.filters, first.relevant) == (
        "a",
        "trust?",
        {"principles": "Trust"},
        {"S@1": 2},
    )
    assert (second.id, second.question, second.filters) == ("3", "second", {})


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "a"}', "line 1: missing field 'question'"),
        ("not json", r"line 1: not valid JSON \(Expecting value at column 1\)"),
        ('{"question": "q", "filters": {"colour": "red"}}', "line 1: unknown filter kind colour"),
    ],
)
def test_read_questions_names_the_bad_line(tmp_path, line, message):
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n", "utf-8")
    with pytest.raises(EvalFileError, match=message):
        read_questions(path)
