"""The archive snapshot inside the package (index/snapshot.py): what it holds, that it parses like
the archive, and which corpus ``index`` and ``serve`` pick when none is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA

from labstories.index import Settings, parse_element, scan, state
from labstories.index.parse import page_type
from labstories.index.snapshot import (
    ARCHIVE,
    Source,
    chosen_corpus,
    corpus_label,
    corpus_to_serve,
    differences,
    from_snapshot,
    slim_element,
    source,
    write_snapshot,
)
from labstories.ui import console

ELEMENT = """[[type:tools]]
[[type:principles]]

# Co\\-design sprints

![](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)

## Overview
Short sprints where residents and officials design together\\.
![diagram](data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==)
It takes a week\\.

## How it works
Long text that the glossary does not read.

## Purpose
To build *shared* ownership\\.

## Examples
More text.
"""


def test_source_names_the_archive_commit_and_counts_match_the_files():
    origin = source()
    assert (origin.repository, origin.branch, origin.folder) == (
        "UNDP-Accelerator-Labs/sdg-innovation-commons",
        "gh-pages",
        "pages/",
    )
    assert (origin.commit, origin.date) == ("15b33dfb1886da81cea8d74be35e53ea11f83164", "2025-11-13")
    assert origin.stories == len(list((ARCHIVE / "stories").glob("*.md"))) == 80
    assert origin.elements == len(list((ARCHIVE / "elements").glob("*.md"))) == 187
    assert origin.label == ("bundled snapshot of UNDP-Accelerator-Labs/sdg-innovation-commons @ 15b33dfb (2025-11-13)")
    licence = (ARCHIVE / "LICENSE").read_text("utf-8")
    assert "MIT License" in licence and "UNDP Accelerator Labs" in licence


def test_snapshot_is_small_text():
    sizes = [p.stat().st_size for p in ARCHIVE.rglob("*.md")]
    assert sum(sizes) < 1_500_000
    assert not any("base64," in p.read_text("utf-8") for p in (ARCHIVE / "elements").glob("*.md"))
    assert (ARCHIVE / "elements" / "Active listening.md").exists()  # names with spaces survive packaging


def test_snapshot_scans_to_every_story_and_glossary_entry():
    scanned = scan(ARCHIVE)
    assert (len(scanned.stories), len(scanned.elements), scanned.problems) == (80, 187, [])
    assert not scanned.other_types


@pytest.mark.corpus
def test_snapshot_parses_like_the_shared_corpus(corpus_dir):
    assert differences(corpus_dir, ARCHIVE) == []


@pytest.mark.corpus
def test_stories_are_copied_byte_for_byte(corpus_dir):
    for path in (corpus_dir / "stories").glob("*.md"):
        assert (ARCHIVE / "stories" / path.name).read_bytes() == path.read_bytes(), path.name


def test_slim_element_keeps_what_the_glossary_reads():
    slim = slim_element(ELEMENT)
    assert "base64" not in slim and "How it works" not in slim and "More text" not in slim
    assert page_type(slim) == page_type(ELEMENT) == "tools"
    full, cut = parse_element(ELEMENT, "x/Co-design.md"), parse_element(slim, "x/Co-design.md")
    assert cut == full
    assert (cut.title, cut.types, cut.purpose) == (
        "Co-design sprints",
        ["tools", "principles"],
        "To build *shared* ownership.",
    )
    assert cut.overview == "Short sprints where residents and officials design together. It takes a week."


def test_write_snapshot_keeps_stories_and_elements_only(tmp_path):
    pages = tmp_path / "pages"
    (pages / "a").mkdir(parents=True)
    story = (DATA / "mini" / "stories" / "Experimenters_SSD.md").read_bytes()
    (pages / "a" / "Experimenters_SSD.md").write_bytes(story)
    (pages / "Co-design.md").write_text(ELEMENT, "utf-8")
    (pages / "Blog post.md").write_text("[[type:blog]]\n# A blog\n", "utf-8")
    (tmp_path / "LICENSE").write_text("MIT License\n", "utf-8")
    dest = tmp_path / "snapshot"

    report = write_snapshot(pages, dest, tmp_path / "LICENSE", Source(commit="abc", date="2030-01-01"))

    assert (report.stories, report.elements) == (1, 1)
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == [
        "LICENSE",
        "SOURCE.json",
        "elements/Co-design.md",
        "stories/Experimenters_SSD.md",
    ]
    assert (dest / "stories" / "Experimenters_SSD.md").read_bytes() == story
    assert json.loads((dest / "SOURCE.json").read_text("utf-8"))["commit"] == "abc"
    assert differences(pages, dest) == []


def test_corpus_labels():
    assert corpus_label(ARCHIVE) == source().label and from_snapshot(corpus_label(ARCHIVE))
    assert corpus_label("some/folder") == str(Path("some/folder").resolve())
    assert not from_snapshot(corpus_label("some/folder"))


def _fake_index(data_dir: Path, corpus: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    state.switch_manifest(
        data_dir,
        state.Manifest(
            format=state.FORMAT_VERSION,
            model="m",
            dimension=384,
            chunking={},
            collection="c",
            build="b",
            corpus=corpus,
            indexed_at="2026-01-01T00:00:00+00:00",
        ),
    )


def test_index_reads_the_named_corpus_or_the_snapshot(tmp_path):
    assert chosen_corpus(Settings(data_dir=tmp_path)) == ARCHIVE
    assert chosen_corpus(Settings(data_dir=tmp_path, corpus=str(tmp_path / "mine"))) == tmp_path / "mine"


def test_serve_indexes_the_snapshot_when_there_is_no_index_or_a_snapshot_index(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    assert corpus_to_serve(settings) == ARCHIVE
    _fake_index(
        settings.data_dir, "bundled snapshot of UNDP-Accelerator-Labs/sdg-innovation-commons @ 0123abcd (2024-01-01)"
    )
    assert corpus_to_serve(settings) == ARCHIVE  # an older snapshot is refreshed


def test_serve_keeps_an_index_of_another_corpus_and_says_so(tmp_path, capsys):
    settings = Settings(data_dir=tmp_path / "data")
    _fake_index(settings.data_dir, "/home/me/archive/pages")
    assert corpus_to_serve(settings) is None
    console.print_kept_index(settings)
    assert capsys.readouterr().out.startswith(
        "Serving the index of /home/me/archive/pages from the data folder (indexed 2026-01-01"
    )
    named = Settings(data_dir=tmp_path / "data", corpus=str(tmp_path / "newer"))
    assert corpus_to_serve(named) == tmp_path / "newer"


def test_a_replica_on_a_chroma_server_never_indexes_by_itself(tmp_path):
    """Replicas only read the server; one machine runs `labstories index` (no two writers racing)."""
    replica = Settings(data_dir=tmp_path / "empty", chroma_url="http://127.0.0.1:9")
    assert corpus_to_serve(replica) is None
    assert (
        corpus_to_serve(
            Settings(data_dir=tmp_path / "empty", chroma_url="http://127.0.0.1:9", corpus=str(tmp_path / "mine"))
        )
        == tmp_path / "mine"
    )


def test_snapshot_is_package_data():
    """It lives inside the installed package, not beside the checkout (the wheel test installs it)."""
    import labstories.index

    assert ARCHIVE.is_relative_to(Path(labstories.index.__file__).resolve().parent)
