"""Scanning a corpus folder (index/scan.py): bad input is reported by file and reason, never fatal,
and never loses the rest of the corpus; a story over the size limit is skipped by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA

from labstories.index import CorpusError, Settings, scan, update
from labstories.rag import StoryIndex

MINI = DATA / "mini"
GOOD = "Experimenters_SSD.md"


def corpus_with(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "corpus"
    (root / "stories").mkdir(parents=True)
    for name in names:
        shutil.copy(MINI / "stories" / name, root / "stories" / name)
    return root


def test_mini_corpus_is_sorted_into_stories_elements_and_other_pages(mini_corpus_dir):
    result = scan(mini_corpus_dir)
    assert len(result.stories) == len(list((mini_corpus_dir / "stories").glob("*.md"))) == 16
    assert sorted(e.name for e in result.elements) == ["Active listening", "Adaptability", "GIS systems", "Trust"]
    assert dict(result.other_types) == {"event": 1, "untyped": 1}
    assert result.problems == []
    assert [(Path(w.path).name, w.reason) for w in result.warnings] == [
        ("Experimenters_JSX.md", "audio URL 'javascript:alert(1)' is not http(s); dropped"),
    ]
    assert set(result.raw) == {s.id for s in result.documents}


def test_missing_corpus_path_is_a_corpus_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(CorpusError, match=f"corpus path {missing} does not exist"):
        scan(missing)


def test_empty_folder_is_a_corpus_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match=r"no \.md pages under .*empty"):
        scan(tmp_path / "empty")


def test_bad_files_are_reported_by_name_and_reason_and_the_rest_is_kept(tmp_path):
    root = corpus_with(tmp_path, GOOD, "SolutionMappers_TGO.md")
    (root / "stories" / "Experimenters_BIN.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (root / "stories" / "Experimenters_LAT.md").write_bytes(
        "[[type:story]]\n\n# Caf\u00e9\n\n### [[0:01]] Q?\n\nR\u00e9ponse.\n".encode("latin-1")
    )
    (root / "stories" / "Experimenters_NOT.md").write_text("[[type:blog]]\n\n# A blog post\n\nHello.\n", "utf-8")
    (root / "Blog_post.md").write_text("[[type:blog]]\n\n# Another blog post\n", "utf-8")
    (root / "stories" / "Experimenters_NIL.md").write_text("[[type:story]]\n\n# Title only\n", "utf-8")
    (root / "notes.txt").write_text("not markdown, ignored", "utf-8")

    result = scan(root)

    assert sorted(s.id for s in result.stories) == ["Experimenters_SSD", "SolutionMappers_TGO"]
    # a page of another type is indexed as what it says it is, whatever its name
    assert [(d.id, d.type) for d in result.documents if d.type != "story"] == [("Experimenters_NOT", "blog")]
    problems = {Path(p.path).name: p.reason for p in result.problems}
    assert problems == {
        "Experimenters_BIN.md": "is a binary file, not markdown",
        "Experimenters_LAT.md": "is not UTF-8 (bad byte at offset 21); re-save it as UTF-8",
        "Experimenters_NIL.md": "no timestamped sections and no text",
        "Blog_post.md": problems["Blog_post.md"],
    }
    assert problems["Blog_post.md"].startswith("no text after cleaning")
    assert dict(result.other_types) == {}


def test_utf8_with_bom_is_read(tmp_path):
    root = corpus_with(tmp_path)
    text = (MINI / "stories" / GOOD).read_text("utf-8")
    (root / "stories" / GOOD).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    [parsed] = scan(root).stories
    assert parsed.country == "South Sudan" and len(parsed.sections) == 3


def test_duplicate_story_id_keeps_the_first_and_reports_the_second(tmp_path):
    root = corpus_with(tmp_path, GOOD)
    (root / "copy").mkdir()
    shutil.copy(MINI / "stories" / GOOD, root / "copy" / GOOD)
    result = scan(root)
    assert [Path(s.path).parent.name for s in result.stories] == ["copy"]
    [problem] = result.problems
    assert Path(problem.path).parent.name == "stories"
    assert problem.reason.startswith("duplicate story id Experimenters_SSD (also ")


def test_single_file_corpus(tmp_path):
    [parsed] = scan(MINI / "stories" / GOOD).stories
    assert parsed.id == "Experimenters_SSD"


def test_update_indexes_the_rest_and_reports_the_bad_files(tmp_path, embedder):
    root = corpus_with(tmp_path, "Experimenter_NOA.md")
    (root / "stories" / "Experimenters_BIN.md").write_bytes(b"\x00\x01\x02binary")
    (root / "stories" / "Experimenters_LAT.md").write_bytes("[[type:story]]\n\n# \xe9\n".encode("latin-1"))
    settings = Settings(data_dir=tmp_path / "data")

    report = update(root, settings, embedder=embedder)

    assert (report.stories, report.added, report.embedded) == (1, ["Experimenter_NOA"], 1)
    assert sorted(Path(p.path).name for p in report.problems) == ["Experimenters_BIN.md", "Experimenters_LAT.md"]
    hits = StoryIndex.open(settings, embedder=embedder).search("plastic bags ban", k=3)
    assert [h.section for h in hits] == ["Experimenter_NOA@3"]
    assert (hits[0].audio_url, hits[0].audio_at, hits[0].continent) == (None, None, "")


def test_a_story_over_the_size_limit_is_skipped_by_name(tmp_path):
    story = (MINI / "stories" / "Experimenters_SSD.md").read_text("utf-8")
    (tmp_path / "Experimenters_SSD.md").write_text(story, "utf-8")
    (tmp_path / "Explorer_BIG.md").write_text(story + "\n" + "word " * 500_000, "utf-8")  # 2.5 MB, one line
    result = scan(tmp_path, max_bytes=2_000_000)
    assert [s.id for s in result.stories] == ["Experimenters_SSD"]
    [problem] = result.problems
    assert problem.path.endswith("Explorer_BIG.md") and "2.5 MB" in problem.reason and "limit" in problem.reason
    assert Settings.load(max_story_bytes="3000000").max_story_bytes == 3_000_000
