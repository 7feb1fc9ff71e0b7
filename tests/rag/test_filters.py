"""Filters (rag/filters.py and the Filters record): Chroma ``where`` clauses, values resolved against
the index's facets, the record built from a mapping, and what dropping each filter would give."""

from __future__ import annotations

import pytest

from labstories.index.records import TAG_KINDS
from labstories.rag import Filters
from labstories.rag.filters import FilterError, chroma_where, passage_mask, resolve


@pytest.mark.parametrize(
    "filters, where",
    [
        (Filters(), None),
        (Filters(principles=["Trust"]), {"principles": {"$contains": "Trust"}}),
        (Filters(country=["Peru"]), {"country": {"$contains": "Peru"}}),
        (
            Filters(tools=["GIS systems", "ArcGIS"]),
            {"$or": [{"tools": {"$contains": "GIS systems"}}, {"tools": {"$contains": "ArcGIS"}}]},
        ),
        (
            Filters(principles=["Trust"], continent=["Africa", "Asia"]),
            {
                "$and": [
                    {"principles": {"$contains": "Trust"}},
                    {"$or": [{"continent": {"$contains": "Africa"}}, {"continent": {"$contains": "Asia"}}]},
                ]
            },
        ),
    ],
)
def test_chroma_where_shapes(filters, where):
    assert chroma_where(filters) == where


FACETS = {"principles": {"Trust": 5, "Recognize local expertise": 9, "Curiosity": 2}, "country": {"Peru": 1, "Togo": 1}}


def test_resolve_canonicalises_case_and_drops_duplicates():
    resolved = resolve(Filters(principles=["trust", "TRUST", "curiosity"], country=["togo"]), FACETS)
    assert resolved == Filters(principles=["Trust", "Curiosity"], country=["Togo"])


def test_resolve_unknown_value_lists_close_values():
    with pytest.raises(FilterError, match=r"^unknown principles value 'Trus'; closest: Trust$"):
        resolve(Filters(principles=["Trus"]), FACETS)
    with pytest.raises(FilterError, match=r"^unknown country value 'Zzzz'$") as raised:
        resolve(Filters(country=["Zzzz"]), FACETS)
    assert (raised.value.kind, raised.value.value, raised.value.closest, raised.value.known) == (
        "country",
        "Zzzz",
        [],
        2,
    )
    with pytest.raises(FilterError, match="unknown tools value 'GIS'"):
        resolve(Filters(tools=["GIS"]), FACETS)


def test_filters_from_dict():
    assert Filters.from_dict({"principles": "Trust", "country": [" Peru ", ""]}) == Filters(
        principles=["Trust"], country=["Peru"]
    )
    assert Filters.from_dict(None) == Filters()
    assert not Filters() and Filters(role=["Explorer"])
    assert (
        Filters(principles=["Trust", "Curiosity"], country=["Peru"]).describe()
        == "principles: Trust or Curiosity; country: Peru"
    )
    with pytest.raises(FilterError, match="unknown filter kind colour"):
        Filters.from_dict({"colour": "red"})


def test_relaxations_count_what_dropping_each_filter_gives(mini_index):
    filters = mini_index.resolve(Filters(country=["Eswatini"], principles=["Trust"]))
    found = {r.kind: r for r in mini_index.relaxations(filters)}
    passages, stories = mini_index.state.passages, mini_index.state.stories
    for kind, other in (("country", Filters(principles=["Trust"])), ("principles", Filters(country=["Eswatini"]))):
        keep = passage_mask(other, passages, stories)
        assert found[kind].passages == int(keep.sum())
        values = [
            v
            for p, k in zip(passages, keep)
            if k
            for v in (p.tags[kind] if kind in TAG_KINDS else [stories[p.doc].country])
        ]
        best = sorted({v: values.count(v) for v in values}.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert found[kind].alternatives == best
