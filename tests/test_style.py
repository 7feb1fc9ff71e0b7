"""One formatter and linter for the whole repository: ruff, configured in pyproject.toml.

`ruff format .` and `ruff check --fix .` make a change pass; this test only reports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [["check", "--no-fix"], ["format", "--check"]], ids=["lint", "format"])
def test_the_code_passes_ruff(command):
    done = subprocess.run([sys.executable, "-m", "ruff", *command, "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"ruff {' '.join(command)} found problems:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
