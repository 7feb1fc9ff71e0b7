"""The program installs as one package, ``labstories``; nothing generic lands in site-packages."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import labstories.index
import labstories.rag
import labstories.ui

ROOT = Path(__file__).resolve().parents[1]


def test_bare_folder_names_do_not_import():
    for name in ("index", "rag", "ui"):
        assert importlib.util.find_spec(name) is None, f"`import {name}` must not work; use labstories.{name}"


def test_subpackages_come_from_the_design_folders():
    assert Path(labstories.index.__file__).parent.name == "index"
    assert Path(labstories.rag.__file__).parent.name == "rag"
    assert Path(labstories.ui.__file__).parent.name == "ui"


def test_no_module_imports_a_bare_folder_name():
    """Every module imports the others through ``labstories.`` or relatively."""
    offenders = []
    for folder in ("index", "rag", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                stripped = line.strip()
                if stripped.startswith(
                    ("from index", "from rag", "from ui", "import index", "import rag", "import ui")
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {stripped}")
    assert offenders == []


def test_console_module_runs_from_outside_the_repository(tmp_path):
    result = subprocess.run(
        [sys.executable, "-P", "-m", "labstories.ui.cli", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "labstories" in result.stdout
