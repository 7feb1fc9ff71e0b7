"""Pure functions against hand-computed values: fusion, metrics, links, filters, settings."""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from labstories.index import Settings, SettingsError
from labstories.rag import (
    EvalFileError,
    Filters,
    Question,
    answer_link,
    audio_at,
    filters_from_params,
    read_questions,
    score,
    story_link,
)
from labstories.rag.evaluate import mrr, ndcg, recall, section_of
from labstories.rag.filters import FilterError, chroma_where, resolve
from labstories.rag.fusion import best_per_group, reciprocal_rank_fusion
from labstories.ui.display import clock

# -- fusion ------------------------------------------------------------------------


def test_rrf_hand_computed():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], smoothing=60)
    assert [key for key, _ in fused] == ["b", "c", "a", "d"]
    expected = {"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 63 + 1 / 62, "d": 1 / 63}
    assert dict(fused) == pytest.approx(expected)


def test_rrf_weights_and_small_k():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], smoothing=1, weights=[2.0, 1.0])
    assert [key for key, _ in fused] == ["b", "a", "c", "d"]
    assert [score for _, score in fused] == pytest.approx([2 / 3 + 1 / 2, 1.0, 2 / 4 + 1 / 3, 1 / 4])


def test_rrf_ties_keep_first_appearance_and_empty_lists():
    assert [key for key, _ in reciprocal_rank_fusion([["x", "y"], ["y", "x"]])] == ["x", "y"]
    assert reciprocal_rank_fusion([[], []]) == []
    assert reciprocal_rank_fusion([["only"], []]) == [("only", pytest.approx(1 / 61))]


def test_best_per_group_keeps_each_groups_best_item():
    scored = [("A@0#1", 0.5), ("B@9#0", 0.9), ("A@0#0", 0.7), ("A@30#0", 0.1)]
    grouped = best_per_group(scored, lambda item: item.split("#")[0])
    assert grouped == [("B@9", "B@9#0", 0.9), ("A@0", "A@0#0", 0.7), ("A@30", "A@30#0", 0.1)]


# -- evaluation metrics ---------------------------------------------------------------

RELEVANT = {"s1": 2, "s2": 1, "s3": 2}


def test_ndcg_hand_computed():
    # gains 2^g - 1: s1 → 3, x → 0, s2 → 1; ideal 3, 3, 1
    dcg = 3 / 1 + 0 + 1 / math.log2(4)
    idcg = 3 / 1 + 3 / math.log2(3) + 1 / math.log2(4)
    assert ndcg(["s1", "x", "s2"], RELEVANT) == pytest.approx(dcg / idcg) == pytest.approx(0.649015, abs=1e-6)
    assert ndcg(["s1", "s3", "s2"], RELEVANT) == pytest.approx(1.0)
    assert ndcg(["x", "y"], RELEVANT) == 0.0
    assert ndcg(["s1"], {}) == 0.0


def test_ndcg_cuts_at_k():
    ranked = ["x"] * 10 + ["s1"]
    assert ndcg(ranked, RELEVANT, depth=10) == 0.0
    assert ndcg(ranked, RELEVANT, depth=11) == pytest.approx((3 / math.log2(12)) / (3 + 3 / math.log2(3) + 0.5))


def test_ndcg_never_exceeds_one_when_a_section_repeats():
    assert ndcg(["s1", "s1"], {"s1": 2}) <= 1.0


def test_recall_and_mrr_hand_computed():
    assert recall(["s1", "x", "s2"], RELEVANT) == pytest.approx(2 / 3)
    assert recall(["s1", "s1", "s1"], RELEVANT) == pytest.approx(1 / 3)
    assert recall(["x"], {"s1": 0}) == 0.0
    assert mrr(["s1", "x"], RELEVANT) == 1.0
    assert mrr(["x", "y", "s2"], RELEVANT) == pytest.approx(1 / 3)
    assert mrr(["x"] * 10 + ["s1"], RELEVANT) == 0.0
    assert mrr(["x", "s1"], {"x": 0, "s1": 1}) == 0.5


