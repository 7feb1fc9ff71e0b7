"""Integration on the shared archive corpus (../shared/corpus), indexed once per
session by the ``corpus_settings`` fixture: counts, section keys, passage sizes,
filters and known-item questions."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from labstories.index.records import TAG_KINDS
from labstories.rag import Filters
from labstories.ui import cli

pytestmark = pytest.mark.corpus

MODEL_LIMIT = 256
NO_CONTINENT = ["Experimenters_SSD", "Explorers_GHA", "SolutionMappers_SSD"]
STRAY = re.compile(r"###|\\[.\-\[\]]|\[\[|\]\]|\[\d{1,2}:\d{2}|^\d{1,2}:\d{2}\b")

#: Our own known-item questions (not those of ../shared/eval/dev.jsonl), each about one interview.
KNOWN_ITEMS = [
    ("Which lab digitised a traditional wooden savings box called the Sanduk?", "Experimenters_SSD"),
    ("the project with Kente weavers near the border with Togo", "SolutionMappers_GHA"),
    ("retailers stopped handing out free plastic bags on Fridays to Sundays over Christmas", "SolutionMappers_SWZ"),
    ("positive deviance analysis of municipalities' finances using treasury payment data", "SolutionMappers_MKD"),
    ("solar powered mobile kiosks run by young people living on the street", "Experimenters_CMR"),
    ("digitising court case files to fight corruption in the justice system", "Experimenters_COD"),
    ("inclusive tourism for travellers with disabilities", "SolutionMappers_THA"),
    ("a fund for highland farmers whose cattle are killed by wild animals", "Experimenters_BTN"),
]


@pytest.fixture(scope="module")
def state(corpus_index):
    return corpus_index.state


def all_sections(state):
    return [(story, section) for story in state.stories.values() for section in story.sections]


def test_update_report(corpus_settings):
    _, report = corpus_settings
    assert (report.stories, report.sections, report.elements) == (80, 954, 187)
    assert len(report.added) == 80 and report.cached == report.passages
    assert report.embedded == 0  # the bundled snapshot is this corpus: every vector comes from its cache
    assert (report.changed, report.removed, report.repaired, report.problems) == ([], [], [], [])
    # the three pages without [[continent:]] get it from the file name's ISO3, with a warning
    assert sorted((Path(w.path).name, w.reason) for w in report.warnings) == [
        (f"{stem}.md", f"no [[continent:]]; used Africa from the file name's country code {stem[-3:]}")
        for stem in NO_CONTINENT
    ]
    assert report.other_types == {"untyped": 1}  # the corpus README quoting the format in a fence


def test_pages_without_continent(corpus_dir):
    missing = sorted(
        p.stem for p in (corpus_dir / "stories").glob("*.md") if "[[continent:" not in p.read_text("utf-8")
    )
    assert missing == NO_CONTINENT


def test_counts(state, corpus_index):
    assert len(state.stories) == 80
    assert len(all_sections(state)) == 954
    assert len(state.glossary) == 187
    assert corpus_index.vectors.count() == len(state.passages)


def test_section_keys_are_unique(state):
    keys = [story.section_key(section) for story, section in all_sections(state)]
    assert len(keys) == len(set(keys)) == 954
    assert all(re.fullmatch(r"[A-Za-z]+_[A-Z]{3}@\d+", key) for key in keys)


def test_953_timestamps_plus_the_untimed_opening_of_cod(state):
    cod = state.stories["Experimenters_COD"]
    opening = cod.sections[0]
    assert (opening.start, opening.heading) == (0, "")
    assert opening.text == "OK, My name is Tatiana Lukama Binda from the DRC and I consent to this recording."
    assert cod.sections[1].start == 11
    untimed = [(s.id, x.start) for s, x in all_sections(state) if x.start == 0 and not x.heading]
    assert ("Experimenters_COD", 0) in untimed


def test_no_stray_markup_in_headings_or_text(state):
    leaks = [
        (story.id, section.start, text[:60])
        for story, section in all_sections(state)
        for text in [section.heading, *(p.text for p in section.paragraphs)]
        if STRAY.search(text)
    ]
    assert leaks == []


def test_stories_with_defective_timestamps_are_whole(state, corpus_dir):
    for story_id, count in (("SolutionMappers_SLE", 11), ("SolutionMappers_MOZ", 8)):
        raw = (corpus_dir / "stories" / f"{story_id}.md").read_text("utf-8")
        assert len(re.findall(r"^### \[\[\d+:\d+\\\]\\\]", raw, flags=re.M)) == count  # every heading escaped
        story = state.stories[story_id]
        assert len(story.sections) == count
        assert all(section.heading and "\\" not in section.heading for section in story.sections)
    sle = state.stories["SolutionMappers_SLE"]
    assert (sle.sections[0].start, sle.sections[0].heading) == (0, "So welcome to this interview.")
    tgo = state.stories["SolutionMappers_TGO"]
    main = next(s for s in tgo.sections if s.start == 0)
    assert main.heading == ""
    assert main.text.startswith("OK, So my name is Yem Ahiasti from Accelerator Lab Togo")
    assert len(main.text.split()) > 1000
    assert "birth registry" in main.text


def test_metadata_defects(state):
    assert state.stories["Experimenter_SWZ"].audio_url is None
    assert (
        state.stories["Experimenter_SDN"].audio_url
        == "https://acclabplatforms.blob.core.windows.net/lab-interviews/SDN.mp3"
    )
    assert all(state.stories[stem].continent == "Africa" for stem in NO_CONTINENT)
    assert all(s.continent for s in state.stories.values())
    assert (
        state.stories["SolutionMappers_IRQ"].title
        == "Solutions Mapping in Iraq: Uncovering Local Youth Employment Challenges"
    )
    assert (
        state.stories["Experimenters_CMR"].title
        == "Empowering Street Youth in Cameroon through Solar Power Mobile Kiosk Initiative"
    )
    assert len(state.stories["Experimenters_MWI"].sections) > 5  # [[type:story]] twice
    tha = next(x for x in state.stories["SolutionMappers_THA"].sections if x.start == 430)
    assert tha.paragraphs[0].start == 447 and tha.paragraphs[0].text.startswith("I think the main skill")


def test_typo_tag_values_are_kept_as_the_real_values(corpus_index):
    facets = corpus_index.facets
    assert "Immersion and engagemen" in facets["principles"]
    assert "Desiging the pipelines" in facets["tactics"]
    assert "Patnership" in facets["skills"]
    hits = corpus_index.search("partners", Filters(skills=["patnership"]), k=5)
    assert hits and all("Patnership" in h.tags["skills"] for h in hits)


def test_glossary_entries(state):
    assert state.glossary["Adaptability"].title == "Adaptability"
    assert "Adaptability copy" not in state.glossary
    trust = state.glossary["Trust"]
    assert trust.types == ["principles"]
    assert trust.overview.startswith("Trust is a fundamental principle")
    assert all("base64" not in e.overview + e.purpose and len(e.overview) < 5000 for e in state.glossary.values())


def test_every_passage_fits_the_model(state, embedder):
    counts = embedder.count_tokens([p.embed_text for p in state.passages])
    too_long = [(p.id, n) for p, n in zip(state.passages, counts) if n + 2 > MODEL_LIMIT]
    assert too_long == []


def test_every_non_empty_section_has_passages_and_empty_ones_none(state):
    covered = Counter(f"{p.doc}@{p.section_start}" for p in state.passages)
    for story, section in all_sections(state):
        key = story.section_key(section)
        assert (covered[key] > 0) == bool(section.paragraphs), key


def test_long_sections_are_split_into_windows_that_keep_the_section_start(state):
    # SolutionMappers_ZMB@0 is one answer of about 10,000 characters
    zmb = [p for p in state.passages if p.doc == "SolutionMappers_ZMB" and p.section_start == 0]
    assert len(next(x for x in state.stories["SolutionMappers_ZMB"].sections if x.start == 0).text) > 9000
    assert len(zmb) >= 10
    assert [p.window for p in zmb] == list(range(len(zmb)))
    by_section: dict[str, list] = {}
    for p in state.passages:
        by_section.setdefault(f"{p.doc}@{p.section_start}", []).append(p)
    split = {key: ps for key, ps in by_section.items() if len(ps) > 1}
    assert len(split) > 100
    for key, ps in split.items():
        story, _, start = key.partition("@")
        assert [p.window for p in ps] == list(range(len(ps)))
        assert all(p.id == f"{key}#{p.window}" for p in ps)
        section = next(s for s in state.stories[story].sections if s.start == int(start))
        assert all(section.start <= p.start and (section.end is None or p.start < section.end) for p in ps)


@pytest.mark.parametrize("question, story", KNOWN_ITEMS, ids=[s for _, s in KNOWN_ITEMS])
def test_known_item_questions_find_their_story_first(corpus_index, question, story):
    hits = corpus_index.search(question, k=10)
    assert hits[0].story == story, [h.section for h in hits[:5]]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(principles=["Trust"]),
        Filters(principles=["Trust", "Curiosity"], continent=["Asia"]),
        Filters(country=["Peru", "Togo"]),
        Filters(role=["Explorer"], tools=["GIS systems"]),
    ],
)
def test_filters_hold_on_the_corpus(corpus_index, filters):
    hits = corpus_index.search("how did the lab involve the community?", filters, k=50)
    assert hits
    for hit in hits:
        for kind, values in filters.items():
            held = hit.tags[kind] if kind in TAG_KINDS else [getattr(hit, kind)]
            assert set(held) & set(values), (hit.section, kind, held)
    assert len({h.section for h in hits}) == len(hits)


def test_hits_links_on_the_corpus(corpus_index):
    for hit in corpus_index.search("savings groups", k=20):
        story = corpus_index.story(hit.story)
        # links play the passage's own moment, inside its section and never before its start
        assert hit.link == f"?story={hit.story}&t={hit.at}" and hit.start <= hit.at
        assert hit.end is None or hit.at < hit.end
        if story.audio_url:
            assert hit.audio_at == f"{story.audio_url}#t={hit.at}"
        else:
            assert hit.audio_at is None
    [swz] = corpus_index.search("what did you do", Filters(country=["Eswatini"], role=["Experimenter"]), k=1)
    assert (swz.story, swz.audio_url, swz.audio_at) == ("Experimenter_SWZ", None, None)


def test_cli_batch_search_on_the_corpus(corpus_settings, corpus_index, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_open_index", lambda settings: corpus_index)
    queries = tmp_path / "known.jsonl"
    queries.write_text("".join(json.dumps({"id": story, "question": q}) + "\n" for q, story in KNOWN_ITEMS), "utf-8")
    code = cli.main(["search", "--queries", str(queries), "--json", "--data-dir", str(corpus_settings[0].data_dir)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [row["id"] for row in rows] == [story for _, story in KNOWN_ITEMS]
    assert all(row["hits"][0]["story"] == row["id"] for row in rows)
    assert all(len(row["hits"]) == 10 for row in rows)
