"""The first screen (ui/overview.py) counts what the index holds, and answers carry each story's one line.

Expected counts come from the fixture files themselves (their ``[[type:]]``, ``[[country:]]`` and
``[[continent:]]`` lines), not from the index's own facets; a mixed index of stories and archive
pages is checked against its parsed documents, counted here by brute force.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest
from app_support import APP_DATA, app_index, audio_server  # noqa: F401  (fixtures)
from conftest import DATA
from markup_support import Tags

from labstories.index import Settings, update
from labstories.index.text import gist
from labstories.index.vocabulary import DOCUMENT_TYPE
from labstories.rag import StoryIndex
from labstories.rag.live import LiveIndex
from labstories.ui import render
from labstories.ui.app import ChatApp
from labstories.ui.overview import NO_CONTINENT, Bar, Overview, bars, overview, overview_html

META = re.compile(r"^\[\[(ai_summary|type|country|continent):(.*)\]\]$", re.M)
#: Archive pages of every type but story, one or more each, small (tests/data/archive/README.md).
ARCHIVE_PAGES = (
    "cultivando_futuro.md",
    "sustainable_food_waste_recycling_.md",
    "timorese_local_painting_and_local_artist.md",
    "blog_drone_for_the_islands_leaving_no_island_behind.md",
    "blog_2019_kazakhstan_human_development_report.md",
    "youth_entrepreneurship.md",
    "d_mat_rialisation_des_actes_d__tat_civil.md",
)


def front_matter(path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in META.findall(path.read_text("utf-8")):
        found.setdefault(key, []).append(value)
    return found


def fixture_stories() -> list[dict[str, list[str]]]:
    pages = [front_matter(path) for path in sorted(APP_DATA.glob("*.md.in"))]
    return [page for page in pages if page.get("type", [""])[0] == "story"]


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory, audio_server, embedder):  # noqa: F811
    """The app's fixture stories and seven real archive pages (every other type), in one index."""
    corpus = tmp_path_factory.mktemp("overview-corpus")
    for template in APP_DATA.glob("*.md.in"):
        text = template.read_text(encoding="utf-8").replace("{AUDIO}", audio_server)
        (corpus / template.name.removesuffix(".in")).write_text(text, encoding="utf-8")
    for name in ARCHIVE_PAGES:
        shutil.copy(DATA / "archive" / name, corpus / name)
    settings = Settings(data_dir=tmp_path_factory.mktemp("overview-index"))
    update(corpus, settings, embedder=embedder)
    return StoryIndex.open(settings, embedder=embedder)


# -- the counts ----------------------------------------------------------------------------------
def test_counts_of_the_app_index_equal_the_fixture_stories(app_index):  # noqa: F811
    stories = fixture_stories()
    found = overview(app_index)
    assert found.stories == len(stories) == 9
    assert found.labs == len({page["country"][0] for page in stories}) == 9  # one lab per country
    assert found.countries == len({page["country"][0] for page in stories})
    assert found.documents == found.stories and found.archive == 0 and found.types == []
    continents = Counter(page["continent"][0] for page in stories)
    assert [(bar.label, bar.count) for bar in found.bars] == sorted(continents.items(), key=lambda kv: (-kv[1], kv[0]))
    assert sum(bar.count for bar in found.bars) == len(stories)
    assert [bar.width for bar in found.bars] == [100.0, 75.0, 25.0, 25.0]  # Europe 4, Oceania 3, Africa 1, Asia 1
    assert found.chart_title == "Stories by continent"


def test_counts_of_a_mixed_index_equal_its_documents(mixed_index):
    documents = mixed_index.state.documents.values()
    stories = [d for d in documents if d.type == "story"]
    pages = [front_matter(DATA / "archive" / name) for name in ARCHIVE_PAGES]
    found = overview(mixed_index)
    assert found.stories == len(stories) == len(fixture_stories())
    assert found.labs == len({story.countries[0] for story in stories})
    assert found.documents == len(documents) == len(stories) + len(ARCHIVE_PAGES)
    assert found.countries == len({country for d in documents for country in d.countries})
    raw_types = Counter(page["type"][0] for page in pages)
    assert found.types == [
        (DOCUMENT_TYPE[name].label.lower(), DOCUMENT_TYPE[name].plural, raw_types[name])
        for name in ("solution", "experiment", "learningplan", "blog", "publications")
    ]
    assert found.archive == sum(raw_types.values()) == len(ARCHIVE_PAGES)
    continents = Counter(c for d in documents for c in dict.fromkeys(d.continents))
    unplaced = sum(1 for d in documents if not d.continents)
    expected = {**continents, **({NO_CONTINENT: unplaced} if unplaced else {})}
    assert {bar.label: bar.count for bar in found.bars} == expected
    assert found.bars[-1].label == NO_CONTINENT and unplaced == 1  # the drone blog's Null Island, shown last
    assert found.chart_title == "Documents by continent"
    html = overview_html(mixed_index)
    assert f"<b>{found.archive}</b> archive documents: <b>3</b> solutions · <b>1</b> experiment" in html
    assert f"<b>{found.countries}</b> countries in all." in html


