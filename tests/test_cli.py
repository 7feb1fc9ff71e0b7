"""The ``labstories`` command line: user errors are exit code 2 and one line on
stderr, never a traceback; ``--json`` output parses; every command runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import assert_user_error, run

from labstories.ui import cli

MINI = Path(__file__).resolve().parent / "data" / "mini"
HIT_FIELDS = {
    "story",
    "title",
    "role",
    "country",
    "continent",
    "section",
    "start",
    "end",
    "heading",
    "text",
    "snippet",
    "tags",
    "score",
    "audio_url",
    "audio_at",
    "link",
    "at",
    "interpolated",
    "cosine",
}


# -- user errors ------------------------------------------------------------------------


def test_missing_corpus_path(capsys, tmp_path):
    code, out, err = run(capsys, "index", str(tmp_path / "nowhere"), "--quiet")
    assert_user_error(code, err, "index", f"corpus path {tmp_path / 'nowhere'} does not exist")
    assert out == ""


def test_empty_corpus_folder(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "index", str(tmp_path / "empty"), "--quiet")
    assert_user_error(code, err, "index", "no .md pages under")


def test_search_before_any_index(capsys):
    code, out, err = run(capsys, "search", "how did labs build trust?")
    assert_user_error(code, err, "search", "run `labstories index PATH`")
    assert out == ""


@pytest.mark.parametrize("command", [["facets"], ["stats"]])
def test_other_commands_before_any_index(capsys, command):
    code, _, err = run(capsys, *command)
    assert_user_error(code, err, command[0], "run `labstories index PATH`")


def test_empty_query(capsys, mini_dir, use_session_model):
    code, _, err = run(capsys, "search", "   ", "--data-dir", mini_dir)
    assert_user_error(code, err, "search", "the query is empty")
    code, _, err = run(capsys, "search", "--data-dir", mini_dir)
    assert_user_error(code, err, "search", "give a QUERY or --queries FILE")


def test_unknown_filter_value_lists_close_values(capsys, mini_dir, use_session_model):
    code, out, err = run(capsys, "search", "savings", "--principle", "Trus", "--data-dir", mini_dir)
    assert_user_error(code, err, "search", "unknown principles value 'Trus'; closest: Trust")
    assert out == ""


def test_bad_setting_value(capsys, monkeypatch):
    monkeypatch.setenv("LABSTORIES_K", "many")
    code, _, err = run(capsys, "stats")
    assert_user_error(code, err, "stats", "LABSTORIES_K of 'many' must be a whole number")


def test_bad_queries_file(capsys, tmp_path, mini_dir, use_session_model):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "a", "question": "x"}\n{"id": "b"}\n{"id": "c", "question": "y", '
        '"filters": {"principles": "Trus"}}\n{"id": "d", "question": "z"}\n',
        "utf-8",
    )
    code, out, err = run(capsys, "search", "--queries", str(queries), "--data-dir", mini_dir, "--json")
    assert code == 2 and "Traceback" not in err
    assert err.splitlines() == [
        f"labstories search: {queries} line 2: missing field 'question'",
        f"labstories search: {queries} line 3 (c): unknown principles value 'Trus'; closest: Trust",
    ]
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "line 2", "c", "d"]  # one line per question, the rest answered
    assert [bool(line["hits"]) for line in lines] == [True, False, False, True]
    assert "error" in lines[1] and "error" not in lines[3]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["index", "/nonexistent/corpus"], "corpus path /nonexistent/corpus does not exist"),
        (["search", "how did labs build trust?"], "run `labstories index PATH`"),
    ],
)
def test_installed_command_prints_one_line_and_exits_2(argv, message):
    exe = shutil.which("labstories") or pytest.fail("the labstories script is not installed")
    result = subprocess.run([exe, *argv], capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_python_dash_m_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "labstories.ui.cli", "index", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("labstories index: corpus path") and result.stderr.count("\n") == 1


# -- commands that work -----------------------------------------------------------------


def test_index_command_reports_counts_and_problems(capsys, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("Experimenter_NOA.md", "Experimenters_JSX.md"):
        shutil.copy(MINI / "stories" / name, corpus / name)
    shutil.copy(MINI / "other" / "README.md", corpus / "README.md")
    (corpus / "Experimenters_BIN.md").write_bytes(b"\x00\x01binary")
    data = tmp_path / "data"

    code, out, err = run(capsys, "index", str(corpus), "--quiet", "--data-dir", str(data))

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Indexed 2 stories (2 sections, 2 passages) and 0 glossary entries in ")
    assert lines[0].endswith(f" s → {data}")
    assert lines[1] == "  2 new, 0 changed, 0 removed; 2 passages embedded"
    assert lines[2] == "  skipped 1 page of other types (1 untyped)"
    assert (
        lines[3]
        == f"  warning: {corpus / 'Experimenters_JSX.md'}: audio URL 'javascript:alert(1)' is not http(s); dropped"
    )
    assert lines[4] == f"  skipped {corpus / 'Experimenters_BIN.md'}: is a binary file, not markdown"

    code, out, _ = run(capsys, "index", str(corpus), "--quiet", "--data-dir", str(data))
    assert code == 0 and out.splitlines()[1] == "  0 new, 0 changed, 0 removed; 0 passages embedded"


def test_search_prints_readable_hits(capsys, mini_dir, use_session_model):
    code, out, err = run(
        capsys, "search", "Sanduk savings box", "--country", "South Sudan", "--k", "2", "--data-dir", mini_dir
    )
    assert (code, err) == (0, "")
    assert out.startswith("2 passages from 1 story for 'Sanduk savings box' (country: South Sudan)\n")
    assert "1. Digitising the Sanduk Savings Box in South Sudan" in out
    assert "   audio: https://example.org/a.m4a#t=33" in out
    assert "   open:  ?story=Experimenters_SSD&t=33" in out


def test_search_without_matches_says_so(capsys, mini_dir, use_session_model):
    code, out, _ = run(
        capsys, "search", "anything", "--country", "Eswatini", "--principle", "Trust", "--data-dir", mini_dir
    )
    assert code == 0
    assert out == (
        "No passages match 'anything' (principles: Trust; country: Eswatini). Try removing a filter.\n"
        "  remove country Eswatini: 4 passages match the other filters\n"
        "  remove principle Trust: 1 passage matches the other filters\n"
    )


def test_search_json_lines_parse(capsys, mini_dir, use_session_model):
    code, out, _ = run(
        capsys, "search", "plastic bags", "--json", "--k", "4", "--role", "Experimenter", "--data-dir", mini_dir
    )
    assert code == 0
    hits = [json.loads(line) for line in out.splitlines()]
    assert len(hits) == 4
    assert all(set(hit) == HIT_FIELDS and hit["role"] == "Experimenter" for hit in hits)
    assert hits[0]["section"] == "Experimenter_NOA@3" and hits[0]["audio_at"] is None


def test_search_queries_file_writes_one_json_line_per_question(capsys, tmp_path, mini_dir, use_session_model):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "sanduk", "question": "wooden savings box with three keys"}\n'
        '{"id": "coffee", "question": "satellite maps of coffee rust", "filters": {"tools": "GIS systems"}}\n'
        '{"id": "togo", "question": "birth certificates", "filters": {"country": ["Togo"]}}\n',
        "utf-8",
    )
    code, out, _ = run(capsys, "search", "--queries", str(queries), "--json", "--data-dir", mini_dir)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [set(row) for row in rows] == [{"id", "hits"}] * 3
    assert [row["id"] for row in rows] == ["sanduk", "coffee", "togo"]
    assert rows[0]["hits"][0]["section"] == "Experimenters_SSD@33"
    assert rows[1]["hits"][0]["section"] == "Explorers_NCL@160"
    assert all("GIS systems" in hit["tags"]["tools"] for hit in rows[1]["hits"])
    assert {hit["story"] for hit in rows[2]["hits"]} == {"SolutionMappers_TGO"}


def test_facets_command(capsys, mini_dir, use_session_model):
    code, out, _ = run(capsys, "facets", "--json", "--data-dir", mini_dir)
    assert code == 0
    facets = json.loads(out)
    assert list(facets) == ["principles", "tactics", "tools", "skills", "country", "continent", "role", "type"]
    assert facets["principles"]["Trust"] == 4
    assert facets["type"] == {"story": 16}
    assert facets["role"] == {"Experimenter": 11, "Explorer": 2, "Solutions Mapper": 3}
    assert facets["continent"]["Africa"] == 7
    code, out, _ = run(capsys, "facets", "--kind", "role", "--data-dir", mini_dir)
    assert (code, out) == (0, "role (3)\n     11  Experimenter\n      3  Solutions Mapper\n      2  Explorer\n")


def test_stats_command(capsys, mini_dir, mini_settings, use_session_model):
    code, out, _ = run(capsys, "stats", "--json", "--data-dir", mini_dir)
    assert code == 0
    stats = json.loads(out)
    report = mini_settings[1]
    assert (stats["stories"], stats["sections"], stats["passages"], stats["vectors"]) == (
        16,
        report.sections,
        report.passages,
        report.passages,
    )
    assert stats["empty_sections"] == 3  # BLD@688, LNG@540, PRE@90
    assert stats["stories_without_audio"] == ["Experimenter_NOA", "Experimenters_JSX"]
    assert stats["glossary_entries"] == 4
    code, out, _ = run(capsys, "stats", "--data-dir", mini_dir)
    assert code == 0 and "stories_without_audio" not in out and "stories without audio" in out


def test_eval_command(capsys, tmp_path, mini_dir, use_session_model):
    questions = tmp_path / "eval.jsonl"
    questions.write_text(
        '{"id": "1", "kind": "known_item", "question": "Sanduk savings box", '
        '"relevant": {"Experimenters_SSD@33": 2}}\n',
        "utf-8",
    )
    code, out, _ = run(capsys, "eval", str(questions), "--data-dir", mini_dir)
    assert code == 0
    assert "| all | 1 | 1.000 | 1.000 | 1.000 |" in out
    assert "| known_item | 1 | 1.000 | 1.000 | 1.000 |" in out


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("index", "search", "facets", "stats", "eval", "serve"):
        assert command in out
    assert cli.main([]) == 2
