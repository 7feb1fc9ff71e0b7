"""The app's own CSS and script (ui/assets.py): package files loaded relative to the app's root, and
the panel's callbacks generated from the filter kinds."""

from __future__ import annotations

from conftest import ROOT


def test_the_panel_callbacks_are_generated_from_the_kinds():
    import json

    from labstories.index.vocabulary import FILTER_KINDS
    from labstories.ui.assets import PANEL_JS, SHOW_JS, panel_js, show_js

    assert json.dumps(list(FILTER_KINDS)) in PANEL_JS and json.dumps(list(FILTER_KINDS)) in SHOW_JS
    for kinds in (("only",), ("b", "a", "c")):
        assert json.dumps(list(kinds)) in panel_js(kinds) and json.dumps(list(kinds)) in show_js(kinds)
    assert "\n" not in PANEL_JS + SHOW_JS  # one-liners


def test_the_css_and_the_script_are_package_files_loaded_relative_to_the_app_root():
    import fnmatch
    import re
    import tomllib
    from urllib.parse import unquote

    from labstories.ui.assets import HEAD, SCRIPT, STATIC, STYLESHEET

    assert STYLESHEET.parent == SCRIPT.parent == STATIC and ".ls-answer" in STYLESHEET.read_text("utf-8")
    assert "window.lsSync" in SCRIPT.read_text("utf-8") and "</script>" not in SCRIPT.read_text("utf-8")  # plain JS
    src = re.fullmatch(r'<script src="([^"]+)"></script>', HEAD).group(1)
    assert src.startswith("gradio_api/file=") and unquote(src.split("=", 1)[1].split("?v=")[0]) == str(SCRIPT)
    root = ROOT
    patterns = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for path in (STYLESHEET, SCRIPT):
        assert any(fnmatch.fnmatch(path.relative_to(STATIC.parent).as_posix(), p) for p in patterns["labstories.ui"])
