"""Hits, stories and glossary entries → HTML strings for the app, through Jinja2 templates.

The templates (``ui/templates/*.html``) render with autoescaping on, so every
value is escaped unless the code marks it, visibly, as :class:`~markupsafe.Markup`
(the ``<mark>`` spans of :func:`highlight`, the macros' own output). A
``finalize`` hook also entity-encodes ``$ { } ` `` in every value, Markup
included, because ``gr.HTML`` renders its value through a JS template that
could read code in them. Only ``http(s)`` audio URLs (``index.text.is_web_url``)
ever reach an ``href``; all URLs come from :mod:`rag.links`.

Chat answers are also sanitised by ``gr.Chatbot``, which strips ``data-``
attributes, so every interactive control is an ``<a href>`` whose URL carries
what the click handler needs (the audio ``#t=`` link, the story link, the answer
link). Without JavaScript each link still does the sensible thing: plays in the
browser's player, opens the story, opens the answer. Text to copy (Markdown,
citations) sits in hidden ``.ls-clip`` elements next to its control.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from labstories.index.records import Document, Element, Section, Story
from labstories.index.text import is_web_url
from labstories.index.vocabulary import DOCUMENT_TYPE, KIND, TAG_KINDS
from labstories.rag import links
from labstories.rag.answer import Answer, StoryGroup
from labstories.rag.records import Filters, Hit
from labstories.rag.snippets import highlight_spans

from . import citation, markdown
from .display import clock, lab_name, place, plural
from .reading import reading

#: Singular, readable names of the filter kinds.
KIND_LABEL = {kind.name: kind.singular for kind in KIND.values()}

_TEMPLATE_CHARS = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})


def _finalize(value: object) -> Markup:
    """Applied to every ``{{ }}`` output: escape (unless Markup), then encode ``$ { } ` ``."""
    text = str(escape("" if value is None else value))
    if "$" in text or "{" in text or "}" in text or "`" in text:  # rare; translate is slow on long text
        text = text.translate(_TEMPLATE_CHARS)
    return Markup(text)


def esc(text: object) -> str:
    """The same escaping as a template slot, for the few strings built outside templates."""
    return str(_finalize("" if text is None else str(text)))


class _Loader(FileSystemLoader):
    """Templates are written over several lines for reading; the line breaks and indentation are
    dropped when they load (chat messages keep white space), so spaces in them are explicit."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        return re.sub(r"\n\s*", "", source), filename, uptodate


def _keep_newlines(text: str) -> Markup:
    """Escaped text whose line breaks survive as ``&#10;`` (copied text keeps its lines)."""
    return Markup(esc(text).replace("\n", "&#10;"))


ENV = Environment(
    loader=_Loader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    finalize=_finalize,
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)
ENV.filters["keepnl"] = _keep_newlines


def highlight(text: str, stems: set[str]) -> Markup:
    """Escaped text with the query's words (stem match) wrapped in ``<mark>``."""
    out, last = [], 0
    for start, end in highlight_spans(text, stems):
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>{}</mark>").format(text[start:end]))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def tag_chips(tags: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(kind, value, glossary link) for each element tag, in display order."""
    return [
        (kind, value, links.answer_link("", Filters(**{kind: [value]})))
        for kind in TAG_KINDS
        for value in tags.get(kind, ())
    ]


def filter_pills(query: str, filters: Filters) -> list[tuple[str, str, str]]:
    """(kind, value, link) for each filter in force: the link asks ``query`` again without that
    value ("" when there is no question to ask again)."""
    return [
        (kind, value, links.answer_link(query, filters.remove(kind, value)) if query else "")
        for kind, value in filters.pairs()
    ]


def chip_kinds(groups) -> list[str]:
    """The tag kinds (principles, tactics, …) whose chips the page shows, in display order: the legend's keys."""
    shown = {kind for group in groups for hit in group.hits for kind in hit.tags if hit.tags[kind]}
    return [kind for kind in TAG_KINDS if kind in shown]


def noun(groups, n: int) -> str:
    """What an answer lists: stories when it holds only stories, else results (stories and documents)."""
    only_stories = all(g.type == "story" for g in groups)
    return ("story" if n == 1 else "stories") if only_stories else ("result" if n == 1 else "results")


ENV.globals.update(
    noun=noun,
    chip_kinds=chip_kinds,
    audio_at=links.audio_at,
    story_link=links.story_link,
    is_web_url=is_web_url,
    clock=clock,
    lab_name=lab_name,
    place=place,
    plural=plural,
    highlight=highlight,
    tag_chips=tag_chips,
    filter_pills=filter_pills,
    kind_label=KIND_LABEL,
    searched_as=markdown.searched_as,
)


def describe_filters(filters: Filters) -> str:
    """``principle <b>Trust</b> · country <b>Peru or Chile</b>`` (escaped)."""
    return str(ENV.get_template("macros.html").module.describe(filters))


