"""Answers a practitioner can use, without a browser: moments, grouping, Markdown and citations,
weak-match decisions and the CLI flags."""

from __future__ import annotations

import pytest

from labstories.index.passages import Chunking, section_passages
from labstories.index.records import Paragraph, Passage, Section, Story
from labstories.rag import StoryIndex
from labstories.rag.answer import group_by_story, page_of
from labstories.rag.links import absolute, base_url
from labstories.rag.moments import moment, speaking_rate
from labstories.rag.records import Filters, Hit
from labstories.rag.strength import best_cosine, is_strong
from labstories.ui import cli, markdown


def _words(first: str, n: int = 20) -> str:
    """A sentence of exactly ``n`` words."""
    return " ".join([first] + ["x"] * (n - 2) + ["end."])


def _count(texts: list[str]) -> list[int]:
    return [len(text.split()) for text in texts]


def _passage(**fields) -> Passage:
    base = dict(id="S@60#0", doc="S", section_start=60, start=60, text="t", embed_text="t", keyword_text="t")
    return Passage(**(base | fields))


# -- the exact moment ------------------------------------------------------------------------
def test_passages_record_their_words_from_the_last_known_time():
    section = Section(
        60,
        160,
        "What happened?",
        [
            Paragraph(_words("Alpha") + " " + _words("Bravo")),
            Paragraph(_words("Charlie")),
            Paragraph(_words("Delta"), start=120),
        ],
    )
    story = Story(
        id="S",
        title="Title",
        countries=["Peru"],
        continents=["South America"],
        role="Explorer",
        iso3="PER",
        sections=[section],
    )
    passages = section_passages(story, section, _count, Chunking(window_tokens=32, overlap_tokens=0))
    got = [(p.text.split()[0], p.start, p.words_before, p.span_words, p.span_end) for p in passages]
    assert got == [
        ("Alpha", 60, 0, 60, 120),
        ("Bravo", 60, 20, 60, 120),
        ("Charlie", 60, 40, 60, 120),
        ("Delta", 120, 0, 20, 160),
    ]


def test_moment_is_interpolated_by_words_and_backed_off():
    # 60 + 20/60 × (120 − 60) − 3 = 77
    assert moment(_passage(words_before=20, span_words=60, span_end=120), rate=2.5) == (77, True)
    # 60 + 300/450 × 300 − 3 = 257
    assert moment(_passage(words_before=300, span_words=450, span_end=360), rate=2.5) == (257, True)
    # the last section: 100 + 50 / 2.5 − 3 = 117
    assert moment(_passage(start=100, words_before=50, span_words=80, span_end=None), rate=2.5) == (117, True)
    # never before the known time, and a passage that opens its span plays from it
    assert moment(_passage(words_before=1, span_words=450, span_end=360), rate=2.5) == (60, False)
    assert moment(_passage(words_before=0, span_words=450, span_end=360), rate=2.5) == (60, False)
    # always inside the span
    assert moment(_passage(words_before=449, span_words=450, span_end=70), rate=2.5, back_off=0) == (69, True)


def test_speaking_rate_median_and_quartiles():
    def story(*sections):
        return Story(id="S", title="t", sections=list(sections))

    sections = [Section(0, 10, "q", [Paragraph(" ".join(["w"] * n))]) for n in (10, 20, 30, 40, 50)]
    rate = speaking_rate([story(*sections, Section(50, None, "", [Paragraph("w w")]))])
    assert (rate.median, rate.sections) == (3.0, 5)  # words per second 1, 2, 3, 4, 5; the last section has no end
    assert rate.q1 < rate.median < rate.q3


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


# -- many labs at a glance -------------------------------------------------------------------
def _hit(story: str, country: str, rank: int) -> Hit:
    return Hit(
        story,
        f"title {story}",
        "Explorer",
        country,
        "Europe",
        f"{story}@{rank}",
        rank,
        None,
        "",
        "x",
        "x",
        {"principles": ["Trust"] if rank % 2 else ["Empathy"], "tactics": []},
        1.0 - rank / 100,
        None,
        None,
        f"?story={story}&t={rank}",
    )


def test_group_by_story_keeps_ranking_and_folds_up_to_two_more_moments():
    hits = [
        _hit("A", "Peru", 1),
        _hit("B", "Chile", 2),
        _hit("A", "Peru", 3),
        _hit("C", "Peru", 4),
        _hit("A", "Peru", 5),
        _hit("A", "Peru", 6),
        _hit("D", "Togo", 7),
    ]
    groups = group_by_story(hits)
    assert [(g.rank, g.best.story, [h.start for h in g.hits]) for g in groups] == [
        (1, "A", [1, 3, 5]),
        (2, "B", [2]),
        (3, "C", [4]),
        (4, "D", [7]),
    ]
    assert [h.start for h in groups[0].more] == [3, 5]


