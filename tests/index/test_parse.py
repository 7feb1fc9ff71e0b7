"""Parser cases (index/parse.py): one hand-written page per defect form in tests/data/mini/stories.

Each page reproduces one way the archive types a timestamp or its metadata (see
../shared/corpus/README.md); the tests assert the exact sections, headings and
texts the parser must produce from it.
"""

from __future__ import annotations

import re

import pytest
from conftest import DATA

from labstories.index import ParseError, parse_story
from labstories.index.parse import page_type, read_metadata, split_stem
from labstories.index.text import unescape

MINI = DATA / "mini"
STORIES = MINI / "stories"

#: Anything that shows a timestamp, heading marker or markdown escape leaked into text.
LEAK = re.compile(r"\[\[|\]\]|\\\[|\\\]|\\[.\-*&]|^#|###|\*\*|^\d{1,2}:\d{2}\b|\[\d{1,2}:\d{2}")


def story(name: str):
    path = STORIES / f"{name}.md"
    return parse_story(path.read_text("utf-8"), path)


def layout(parsed) -> list[tuple[int, str]]:
    return [(s.start, s.heading) for s in parsed.sections]


# -- timestamp forms ---------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        # ### [[0:01\]\]Hi — escaped closers glued to the heading (SolutionMappers_SLE, _MOZ)
        (
            "SolutionMappers_SLE",
            [(1, "Hi, can you tell me your name and your position?"), (14, "Which innovators did you map?")],
        ),
        # ### [[12:46\] q — one escaped closer
        ("Experimenters_OPN", [(5, "What is your name?"), (766, "How did you engage with policymakers?")]),
        # ### [[7:24\]]] q — three closers
        ("Experimenters_TRI", [(5, "What is your name?"), (444, "Which principle guided your R&D?")]),
        # ### [[\[0:20]] q — an escaped extra opener
        ("Experimenters_DBL", [(20, "Nice to meet you. How are you doing today?")]),
        # ### \[6:26]] q — a single escaped opener
        ("Explorers_ONE", [(5, "What is your name?"), (386, "And what about the skills that were needed?")]),
        # ### [[2:40 q — no closing brackets at all
        ("Explorers_NCL", [(5, "What is your name?"), (160, "Which tools and methods did you use?")]),
        # **\[\[11:28]] Thank you\.** — bold, escaped, no ###
        ("Experimenters_BLD", [(5, "What is your name?"), (688, "Thank you.")]),
        # [[0:0]]
        (
            "Experimenters_ZER",
            [(0, "Your name, your title and the phrase I consent to this recording."), (40, "What did you work on?")],
        ),
        # [[0:00]] answer text and [[9:46]] question, both without ###
        ("SolutionMappers_TGO", [(0, ""), (586, "What would you do differently next time?")]),
        # text before the first timestamp becomes the untimed opening at 0
        (
            "Experimenters_PRE",
            [(0, ""), (11, "Could you tell me about an R&D activity?"), (90, "Enjoy."), (95, "What was hard?")],
        ),
    ],
)
def test_every_timestamp_form_starts_a_section(name, expected):
    assert layout(story(name)) == expected


@pytest.mark.parametrize(
    "line, start, heading",
    [
        (r"### [[0:33]] Could you tell me?", 33, "Could you tell me?"),
        (r"### [[0:01\]\]Hi", 1, "Hi"),
        (r"### [[12:46\] How did you engage?", 766, "How did you engage?"),
        (r"### [[7:24\]]] That's great\. Can you tell me more?", 444, "That's great. Can you tell me more?"),
        (r"### [[\[0:20]] All right\. How are you?", 20, "All right. How are you?"),
        (r"### \[6:26]] And the skills?", 386, "And the skills?"),
        (r"### [[2:40 And the tools?", 160, "And the tools?"),
        (r"**\[\[11:28]] Thank you\.**", 688, "Thank you."),
        (r"### [[0:0]] Your name?", 0, "Your name?"),
        (r"### [[1:02:05]] A long interview?", 3725, "A long interview?"),
        (
            r"[[15:26\]\]\. When you are inside the process, which tactics?",
            926,
            "When you are inside the process, which tactics?",
        ),
    ],
)
def test_single_timestamp_line(line, start, heading):
    page = f"[[type:story]]\n\n# T\n\n{line}\n\nThe answer\\.\n"
    parsed = parse_story(page, "Experimenters_XYZ.md")
    assert layout(parsed) == [(start, heading)]
    assert parsed.sections[0].text == "The answer."


