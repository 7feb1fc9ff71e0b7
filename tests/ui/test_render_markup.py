"""What the app's HTML shows (ui/render.py): query words marked, the section at t, the filters and
suggestions of an empty answer, no state in the markup — and every hostile field inert."""

from __future__ import annotations

import re

from markup_support import Tags

from labstories.index.records import Element, Paragraph, Section, Story
from labstories.rag.records import Filters, Hit
from labstories.ui import render

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)> \" ' ${x} {{y}} `z`"


def _hit(**changes) -> Hit:
    base = dict(
        story="S_ONE",
        title=EVIL,
        role="Explorer",
        country=EVIL,
        continent="Africa",
        section="S_ONE@132",
        start=132,
        end=200,
        heading=EVIL,
        text="Migrants found belonging. " + EVIL,
        snippet="Migrants found belonging. " + EVIL,
        tags={"principles": [EVIL], "tactics": [], "tools": [], "skills": []},
        score=1.0,
        audio_url="https://example.org/a.m4a",
        audio_at="https://example.org/a.m4a#t=132",
        link="?story=S_ONE&t=132",
    )
    base.update(changes)
    return Hit(**base)


def _assert_inert(markup: str) -> None:
    """Parsed as a browser would: only our tags, no event handlers, only http(s) or ?… links."""
    parsed = Tags()
    parsed.feed(markup)
    assert set(parsed.tags) <= {
        "div",
        "p",
        "article",
        "section",
        "header",
        "h2",
        "h3",
        "span",
        "strong",
        "b",
        "i",
        "small",
        "mark",
        "a",
        "details",
        "summary",
        "ul",
        "li",
        "input",  # the story view's find box: static markup
        "button",
    }
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    for name, value in parsed.attrs:
        if name in ("href", "src"):
            assert value.startswith(("https://", "http://", "?")), value
    assert "${" not in markup and "{{" not in markup and "`" not in markup


def test_hit_html_escapes_everything_and_marks_query_words():
    markup = render.hit_html(_hit(), 1, {"migrant", "belong"})
    _assert_inert(markup)
    assert "<mark>Migrants</mark>" in markup and "<mark>belonging</mark>" in markup
    assert 'href="https://example.org/a.m4a#t=132"' in markup and "▶ 2:12" in markup
    assert 'href="?story=S_ONE&amp;t=132"' in markup


def test_non_web_audio_never_becomes_a_link():
    for url in ("javascript:alert(1)", "data:audio/wav;base64,AAAA", "file:///etc/passwd", None):
        markup = render.hit_html(_hit(audio_url=url, audio_at=None), 1, set())
        assert "ls-play" not in markup and "no recording" in markup
        _assert_inert(markup)


def test_story_html_marks_the_section_at_t_and_escapes():
    story = Story(
        id="S_ONE",
        title=EVIL,
        summary=EVIL,
        links={"audio": "javascript:alert(1)"},
        countries=[EVIL],
        continents=["Africa"],
        role="Explorer",
        iso3="ONE",
        sections=[
            Section(0, 60, EVIL, [Paragraph(EVIL, {"principles": [EVIL]})]),
            Section(60, None, "Second?", [Paragraph("text", start=75)]),
        ],
    )
    markup = render.story_html(story, 70)
    _assert_inert(markup)
    assert re.search(r'class="ls-section ls-current" id="ls-t-60"', markup)
    assert "No recording" in markup


def test_empty_answer_names_the_filters_and_suggestions():
    from labstories.rag.answer import Answer
    from labstories.rag.filters import Relaxation

    answer = Answer(
        "q <b>",
        Filters(country=["Peru"], continent=["Africa"]),
        [],
        relaxations=[Relaxation("continent", ["Africa"], 12, [("South America", 12)])],
    )
    markup = render.answer_html(answer)
    assert "No passages match" in markup and "country <b>Peru</b>" in markup
    assert "Remove continent <b>Africa</b>: 12 passages" in markup and "South America (12)" in markup
    assert "q &lt;b&gt;" in markup


def test_glossary_html_escapes():
    markup = render.glossary_html("principles", EVIL, Element(EVIL, EVIL, ["principles"], EVIL, EVIL))
    _assert_inert(markup)
    assert "no glossary page" in render.glossary_html("tools", "Design", None)


def test_an_answer_carries_no_state_in_its_markup():
    """The conversation travels as data (ui/app.py), not as attributes of the answer's HTML."""
    from labstories.rag.answer import Answer, StoryGroup

    markup = render.answer_html(Answer("trust", Filters(country=["Peru"]), [StoryGroup(1, [_hit()])], 1, 1, 1, 1))
    assert "ls-hit" in markup and "data-" not in markup