def test_a_page_holds_five_labs():
    hits = [
        _hit(f"S{i}", country, i)
        for i, country in enumerate(["Peru", "Peru", "Chile", "Togo", "Chile", "Mali", "Fiji", "Laos", "Iraq"])
    ]
    groups = group_by_story(hits)
    first = page_of(groups)
    assert [g.best.country for g in first] == ["Peru", "Peru", "Chile", "Togo", "Chile", "Mali", "Fiji"]
    assert len({g.lab for g in first}) == 5
    assert [g.best.country for g in page_of(groups, len(first))] == ["Laos", "Iraq"]
    assert page_of(groups, len(groups)) == []


def test_about_counts_principles_and_tactics():
    from labstories.rag import links
    from labstories.rag.answer import about

    hits = [_hit("A", "Peru", 1), _hit("B", "Chile", 2), _hit("C", "Togo", 3)]
    assert about(hits) == [("principles", "Trust", 2), ("principles", "Empathy", 1)]
    narrowed = Filters(country=["Peru"]).add("principles", "Trust")
    assert links.answer_link("q", narrowed) == "?q=q&principle=Trust&country=Peru"


# -- easy to take away ----------------------------------------------------------------------
def _peru(**changes) -> Hit:
    base = dict(
        story="SolutionMappers_PER",
        title="Empowering Migrant Entrepreneurs",
        role="Solutions Mapper",
        country="Peru",
        continent="South America",
        section="SolutionMappers_PER@420",
        start=420,
        end=600,
        heading="How did you work with migrants?",
        text="We met migrant\nentrepreneurs every week.",
        snippet="We met migrant entrepreneurs",
        tags={},
        score=1.0,
        audio_url="https://example.org/per.mp3",
        audio_at="https://example.org/per.mp3#t=483",
        link="?story=SolutionMappers_PER&t=483",
        at=483,
        interpolated=True,
    )
    return Hit(**(base | changes))


def test_citation():
    assert markdown.citation(_peru(), "https://labs.example.org/app") == (
        'UNDP Accelerator Lab Peru (Solutions Mapper), "Empowering Migrant Entrepreneurs", '
        "R&D Archive interview at ~8:03, https://labs.example.org/app?story=SolutionMappers_PER&t=483"
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


def test_absolute_links_only_against_web_addresses():
    assert base_url("http://127.0.0.1:7860/?q=x#frag") == "http://127.0.0.1:7860/"
    assert absolute("?story=S&t=3", "https://h.org/labs") == "https://h.org/labs?story=S&t=3"
    assert absolute("?story=S&t=3", "javascript:alert(1)") == "?story=S&t=3"
    assert absolute("?story=S&t=3", "") == "?story=S&t=3"


# -- honest about weak matches ---------------------------------------------------------------
def test_strength_uses_the_best_cosine_of_the_top_three():
    hits = [_peru(cosine=0.1), _peru(cosine=None), _peru(cosine=0.5), _peru(cosine=0.9)]
    assert best_cosine(hits) == 0.5
    assert is_strong(hits, 0.5) and not is_strong(hits, 0.51) and not is_strong([], 0.0)


# -- the CLI ---------------------------------------------------------------------------------
@pytest.fixture
def mini(mini_settings, embedder, monkeypatch):
    monkeypatch.setattr(cli, "_open_index", lambda settings: StoryIndex.open(settings, embedder=embedder))
    return str(mini_settings[0].data_dir)


def test_cli_by_story(capsys, mini):
    code = cli.main(["search", "savings box keys", "--by-story", "--k", "6", "--data-dir", mini])
    out = capsys.readouterr().out
    assert code == 0 and " (" in out.splitlines()[0] and "lab" in out.splitlines()[0]
    assert (
        "1. Digitising the Sanduk Savings Box in South Sudan\n   UNDP Accelerator Lab South Sudan · Experimenter" in out
    )
    assert out.count("Digitising the Sanduk Savings Box") == 1  # the story once, its moments under it


def test_cli_markdown_with_and_without_public_url(capsys, mini, monkeypatch):
    cli.main(["search", "savings box keys", "--format", "markdown", "--by-story", "--k", "3", "--data-dir", mini])
    relative = capsys.readouterr().out
    assert relative.startswith("## savings box keys\n") and "](?story=Experimenters_SSD&t=" in relative
    monkeypatch.setenv("LABSTORIES_PUBLIC_URL", "https://labs.example.org/")
    cli.main(["search", "savings box keys", "--format", "markdown", "--k", "3", "--data-dir", mini])
    assert "](https://labs.example.org/?story=Experimenters_SSD&t=" in capsys.readouterr().out
    code = cli.main(["search", "x", "--public-url", "ftp://nope", "--data-dir", mini])
    assert code == 2 and "--public-url of 'ftp://nope' is not an http(s) address" in capsys.readouterr().err
