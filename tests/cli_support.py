"""Helpers for the command-line tests: run `labstories` in-process, check a user error's one line,
and the command that starts it in another process.

Imported by the test modules that run the CLI (``from cli_support import …``); the fixtures
``use_session_model`` and ``mini_dir`` live in conftest.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from labstories.ui import cli


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, err: str, command: str, message: str) -> None:
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"labstories {command}: ")
    assert message in err, err


def labstories_command() -> list[str]:
    script = Path(sys.executable).parent / "labstories"
    return [str(script)] if script.exists() else [sys.executable, "-m", "labstories.ui.cli"]
