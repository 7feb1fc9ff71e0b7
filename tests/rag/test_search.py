"""Search (rag/search.py) on the mini corpus index: filters on both sides, links, one hit per
section, an oracle test of the dense side against brute-force cosine, and how many
candidates are drawn and where filters apply as an archive grows."""

from __future__ import annotations

import numpy as np
import pytest

from labstories.index.records import TAG_KINDS
from labstories.rag import FilterError, Filters, QueryError, RetrievalConfig
from labstories.rag.filters import chroma_where, passage_mask

ALL = 1000  # larger than the mini corpus, so every matching section comes back


def matching_sections(index, filters: Filters) -> set[str]:
    """Brute force: sections with a passage satisfying every kind (any value within a kind)."""
    found = set()
    for p in index.state.passages:
        story = index.state.stories[p.doc]
        ok = all(
            set(values) & set(p.tags[kind]) if kind in TAG_KINDS else getattr(story, kind) in values
            for kind, values in filters.items()
        )
        if ok:
            found.add(f"{p.doc}@{p.section_start}")
    return found


@pytest.mark.parametrize(
    "filters, expected",
    [
        (
            Filters(principles=["Trust"]),
            {"Experimenters_SSD@33", "Experimenters_OPN@766", "SolutionMappers_STR@430", "SolutionMappers_TGO@586"},
        ),
        (
            Filters(principles=["Trust", "Recognize and promote agency"]),
            {
                "Experimenters_SSD@33",
                "Experimenters_OPN@766",
                "SolutionMappers_STR@430",
                "SolutionMappers_TGO@586",
                "Experimenters_TRI@444",
            },
        ),
        (Filters(principles=["Trust"], country=["Togo"]), {"SolutionMappers_TGO@586"}),
        (
            Filters(skills=["Active listening"], continent=["Africa"]),
            {"Experimenters_SSD@33", "Experimenters_SSD@135", "Explorers_ONE@386"},
        ),
        (Filters(role=["Explorer"]), {"Explorers_NCL@5", "Explorers_NCL@160", "Explorers_ONE@5", "Explorers_ONE@386"}),
        (Filters(continent=["Asia", "Europe"], tools=["GIS systems"]), {"Experimenters_LNG@60"}),
    ],
)
def test_filters_return_exactly_the_matching_sections(mini_index, filters, expected):
    assert matching_sections(mini_index, filters) == expected
    hits = mini_index.search("how did the lab work with the community?", filters, k=ALL)
    assert {h.section for h in hits} == expected
    for hit in hits:
        for kind, values in filters.items():
            held = hit.tags[kind] if kind in TAG_KINDS else [getattr(hit, kind)]
            assert set(held) & set(values), (hit.section, kind)


def test_filters_hold_on_the_dense_side(mini_index, embedder):
    filters = Filters(principles=["Trust"], continent=["Africa"])
    vector = embedder.encode(["savings"])[0].tolist()
    result = mini_index.vectors.collection.query(
        query_embeddings=[vector], n_results=50, where=chroma_where(filters), include=["metadatas"]
    )
    metas = result["metadatas"][0]
    assert {f"{m['doc']}@{m['section']}" for m in metas} == {"Experimenters_SSD@33", "SolutionMappers_TGO@586"}
    assert all("Trust" in m["principles"] and m["continent"] == ["Africa"] for m in metas)


def test_filters_hold_on_the_keyword_side(mini_index):
    filters = Filters(country=["Indonesia"])
    mask = passage_mask(filters, mini_index.state.passages, mini_index.state.documents)
    assert {p.doc for p, keep in zip(mini_index.state.passages, mask) if keep} == {"Experimenters_LNG"}
    # "Sanduk" only occurs in South Sudan; filtered to Indonesia it must not match anything by keyword
    hits = mini_index.search("Sanduk", filters, k=ALL)
    assert all(h.story == "Experimenters_LNG" for h in hits)


def test_filter_values_are_case_insensitive_and_unknown_values_suggest(mini_index):
    hits = mini_index.search("birth registry", Filters(country=["togo"], principles=["TRUST"]), k=5)
    assert [h.section for h in hits] == ["SolutionMappers_TGO@586"]
    with pytest.raises(FilterError, match=r"unknown principles value 'Trus'; closest: Trust"):
        mini_index.search("birth registry", Filters(principles=["Trus"]))