def test_section_of_maps_a_start_to_its_section():
    starts = {"A": [0, 30, 90]}
    assert [section_of("A", t, starts) for t in (0, 29, 30, 45, 90, 500)] == [
        "A@0",
        "A@0",
        "A@30",
        "A@30",
        "A@90",
        "A@90",
    ]
    assert section_of("B", 12, starts) == "B@12"


def test_score_means_per_kind():
    questions = [
        Question("q1", "?", kind="topical", relevant={"s1": 2}),
        Question("q2", "?", kind="topical", relevant={"s2": 1}),
        Question("q3", "?", kind="known_item", relevant={"s3": 1}),
    ]
    scores = score(questions, {"q1": ["s1"], "q2": ["x", "s2"], "q3": []})
    assert scores.counts == {"all": 3, "topical": 2, "known_item": 1}
    assert scores.per_question["q2"] == pytest.approx({"ndcg": 1 / math.log2(3), "recall": 1.0, "mrr": 0.5})
    assert scores.rows["topical"] == pytest.approx({"ndcg": (1 + 1 / math.log2(3)) / 2, "recall": 1.0, "mrr": 0.75})
    assert scores.rows["known_item"] == {"ndcg": 0.0, "recall": 0.0, "mrr": 0.0}
    assert scores.rows["all"]["mrr"] == pytest.approx(0.5)


def test_read_questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "a", "question": "trust?", "filters": {"principles": "Trust"}, "relevant": {"S@1": "2"}}\n'
        '\n{"question": "second"}\n',
        "utf-8",
    )
    first, second = read_questions(path)
    assert (first.id, first.question, first.filters, first.relevant) == (
        "a",
        "trust?",
        {"principles": "Trust"},
        {"S@1": 2},
    )
    assert (second.id, second.question, second.filters) == ("3", "second", {})


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "a"}', "line 1: missing field 'question'"),
        ("not json", r"line 1: not valid JSON \(Expecting value at column 1\)"),
        ('{"question": "q", "filters": {"colour": "red"}}', "line 1: unknown filter kind colour"),
    ],
)
def test_read_questions_names_the_bad_line(tmp_path, line, message):
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n", "utf-8")
    with pytest.raises(EvalFileError, match=message):
        read_questions(path)


# -- links -----------------------------------------------------------------------------


def test_audio_at():
    assert audio_at("https://example.org/a.m4a", 33) == "https://example.org/a.m4a#t=33"
    assert audio_at("https://example.org/a.m4a#t=5", 447.9) == "https://example.org/a.m4a#t=447"
    assert audio_at(None, 3) is None
    assert audio_at("javascript:alert(1)", 3) is None
    assert audio_at("file:///etc/passwd", 3) is None


def test_story_link():
    assert story_link("Experimenters_SSD", 33) == "?story=Experimenters_SSD&t=33"
    assert story_link("Experimenters_SSD", 0) == "?story=Experimenters_SSD&t=0"
    assert story_link("Experimenters_SSD") == "?story=Experimenters_SSD"


def test_answer_link_exact():
    link = answer_link("how did labs build trust?", Filters(principles=["Trust", "Empathy"], country=["Peru"]))
    assert link == "?q=how+did+labs+build+trust%3F&principle=Trust&principle=Empathy&country=Peru"
    assert answer_link("", Filters(role=["Explorer"])) == "?role=Explorer"


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(principles=["Trust", "Recognize local expertise"], tactics=["Desiging the pipelines"]),
        Filters(
            tools=["A_B testing"],
            skills=["Active listening"],
            country=["Côte d'Ivoire"],
            continent=["South America", "Asia"],
            role=["Solutions Mapper"],
        ),
        Filters(tactics=["Q&A sessions = 50% #1"]),
    ],
)
def test_answer_link_round_trips_through_filters_from_params(filters):
    link = answer_link("q & a?", filters)
    params = parse_qs(urlsplit(link).query)
    assert params.pop("q") == ["q & a?"]
    assert filters_from_params(params) == filters


