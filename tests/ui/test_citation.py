"""Citations (ui/citation.py) in plain text, APA and BibTeX for every document type, and the
interviewee they name (index/speakers.py)."""

from __future__ import annotations

import re

import pytest
from hits_support import _peru

from labstories.index.parse import parse_story
from labstories.index.records import Paragraph, Section, Story
from labstories.index.speakers import interviewee
from labstories.index.vocabulary import DOCUMENT_TYPES
from labstories.ui import citation

BASE = "https://labs.example.org/app/"
DOUBLE_STOP = re.compile(r"\.\.|[?!]\.|\.\s+\.")


def _story(*answers: str, headings=(), summary: str = "") -> Story:
    sections = [
        Section(start=i * 10, end=i * 10 + 10, heading=(list(headings) + [""] * 9)[i], paragraphs=[Paragraph(a)])
        for i, a in enumerate(answers)
    ]
    return Story(id="Experimenters_SDN", title="T", summary=summary, sections=sections, countries=["Sudan"])


def _document(type_: str, **changes):
    base = dict(
        type=type_,
        role="",
        story=f"{type_}_page",
        doc=f"{type_}_page",
        link=f"?doc={type_}_page",
        url=f"https://undp.example.org/{type_}" if type_ in ("blog", "publications") else f"?doc={type_}_page",
        year=2022,
        audio_url=None,
        audio_at=None,
        title="Agric Brain Platform.",
        interpolated=False,
    )
    return _peru(**(base | changes))


def test_the_interviewee_is_the_name_they_give_not_the_interviewer():
    assert interviewee(_story("My name is Ali Muntasir and I'm Head of experimentation of the lab.")) == "Ali Muntasir"
    assert interviewee(_story("Hey. Hello.", "I'm doing all right.", "I'm Irfan Anzu. I'm head of exploration.")) == (
        "Irfan Anzu"
    )
    assert interviewee(_story("Hello.", "I'm Hassan Al-Rubaiey, head of solutions mapping.")) == "Hassan Al-Rubaiey"
    # the interviewer introduces themselves in a heading (a question); the answer names nobody
    asked = _story("Thank you.", headings=["So Aki, my name is Hazel and I'm going to ask you"])
    assert interviewee(asked) == ""
    assert interviewee(_story("I'm OK. I am the head of experimentation. I'm Head of Exploration.")) == ""
    assert interviewee(_story("We mapped wells.", summary="Giang, head of experimentation at UNDP Vietnam.")) == "Giang"
    assert interviewee(_story("We mapped wells.", summary="The R&D activity aims to improve incomes.")) == ""
    assert interviewee(_story("My name is <b>x</b> and I'm here.")) == ""  # markup is no name


def test_nearly_every_story_of_the_archive_names_its_interviewee(corpus_dir):
    stories = [parse_story(p.read_text("utf-8"), p) for p in sorted((corpus_dir / "stories").glob("*.md"))]
    named = {story.id: interviewee(story) for story in stories}
    assert named["Experimenter_SDN"] == "Ali Muntasir" and named["SolutionMappers_MWI"] == "Hazel Namadingo-Shaba"
    assert sum(bool(name) for name in named.values()) >= 0.9 * len(stories)
    assert all(re.fullmatch(r"[^\W\d_][\w'’-]*( [^\W\d_][\w'’-]*){0,3}", name) for name in named.values() if name)


def test_a_story_is_cited_by_its_interviewee_role_lab_and_moment():
    hit = _peru(speaker="Maria Veronica Moreno", title="Empowering Migrant Entrepreneurs.")
    link = BASE + "?story=SolutionMappers_PER&t=483"
    assert citation.plain(hit, BASE) == (
        'Maria Veronica Moreno, Solutions Mapper, UNDP Accelerator Lab Peru, "Empowering Migrant Entrepreneurs", '
        f"R&D Archive interview at ~8:03, {link}"
    )
    assert citation.apa(hit, BASE) == (
        "Moreno, M. V. (n.d.). Empowering Migrant Entrepreneurs [Interview; Solutions Mapper, UNDP Accelerator "
        f"Lab Peru; at about 8:03]. UNDP Accelerator Labs R&D Archive. {link}"
    )
    assert citation.bibtex(hit, BASE) == (
        "@misc{moreno_solutionmappers_per_483,\n"
        "  author = {Moreno, Maria Veronica},\n"
        "  title = {{Empowering Migrant Entrepreneurs}},\n"
        "  howpublished = {Interview, UNDP Accelerator Labs R\\&D Archive},\n"
        "  note = {Solutions Mapper, UNDP Accelerator Lab Peru; at about 8:03},\n"
        f"  url = {{{link}}}\n"
        "}"
    )


