"""An answer's results as CSV, for a spreadsheet: ``labstories search --format csv`` and the app's
"Download CSV" (``export.csv?q=…``, served by :mod:`ui.share`).

One row per passage of every story in the answer (all its pages, in the order the
pages take them): rank (the story's place), type, title, interviewee, role, lab,
country, year, the moment as ``m:ss`` and in seconds, the passage, the link that
opens it in the app (absolute against ``base`` when there is one), the audio or
original page, and when the file was made.

A spreadsheet runs a cell that starts with ``= + - @`` (or a tab or carriage
return) as a formula; transcripts are untrusted text, so such a cell gets a
leading ``'``, as OWASP advises against CSV injection.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from labstories.index.text import is_web_url
from labstories.rag import links
from labstories.rag.answer import Answer, StoryGroup, group_by_story
from labstories.rag.records import Hit

from .display import clock, lab_name

COLUMNS = (
    "rank",
    "type",
    "title",
    "interviewee",
    "role",
    "lab",
    "country",
    "year",
    "timestamp",
    "seconds",
    "passage",
    "link",
    "source",
    "exported",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a ``'`` in front when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def answer_groups(answer: Answer) -> list[StoryGroup]:
    """Every story of the answer, not only the page shown, in the order pages take them."""
    return getattr(answer, "everything", None) or answer.groups or group_by_story(answer.hits)


def rows(answer: Answer, base: str = "", now: datetime | None = None) -> list[list[str]]:
    """The header, then one row per passage, every cell made safe."""
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    table = [list(COLUMNS)]
    for group in answer_groups(answer):
        table.extend([safe_cell(v) for v in _row(group.rank, hit, base, stamp)] for hit in group.hits)
    return table


def answer_csv(answer: Answer, base: str = "", now: datetime | None = None) -> str:
    """The CSV text (RFC 4180: comma-separated, quoted where needed, CRLF line ends)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows(answer, base, now))
    return out.getvalue()


def _row(rank: int, hit: Hit, base: str, stamp: str) -> list:
    is_story = hit.type == "story"
    return [
        rank,
        hit.type,
        " ".join(hit.title.split()),
        hit.speaker,
        hit.role,
        lab_name(hit.country) if hit.country else "",
        hit.country,
        hit.year or "",
        (("~" if hit.interpolated else "") + clock(hit.at)) if is_story else "",
        hit.at if is_story else "",
        " ".join(hit.text.split()),
        links.absolute(hit.link, base),
        (hit.audio_at if is_story else hit.url if is_web_url(hit.url) else "") or "",
        stamp,
    ]


__all__ = ["COLUMNS", "answer_csv", "answer_groups", "rows", "safe_cell"]
