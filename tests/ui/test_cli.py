"""The ``labstories`` command line (ui/cli.py): user errors are exit code 2 and one line on stderr,
never a traceback; a bug writes its traceback to a named log file; ``--json`` output parses;
search answers from a read-only index; bad text never aborts a batch; every command runs, and
answers come by story or as Markdown."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import assert_user_error, run
from conftest import DATA, ROOT

from labstories.index import Settings, update
from labstories.index.settings import ALL
from labstories.rag import StoryIndex
from labstories.ui import cli

MINI = DATA / "mini"
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
    "doc",
    "type",
    "year",
    "language",
    "url",
    "summary",
    "speaker",
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
        cwd=ROOT,
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
    assert list(facets) == [
        "principles",
        "tactics",
        "tools",
        "skills",
        "country",
        "continent",
        "role",
        "type",
        "sdgs",
        "year",
        "language",
        "methods",
    ]
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
    assert stats["documents"] == {"story": 16}
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


#: As root, permission bits do not stop writes; drop the capabilities that bypass them.
NO_OVERRIDE = [
    "setpriv",
    "--bounding-set",
    "-dac_override,-dac_read_search,-fowner",
    "--inh-caps",
    "-dac_override,-dac_read_search,-fowner",
]


def assert_one_line(code: int, err: str, expected_code: int, *words: str) -> None:
    assert code == expected_code, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


def unprivileged(argv: list[str]) -> list[str]:
    """The command as a user whom permission bits stop (root, without its override capabilities)."""
    if os.geteuid() != 0:
        return argv
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permission bits cannot be tested")
    return NO_OVERRIDE + argv


def read_only_copy(source: str, target: Path) -> Path:
    shutil.copytree(source, target)
    for folder, dirs, files in os.walk(target):
        for name in files + dirs:
            os.chmod(Path(folder) / name, 0o555 if (Path(folder) / name).is_dir() else 0o444)
    os.chmod(target, 0o555)
    return target


def _labstories(*argv: str) -> list[str]:
    return [sys.executable, "-m", "labstories.ui.cli", *argv]


# -- paths and permissions -------------------------------------------------------------------
def test_a_data_folder_that_is_a_file(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "search", "trust", "--data-dir", str(tmp_path / "file"))
    assert_one_line(code, err, 2, "is a file", str(tmp_path / "file"))
    code, _, err = run(capsys, "index", str(MINI), "--quiet", "--data-dir", str(tmp_path / "file" / "sub"))
    assert_one_line(code, err, 2, str(tmp_path / "file"))


def test_index_into_a_folder_it_cannot_write(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o555)
    result = subprocess.run(
        unprivileged(_labstories("index", str(MINI), "--quiet", "--data-dir", str(locked / "d"))),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_one_line(result.returncode, result.stderr, 2, "cannot write", str(locked))


def test_search_answers_from_a_read_only_index_like_a_writable_one(tmp_path, mini_dir, mini_index):
    from labstories.rag import Filters

    readonly = read_only_copy(mini_dir, tmp_path / "ro")
    result = subprocess.run(
        unprivileged(
            _labstories(
                "search",
                "trust of beekeepers",
                "--json",
                "--k",
                "4",
                "--principle",
                "Trust",
                "--data-dir",
                str(readonly),
            )
        ),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    answer = [json.loads(line)["section"] for line in result.stdout.splitlines()]
    assert answer and answer == [
        h.section for h in mini_index.search("trust of beekeepers", Filters(principles=["Trust"]), 4)
    ]
    assert not list(readonly.rglob("*-journal")) and not (readonly / "labstories-error.log").exists()
    result = subprocess.run(
        unprivileged(_labstories("index", str(MINI), "--quiet", "--data-dir", str(readonly))),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_one_line(result.returncode, result.stderr, 2, "cannot write", "search and serve work")


def test_a_port_in_use_is_named_before_running_on_is_printed(capsys, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port), "--data-dir", str(tmp_path))
    assert "running on" not in out
    assert_one_line(code, err, 2, f"127.0.0.1:{port}", "--port")


def test_bad_credentials_are_a_user_error(capsys, tmp_path):
    code, _, err = run(capsys, "serve", "--auth", "nocolon", "--data-dir", str(tmp_path))
    assert_one_line(code, err, 2, "user:password")
    code, _, err = run(capsys, "serve", "--auth-file", str(tmp_path / "missing"), "--data-dir", str(tmp_path))
    assert_one_line(code, err, 2, "cannot read the auth file", "missing")


# -- text the terminal or a file can carry ---------------------------------------------------
def test_lone_surrogates_in_a_query_are_answered(capsys, mini_dir, use_session_model):
    code, out, err = run(capsys, "search", "trust \udcff beekeepers", "--data-dir", mini_dir, "--json", "--k", "2")
    assert code == 0, err
    assert len(out.splitlines()) == 2


def test_one_bad_line_does_not_abort_a_batch(capsys, tmp_path, mini_dir, use_session_model):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "question": "trust \ud800 beekeepers"}),  # written as \ud800 escapes
                json.dumps({"id": "b\udfff", "question": "\x00wells"}),
                json.dumps({"id": "c", "question": "savings", "filters": {"country": "Nowhere"}}),
                json.dumps({"id": "d", "question": "savings box"}),
            ]
        ),
        "utf-8",
    )
    code, out, err = run(capsys, "search", "--queries", str(queries), "--json", "--data-dir", mini_dir, "--k", "2")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b\ufffd", "c", "d"]
    assert lines[0]["hits"] and lines[1]["hits"] and lines[3]["hits"] and "error" in lines[2]
    assert code == 2 and err.count("\n") == 1 and "line 3" in err


# -- bugs ------------------------------------------------------------------------------------
def test_an_unexpected_error_names_its_log_file(capsys, monkeypatch, tmp_path):
    def broken(settings):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_open_index", broken)
    data = tmp_path / "data"
    data.mkdir()
    code, _, err = run(capsys, "stats", "--data-dir", str(data))
    log = data / cli.ERROR_LOG
    assert_one_line(code, err, 1, "unexpected RuntimeError: boom", str(log))
    assert "Traceback" in log.read_text("utf-8") and 'raise RuntimeError("boom")' in log.read_text("utf-8")


# -- answers by story and as Markdown -------------------------------------------------------


@pytest.fixture
def mini(mini_settings, embedder, monkeypatch):
    monkeypatch.setattr(cli, "_open_index", lambda settings: StoryIndex.open(settings, embedder=embedder))
    return str(mini_settings[0].data_dir)


def test_cli_by_story(capsys, mini):
    code = cli.main(["search", "savings box keys", "--by-story", "--k", "6", "--data-dir", mini])
    out = capsys.readouterr().out
    assert code == 0 and " (" in out.splitlines()[0] and "lab" in out.splitlines()[0]
    assert (
        "1. Digitising the Sanduk Savings Box in South Sudan\n   UNDP Accelerator Lab South Sudan · Experimenter" in out
    )
    assert out.count("Digitising the Sanduk Savings Box") == 1  # the story once, its moments under it


def test_cli_markdown_with_and_without_public_url(capsys, mini, monkeypatch):
    cli.main(["search", "savings box keys", "--format", "markdown", "--by-story", "--k", "3", "--data-dir", mini])
    relative = capsys.readouterr().out
    assert relative.startswith("## savings box keys\n") and "](?story=Experimenters_SSD&t=" in relative
    monkeypatch.setenv("LABSTORIES_PUBLIC_URL", "https://labs.example.org/")
    cli.main(["search", "savings box keys", "--format", "markdown", "--k", "3", "--data-dir", mini])
    assert "](https://labs.example.org/?story=Experimenters_SSD&t=" in capsys.readouterr().out
    code = cli.main(["search", "x", "--public-url", "ftp://nope", "--data-dir", mini])
    assert code == 2 and "--public-url of 'ftp://nope' is not an http(s) address" in capsys.readouterr().err


# -- the header counts what is printed; Markdown lists it all, tags too --------------------

#: Two stories about bees; one has five moments, more than ``--by-story`` shows of a story.
BEES = DATA / "cli"
BEE_QUESTION = "beekeepers honey"
TAG_LINE = re.compile(r"^\s+((?:principles|tactics|tools|skills): .+)$", re.M)


@pytest.fixture(scope="module")
def bees_dir(tmp_path_factory, embedder) -> str:
    settings = Settings(data_dir=tmp_path_factory.mktemp("bees-index"))
    update(BEES, settings, embedder=embedder)
    return str(settings.data_dir)


def _search(capsys, data_dir: str, *argv: str) -> str:
    code, out, err = run(capsys, "search", BEE_QUESTION, *argv, "--data-dir", data_dir)
    assert (code, err) == (0, "")
    return out


def test_by_story_header_counts_the_moments_it_prints(capsys, bees_dir, use_session_model):
    hits = [json.loads(line) for line in _search(capsys, bees_dir, "--json").splitlines()]
    assert [h["story"] for h in hits].count("Experimenters_HNY") == 5 and len(hits) == 7  # 3 of the 5 are shown
    out = _search(capsys, bees_dir, "--by-story")
    assert out.startswith(
        f"5 of 7 passages (at most 3 per story) from 2 stories (2 labs) for {BEE_QUESTION!r}\n\n1. Honey Cooperatives"
    )
    assert out.count("   ▶ ") == 5 and len(re.findall(r"^\d+\. ", out, re.M)) == 2
    plain = _search(capsys, bees_dir)
    assert plain.startswith(f"7 passages from 2 stories for {BEE_QUESTION!r}\n") and plain.count("▶ ") == 7


@pytest.mark.parametrize(
    "by_story, count, passages",
    [
        (True, "5 of 7 passages (at most 3 per story) from 2 stories (2 labs)", 5),
        (False, "7 passages from 2 stories", 7),
    ],
)
def test_markdown_header_counts_what_it_lists(capsys, bees_dir, use_session_model, by_story, count, passages):
    text = _search(capsys, bees_dir, "--format", "markdown", *(["--by-story"] if by_story else []))
    assert text.startswith(f"## {BEE_QUESTION}\n\n{count}  \nFilters: none  \n")
    assert len(re.findall(r"^- \[▶ ", text, re.M)) == passages


@pytest.mark.parametrize("by_story", [True, False])
def test_markdown_lists_every_story_of_the_text_output_with_its_tags(capsys, bees_dir, use_session_model, by_story):
    grouping = ["--by-story"] if by_story else []
    text = _search(capsys, bees_dir, *grouping)
    md = _search(capsys, bees_dir, "--format", "markdown", *grouping)
    text_stories = re.split(r"^\d+\. ", text, flags=re.M)[1:]
    md_stories = re.split(r"^### \d+\. ", md, flags=re.M)[1:]
    assert [s.split("\n")[0] for s in text_stories] == [s.split("\n")[0].split(" — ", 1)[1] for s in md_stories]
    assert sum(len(TAG_LINE.findall(story)) for story in text_stories) >= 5
    for in_text, in_md in zip(text_stories, md_stories, strict=True):
        assert TAG_LINE.findall(in_md) == TAG_LINE.findall(in_text)  # every moment's tags, in order


# -- facets --kind takes any name of a kind ---------------------------------------------------


@pytest.mark.parametrize(
    "given, kind",
    [
        ("countries", "country"),
        ("Countries", "country"),
        ("principle", "principles"),
        ("roles", "role"),
        ("sdg", "sdgs"),
    ],
)
def test_facets_kind_takes_any_name_of_a_kind(capsys, mini_dir, use_session_model, given, kind):
    code, out, err = run(capsys, "facets", "--kind", given, "--json", "--data-dir", mini_dir)
    assert (code, err) == (0, "")
    assert list(json.loads(out)) == [kind]


def test_facets_unknown_kind_lists_the_kinds(capsys):
    code, out, err = run(capsys, "facets", "--kind", "countrys")  # checked before the (missing) index is opened
    assert_user_error(
        code,
        err,
        "facets",
        "unknown filter kind countrys; use one of principles, tactics, tools, skills, country, continent, role, "
        "type, sdgs, year, language, methods",
    )
    assert out == ""


# -- help reads as plain text -------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], *([name] for name in ALL)])
def test_help_has_no_backticks(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0 and "usage: labstories" in out
    assert "`" not in out, [line for line in out.splitlines() if "`" in line]
