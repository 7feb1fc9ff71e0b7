"""Fast tests of the app's pure parts: follow-up understanding, HTML rendering, URL parameters."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from labstories.index.records import Element, Paragraph, Section, Story
from labstories.rag.records import Filters, Hit
from labstories.ui import render
from labstories.ui.followups import Vocabulary, mentions, refine
from labstories.ui.params import clean_filters, parse_params

FACETS = {
    "principles": {"Trust": 55, "Recognize local expertise": 300, "Diversity": 30, "Inclusivity and diversity": 50},
    "tactics": {"Getting in there": 80},
    "tools": {"Design": 40, "Human centered design": 20},
    "skills": {},
    "country": {"Peru": 1, "South Sudan": 2, "Sudan": 1, "South Africa": 1, "Mexico": 3},
    "continent": {"Africa": 35, "South America": 9, "North America": 10},
    "role": {"Experimenter": 30, "Explorer": 20, "Solutions Mapper": 30},
}
PLACES = {
    "Peru": "South America",
    "South Sudan": "Africa",
    "Sudan": "Africa",
    "South Africa": "Africa",
    "Mexico": "North America",
}
Q = "how did labs build belonging with migrants?"


@pytest.fixture
def vocab():
    return Vocabulary(FACETS, PLACES)


# -- ui.followups ---------------------------------------------------------------------------
def test_a_new_question_is_searched_as_typed(vocab):
    step = refine(Q, "", Filters(), vocab)
    assert (step.query, step.follow_up, step.filters) == (Q, False, Filters())


@pytest.mark.parametrize(
    "message, expected",
    [
        ("only in Africa", Filters(continent=["Africa"])),
        ("more from Peru", Filters(country=["Peru"])),
        ("what about trust?", Filters(principles=["Trust"])),
        ("just experimenters", Filters(role=["Experimenter"])),
        ("and the solution mappers?", Filters(role=["Solutions Mapper"])),
        ("only Latin America", Filters(continent=["North America", "South America"])),
    ],
)
def test_follow_ups_keep_the_question_and_set_a_filter(vocab, message, expected):
    step = refine(message, Q, Filters(), vocab)
    assert step.follow_up and step.query == Q
    assert step.filters == expected


def test_a_value_replaces_its_kind_unless_the_message_adds(vocab):
    assert refine("only in Peru", Q, Filters(country=["Mexico"]), vocab).filters.country == ["Peru"]
    assert refine("also Peru", Q, Filters(country=["Mexico"]), vocab).filters.country == ["Mexico", "Peru"]


def test_continent_drops_countries_outside_it_and_country_drops_other_continent(vocab):
    assert refine("only in Africa", Q, Filters(country=["Peru"]), vocab).filters == Filters(continent=["Africa"])
    assert refine("more from Peru", Q, Filters(continent=["Africa"]), vocab).filters == Filters(country=["Peru"])


def test_longest_name_wins(vocab):
    named, _ = mentions("stories from South Sudan and South Africa about inclusivity and diversity", vocab)
    assert ("country", "South Sudan") in named and ("country", "Sudan") not in named
    assert ("continent", "Africa") not in named
    assert ("principles", "Inclusivity and diversity") in named and ("principles", "Diversity") not in named


def test_remove_clear_and_more(vocab):
    step = refine("without Peru", Q, Filters(country=["Peru"], role=["Explorer"]), vocab)
    assert step.filters == Filters(role=["Explorer"]) and step.removed == [("country", "Peru")]
    assert refine("clear filters", Q, Filters(country=["Peru"]), vocab).filters == Filters()
    assert refine("more", Q, Filters(), vocab).more
    assert not refine("more", "", Filters(), vocab).more


def test_a_new_topic_is_a_new_question_with_filters_kept(vocab):
    step = refine("how did labs work with indigenous communities on land rights?", Q, Filters(country=["Peru"]), vocab)
    assert not step.follow_up and step.query.startswith("how did labs work")
    assert step.filters == Filters(country=["Peru"])


# -- ui.render ------------------------------------------------------------------------------
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


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


def _assert_inert(markup: str) -> None:
    """Parsed as a browser would: only our tags, no event handlers, only http(s) or ?… links."""
    parsed = _Tags()
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


# -- ui.params ------------------------------------------------------------------------------
def test_params_validate_every_name_and_value():
    request = parse_params(
        [
            ("q", "  trust  "),
            ("principle", "trust"),
            ("country", "Narnia"),
            ("t", "12x"),
            ("story", "../etc/passwd"),
            ("utm_source", "x"),
        ],
        FACETS,
        {"S_ONE"},
    )
    assert request.query == "trust" and request.filters == Filters(principles=["Trust"])
    assert request.story is None and request.t is None
    text = " ".join(request.notes)
    assert "utm_source" in text and "Narnia" in text and "t=“12x”" in text and "no story" in text


def test_params_story_and_time():
    request = parse_params([("story", "S_ONE"), ("t", "132")], FACETS, {"S_ONE"})
    assert (request.story, request.t, request.notes) == ("S_ONE", 132, [])


def test_clean_filters_drops_unknown_values_with_a_note():
    notes = []
    assert clean_filters({"country": ["peru", "Atlantis"], "bogus": ["x"]}, FACETS, notes) == Filters(country=["Peru"])
    assert len(notes) == 1 and "Atlantis" in notes[0]


def test_element_names_filter_only_in_follow_ups_but_places_always(vocab):
    new = refine("how did labs build trust with communities in Peru?", "", Filters(), vocab)
    assert not new.follow_up and new.filters == Filters(country=["Peru"])
    follow = refine("what about trust?", Q, Filters(country=["Peru"]), vocab)
    assert follow.follow_up and follow.filters == Filters(principles=["Trust"], country=["Peru"])


def test_the_heap_trimmer_returns_memory_until_stopped():
    import time

    from labstories.ui.heap import HeapTrimmer

    trimmer = HeapTrimmer(seconds=0.01)
    assert trimmer.trim is not None  # glibc, as on every machine this runs on
    calls = []
    real = trimmer.trim
    trimmer.trim = lambda pad: calls.append(real(pad))
    trimmer.start()
    time.sleep(0.3)
    trimmer.stop()
    trimmer._thread.join(1)
    assert len(calls) >= 3 and set(calls) <= {0, 1} and not trimmer._thread.is_alive()


# -- ui.assets: the static files and the panel's callbacks -------------------------------------
def test_the_panel_callbacks_are_generated_from_the_kinds():
    import json

    from labstories.index.vocabulary import FILTER_KINDS
    from labstories.ui.assets import PANEL_JS, SHOW_JS, panel_js, show_js

    assert json.dumps(list(FILTER_KINDS)) in PANEL_JS and json.dumps(list(FILTER_KINDS)) in SHOW_JS
    for kinds in (("only",), ("b", "a", "c")):
        assert json.dumps(list(kinds)) in panel_js(kinds) and json.dumps(list(kinds)) in show_js(kinds)
    assert "\n" not in PANEL_JS + SHOW_JS  # one-liners


def test_the_css_and_the_script_are_package_files_loaded_relative_to_the_app_root():
    import fnmatch
    import re
    import tomllib
    from pathlib import Path
    from urllib.parse import unquote

    from labstories.ui.assets import HEAD, SCRIPT, STATIC, STYLESHEET

    assert STYLESHEET.parent == SCRIPT.parent == STATIC and ".ls-answer" in STYLESHEET.read_text("utf-8")
    assert "window.lsSync" in SCRIPT.read_text("utf-8") and "</script>" not in SCRIPT.read_text("utf-8")  # plain JS
    src = re.fullmatch(r'<script src="([^"]+)"></script>', HEAD).group(1)
    assert src.startswith("gradio_api/file=") and unquote(src.split("=", 1)[1].split("?v=")[0]) == str(SCRIPT)
    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for path in (STYLESHEET, SCRIPT):
        assert any(fnmatch.fnmatch(path.relative_to(STATIC.parent).as_posix(), p) for p in patterns["labstories.ui"])


def test_an_answer_carries_no_state_in_its_markup():
    """The conversation travels as data (ui/app.py), not as attributes of the answer's HTML."""
    from labstories.rag.answer import Answer, StoryGroup

    markup = render.answer_html(Answer("trust", Filters(country=["Peru"]), [StoryGroup(1, [_hit()])], 1, 1, 1, 1))
    assert "ls-hit" in markup and "data-" not in markup
