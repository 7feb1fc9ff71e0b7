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
from labstories.ui import reading, render

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
    "input",  # the story view's find box: static markup
    "button",
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
            assert value.startswith(("https://", "http://", "?", "export.csv?")), value  # the app's CSV route
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


# -- long paragraphs in readable pieces (ui/reading.py) ------------------------------------------------


def _sentences(*lengths: int) -> str:
    """Sentences of the given word counts, each word numbered so every cut is visible."""
    words = iter(range(100_000))
    return " ".join(" ".join(["Word"] + [f"w{next(words)}" for _ in range(n - 1)]) + "." for n in lengths)


def test_a_paragraph_of_up_to_longest_words_is_shown_whole():
    for text in ("", "One.", _sentences(50, 50, 50), _sentences(150)):
        assert reading.pieces(text) == [text]


@pytest.mark.parametrize(
    "lengths",
    [(7, 23) * 8, (10,) * 40, (17, 5, 31) * 20, (60, 60, 60), (141, 12, 9), (12,) * 154],
    ids=["151 words", "400 words", "1060 words", "three long", "one very long", "1848 words"],
)
def test_a_long_paragraph_is_cut_between_sentences_into_even_pieces(lengths):
    text = _sentences(*lengths)
    words = len(text.split())
    cut = reading.pieces(text)
    assert " ".join(cut) == text  # nothing lost, nothing reordered, each cut between two sentences
    assert all(piece.endswith(".") and piece.startswith("Word ") for piece in cut)
    assert 2 <= len(cut) <= max(2, round(words / reading.AIM))
    longest_sentence = max(lengths)
    for piece in cut:  # each cut is at the sentence end nearest its share of the words
        assert abs(len(piece.split()) - words / len(cut)) <= longest_sentence


def test_a_run_on_paragraph_with_no_sentence_end_stays_whole():
    text = " ".join(f"word{i}" for i in range(400))
    assert reading.pieces(text) == [text]


def test_each_piece_plays_from_its_share_of_the_section():
    tags = {"principles": ["Trust"]}
    section = Section(60, 360, "Q?", [Paragraph(_sentences(*(10,) * 40), tags)])
    pieces = reading.reading(section)
    assert [len(p.text.split()) for p in pieces] == [100, 100, 100, 100]
    # 100 of 400 words into a 300 s span is 75 s in, started 3 s (rag.moments.BACK_OFF) early.
    assert [p.start for p in pieces] == [60, 132, 207, 282]
    assert [p.approximate for p in pieces] == [False, True, True, True]
    assert [p.tags for p in pieces] == [{}, {}, {}, tags]  # the chips follow the paragraph


def test_an_inline_time_is_kept_and_interpolation_restarts_from_it():
    section = Section(
        0,
        400,
        "Q?",
        [Paragraph(_sentences(*(10,) * 20)), Paragraph(_sentences(*(10,) * 20), start=200), Paragraph("Short.")],
    )
    pieces = reading.reading(section)
    assert [(p.start, p.approximate, p.timed) for p in pieces] == [
        (0, False, False),
        (97, True, False),  # 100 of 200 words before the 200 s mark
        (200, False, True),
        (296, True, False),  # 100 of 201 words between 200 s and 400 s: 200 + 99.5 - 3
        (396, True, False),
    ]


def test_with_no_later_time_known_a_piece_plays_from_the_known_time_before_it():
    last = Section(500, None, "Last?", [Paragraph(_sentences(*(10,) * 30))])
    assert [(p.start, p.approximate) for p in reading.reading(last)] == [(500, False)] * 3


def test_a_long_paragraph_is_shown_in_escaped_pieces_with_their_seconds():
    long_evil = " ".join(f"Sentence {i} says {evil('long')}." for i in range(30))
    story = Story(
        id="S_LONG",
        title="t",
        summary="s",
        links={"audio": "https://example.org/a.m4a"},
        countries=["c"],
        continents=["a"],
        role="r",
        iso3="LNG",
        sections=[Section(0, 600, "Q?", [Paragraph(long_evil)])],
    )
    markup = render.story_html(story, None)
    assert_inert(markup, ["long"])
    assert markup.count('<p class="ls-para" data-start="') == len(reading.pieces(long_evil)) >= 3
    assert markup.count('class="ls-play ls-approx"') == len(reading.pieces(long_evil)) - 1
    assert "Sentence 29 says" in markup  # the stored text is shown whole, in order
