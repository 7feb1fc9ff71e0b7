"""Failures a user can cause exit 2 with one line naming the cause; a bug writes its traceback
to a named log file; search answers from a read-only index; bad text never aborts a batch."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run

from labstories.index import Settings, scan
from labstories.rag import StoryIndex
from labstories.ui import cli

MINI = Path(__file__).resolve().parent / "data" / "mini"
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


def test_exact_vectors_rank_like_chroma(monkeypatch, mini_settings, embedder):
    """The read-only path in-process: the same sections, in the same order, filters included."""
    import numpy as np

    from labstories.index import vectors
    from labstories.rag import Filters
    from labstories.rag.filters import chroma_where
    from labstories.rag.vector_source import ChromaVectors, ExactVectors

    settings, _ = mini_settings
    chroma = StoryIndex.open(settings, embedder=embedder)
    monkeypatch.setattr(vectors, "writable", lambda path: False)
    exact = StoryIndex.open(settings, embedder=embedder)
    assert isinstance(exact.vectors, ExactVectors) and isinstance(chroma.vectors, ChromaVectors)
    for query, filters in (
        ("trust of beekeepers", Filters()),
        ("savings", Filters(country=["South Sudan"])),
        ("water wells", Filters(principles=["Trust"])),
    ):
        assert [h.section for h in exact.search(query, filters, 8)] == [
            h.section for h in chroma.search(query, filters, 8)
        ]
        # the sources themselves: the same positions and cosines, the filter by position against Chroma's where
        resolved = chroma.resolve(filters)
        allowed, where = chroma.filter_index.positions(resolved), chroma_where(resolved)
        vector = embedder.encode_query(query)
        got, expected = (
            exact.vectors.nearest(vector, 10, allowed, where),
            chroma.vectors.nearest(vector, 10, allowed, where),
        )
        matching = exact.vectors.count() if allowed is None else len(allowed)
        assert [p for p, _ in got] == [p for p, _ in expected] and len(got) == min(10, matching)
        assert np.allclose([c for _, c in got], [c for _, c in expected], atol=1e-4)
    with pytest.raises(ValueError, match="by position"):
        exact.vectors.nearest(vector, 3, where=where)


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


# -- story size --------------------------------------------------------------------------------
def test_a_story_over_the_size_limit_is_skipped_by_name(tmp_path):
    story = (MINI / "stories" / "Experimenters_SSD.md").read_text("utf-8")
    (tmp_path / "Experimenters_SSD.md").write_text(story, "utf-8")
    (tmp_path / "Explorer_BIG.md").write_text(story + "\n" + "word " * 500_000, "utf-8")  # 2.5 MB, one line
    result = scan(tmp_path, max_bytes=2_000_000)
    assert [s.id for s in result.stories] == ["Experimenters_SSD"]
    [problem] = result.problems
    assert problem.path.endswith("Explorer_BIG.md") and "2.5 MB" in problem.reason and "limit" in problem.reason
    assert Settings.load(max_story_bytes="3000000").max_story_bytes == 3_000_000
