"""Is anything a strong match (rag/strength.py)? The best cosine of the top three against one threshold;
on the shared corpus every off-topic question is flagged, and no dev question with a grade-2
passage in its top 3 is (calibration: benchmarks/weak_match.py)."""

from __future__ import annotations

import pytest
from conftest import DATA
from hits_support import _peru

from labstories.index.text import tokenize
from labstories.rag import Filters, read_questions
from labstories.rag.records import Hit
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


def _moment(text: str, cosine: float | None) -> Hit:
    return Hit(
        "A",
        "A title",
        "Explorer",
        "Peru",
        "South America",
        "A@0",
        0,
        None,
        "",
        text,
        text,
        {},
        1.0,
        None,
        None,
        "?story=A&t=0",
        cosine=cosine,
    )


def test_a_story_speaks_when_it_is_near_in_meaning_and_mentions_the_question():
    from labstories.rag.strength import STORY_COSINE, STORY_SURE_COSINE, coverage, speaks

    weights = {"migrant": 4.0, "belong": 6.0}  # stems of "belonging with migrants"
    about = [_moment("We worked with Venezuelan migrants on a sense of belonging.", STORY_COSINE + 0.05)]
    near = [_moment("I joined the lab just last year, and we mapped solutions.", STORY_COSINE + 0.05)]
    assert coverage(about, weights) == 1.0 and coverage(near, weights) == 0.0
    assert speaks(about, weights) and not speaks(near, weights)
    assert not speaks([_moment("migrants and belonging", STORY_COSINE - 0.05)], weights)  # words alone do not
    assert speaks([_moment("a paraphrase", STORY_SURE_COSINE)], weights)  # very near in meaning does
    assert not speaks([_moment("migrants and belonging", None)], weights)  # keyword-only: no evidence of meaning
    assert speaks(near, {})  # a question without content words: meaning decides


def test_an_off_topic_answer_lists_nothing_as_speaking_and_offers_no_chips(corpus_index):
    from labstories.rag.answer import answer
    from labstories.ui.render import answer_html

    found = answer(corpus_index, "what is the GDP of France?")
    assert found.groups and found.weak
    assert found.speaking == [] and found.loose == found.groups and found.labs_speaking == 0
    html = answer_html(found)
    assert "No passage speaks to this directly" in html and "ls-loose" in html
    assert "speak to this" not in html and "ls-narrow" not in html and "passages from" not in html


def test_stories_that_only_share_words_with_a_question_are_listed_apart(corpus_index):
    from labstories.rag.answer import answer
    from labstories.ui.render import answer_html

    found = answer(corpus_index, "how did labs build belonging with migrants?", labs=None)
    assert found.speaking and found.loose  # both kinds in the one answer
    assert found.groups == found.speaking + found.loose  # those that speak first, ranked 1, 2, 3…
    assert [g.rank for g in found.groups] == list(range(1, len(found.groups) + 1))
    speaking = {g.best.story for g in found.speaking}
    assert "SolutionMappers_PER" in speaking  # the migrant entrepreneurs of Peru
    for group in found.loose:  # what is folded away never mentions migrants (near in meaning or not)
        assert "migrant" not in tokenize(" ".join(h.text + " " + h.title for h in group.hits)), group.best.story
    html = answer_html(answer(corpus_index, "how did labs build belonging with migrants?"))
    assert f"{found.labs_speaking} labs speak to this" in html or "1 lab speaks to this" in html
    assert html.index("ls-loose") > html.index("SolutionMappers_PER")


def test_the_terminal_and_the_markdown_mark_where_the_loosely_related_begin(corpus_index, capsys):
    from labstories.rag.answer import answer
    from labstories.ui import console, markdown

    found = answer(corpus_index, "how did labs build belonging with migrants?", labs=None)
    console.print_answer(found, by_story=True)
    out = capsys.readouterr().out
    assert out.count(markdown.LOOSE) == 1
    before, after = out.split(markdown.LOOSE)
    assert all(g.best.title in before for g in found.speaking) and all(g.best.title in after for g in found.loose)
    copied = markdown.answer_markdown(found.query, found.filters, found.groups)
    assert copied.count(markdown.LOOSE) == 1 and copied.index(markdown.LOOSE) > copied.index(
        found.speaking[-1].best.title
    )
