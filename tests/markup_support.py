"""Rendered HTML read as a browser reads it: the tags and attributes a page would really get.

Imported by tests/ui/test_render_markup.py and tests/ui/test_overview.py (``from markup_support import Tags``).
"""

from __future__ import annotations

from html.parser import HTMLParser


class Tags(HTMLParser):
    """Every start tag's name (``tags``) and every attribute pair (``attrs``) of the markup fed to it."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
