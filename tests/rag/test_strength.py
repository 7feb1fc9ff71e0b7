"""Is anything a strong match (rag/strength.py)? The best cosine of the top three against one threshold;
on the shared corpus every off-topic question is flagged, and no dev question with a grade-2
passage in its top 3 is (calibration: benchmarks/weak_match.py)."""

from __future__ import annotations

import pytest
from conftest import DATA
from hits_support import _peru

from labstories.rag import Filters, read_questions
from labstories.rag.strength import STRONG_COSINE, TOP, assess, best_cosine, is_strong


def test_strength_uses_the_best_cosine_of_the_top_three():
    hits = [_peru(cosine=0.1), _peru(cosine=None), _peru(cosine=0.5), _peru(cosine=0.9)]
    assert best_cosine(hits) == 0.5
    assert is_strong(hits, 0.5) and not is_strong(hits, 0.51) and not is_strong([], 0.0)


OFF_TOPIC = DATA / "eval" / "off_topic.jsonl"


@pytest.fixture(scope="module")
def dev_questions(corpus_dir):
    path = corpus_dir.parent / "eval" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"no dev questions at {path}")
    return read_questions(path)


@pytest.mark.corpus
def test_every_off_topic_question_is_flagged(corpus_index):
    questions = read_questions(OFF_TOPIC)
    assert len(questions) >= 12
    strong = {
        q.question: round(best_cosine(hits), 3)
        for q in questions
        for hits in [corpus_index.search(q.question, None, 10)]
        if is_strong(hits)
    }
    assert strong == {}, f"off-topic questions above {STRONG_COSINE}"


@pytest.mark.corpus
def test_no_well_answered_dev_question_is_flagged(corpus_index, dev_questions):
    flagged, checked = {}, 0
    for q in dev_questions:
        hits = corpus_index.search(q.question, Filters.from_dict(q.filters), 10)
        if any(q.relevant.get(h.section, 0) >= 2 for h in hits[:TOP]):
            checked += 1
            if not is_strong(hits):
                flagged[q.id] = round(best_cosine(hits), 3)
    assert checked >= 10 and flagged == {}


@pytest.mark.corpus
def test_a_filter_that_hides_the_strong_matches_is_named(corpus_index):
    query = "how did labs build belonging with migrants?"
    assert is_strong(corpus_index.search(query, None, TOP))
    filters = Filters(country=["Angola"], principles=["Trust"])  # Angola's lab told no migrant story
    strength = assess(corpus_index, query, filters, corpus_index.search(query, filters, 10))
    assert not strength.strong and strength.filtered_out
    assert [r.kind for r in strength.blamed] == ["country"]  # Trust alone still leaves strong matches
