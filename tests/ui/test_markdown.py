"""Answers and passages as Markdown and citations (ui/markdown.py), to paste into a report."""

from __future__ import annotations

from hits_support import _peru

from labstories.rag.answer import group_by_story
from labstories.rag.records import Filters
from labstories.ui import markdown


def test_citation():
    assert markdown.citation(_peru(), "https://labs.example.org/app") == (
        'Solutions Mapper, UNDP Accelerator Lab Peru, "Empowering Migrant Entrepreneurs", '
        "R&D Archive interview at ~8:03, https://labs.example.org/app?story=SolutionMappers_PER&t=483"
    )
    assert markdown.citation(_peru(speaker="Gabriel Lamma"), "").startswith(
        'Gabriel Lamma, Solutions Mapper, UNDP Accelerator Lab Peru, "Empowering'
    )
    assert markdown.citation(_peru(interpolated=False), "").endswith(
        "interview at 8:03, ?story=SolutionMappers_PER&t=483"
    )


def test_answer_markdown_has_question_filters_and_every_link():
    hits = [_peru(), _peru(at=500, link="?story=SolutionMappers_PER&t=500", text="Second moment.")]
    text = markdown.answer_markdown(
        "belonging with migrants?", Filters(country=["Peru"]), group_by_story(hits), "http://127.0.0.1:7860/"
    )
    assert text.startswith(
        "## belonging with migrants?\n\nFilters: country Peru  \n"
        "Answer: http://127.0.0.1:7860/?q=belonging+with+migrants%3F&country=Peru\n"
    )
    assert (
        "### 1. UNDP Accelerator Lab Peru — Empowering Migrant Entrepreneurs\nSolutions Mapper · Peru, South America"
        in text
    )
    assert (
        "- [▶ ~8:03](https://example.org/per.mp3#t=483) · [open in labstories](http://127.0.0.1:7860/?story=SolutionMappers_PER&t=483)"
        in text
    )
    assert (
        "(https://example.org/per.mp3#t=500)" in text
        and "(http://127.0.0.1:7860/?story=SolutionMappers_PER&t=500)" in text
    )
    assert "  > We met migrant entrepreneurs every week." in text  # one quoted line
    no_audio = markdown.answer_markdown("q", Filters(), group_by_story([_peru(audio_url=None)]))
    assert "- ~8:03 (no recording) · [open in labstories](?story=SolutionMappers_PER&t=483)" in no_audio


def test_answer_markdown_says_what_it_lists_and_tags_each_passage():
    tagged = _peru(tags={"principles": ["Trust", "Empathy"], "tactics": [], "tools": ["Design"], "skills": []})
    text = markdown.answer_markdown(
        "q", Filters(), group_by_story([tagged, _peru(at=500)]), count="2 passages from 1 story (1 lab)"
    )
    assert text.startswith("## q\n\n2 passages from 1 story (1 lab)  \nFilters: none  \nAnswer: ?q=q\n")
    assert "  > We met migrant entrepreneurs every week.\n\n  principles: Trust, Empathy · tools: Design\n" in text
    assert text.count("principles:") == 1  # an untagged passage has no tag line