def test_bare_timestamp_answer_becomes_a_paragraph_not_a_heading():
    tgo = story("SolutionMappers_TGO")
    opening = tgo.sections[0]
    assert opening.heading == ""
    assert [p.text[:48] for p in opening.paragraphs] == ["OK, So my name is Yem from the Accelerator Lab T"]
    assert "birth certificate within forty days" in opening.text
    assert tgo.sections[1].text == "We would train the midwives on the tablets before the pilot starts."


def test_sections_run_to_the_next_timestamp():
    pre = story("Experimenters_PRE")
    assert [(s.start, s.end) for s in pre.sections] == [(0, 11), (11, 90), (90, 95), (95, None)]


def test_text_before_first_timestamp_is_the_opening_section():
    opening = story("Experimenters_PRE").sections[0]
    assert (opening.start, opening.heading) == (0, "")
    assert opening.text == "OK, my name is Tatiana from the DRC and I consent to this recording."


def test_heading_shaped_answer_is_text_of_its_section():
    section = story("Experimenters_PRE").sections[1]
    assert [p.text for p in section.paragraphs] == [
        "We digitised the court registers of Kinshasa so that case files stop disappearing.",
        "Yeah. So the judges kept a paper list of every hearing, and we scanned it every evening.",
    ]


def test_empty_sections_are_kept():
    pre = story("Experimenters_PRE")
    enjoy = pre.sections[2]
    assert (enjoy.start, enjoy.heading, enjoy.paragraphs) == (90, "Enjoy.", [])
    assert story("Experimenters_BLD").sections[1].paragraphs == []


def test_stray_bare_time_becomes_the_paragraphs_finer_start():
    section = story("SolutionMappers_STR").sections[0]
    assert (section.start, section.end) == (430, 478)
    [paragraph] = section.paragraphs
    assert paragraph.start == 447  # 7:27
    assert paragraph.text.startswith("I think the main skill is convening")
    assert "7:27" not in section.text
    assert paragraph.tags["principles"] == ["Trust"]


def test_inline_time_inside_an_answer_opens_a_finer_paragraph():
    page = (
        "[[type:story]]\n\n# T\n\n### [[20:00]] And lastly?\n\nFirst part of the answer\\.\n"
        "22:07 And lastly, the government is a key stakeholder\\.\n"
    )
    [section] = parse_story(page, "Explorers_IRQ.md").sections
    assert [(p.start, p.text) for p in section.paragraphs] == [
        (None, "First part of the answer."),
        (1327, "And lastly, the government is a key stakeholder."),
    ]


def test_no_markup_leaks_into_headings_or_text():
    for path in sorted(STORIES.glob("*.md")):
        parsed = parse_story(path.read_text("utf-8"), path)
        for section in parsed.sections:
            for text in [section.heading, *(p.text for p in section.paragraphs)]:
                assert not LEAK.search(text), (path.name, section.start, text[:80])


# -- tags and escaping --------------------------------------------------------


def test_tags_attach_to_the_paragraph_below_them():
    section = story("Experimenters_SSD").sections[1]
    first, second = section.paragraphs
    assert first.tags == {
        "principles": ["Trust"],
        "tactics": ["Gaining leverage and traction for solutions"],
        "tools": ["GIS systems"],
        "skills": ["Active listening"],
    }
    assert second.tags == {
        "principles": ["Recognize local expertise"],
        "tactics": ["Creating space for emerging themes"],
        "tools": [],
        "skills": [],
    }
    assert section.tags["principles"] == ["Trust", "Recognize local expertise"]


