"""Every URL the program emits is built here, and nowhere else."""

from __future__ import annotations

from urllib.parse import urlencode

from labstories.index.parse import is_web_url

from labstories.index.vocabulary import KIND, KIND_BY_PARAM

from .records import Filters



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
        params.extend((KIND[kind].param, value) for value in values)
    return "?" + urlencode(params)


def filters_from_params(params: dict[str, list[str]]) -> Filters:
    """The inverse of :func:`answer_link` for the filter part (URL parameters are the
    singular ``KIND_BY_PARAM`` names); unknown names are ignored here."""
    return Filters(**{KIND_BY_PARAM[name].name: values for name, values in params.items() if name in KIND_BY_PARAM})


__all__ = ["is_web_url", "audio_at", "story_link", "answer_link", "filters_from_params"]
