"""One answer for every interface (rag/answer.py): hits grouped by story, a page of five labs, and what
the answer is about."""

from __future__ import annotations

from labstories.rag.answer import group_by_story, page_of
from labstories.rag.records import Filters, Hit


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