def test_filter_with_no_matching_passage_returns_nothing(mini_index):
    assert mini_index.search("anything", Filters(country=["Eswatini"], principles=["Trust"])) == []


def test_hits_carry_audio_link_and_deep_link(mini_index):
    [hit] = mini_index.search("Sanduk wooden box savings", Filters(country=["South Sudan"]), k=1)
    assert (hit.section, hit.start, hit.end) == ("Experimenters_SSD@33", 33, 135)
    assert hit.audio_url == "https://example.org/a.m4a"
    assert hit.audio_at == "https://example.org/a.m4a#t=33"
    assert hit.link == "?story=Experimenters_SSD&t=33"
    assert (hit.title, hit.role, hit.country, hit.continent) == (
        "Digitising the Sanduk Savings Box in South Sudan",
        "Experimenter",
        "South Sudan",
        "Africa",
    )
    assert hit.heading == "Could you tell me about an R&D activity you'd like to share?"
    assert "Sanduk" in hit.snippet


def test_finer_start_reaches_audio_and_link(mini_index):
    [hit] = mini_index.search("convening people with disability", Filters(country=["Thailand"]), k=1)
    assert (hit.section, hit.start) == ("SolutionMappers_STR@430", 447)
    assert hit.audio_at == "https://example.org/str.m4a#t=447"
    assert hit.link == "?story=SolutionMappers_STR&t=447"


@pytest.mark.parametrize(
    "country, audio_url, audio_at",
    [
        ("Eswatini", None, None),  # no [[audio:]] at all
        ("Serbia", None, None),  # javascript: URL dropped
        (
            "Sudan",
            "https://example.org/lab-interviews/ESC.mp3",  # escaped URL unescaped
            "https://example.org/lab-interviews/ESC.mp3#t=7",
        ),
    ],
)
def test_hits_without_usable_audio(mini_index, country, audio_url, audio_at):
    [hit] = mini_index.search("what did you do", Filters(country=[country]), k=1)
    assert (hit.audio_url, hit.audio_at) == (audio_url, audio_at)
    assert hit.link == f"?story={hit.story}&t={hit.start}"


def test_one_hit_per_section(mini_index):
    long_windows = [p for p in mini_index.state.passages if p.doc == "Experimenters_LNG" and p.section_start == 60]
    assert len(long_windows) > 3
    hits = mini_index.search("dried fish prices outboard engines mangrove boats", k=ALL)
    keys = [h.section for h in hits]
    assert len(keys) == len(set(keys))
    assert keys[0] == "Experimenters_LNG@60"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_empty_query_and_bad_k_are_query_errors(mini_index):
    with pytest.raises(QueryError, match="the query is empty"):
        mini_index.search("   ")
    with pytest.raises(QueryError, match="k of 1001 is out of range; use 1 to 1000"):
        mini_index.search("fish", k=1001)


def test_k_limits_the_hits(mini_index):
    assert len(mini_index.search("experimentation", k=3)) == 3


# -- oracle: Chroma against brute-force cosine -----------------------------------

ORACLE_QUERIES = [
    "traditional savings box used by rural communities",
    "satellite maps of coffee farms",
    "training midwives on tablets",
    "court registers scanned every evening",
    "what would you do differently",
]


@pytest.fixture(scope="module")
def passage_vectors(mini_index, embedder) -> np.ndarray:
    """Every passage's embed_text, encoded directly (not read back from Chroma)."""
    return embedder.encode([p.embed_text for p in mini_index.state.passages])


def brute_force(mini_index, embedder, vectors, query: str, keep=None) -> list[tuple[str, float]]:
    passages = mini_index.state.passages
    sims = vectors @ embedder.encode([query])[0]
    order = np.argsort(-sims, kind="stable")
    return [(passages[i].id, float(sims[i])) for i in order if keep is None or keep[i]]


def chroma_ranking(mini_index, embedder, query: str, n: int, where=None) -> list[tuple[str, float]]:
    result = mini_index.vectors.collection.query(
        query_embeddings=[embedder.encode([query])[0].tolist()], n_results=n, where=where, include=["distances"]
    )
    return [(cid.rpartition("~")[0], 1.0 - d) for cid, d in zip(result["ids"][0], result["distances"][0])]


