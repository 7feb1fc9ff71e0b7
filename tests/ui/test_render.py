"""The app's templates (ui/render.py) escape by default: hostile text through every field a template shows stays text.

Each field gets its own marked payload, so a failure names the field that leaked.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from labstories.index.records import Element, Paragraph, Section, Story
from labstories.rag import links
from labstories.rag.answer import Answer, Narrowing, group_by_story
from labstories.rag.answer import about as answer_about
from labstories.rag.filters import Relaxation
from labstories.rag.records import Filters, Hit
from labstories.rag.strength import MatchStrength
from labstories.ui import render

PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    '"><script>alert(2)</script>',
    "javascript:alert(3)",
    "${7*7}",
    "{{x}}",
    "`ls`",
)


def evil(field: str) -> str:
    return f"{field}:" + " ".join(PAYLOADS)


ALLOWED_TAGS = {
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


class _Parsed(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def assert_inert(markup: str, fields: list[str] = ()) -> None:
    """As a browser parses it: only our tags, no handlers, only http(s) / ?… links; every field's
    payload is there as text, none of it as markup; no template syntax reaches the JS template."""
    parsed = _Parsed()
    parsed.feed(markup)
    assert set(parsed.tags) <= ALLOWED_TAGS, set(parsed.tags) - ALLOWED_TAGS
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    for name, value in parsed.attrs:
        if name in ("href", "src", "action", "formaction"):
            assert value.startswith(("https://", "http://", "?")), value
    for raw in ("<img", "<script", "${", "{{", "`"):
        assert raw not in markup, raw
    text = "".join(parsed.text)
    for field in fields:
        assert f"{field}:" in text, f"{field} is not shown"


def _hit(story="S_ONE", **changes) -> Hit:
    base = dict(
        story=story,
        title=evil("title"),
        role=evil("role"),
        country=evil("country"),
        continent=evil("continent"),
        section=f"{story}@60",
        start=60,
        end=200,
        heading=evil("heading"),
        text="Migrants belong. " + evil("text"),
        snippet=evil("snippet"),
        tags={
            "principles": [evil("principle")],
            "tactics": [evil("tactic")],
            "tools": [evil("tool")],
            "skills": [evil("skill")],
        },
        score=1.0,
        audio_url="https://example.org/a.m4a",
        audio_at="https://example.org/a.m4a#t=90",
        link=f"?story={story}&t=90",
        at=90,
        interpolated=True,
        cosine=0.2,
    )
    base.update(changes)
    return Hit(**base)


def test_every_answer_field_is_escaped():
    filters = Filters(principles=[evil("filter-principle")], country=[evil("filter-country")])
    hits = [
        _hit(),
        _hit(text=evil("second text"), snippet=evil("second snippet"), at=120),
        _hit("S_TWO", audio_url='https://example.org/b.mp3"><img src=x onerror=alert(9)>', title=evil("title2")),
        _hit("S_THREE", audio_url="javascript:alert(4)", audio_at=None),
    ]
    blamed = [Relaxation("country", [evil("blamed-country")], 5, [(evil("alternative"), 3)])]
    about = [
        Narrowing(kind, value, n, links.answer_link(evil("query"), filters.add(kind, value)))
        for kind, value, n in answer_about(hits)
    ]
    answer = Answer(
        evil("query"),
        filters,
        group_by_story(hits),
        1,
        3,
        4,
        3,
        {"migrant"},
        [evil("note")],
        strength=MatchStrength(False, 0.2, True, blamed),
        about=about,
    )
    markup = render.answer_html(answer, base="http://127.0.0.1:7860/")
    assert_inert(
        markup,
        [
            "title",
            "title2",
            "role",
            "country",
            "continent",
            "heading",
            "snippet",
            "second snippet",
            "principle",
            "tactic",
            "tool",
            "skill",
            "note",
            "query",
            "filter-principle",
            "filter-country",
            "blamed-country",
        ],
    )
    assert "No passage speaks to this directly" in markup
    assert "ls-play" in markup and "no recording" in markup  # S_THREE's javascript: audio is no link


def test_every_empty_answer_field_is_escaped():
    answer = Answer(
        evil("query"),
        Filters(country=[evil("filter")]),
        [],
        relaxations=[Relaxation("country", [evil("relaxed")], 12, [(evil("alternative"), 12)])],
    )
    assert_inert(render.answer_html(answer), ["query", "filter", "relaxed", "alternative"])


def test_every_story_field_is_escaped():
    story = Story(
        id="S_ONE",
        title=evil("story title"),
        summary=evil("summary"),
        links={"audio": "https://example.org/a.m4a"},
        countries=[evil("country")],
        continents=[evil("continent")],
        role=evil("role"),
        iso3="ONE",
        sections=[
            Section(0, 60, evil("heading"), [Paragraph(evil("paragraph"), {"principles": [evil("tag")]})]),
            Section(60, None, "", [Paragraph(evil("inline paragraph"), start=75)]),
        ],
    )
    markup = render.story_html(story, 70)
    assert_inert(
        markup,
        ["story title", "summary", "country", "continent", "role", "heading", "paragraph", "tag", "inline paragraph"],
    )
    bad_audio = Story(
        id="S_TWO",
        title="t",
        summary="s",
        links={"audio": "javascript:alert(1)"},
        countries=["c"],
        continents=["a"],
        role="r",
        iso3="TWO",
        sections=story.sections,
    )
    assert "No recording" in render.story_html(bad_audio, None)


def test_glossary_notice_and_controls_are_escaped():
    element = Element(evil("name"), evil("glossary title"), ["principles"], evil("overview"), evil("purpose"))
    assert_inert(render.glossary_html("principles", evil("value"), element), ["glossary title", "overview", "purpose"])
    assert_inert(render.glossary_html("principles", evil("value"), None), ["value"])
    assert_inert(render.notice_html(evil("notice")), ["notice"])
    assert_inert(render.chips_html({"principles": [evil("chip")]}), ["chip"])
    assert_inert(render.describe_filters(Filters(role=[evil("role")])), ["role"])
    assert render.play_html("javascript:alert(1)", 5).startswith('<span class="ls-noaudio">')


def test_only_markup_the_code_marks_is_unescaped():
    marked = render.highlight("Migrants <b>belong</b>", {"migrant"})
    assert isinstance(marked, Markup)
    assert str(marked) == "<mark>Migrants</mark> &lt;b&gt;belong&lt;/b&gt;"
    assert render.esc("${x} {{y}} `z` <i>") == "&#36;&#123;x&#125; &#123;&#123;y&#125;&#125; &#96;z&#96; &lt;i&gt;"


@pytest.mark.parametrize("template", ["answer.html", "story.html", "glossary.html", "notice.html", "macros.html"])
def test_templates_escape_by_default(template):
    env = render.ENV
    assert env.autoescape is True or env.autoescape(template)
    source = (render.Path(render.__file__).parent / "templates" / template).read_text("utf-8")
    assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source
