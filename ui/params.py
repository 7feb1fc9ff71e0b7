"""URL query parameters → a validated page request, with friendly notes for anything dropped.

The address bar is user input: every name and value is checked here before the
app acts on it. Unknown names, malformed times, unknown stories and filter
values the index does not know are dropped, each with one readable note; the
page never turns into an error page. Names and values are cleaned first (lone
surrogates, NUL and other control characters cannot reach a note, a search or
the JSON reply) and only the first :data:`~ui.limits.MAX_PARAMS` parameters are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from labstories.index.vocabulary import KIND, KIND_BY_PARAM
from labstories.rag.filters import FilterError, resolve
from labstories.rag.records import Filters

from .limits import MAX_PARAMS, MAX_QUESTION, clean_text
from .messages import for_web

MAX_QUERY = MAX_QUESTION
MAX_VALUES = 20
MAX_VALUE_LENGTH = 200  # no filter value is longer; longer ones are not looked up
MAX_T = 24 * 3600
_SECONDS = re.compile(r"^[0-9]{1,6}$")  # ASCII digits only: "²".isdigit() is True but int("²") fails
_STORY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
KNOWN = ("q", "story", "doc", "t", *KIND_BY_PARAM)
#: A page's file stem, as the archive names them (letters of any script, digits, _ . -).
_DOC_ID = re.compile(r"^[\w.-]{1,200}$")


@dataclass
class PageRequest:
    """What the address bar asks for: a question (with filters) and/or a story at a time."""

    query: str = ""
    filters: Filters = field(default_factory=Filters)
    story: str | None = None
    #: Any document of the archive, shown whole with its metadata (``?doc=``).
    doc: str | None = None
    t: int | None = None
    notes: list[str] = field(default_factory=list)


def parse_params(
    pairs: list[tuple[str, str]], facets: dict[str, dict[str, int]], stories, documents=None
) -> PageRequest:
    """``[("q", "trust"), ("principle", "Trust")]`` → PageRequest; ``stories`` (the ids ``?story=`` may
    name) and ``documents`` (those ``?doc=`` may name; default: the stories) support ``in``."""
    request = PageRequest()
    pairs = list(pairs)
    if len(pairs) > MAX_PARAMS:
        request.notes.append(f"The link had {len(pairs)} parameters; only the first {MAX_PARAMS} were read.")
        pairs = pairs[:MAX_PARAMS]
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(clean_text(str(name)), []).append(clean_text(str(value)))
    unknown = sorted(set(grouped) - set(KNOWN))
    if unknown:
        request.notes.append(
            f"Ignored unknown link parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(_quote(n) for n in unknown)}; links use {', '.join(KNOWN)}."
        )
    request.query = _query(grouped.get("q", []), request.notes)
    request.filters = _filters(grouped, facets, request.notes)
    request.story = _story(grouped.get("story", []), stories, request.notes)
    request.doc = _document(grouped.get("doc", []), stories if documents is None else documents, request.notes)
    request.t = _time(grouped.get("t", []), request.notes)
    return request


def _query(values: list[str], notes: list[str]) -> str:
    query = " ".join((values[0] if values else "").split())
    if len(query) > MAX_QUERY:
        notes.append(f"The question in the link was {len(query)} characters; only the first {MAX_QUERY} were used.")
        query = query[:MAX_QUERY]
    return query


def _filters(grouped: dict[str, list[str]], facets, notes: list[str]) -> Filters:
    return clean_filters({kind.name: grouped.get(param, []) for param, kind in KIND_BY_PARAM.items()}, facets, notes)


def clean_filters(values: dict[str, list[str] | None], facets, notes: list[str]) -> Filters:
    """Filter values by kind (from the URL, the panel or the API) → Filters in the index's spelling.

    Unknown values are dropped with a note naming the closest ones; at most
    ``MAX_VALUES`` per kind are kept.
    """
    kept: dict[str, list[str]] = {}
    for kind, given in values.items():
        if kind not in KIND:
            continue
        param = KIND[kind].param
        given = list(given) if isinstance(given, (list, tuple)) else [] if given is None else [given]
        for value in given[:MAX_VALUES]:
            value = " ".join(clean_text(str(value)).split())
            if not value:
                continue
            if len(value) > MAX_VALUE_LENGTH:
                notes.append(
                    f"Ignored the filter {param}={_quote(value)}: no {KIND[kind].singular} has so long a name."
                )
                continue
            try:
                canonical = resolve(Filters(**{kind: [value]}), facets)
            except FilterError as error:
                notes.append(f"Ignored the filter {param}={_quote(value)}: {for_web(error)}")
                continue
            kept.setdefault(kind, []).extend(canonical.get(kind))
    filters = Filters(**kept)
    filters.resolved_by = facets  # every value was checked above: search need not resolve them again
    return filters


def _story(values: list[str], stories, notes: list[str]) -> str | None:
    return _page(values, stories, _STORY_ID, "story", notes)


def _document(values: list[str], documents, notes: list[str]) -> str | None:
    return _page(values, documents, _DOC_ID, "document", notes)


def _page(values: list[str], known, shape: re.Pattern, what: str, notes: list[str]) -> str | None:
    """The id a link names when it has ``shape`` and is ``known``; otherwise None and a note."""
    if not values or not values[0].strip():
        return None
    page = values[0].strip()
    if not shape.match(page) or page not in known:
        notes.append(f"There is no {what} {_quote(page)} in this archive; ask a question to find one.")
        return None
    return page


def _time(values: list[str], notes: list[str]) -> int | None:
    if not values:
        return None
    raw = values[0].strip()
    if not _SECONDS.match(raw) or int(raw) > MAX_T:
        notes.append(f"Ignored the time t={_quote(raw)}: it should be a whole number of seconds.")
        return None
    return int(raw)


def _quote(text: str, limit: int = 60) -> str:
    text = text if len(text) <= limit else text[:limit] + "…"
    return f"“{text}”"


__all__ = ["KNOWN", "MAX_QUERY", "PageRequest", "clean_filters", "parse_params"]
