"""No e-mail address of the archive reaches a reader: not the CLI's text, JSON or Markdown, not the app's
answers, document views or stats. The fixture pages are real archive pages, focal-point addresses included."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from cli_support import run
from conftest import DATA

from labstories.index import Settings, update
from labstories.rag import StoryIndex
from labstories.ui.app import ChatApp

ARCHIVE = DATA / "archive"
#: Anything shaped like an address, independent of the parser's own pattern.
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@pytest.fixture(scope="module")
def archive_index(tmp_path_factory, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("privacy-index"))
    update(ARCHIVE, settings, embedder=embedder)
    return StoryIndex.open(settings, embedder=embedder)


def addresses_in_the_fixtures() -> set[str]:
    return {m for path in ARCHIVE.glob("*.md") for m in EMAIL.findall(path.read_text("utf-8"))}


def test_the_fixture_pages_do_hold_addresses():
    assert len(addresses_in_the_fixtures()) >= 10  # focal points, contacts in the text: the test can fail


def test_no_address_in_any_cli_output(capsys, archive_index, monkeypatch):
    monkeypatch.setattr("labstories.ui.cli._open_index", lambda settings: archive_index)
    data_dir = str(archive_index.settings.data_dir)
    outputs = []
    for document in archive_index.state.documents.values():
        for extra in ([], ["--json"], ["--format", "markdown"], ["--by-story"]):
            code, out, err = run(capsys, "search", document.title, "--k", "20", "--data-dir", data_dir, *extra)
            assert code == 0, err
            outputs += [out, err]
    for command in (["stats", "--json"], ["facets", "--json"]):
        code, out, err = run(capsys, *command, "--data-dir", data_dir)
        outputs += [out, err]
    found = {m for text in outputs for m in EMAIL.findall(text)}
    assert found == set(), found
    hits = [json.loads(line) for out in outputs for line in out.splitlines() if line.startswith('{"story"')]
    assert {hit["doc"] for hit in hits} >= set(archive_index.state.documents)  # every page was shown


def test_no_address_in_any_page_of_the_app(archive_index):
    app = ChatApp(archive_index)
    pages = []
    for document in archive_index.state.documents.values():
        history, *_ = app.open_link("?" + urlencode({"q": document.title}))
        pages.append(json.dumps(history, ensure_ascii=False))
        opened = app.open_link(f"?doc={document.id}")
        pages.append(json.dumps([str(value) for value in opened], ensure_ascii=False))
        assert document.title.split()[0] in str(opened)  # the document view really opened
    found = {m for text in pages for m in EMAIL.findall(text)}
    assert found == set(), found
