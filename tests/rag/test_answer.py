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


def _doc(doc: str, type_: str, country: str, rank: int) -> Hit:
    hit = _hit(doc, country, rank)
    hit.type = type_
    return hit


def test_a_document_other_than_a_story_is_shown_once_with_its_best_passage():
    hits = [_doc("sol", "solution", "Peru", 1), _hit("A", "Peru", 2), _doc("sol", "solution", "Peru", 3)]
    hits += [_hit("A", "Peru", 4), _doc("exp", "experiment", "Chile", 5), _doc("exp", "experiment", "Chile", 6)]
    groups = group_by_story(hits)
    assert [(g.best.story, [h.start for h in g.hits]) for g in groups] == [
        ("sol", [1]),
        ("A", [2, 4]),  # a story keeps its moments
        ("exp", [5]),
    ]


def test_the_first_page_holds_the_best_document_of_every_type_and_no_page_repeats_one():
    from labstories.rag.answer import promote_types

    countries = ["Peru", "Chile", "Togo", "Mali", "Fiji", "Laos", "Iraq", "Oman", "Cuba", "Chad"]
    hits = [_hit(f"S{i}", c, i) for i, c in enumerate(countries[:7])]
    hits += [
        _doc("blog1", "blog", "Peru", 20),
        _doc("sol1", "solution", "Chile", 21),
        _doc("blog2", "blog", "Togo", 22),
    ]
    hits += [_hit("S9", "Cuba", 23), _doc("sol2", "solution", "Chad", 24)]
    ordered = promote_types(group_by_story(hits))
    first = page_of(ordered)
    assert [g.best.story for g in first] == ["S0", "S1", "S2", "S3", "S4", "blog1", "sol1"]
    rest = page_of(ordered, len(first))
    assert [g.best.story for g in rest] == ["S5", "S6", "blog2", "S9", "sol2"]
    assert not {g.best.story for g in first} & {g.best.story for g in rest}
    # An answer of stories only is paged as before.
    stories = group_by_story([_hit(f"S{i}", c, i) for i, c in enumerate(countries)])
    assert [g.best.story for g in page_of(promote_types(stories))] == ["S0", "S1", "S2", "S3", "S4"]
