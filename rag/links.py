"""Every URL the program emits is built here, and nowhere else."""

from __future__ import annotations

from urllib.parse import urlencode

from labstories.index.parse import is_web_url

from .records import FILTER_KINDS, Filters

#: URL parameter for each filter kind: singular, repeatable (``?principle=Trust&principle=Empathy``).
PARAM_OF = {
    "principles": "principle", "tactics": "tactic", "tools": "tool", "skills": "skill",
    "country": "country", "continent": "continent", "role": "role",
}
KIND_OF = {param: kind for kind, param in PARAM_OF.items()}


def audio_at(audio_url: str | None, start: int) -> str | None:
    """The media-fragment link that starts the interview audio at ``start`` seconds."""
    if not is_web_url(audio_url):
        return None
    return f"{audio_url.split('#', 1)[0]}#t={int(start)}"


def story_link(story: str, start: int | None = None) -> str:
    params = {"story": story}
    if start is not None:
        params["t"] = int(start)
    return "?" + urlencode(params)


def answer_link(query: str, filters: Filters | None = None) -> str:
    """``?q=…&principle=Trust&country=Peru``: opening it reruns the same search."""
    params: list[tuple[str, str]] = [("q", query)] if query else []
    for kind, values in (filters or Filters()).items():
        params.extend((PARAM_OF[kind], value) for value in values)
    return "?" + urlencode(params)


def filters_from_params(params: dict[str, list[str]]) -> Filters:
    """The inverse of :func:`answer_link` for the filter part; unknown names are ignored here."""
    return Filters(**{KIND_OF[name]: values for name, values in params.items() if name in KIND_OF})


__all__ = ["PARAM_OF", "KIND_OF", "FILTER_KINDS", "is_web_url", "audio_at", "story_link", "answer_link", "filters_from_params"]