def test_escaped_markdown_is_unescaped():
    ssd = story("Experimenters_SSD")
    assert ssd.sections[1].heading == "Could you tell me about an R&D activity you'd like to share?"
    assert (
        ssd.sections[1].paragraphs[1].text
        == "Village elders keep the three keys of the box - one key each. Nobody can open it alone."
    )
    assert unescape(r"\*\*\*\*\*\* and 3\.5 \[sic\]") == "****** and 3.5 [sic]"


# -- metadata -----------------------------------------------------------------


def test_metadata_of_a_clean_story():
    ssd = story("Experimenters_SSD")
    assert (ssd.id, ssd.role, ssd.iso3) == ("Experimenters_SSD", "Experimenter", "SSD")
    assert (ssd.country, ssd.continent, ssd.audio_url) == ("South Sudan", "Africa", "https://example.org/a.m4a")
    assert ssd.warnings == []


def test_multi_line_ai_summary_is_joined():
    assert story("Experimenters_SSD").summary == (
        "Jacqueline, head of experimentation in South Sudan, describes how the lab digitised the Sanduk, "
        "a traditional community savings box, with rural savings groups."
    )


def test_quoted_title_and_hash_hash_title_are_cleaned():
    assert story("Experimenters_SSD").title == "Digitising the Sanduk Savings Box in South Sudan"
    assert story("Experimenter_NOA").title == "Reducing Plastic Bags in Eswatini"


def test_missing_audio_and_continent_and_double_type_are_tolerated():
    noa = story("Experimenter_NOA")
    assert (noa.audio_url, noa.continent, noa.country) == (None, "", "Eswatini")
    assert layout(noa) == [(3, "What was your experiment?")]
    assert noa.warnings == []


def test_escaped_audio_url_is_unescaped():
    assert story("Experimenter_ESC").audio_url == "https://example.org/lab-interviews/ESC.mp3"


def test_audio_escaped_inside_a_heading_is_found():
    page = "### \\[\\[audio:https://example\\.org/x\\.mp3\\]\\]\n[[type:story]]\n\n# T\n\n### [[0:01]] Q?\n\nA\\.\n"
    assert read_metadata(page)["audio"] == ["https://example.org/x.mp3"]
    assert parse_story(page, "Experimenter_SDN.md").audio_url == "https://example.org/x.mp3"


def test_javascript_audio_url_is_dropped_with_a_warning():
    jsx = story("Experimenters_JSX")
    assert jsx.audio_url is None
    assert jsx.warnings == ["audio URL 'javascript:alert(1)' is not http(s); dropped"]


@pytest.mark.parametrize(
    "stem, role, iso3",
    [
        ("Experimenters_SSD", "Experimenter", "SSD"),
        ("Experimenter_SWZ", "Experimenter", "SWZ"),
        ("Explorers_GTM", "Explorer", "GTM"),
        ("Explorer_LAO", "Explorer", "LAO"),
        ("SolutionMappers_tgo", "Solutions Mapper", "TGO"),
        ("Notes_LONG", "Notes", ""),
    ],
)
def test_role_and_iso3_from_file_name(stem, role, iso3):
    assert split_stem(stem) == (role, iso3)


# -- pages that are not stories ------------------------------------------------


def test_page_of_another_type_is_refused_with_its_type():
    path = MINI / "other" / "Event_codification_fest.md"
    with pytest.raises(ParseError, match=r"^page type is event, not story$"):
        parse_story(path.read_text("utf-8"), path)


def test_readme_quoting_the_format_in_a_fence_is_not_a_story():
    text = (MINI / "other" / "README.md").read_text("utf-8")
    assert "[[type:story]]" in text
    assert page_type(text) is None
    with pytest.raises(ParseError, match="page type is missing"):
        parse_story(text, "README.md")


def test_story_without_any_text_is_refused():
    with pytest.raises(ParseError, match="no timestamped sections"):
        parse_story("[[type:story]]\n\n# Only a title\n", "Experimenters_NIL.md")