def test_without_a_name_the_lab_is_the_author():
    hit = _peru(interpolated=False)
    assert citation.plain(hit).startswith('Solutions Mapper, UNDP Accelerator Lab Peru, "Empowering')
    assert citation.plain(hit).endswith("interview at 8:03, ?story=SolutionMappers_PER&t=483")
    assert citation.apa(hit).startswith(
        "UNDP Accelerator Lab Peru. (n.d.). Empowering Migrant Entrepreneurs [Interview"
    )
    assert "author = {{UNDP Accelerator Lab Peru}}" in citation.bibtex(hit)


@pytest.mark.parametrize("type_", [t.name for t in DOCUMENT_TYPES])
@pytest.mark.parametrize("title", ["Why do wells fail?", "Wells fail.", "Wells fail!", "Wells fail...", "Wells"])
@pytest.mark.parametrize("speaker", ["", "Jr. Smith A."])
def test_no_form_has_a_double_stop_for_any_type_or_title(type_, title, speaker):
    hit = _document(type_, title=title) if type_ != "story" else _peru(title=title, speaker=speaker)
    for label, text in citation.forms(hit, BASE):
        assert not DOUBLE_STOP.search(text.replace(BASE, "")), (label, text)
        assert "None" not in text and "()" not in text, (label, text)


@pytest.mark.parametrize("type_", [t.name for t in DOCUMENT_TYPES if t.name != "story"])
def test_every_document_type_is_cited_by_lab_type_year_and_page(type_):
    hit = _document(type_)
    label = next(t.label for t in DOCUMENT_TYPES if t.name == type_)
    page = f"https://undp.example.org/{type_}" if type_ in ("blog", "publications") else BASE + f"?doc={type_}_page"
    assert citation.plain(hit, BASE) == (
        f'UNDP Accelerator Lab Peru, "Agric Brain Platform", {label.lower()} (2022), '
        f"UNDP Accelerator Labs R&D Archive, {page}"
    )
    assert citation.apa(hit, BASE) == (
        f"UNDP Accelerator Lab Peru. (2022). Agric Brain Platform [{label}]. UNDP Accelerator Labs R&D Archive. {page}"
    )
    entry = citation.bibtex(hit, BASE)
    assert f"howpublished = {{{label}, UNDP Accelerator Labs R\\&D Archive}}" in entry
    assert "year = {2022}" in entry and f"url = {{{page}}}" in entry and "note" not in entry
    nowhere = citation.plain(_document(type_, country="", year=None), BASE)
    assert nowhere.startswith('UNDP Accelerator Labs, "Agric Brain Platform", ') and "(None)" not in nowhere


def test_bibtex_escapes_every_special_character_and_keeps_the_key_plain():
    hit = _peru(
        speaker="José Ñúñez",
        title="100% {new} & $cheap_ #1 ^~ back\\slash",
        link="?story=Odd_Id&t=1",
        story="Odd id é!",
        doc="Odd id é!",
    )
    entry = citation.bibtex(hit, "https://x.org/app/")
    key = re.match(r"@misc\{([^,]*),\n", entry).group(1)
    assert re.fullmatch(r"[a-z0-9_]+", key) and key.startswith("nunez_odd_id_e_")
    assert (
        "title = {{100\\% \\{new\\} \\& \\$cheap\\_ \\#1 \\^{}\\textasciitilde{} back\\textbackslash{}slash}}" in entry
    )
    assert "url = {https://x.org/app/?story=Odd_Id&t=1}" in entry
    blog = citation.bibtex(_document("blog", url="https://x.org/a{b}\\c%41"), BASE)
    assert "url = {https://x.org/a%7Bb%7D%5Cc%41}" in blog  # nothing in a URL can end the field
    body = re.sub(r"\\[{}]", "", entry)  # escaped braces aside, every brace is paired
    depth = 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_the_card_offers_the_three_forms_each_with_its_own_clip():
    from labstories.rag.answer import Answer, StoryGroup
    from labstories.rag.records import Filters
    from labstories.ui import render

    hit = _peru(speaker="Gabriel <b>Lamma</b>", title='Migrants "&" <script>x</script>')
    markup = render.answer_html(Answer("q", Filters(), [StoryGroup(1, [hit])], 1, 1, 1, 1, set()), BASE)
    menu = markup[markup.index('<details class="ls-cite-menu">') :]
    menu = menu[: menu.index("</details>")]
    assert [label for label in re.findall(r'<a class="ls-cite"[^>]*>([^<]*)</a>', menu)] == list(citation.FORMS)
    assert len(re.findall(r'</a><span class="ls-clip">', menu)) == 3  # each link is followed by its clip
    assert "<script>" not in menu and "<b>" not in menu and "&lt;script&gt;" in menu
    assert "@misc&#123;" in menu and "&#10;" in menu  # the BibTeX entry keeps its lines (braces encoded, ui.render)
