"""Hits, stories and glossary entries → HTML strings for the app. Pure functions, no Gradio.

Everything that came from an archive file or a user (transcript text, titles,
summaries, tag values, questions) passes through :func:`esc` before it is put
into markup, and only ``http(s)`` audio URLs (``rag.links.is_web_url``) ever
reach an ``href``. Chat answers are also sanitised by ``gr.Chatbot``, which
strips ``data-`` attributes, so every interactive control is an ``<a href>``
whose URL carries what the click handler needs (the audio ``#t=`` link, the
story link, the answer link). Without JavaScript each link still does the
sensible thing: plays in the browser's player, opens the story, opens the
answer. All URLs come from :mod:`rag.links`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from labstories.index.records import Element, Section, Story
from labstories.index.vocabulary import KIND, TAG_KINDS
from labstories.rag import links
from labstories.rag.filters import Relaxation
from labstories.rag.records import Filters, Hit
from labstories.rag.snippets import highlight_spans

from .display import clock

#: Singular, readable names of the filter kinds.
KIND_LABEL = {kind.name: kind.singular for kind in KIND.values()}


_TEMPLATE_CHARS = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})


def esc(text: object) -> str:
    """HTML-escape, and also entity-encode ``$ { } ` `` so no template engine downstream
    (``gr.HTML`` renders its value through a JS/Handlebars template) can read code in it."""
    return html.escape("" if text is None else str(text), quote=True).translate(_TEMPLATE_CHARS)


def highlight(text: str, stems: set[str]) -> str:
    """Escaped text with the query's words (stem match) wrapped in ``<mark>``."""
    out, last = [], 0
    for start, end in highlight_spans(text, stems):
        out.append(esc(text[last:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        last = end
    out.append(esc(text[last:]))
    return "".join(out)


def describe_filters(filters: Filters) -> str:
    """``principle Trust · country Peru or Chile`` (escaped)."""
    return " · ".join(f"{KIND_LABEL[kind]} <b>{' or '.join(esc(v) for v in values)}</b>"
                      for kind, values in filters.items())


@dataclass
class Answer:
    """One chat answer: the search that ran and the page of hits to show."""

    query: str
    filters: Filters
    hits: list[Hit]                 # the page shown
    first: int = 1                  # rank of hits[0]
    total: int = 0                  # hits retrieved for this question
    stories: int = 0                # distinct stories among them
    stems: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)   # plain text: what was understood or dropped
    relaxations: list[Relaxation] = field(default_factory=list)


def answer_html(answer: Answer) -> str:
    """The assistant message: lead line, passages, and a copy-link control for the answer."""
    link = links.answer_link(answer.query, answer.filters)
    notes = "".join(f'<p class="ls-note">{esc(n)}</p>' for n in answer.notes)
    if not answer.hits:
        return f'<div class="ls-answer">{notes}{empty_html(answer)}</div>'
    last = answer.first + len(answer.hits) - 1
    scope = f" with {describe_filters(answer.filters)}" if answer.filters else " (no filters)"
    lead = (f'<p class="ls-lead">Passages from <b>{answer.stories}</b> {_plural(answer.stories, "story", "stories")}'
            f" for “{esc(answer.query)}”{scope}. Showing {answer.first}–{last} of {answer.total}.</p>")
    cards = "".join(hit_html(hit, answer.first + i, answer.stems) for i, hit in enumerate(answer.hits))
    more = ' Type “more” or press “More passages” for the next ones.' if last < answer.total else ""
    footer = (f'<p class="ls-foot"><a class="ls-copy" href="{esc(link)}">Copy link to this answer</a>'
              f"<span>{more}</span></p>")
    return f'<div class="ls-answer">{notes}{lead}{cards}{footer}</div>'


def hit_html(hit: Hit, rank: int, stems: set[str]) -> str:
    place = ", ".join(x for x in (hit.country, hit.continent) if x)
    question = f'<p class="ls-q">Q: {esc(hit.heading)}</p>' if hit.heading else ""
    full = ""
    if hit.snippet.strip(" …") != hit.text.strip():
        full = f'<details class="ls-full"><summary>Whole passage</summary><p>{highlight(hit.text, stems)}</p></details>'
    return (
        f'<article class="ls-hit"><p class="ls-head"><span class="ls-rank">{rank}.</span> '
        f'<strong class="ls-title">{esc(hit.title)}</strong> '
        f'<span class="ls-meta">{esc(hit.role)} · {esc(place)}</span></p>'
        f'{question}<p class="ls-text">{highlight(hit.snippet, stems)}</p>{full}'
        f"{chips_html(hit.tags)}"
        f'<p class="ls-actions">{play_html(hit.audio_url, hit.start)}'
        f'<a class="ls-open" href="{esc(hit.link)}">Open story</a>'
        f'<a class="ls-copy" href="{esc(hit.link)}">Copy link</a></p></article>'
    )


def play_html(audio_url: str | None, start: int, primary: bool = False) -> str:
    """``▶ 2:12`` (in-app player) and ``audio ↗`` (browser's own player), or a no-audio note."""
    target = links.audio_at(audio_url, start)  # None unless http(s)
    if not target:
        return f'<span class="ls-noaudio">{clock(start)} · no recording</span>'
    cls = "ls-play ls-primary" if primary else "ls-play"
    return (f'<a class="{cls}" href="{esc(target)}" aria-label="Play the interview from {clock(start)}">▶ {clock(start)}</a>'
            f'<a class="ls-ext" href="{esc(target)}" target="_blank" rel="noopener noreferrer" '
            f'aria-label="Open the audio at {clock(start)} in a new tab">audio ↗</a>')


def chips_html(tags: dict[str, list[str]]) -> str:
    """Element tags as chips; each links to ``?principle=Trust`` and opens the glossary in the app."""
    chips = []
    for kind in TAG_KINDS:
        for value in tags.get(kind, ()):
            href = links.answer_link("", Filters(**{kind: [value]}))
            chips.append(f'<a class="ls-chip ls-{kind}" href="{esc(href)}" '
                         f'title="{esc(KIND_LABEL[kind])}: {esc(value)} — show definition">{esc(value)}</a>')
    return f'<p class="ls-chips">{"".join(chips)}</p>' if chips else ""


def empty_html(answer: Answer) -> str:
    """No passages: say so, name the filters that emptied the list, suggest what to drop or use instead."""
    scope = describe_filters(answer.filters)
    lines = [f'<p class="ls-lead ls-empty">No passages match “{esc(answer.query)}”'
             + (f" with {scope}." if scope else ".") + "</p>"]
    for relax in answer.relaxations:
        if relax.passages:
            lines.append(f"<li>Remove {KIND_LABEL[relax.kind]} <b>{esc(' or '.join(relax.values))}</b>: "
                         f"{relax.passages} passages match the other filters"
                         + (f"; {esc(KIND_LABEL[relax.kind])} values that would match: "
                            + ", ".join(f"{esc(v)} ({n})" for v, n in relax.alternatives) if relax.alternatives else "")
                         + ".</li>")
    if len(lines) == 1 and answer.filters:
        lines.append("<li>No single filter is to blame; clear the filters and ask again.</li>")
    if len(lines) > 1:
        lines[1:] = ['<ul class="ls-suggest">'] + lines[1:] + ["</ul>"]
    return "".join(lines)


def notice_html(text: str) -> str:
    return f'<div class="ls-answer"><p class="ls-note">{esc(text)}</p></div>'


def story_html(story: Story, t: int | None, glossary: dict[str, Element] | None = None) -> str:
    """The whole transcript: metadata, summary, sections with timestamps and tags, ``t``'s section marked."""
    current = current_section(story, t)
    focus = t if t is not None else (current.start if current else 0)
    place = ", ".join(x for x in (story.country, story.continent) if x)
    audio = play_html(story.audio_url, focus, primary=True) if links.is_web_url(story.audio_url) else \
        '<span class="ls-noaudio">No recording is published for this story.</span>'
    sections = "".join(_section_html(story, s, s is current) for s in story.sections)
    return (
        f'<article class="ls-story" id="ls-story" data-link="{esc(links.story_link(story.id, t))}">'
        f'<header><h2>{esc(story.title)}</h2>'
        f'<p class="ls-meta">{esc(story.role)} · {esc(place)} · {len(story.sections)} sections</p>'
        f'<p class="ls-summary">{esc(story.summary)}</p>'
        f'<p class="ls-actions">{audio}<a class="ls-copy" href="{esc(links.story_link(story.id, t))}">Copy link</a></p>'
        f"</header>{sections}</article>"
    )


def current_section(story: Story, t: int | None) -> Section | None:
    if t is None or not story.sections:
        return None
    before = [s for s in story.sections if s.start <= t]
    return before[-1] if before else story.sections[0]


def _section_html(story: Story, section: Section, current: bool) -> str:
    cls = "ls-section ls-current" if current else "ls-section"
    aria = ' aria-current="true"' if current else ""
    paragraphs = []
    for paragraph in section.paragraphs:
        inline = play_html(story.audio_url, paragraph.start) if paragraph.start is not None else ""
        paragraphs.append(f'<p class="ls-para">{inline}{esc(paragraph.text)}</p>{chips_html(paragraph.tags)}')
    heading = esc(section.heading) if section.heading else "<i>(answer)</i>"
    return (f'<section class="{cls}" id="ls-t-{int(section.start)}"{aria}>'
            f'<h3>{play_html(story.audio_url, section.start)} <span>{heading}</span> '
            f'<a class="ls-copy ls-small" href="{esc(links.story_link(story.id, section.start))}" '
            f'aria-label="Copy a link to this section">copy link</a></h3>{"".join(paragraphs)}</section>')


def glossary_html(kind: str, value: str, element: Element | None) -> str:
    label = esc(KIND_LABEL.get(kind, kind))
    if element is None:
        return (f'<div class="ls-gloss"><h3>{esc(value)} <small>{label}</small></h3>'
                f"<p>This archive has no glossary page for this {label}.</p></div>")
    purpose = f"<p><b>Purpose.</b> {esc(element.purpose)}</p>" if element.purpose else ""
    overview = esc(element.overview) or "No overview on the element page."
    return (f'<div class="ls-gloss"><h3>{esc(element.title)} <small>{label}</small></h3>'
            f"<p>{overview}</p>{purpose}</div>")


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


__all__ = ["Answer", "KIND_LABEL", "answer_html", "chips_html", "current_section", "describe_filters",
           "empty_html", "esc", "glossary_html", "highlight", "hit_html", "notice_html", "play_html", "story_html"]