def answer_html(answer: Answer, base: str = "", kept: Filters | None = None) -> str:
    """The assistant message: notes, the filters in force (each removable), weak-match note, lead, what
    it is about (chips with the links that narrow the answer), stories, copy controls. ``base`` makes
    copied links absolute; ``kept`` are the filters carried over from the last question."""
    return ENV.get_template("answer.html").render(
        answer=answer,
        answer_link=answer.link,
        base=base,
        kept=kept or Filters(),
        markdown=markdown.answer_markdown(
            answer.query, answer.filters, answer.groups, base, searched=markdown.searched_as(answer)
        ),
        citation=lambda hit: markdown.citation(hit, base),
        citations=lambda hit: citation.forms(hit, base),
        export_link=links.export_link(answer.query, answer.filters),
    )


def hit_html(hit: Hit, rank: int, stems: set[str], base: str = "") -> str:
    """One passage as a one-story answer card (used where a single hit is shown)."""
    answer = Answer(hit.title, Filters(), [StoryGroup(rank, [hit])], rank, rank, 1, 1, stems)
    markup = answer_html(answer, base)
    start = markup.index('<article class="ls-hit">')
    return markup[start : markup.index("</article>", start) + len("</article>")]


def folded_html(link: str) -> str:
    """An older answer of a long conversation, folded to one line whose link asks it again."""
    return ENV.get_template("folded.html").render(link=link)


def notice_html(text: str) -> str:
    return ENV.get_template("notice.html").render(text=text)


def absent_html(absent: list, query: str, filters: Filters) -> str:
    """Places asked for that the archive lacks (:class:`ui.nearby.Absent`): said, with the nearest
    values (each asks ``query`` again with it, when there is a question), and the filters kept."""
    return ENV.get_template("absent.html").render(
        absent=absent,
        query=query,
        filters=filters,
        ask_with=lambda kind, value: links.answer_link(query, filters.replace(kind, [value])) if query else "",
    )


def play_html(audio_url: str | None, start: int, primary: bool = False, approximate: bool = False) -> str:
    """``▶ 2:12`` (in-app player) and ``audio ↗`` (browser's own player), or a no-audio note."""
    return str(ENV.get_template("macros.html").module.play(audio_url, start, approximate, primary))


def chips_html(tags: dict[str, list[str]]) -> str:
    """Element tags as chips; each links to ``?principle=Trust`` and opens the glossary in the app."""
    return str(ENV.get_template("macros.html").module.chips(tags))


def story_html(story: Story, t: int | None) -> str:
    """The whole transcript: metadata, summary, sections with timestamps and tags, ``t``'s section marked."""
    current = current_section(story, t)
    focus = t if t is not None else (current.start if current else 0)
    return ENV.get_template("story.html").render(story=story, t=t, focus=focus, current=current, approximate=False)


def current_section(story: Story, t: int | None) -> Section | None:
    if t is None or not story.sections:
        return None
    before = [s for s in story.sections if s.start <= t]
    return before[-1] if before else story.sections[0]


def document_html(document: Document) -> str:
    """A whole page of any type but story: its metadata, then its sections with their headings."""
    return ENV.get_template("document.html").render(document=document)


def type_label(type_: str) -> str:
    return DOCUMENT_TYPE[type_].label if type_ in DOCUMENT_TYPE else type_


def facts(document: Document) -> str:
    """``Peru, Chile · South America · 2022 · es``: where, when and in which language."""
    parts = [
        ", ".join(document.countries[:4]),
        ", ".join(document.continents),
        str(document.year or ""),
        document.language,
    ]
    return " · ".join(part for part in parts if part)


#: Metadata shown on a document's page, in this order (the rest stays searchable as filters).
SHOWN_METADATA = (
    ("sdgs", "SDGs"),
    ("methods", "Methods"),
    ("thematic_areas", "Themes"),
    ("experiment_status", "Status"),
    ("experiment_type", "Experiment type"),
)


def metadata(document: Document) -> list[tuple[str, list[str]]]:
    return [(label, document.metadata[key]) for key, label in SHOWN_METADATA if document.metadata.get(key)]


ENV.globals.update(type_label=type_label, facts=facts, metadata=metadata, document_link=links.document_link)
ENV.globals.update(reading=reading)  # a story's sections in readable pieces, each with its second (ui.reading)


def glossary_html(kind: str, value: str, element: Element | None) -> str:
    return ENV.get_template("glossary.html").render(kind=kind, value=value, element=element)


__all__ = [
    "KIND_LABEL",
    "absent_html",
    "answer_html",
    "chips_html",
    "current_section",
    "describe_filters",
    "document_html",
    "esc",
    "glossary_html",
    "filter_pills",
    "highlight",
    "hit_html",
    "notice_html",
    "play_html",
    "story_html",
]
