"""Library errors → words for each reader (ui/messages.py): the terminal user and the web page."""

from __future__ import annotations

from labstories.rag.filters import FilterError


def test_each_interface_words_a_filter_error_for_its_reader():
    """The library's error carries data; the CLI adds the command to run, the page does not."""
    from labstories.ui.messages import for_cli, for_web

    unknown = FilterError("country", "Zzzz", [], 2)
    assert for_cli(unknown) == "unknown country value 'Zzzz'; see `labstories facets` for the 2 values"
    assert "labstories" not in for_web(unknown) and "Zzzz" in for_web(unknown)
    close = FilterError("role", "Explorr", ["Explorer"], 3)
    assert for_cli(close) == "unknown role value 'Explorr'; closest: Explorer"
    assert for_web(close) == "No passage has the lab role “Explorr”; closest: Explorer."
