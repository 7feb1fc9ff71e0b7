"""One answer over every kind of document, in headless Chromium: interview moments beside the
solutions, experiments and learning plans of the archive, each document once, counted per type and
narrowed to one type in one click. The index holds real pages: the archive fixture pages and six
stories of the shared corpus."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from app_support import running_app
from browser_support import ARTIFACTS, watched_page
from conftest import CORPUS, DATA

from labstories.index import Settings, update
from labstories.rag import StoryIndex

STORIES = ("SolutionMappers_SLE", "Experimenters_SYR", "Experimenters_NGA", "Experimenters_GMB", "SolutionMappers_ECU")
QUESTION = "youth employment and entrepreneurship"


@pytest.fixture(scope="module")
def mixed_url(tmp_path_factory, embedder):
    if not (CORPUS / "stories").is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    corpus = tmp_path_factory.mktemp("mixed-corpus")
    for page in (DATA / "archive").glob("*.md"):
        shutil.copy(page, corpus / page.name)
    for story in STORIES:
        shutil.copy(CORPUS / "stories" / f"{story}.md", corpus / f"{story}.md")
    settings = Settings(data_dir=tmp_path_factory.mktemp("mixed-index"))
    update(corpus, settings, embedder=embedder)
    with running_app(StoryIndex.open(settings, embedder=embedder)) as url:
        yield url


def _cards(page) -> list[dict]:
    return page.evaluate("""() => [...[...document.querySelectorAll('#ls-chat .ls-answer')].pop().querySelectorAll('article.ls-hit')]
        .map(a => ({title: a.querySelector('.ls-title').textContent,
                    badge: (a.querySelector('.ls-badge') || {}).textContent || 'Story',
                    play: !!a.querySelector('a.ls-play'), meta: a.querySelector('.ls-meta').textContent}))""")


def test_a_mixed_answer_shows_moments_beside_solutions_and_experiments(browser, mixed_url):
    with watched_page(browser) as page:
        page.goto(mixed_url + "/?q=" + QUESTION.replace(" ", "+"))
        page.wait_for_selector("#ls-chat .ls-answer article.ls-hit", timeout=30_000)
        cards = _cards(page)
        badges = Counter(card["badge"] for card in cards)
        assert {"Story", "Solution", "Experiment"} <= set(badges), cards
        assert all(card["play"] for card in cards if card["badge"] == "Story")  # stories keep their ▶ moment
        assert not any(card["play"] for card in cards if card["badge"] != "Story")
        titles = [card["title"] for card in cards]
        assert len(titles) == len(set(titles))  # each document once
        assert all(card["meta"].strip() for card in cards)  # place (and year) beside every title
        types = page.locator("#ls-chat .ls-answer .ls-types").last
        assert "Experiment" in types.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "mixed-answer.png"), full_page=True)
        # One click keeps one type.
        types.locator("a", has_text="Experiment").click()
        page.wait_for_function("document.querySelectorAll('#ls-chat .ls-answer').length >= 2", timeout=30_000)
        narrowed = _cards(page)
        assert narrowed and {card["badge"] for card in narrowed} == {"Experiment"}, narrowed
