"""Answers and passages as Markdown and citations, to paste into a report or a message.

One module builds every piece of Markdown the program gives away: the app's
"Copy as Markdown" and "Copy citation" and ``labstories search --format
markdown``. URLs come from :mod:`rag.links`; ``base`` is the address the page
was opened at (or the ``public_url`` setting) and makes the app's links
absolute — without one they stay relative ``?story=…`` links.
"""

from __future__ import annotations

import re

from labstories.index.vocabulary import KIND
from labstories.rag import links
from labstories.rag.answer import Answer, StoryGroup
from labstories.rag.records import Filters, Hit

from .display import clock, lab_name, place


def moment_label(hit: Hit) -> str:
    """``8:03`` or ``~8:03`` when the second is interpolated."""
    return ("~" if hit.interpolated else "") + clock(hit.at)


def citation(hit: Hit, base: str = "") -> str:
    """``UNDP Accelerator Lab Peru (Solutions Mapper), "Title", R&D Archive interview at 8:03, <link>``."""
    return (
        f'{lab_name(hit.country)} ({hit.role}), "{_line(hit.title)}", '
        f"R&D Archive interview at {moment_label(hit)}, {links.absolute(hit.link, base)}"
    )


def filters_line(filters: Filters) -> str:
    """``principle Trust; country Peru or Chile`` (or ``none``)."""
    return "; ".join(f"{KIND[kind].singular} {' or '.join(values)}" for kind, values in filters.items()) or "none"


def answer_markdown(query: str, filters: Filters, groups: list[StoryGroup], base: str = "", note: str = "") -> str:
    """The question and its filters (and ``note``, the weak-match note), then per passage: lab,
    country, role, moment (an audio link), the quoted text and the deep link."""
    lines = [
        f"## {_line(query)}",
        "",
        f"Filters: {filters_line(filters)}  ",
        f"Answer: {links.absolute(links.answer_link(query, filters), base)}",
        "",
    ]
    if note:
        lines += [f"*{_line(note)}*", ""]
    for group in groups:
        best = group.best
        lines += [
            f"### {group.rank}. {lab_name(best.country)} — {_line(best.title)}",
            f"{best.role} · {place(best.country, best.continent)}",
            "",
        ]
        for hit in group.hits:
            lines += _passage(hit, base)
    return "\n".join(lines).rstrip() + "\n"


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
    return lines


def _line(text: str) -> str:
    """One line of text, so a quote or heading cannot break the Markdown around it."""
    return re.sub(r"\s+", " ", text or "").strip()


__all__ = ["answer_markdown", "citation", "filters_line", "moment_label", "weak_note"]
