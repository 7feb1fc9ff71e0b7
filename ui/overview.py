"""The first screen: what the index holds, counted from the index it is shown for.

Before any question the chat panel says how many interview stories it can
answer from, from how many labs (a lab is a country's Accelerator Lab, as in
:attr:`rag.answer.StoryGroup.lab`) and countries, how many archive documents of
each type sit beside them, and draws the holdings by continent as bars. The
bars are plain HTML, their widths computed here and rendered through the
escaping templates of :mod:`ui.render`; nothing is drawn in the browser.

The app renders it at every page load (``ChatApp.overview``), because a
:class:`~rag.live.LiveIndex` may have switched to a newer build since the page
was built. It is the ``gr.Chatbot`` placeholder: Gradio shows it, with the
clickable example questions under it, while the chat is empty, and hides both
once a question is answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labstories.index.vocabulary import DOCUMENT_TYPE, DOCUMENT_TYPES

from .render import ENV

#: The bar shown for documents that give no continent.
NO_CONTINENT = "No continent given"


@dataclass
class Bar:
    """One bar of the chart: a value, its count, and its length as a percentage of the longest bar."""

    label: str
    count: int
    width: float


@dataclass
class Overview:
    """What an index holds, as the first screen says it."""

    stories: int
    labs: int  # different labs among the stories
    countries: int  # different countries among all documents
    documents: int  # every document, stories included
    #: (one, many, count) for each type of archive document beside the stories ("solution",
    #: "solutions", 12), in the declared order of types; empty: stories only.
    types: list[tuple[str, str, int]] = field(default_factory=list)
    #: Documents (stories when there are only stories) by continent, most first, those without one last.
    bars: list[Bar] = field(default_factory=list)

    @property
    def archive(self) -> int:
        """Archive documents that are not stories."""
        return self.documents - self.stories

    @property
    def chart_title(self) -> str:
        return "Documents by continent" if self.types else "Stories by continent"


def overview(index) -> Overview:
    """The counts of ``index`` (a :class:`rag.StoryIndex`): its stories, documents and facets."""
    stories = index.state.stories.values()
    documents = index.state.documents.values()
    by_type = index.facets.get("type", {})
    types = [
        (t.label.lower(), t.plural, by_type[t.name])
        for t in DOCUMENT_TYPES
        if t.name != "story" and by_type.get(t.name)
    ]
    types += [(name, name, n) for name, n in by_type.items() if name not in DOCUMENT_TYPE]
    continents = dict(index.facets.get("continent", {}))
    unplaced = sum(1 for document in documents if not document.continents)
    if unplaced:
        continents[NO_CONTINENT] = unplaced
    chart = sorted(bars(continents), key=lambda bar: bar.label == NO_CONTINENT)  # stable: that one last
    return Overview(
        stories=len(index.state.stories),
        labs=len({story.country or story.id for story in stories}),
        countries=len(index.facets.get("country", {})),
        documents=len(index.state.documents),
        types=types,
        bars=chart,
    )


def bars(counts: dict[str, int]) -> list[Bar]:
    """Bars for ``counts``, most first, each as long as its share of the largest (at least 1% when not 0)."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    most = max((n for _, n in ordered), default=0)
    return [Bar(label, n, max(round(100 * n / most, 1), 1.0) if n else 0.0) for label, n in ordered]


def overview_html(index) -> str:
    """The first screen's summary of ``index`` as HTML (every value escaped)."""
    return ENV.get_template("overview.html").render(o=overview(index))


__all__ = ["NO_CONTINENT", "Bar", "Overview", "bars", "overview", "overview_html"]