def test_bars_are_as_long_as_their_share_of_the_largest():
    assert bars({"a": 200, "b": 1, "c": 50, "d": 0}) == [
        Bar("a", 200, 100.0),
        Bar("c", 50, 25.0),
        Bar("b", 1, 1.0),  # 0.5% would not show: at least 1%
        Bar("d", 0, 0.0),
    ]
    assert bars({}) == []


def test_the_overview_sentence_and_chart_in_html(app_index):  # noqa: F811
    html = overview_html(app_index)
    assert "Answers come from <b>9</b> interview stories told by <b>9</b> labs in <b>9</b> countries." in html
    assert html.count('class="ls-ov-row"') == 4 and 'style="width: 100.0%"' in html
    assert "Stories by continent" in html and "Europe" in html


def test_every_overview_value_is_escaped():
    evil = "<img src=x onerror=alert(1)> ${7*7} {{x}} `ls`"
    html = render.ENV.get_template("overview.html").render(
        o=Overview(3, 2, 2, 5, [(evil, evil, 2)], [Bar(evil, 3, 100.0), Bar("Asia", 2, 66.7)])
    )
    parsed = Tags()
    parsed.feed(html)
    assert "img" not in parsed.tags and not [name for name, _ in parsed.attrs if name.startswith("on")]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "${" not in html and "{{" not in html and "`" not in html


def test_the_app_renders_the_overview_of_the_build_current_at_load(app_index, mixed_index):  # noqa: F811
    builds = {"one": app_index, "two": mixed_index}
    current = ["one"]
    live = LiveIndex(lambda: builds[current[0]], lambda: builds[current[0]].version)
    app = ChatApp(live)
    assert "<b>9</b> interview stories" in app.overview()["placeholder"]
    assert "archive documents" not in app.overview()["placeholder"]
    current[0] = "two"
    assert live.refresh()
    assert "archive documents" in app.overview()["placeholder"]  # re-indexed: the next page load says so


# -- each story's one line -------------------------------------------------------------------------
def test_gist_is_the_summary_s_own_first_sentence():
    assert gist("The lab mapped hives. Then it tested a cooperative fund with many households.") == (
        "The lab mapped hives. Then it tested a cooperative fund with many households."
    )  # a first sentence this short names the speaker, not the work: the second joins it
    long_first = "Ana Ruiz, head of experimentation in Peru, discussed a pilot that paid migrant vendors by phone."
    assert gist(long_first + " It ran for a year.") == long_first
    assert gist("Here is a summary of the interview in 5 sentences: " + long_first) == long_first
    assert gist("  ") == "" and gist("") == ""
    cut = gist("word " * 100, limit=60)
    assert cut.endswith("…") and len(cut) <= 60 and not cut[:-1].endswith(" ")


def test_a_hit_carries_its_story_s_one_line_summary(app_index):  # noqa: F811
    hit = app_index.search("trust between hives and households of beekeeping cooperatives", k=1)[0]
    assert hit.story == "SolutionMappers_AUD"
    raw = front_matter(APP_DATA / "SolutionMappers_AUD.md.in")["ai_summary"][0]
    assert hit.summary == gist(raw) == raw  # one sentence: the whole summary


def test_the_answer_card_shows_the_one_line_escaped(app_index):  # noqa: F811
    hit = next(
        h for h in app_index.search("zebra crossings painted by children", k=10) if h.story == "Experimenters_XSS"
    )
    assert "<img" in hit.summary
    card = render.hit_html(hit, 1, set())
    line = re.search(r'<p class="ls-gist">(.*?)</p>', card).group(1)
    assert line.startswith("Summary &lt;img src=x onerror=") and "${" not in line and "{{" not in line
    title_at, line_at, moment_at = card.index("ls-title"), card.index("ls-gist"), card.index("ls-moment")
    assert title_at < line_at < moment_at  # under the title, above the passage
