"""Answers and passages as Markdown and citations, to paste into a report or a message.

One module builds every piece of Markdown the program gives away: the app's
"Copy as Markdown" and "Copy citation" and ``labstories search --format
markdown``. URLs come from :mod:`rag.links`; ``base`` is the address the page
was opened at (or the ``public_url`` setting) and makes the app's links
absolute — without one they stay relative ``?story=…`` links.
"""

from __future__ import annotations

import re

from labstories.index.vocabulary import DOCUMENT_TYPE, KIND
from labstories.rag import links
from labstories.rag.answer import Answer, StoryGroup
from labstories.rag.records import Filters, Hit
from labstories.rag.translate import LANGUAGES

from . import citation as citation_forms
from .display import clock, lab_name, place


def moment_label(hit: Hit) -> str:
    """``8:03`` or ``~8:03`` when the second is interpolated."""
    return ("~" if hit.interpolated else "") + clock(hit.at)


def citation(hit: Hit, base: str = "") -> str:
    """The plain-text citation (:func:`ui.citation.plain`; APA and BibTeX are there too)."""
    return citation_forms.plain(hit, base)


def filters_line(filters: Filters) -> str:
    """``principle Trust; country Peru or Chile`` (or ``none``)."""
    return "; ".join(f"{KIND[kind].singular} {' or '.join(values)}" for kind, values in filters.items()) or "none"


def answer_markdown(
    query: str,
    filters: Filters,
    groups: list[StoryGroup],
    base: str = "",
    note: str = "",
    count: str = "",
    searched: str = "",
) -> str:
    """The question, ``count`` (what is listed, as the terminal counts it) and the filters (and
    ``note``, the weak-match note), then per passage: lab, country, role, moment (an audio link),
    the quoted text, its tags and the deep link."""
    lines = [
        f"## {_line(query)}",
        "",
        *([f"{_line(count)}  "] if count else []),
        *([f"{_line(searched)}  "] if searched else []),
        f"Filters: {filters_line(filters)}  ",
        f"Answer: {links.absolute(links.answer_link(query, filters), base)}",
        "",
    ]
    if note:
        lines += [f"*{_line(note)}*", ""]
    for number, group in enumerate(groups):
        if not group.strong and (number == 0 or groups[number - 1].strong):
            lines += [f"*{LOOSE}*", ""]
        best = group.best
        if best.type == "story":
            head = f"### {group.rank}. {lab_name(best.country)} — {_line(best.title)}"
            facts = [best.role, place(best.country, best.continent)]
        else:
            head = f"### {group.rank}. {DOCUMENT_TYPE[best.type].label} — {_line(best.title)}"
            facts = [place(best.country, best.continent), str(best.year or "")]
        lines += [head, " · ".join(f for f in facts if f), ""]
        for hit in group.hits:
            lines += _passage(hit, base)
    return "\n".join(lines).rstrip() + "\n"


def searched_as(answer: Answer) -> str:
    """``Asked in Spanish, searched in English as “…”`` for a French or Spanish question, else ""."""
    if not answer.searched_as:
        return ""
    return f"Asked in {LANGUAGES[answer.asked_in].title()}, searched in English as “{answer.searched_as}”"


#: Said above the stories of an answer that only share words or themes with the question.
LOOSE = "Loosely related: these share words or themes with the question but do not speak to it"


def weak_note(answer: Answer) -> str:
    """In words: no passage speaks to the question directly, and which filters are to blame."""
    strength = answer.strength
    text = "No passage speaks to this directly"
    if strength.filtered_out:
        text += f" with {filters_line(answer.filters)}"
    text += "; the closest are below."
    if strength.blamed:
        dropped = ", or without ".join(f"{KIND[r.kind].singular} {' or '.join(r.values)}" for r in strength.blamed)
        text += f" Without {dropped} the archive has strong matches."
    elif strength.filtered_out:
        text += " Without the filters the archive has strong matches."
    return text


def _passage(hit: Hit, base: str) -> list[str]:
    audio = links.audio_at(hit.audio_url, hit.at)
    when = f"[▶ {moment_label(hit)}]({audio})" if audio else f"{moment_label(hit)} (no recording)"
    lines = [f"- {when} · [open in labstories]({links.absolute(hit.link, base)})"]
    if hit.heading:
        lines.append(f"  *Q: {_line(hit.heading)}*")
    lines += ["", f"  > {_line(hit.text)}", ""]
    if tags := tags_line(hit):
        lines += [f"  {_line(tags)}", ""]
    return lines


def tags_line(hit: Hit) -> str:
    """``principles: Trust, Empathy · tactics: Asset mapping``: the passage's tags (or ``""``)."""
    return " · ".join(f"{kind}: {', '.join(values)}" for kind, values in hit.tags.items() if values)


def _line(text: str) -> str:
    """One line of text, so a quote or heading cannot break the Markdown around it."""
    return re.sub(r"\s+", " ", text or "").strip()


__all__ = ["answer_markdown", "citation", "filters_line", "moment_label", "tags_line", "weak_note"]