@pytest.mark.parametrize("query", ORACLE_QUERIES)
def test_dense_side_matches_brute_force_cosine(mini_index, embedder, passage_vectors, query):
    expected = brute_force(mini_index, embedder, passage_vectors, query)[:10]
    got = chroma_ranking(mini_index, embedder, query, 10)
    assert [pid for pid, _ in got] == [pid for pid, _ in expected]
    assert np.allclose([s for _, s in got], [s for _, s in expected], atol=1e-4)


def test_filtered_dense_side_matches_brute_force_cosine(mini_index, embedder, passage_vectors):
    filters = Filters(principles=["Trust"])
    keep = passage_mask(filters, mini_index.state.passages, mini_index.state.stories)
    query = ORACLE_QUERIES[0]
    expected = brute_force(mini_index, embedder, passage_vectors, query, keep)
    got = chroma_ranking(mini_index, embedder, query, int(keep.sum()), chroma_where(filters))
    assert [pid for pid, _ in got] == [pid for pid, _ in expected]
    assert np.allclose([s for _, s in got], [s for _, s in expected], atol=1e-4)


# -- candidates and filters as the archive grows -----------------------------------------


def test_candidate_counts_hold_below_the_reference_size_and_grow_slower_than_it():
    config = RetrievalConfig()
    assert config.candidates_for(300, 1_940) == 300
    assert config.candidates_for(300, config.reference_size) == 300
    grown = config.candidates_for(300, 100 * config.reference_size)
    assert grown == 3000 and grown < 100 * 300


def test_top_positions_break_ties_by_position_even_at_the_cut():
    from labstories.rag.search import top_positions

    scores = np.array([1.0, 3.0, 2.0, 2.0, 3.0, 2.0, 0.5], dtype=np.float32)
    assert top_positions(scores, 3).tolist() == [1, 4, 2]
    assert top_positions(scores, 4).tolist() == [1, 4, 2, 3]
    assert top_positions(scores, 10).tolist() == [1, 4, 2, 3, 5, 0, 6]
    assert top_positions(scores, 0).tolist() == []
    rng = np.random.default_rng(1)
    many = rng.integers(0, 20, size=500).astype(np.float32)  # many ties
    for n in (1, 17, 100, 499):
        expected = sorted(range(500), key=lambda i: (-many[i], i))[:n]
        assert top_positions(many, n).tolist() == expected


def test_only_broad_filters_on_a_large_archive_are_applied_after_the_neighbour_query():
    config = RetrievalConfig()
    assert not config.filters_after(1_940, 0.9)  # the real archive: always Chroma's where, as tuned
    assert config.filters_after(100_000, 0.46)  # continent Africa at 100k
    assert not config.filters_after(100_000, 0.01)  # one country: Chroma's where is cheap there


@pytest.mark.parametrize(
    "question, filters",
    [
        ("how did labs earn the trust of communities?", {"continent": ["Africa"]}),
        ("experiments with farmers", {"continent": ["Africa", "Asia"], "role": ["Experimenter", "Solutions Mapper"]}),
    ],
)
def test_filtering_after_the_query_finds_what_filtering_in_chroma_finds(corpus_index, question, filters):
    """Post-filtering returns only allowed passages, and the same nearest ones as Chroma's ``where``."""
    from dataclasses import replace

    from labstories.rag.search import StoryIndex

    def dense(**knobs):
        # the corpus counts as large; fewer candidates than allowed passages, so the cut is tested too
        config = replace(corpus_index.config, reference_size=100, dense_candidates=40, **knobs)
        index = StoryIndex(
            corpus_index.settings, corpus_index.state, corpus_index.vectors, corpus_index.embedder, config
        )
        return index._dense(question, chosen, allowed)

    chosen = corpus_index.resolve(Filters(**filters))
    allowed = corpus_index.filter_index.positions(chosen)
    assert 0.2 <= len(allowed) / len(corpus_index.state.passages) < 0.9
    after, inside = dense(post_filter_share=0.2), dense(post_filter_share=1.01)
    assert set(p for p, _ in after) <= set(allowed.tolist())
    assert len(after) == len(inside) < len(allowed)
    # the nearest agree exactly; deep in the tail HNSW's approximation may swap a few (162nd of 176 seen)
    assert [p for p, _ in after[:50]] == [p for p, _ in inside[:50]]
    assert len({p for p, _ in after} & {p for p, _ in inside}) >= 0.9 * len(inside)