def test_filters_from_params_ignores_unknown_names():
    assert filters_from_params({"principle": ["Trust"], "utm_source": ["x"]}) == Filters(principles=["Trust"])


# -- filters -----------------------------------------------------------------------------


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


def test_each_interface_words_a_filter_error_for_its_reader():
    """The library's error carries data; the CLI adds the command to run, the page does not."""
    from labstories.ui.messages import for_cli, for_web

    unknown = FilterError("country", "Zzzz", [], 2)
    assert for_cli(unknown) == "unknown country value 'Zzzz'; see `labstories facets` for the 2 values"
    assert "labstories" not in for_web(unknown) and "Zzzz" in for_web(unknown)
    close = FilterError("role", "Explorr", ["Explorer"], 3)
    assert for_cli(close) == "unknown role value 'Explorr'; closest: Explorer"
    assert for_web(close) == "No passage has the lab role “Explorr”; closest: Explorer."


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


def test_clock():
    assert [clock(s) for s in (0, 7, 132, 3725, None)] == ["0:00", "0:07", "2:12", "1:02:05", ""]


# -- settings ------------------------------------------------------------------------------


def test_settings_env_then_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("LABSTORIES_K", "5")
    monkeypatch.setenv("LABSTORIES_BATCH_SIZE", "8")
    settings = Settings.load()
    assert (settings.k, settings.batch_size, settings.data_dir) == (5, 8, tmp_path / "labstories-data")
    assert Settings.load(k=7, data_dir=str(tmp_path / "x")).k == 7
    assert Settings.load(k=None).k == 5
    assert Settings.load(data_dir="~/idx").data_dir == Path("~/idx").expanduser()


def test_concurrency_setting(monkeypatch):
    assert Settings.load().concurrency == 4  # the measured choice for a 2-core machine (README)
    monkeypatch.setenv("LABSTORIES_CONCURRENCY", "6")
    assert Settings.load().concurrency == 6
    assert Settings.load(concurrency=3).concurrency == 3


@pytest.mark.parametrize(
    "env, value, message",
    [
        ("LABSTORIES_K", "ten", "LABSTORIES_K of 'ten' must be a whole number"),
        ("LABSTORIES_K", "0", "LABSTORIES_K of 0 is out of range; use 1 to 1000"),
        ("LABSTORIES_BATCH_SIZE", "0", "LABSTORIES_BATCH_SIZE of 0 is out of range; use 1 to 4096"),
        ("LABSTORIES_PORT", "70000", "LABSTORIES_PORT of 70000 is out of range; use 1 to 65535"),
        (
            "LABSTORIES_CHROMA_URL",
            "ftp://host:1",
            "LABSTORIES_CHROMA_URL of 'ftp://host:1' is not an http(s) address; use http://host:port",
        ),
        ("LABSTORIES_CONCURRENCY", "0", "LABSTORIES_CONCURRENCY of 0 is too small; use at least 1"),
        (
            "LABSTORIES_EMBED_BACKEND",
            "gpu",
            "LABSTORIES_EMBED_BACKEND of 'gpu' is not a backend; use torch or onnx-int8",
        ),
    ],
)
def test_settings_errors(monkeypatch, env, value, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=f"^{message.replace('(', '[(]').replace(')', '[)]')}$"):
        Settings.load()


def test_a_flag_error_names_the_flag():
    with pytest.raises(SettingsError, match=r"^--k of 5000 is out of range; use 1 to 1000$") as raised:
        Settings.load(k="5000")
    assert (raised.value.setting, raised.value.value) == ("k", 5000)


def test_every_setting_is_declared_once_with_its_type():
    from labstories.index.settings import SETTINGS

    kinds = {s.name: s.type for s in SETTINGS}
    assert kinds["k"] is int and kinds["data_dir"] is Path and kinds["chroma_url"] is str
    assert all(s.env.startswith("LABSTORIES_") and s.help.endswith(".") for s in SETTINGS)
    assert Settings() == Settings(**{s.name: s.default for s in SETTINGS})
