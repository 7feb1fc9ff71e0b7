"""Rewrite the README's settings table from the one declaration in ``index/settings.py``.

    python scripts/readme_settings.py

tests/test_docs.py fails when the README's table and the declaration differ.
"""

from pathlib import Path

from labstories.index.settings import settings_table

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings-table -->\n", "\n<!-- /settings-table -->"

text = README.read_text("utf-8")
before, rest = text.split(START, 1)
_, after = rest.split(END, 1)
README.write_text(before + START + settings_table() + END + after, "utf-8")
print(f"rewrote the settings table in {README}")
