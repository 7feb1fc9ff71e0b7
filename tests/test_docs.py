"""The README documents every command and every setting (datasette's test_docs.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from labstories.index.settings import SETTINGS
from labstories.ui.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"
pending = pytest.mark.xfail(not README.exists(), reason="README pending", strict=False)


def commands() -> list[str]:
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(sub.choices)


def test_the_cli_has_the_documented_commands():
    assert commands() == ["eval", "facets", "index", "search", "serve", "stats"]


@pending
@pytest.mark.parametrize("command", commands())
def test_every_command_is_in_the_readme(command):
    assert f"labstories {command}" in README.read_text("utf-8")


@pending
@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_is_in_the_readme(setting):
    assert setting.env in README.read_text("utf-8")


@pending
def test_the_readme_settings_table_is_the_generated_one():
    from labstories.index.settings import settings_table

    text = README.read_text("utf-8")
    table = text.split("<!-- settings-table -->\n", 1)[1].split("\n<!-- /settings-table -->", 1)[0]
    assert table == settings_table()


def test_every_setting_has_a_cli_flag():
    from labstories.ui.cli import build_parser

    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    flags = {
        option for parser in sub.choices.values() for action in parser._actions for option in action.option_strings
    }
    assert {"--" + s.name.replace("_", "-") for s in SETTINGS} - flags == set()


def test_flags_that_one_command_takes_show_only_there():
    [sub] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    flags = {name: {o for a in parser._actions for o in a.option_strings} for name, parser in sub.choices.items()}
    for setting in SETTINGS:
        for command, options in flags.items():
            assert (setting.flag in options) == (command in setting.commands), (setting.flag, command)
    assert "--port" in flags["serve"] and "--port" not in flags["search"]
    assert "--k" in flags["search"] and "--k" not in flags["index"]


def test_the_module_map_has_one_line_per_module():
    """Every module of index/, rag/ and ui/ has its line in the README's module map, and no other."""
    root = README.parent
    text = README.read_text("utf-8")
    table = text.split("<!-- module-map -->\n", 1)[1].split("\n<!-- /module-map -->", 1)[0]
    listed = [line.split("`")[1] for line in table.splitlines()[2:]]
    modules = [
        f"{p.parent.name}/{p.name}"
        for folder in ("index", "rag", "ui")
        for p in sorted((root / folder).glob("*.py"))
        if p.name != "__init__.py"
    ]
    assert listed == modules
