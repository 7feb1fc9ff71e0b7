"""Every URL the program emits is built here, and nowhere else."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from labstories.index.text import is_web_url
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


def document_link(doc: str) -> str:
    """``?doc=<id>``: the app's view of a whole page with its metadata."""
    return "?" + urlencode({"doc": doc})


def page_url(document, at: int | None = None) -> str | None:
    """The link that fits a document: a story's audio at second ``at``, a blog's or publication's
    original page (http(s) only), else the app's own document view."""
    if document.type == "story":
        return audio_at(document.links.get("audio"), at or 0)
    source = document.links.get("source")
    if document.type in ("blog", "publications") and is_web_url(source):
        return source
    return document_link(document.id)


def answer_link(query: str, filters: Filters | None = None) -> str:
    """``?q=…&principle=Trust&country=Peru``: opening it reruns the same search."""
    params: list[tuple[str, str]] = [("q", query)] if query else []
    for kind, values in (filters or Filters()).items():
        params.extend((KIND[kind].param, value) for value in values)
    return "?" + urlencode(params)


def base_url(address: str | None) -> str:
    """The page's address without query or fragment (``http://host:7860/app``), or "" when it is
    not an http(s) URL: the base that :func:`absolute` resolves app links against."""
    if not is_web_url(address):
        return ""
    parts = urlsplit(address.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


def absolute(link: str, base: str = "") -> str:
    """An app link (``?story=…``) made absolute against ``base``; unchanged when there is no base."""
    base = base_url(base)
    return urljoin(base, link) if base else link


#: The app's CSV of an answer (served by ``ui.share``), relative to the app's root as every app link is.
EXPORT_PATH = "export.csv"
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
_PREFIX = re.compile(r"^(?:/[A-Za-z0-9._~-]+)*/?$")


def export_link(query: str, filters: Filters | None = None) -> str:
    """``export.csv?q=…&country=Peru``: the answer's results as CSV, under the same filters."""
    return EXPORT_PATH + answer_link(query, filters)


def forwarded_base(headers, path: str = "/") -> str:
    """The app's address as a proxy says the client reached it: ``X-Forwarded-Proto://X-Forwarded-Host``
    and ``X-Forwarded-Prefix`` (else ``path``), first values only; "" without a well-formed
    ``X-Forwarded-Host``. ``headers`` is any mapping with lower-case keys (Starlette's, gr.Request's)."""
    host = _first(headers, "x-forwarded-host")
    if not _HOST.match(host):
        return ""
    proto = _first(headers, "x-forwarded-proto").lower()
    prefix = _first(headers, "x-forwarded-prefix") or path
    return _base(proto if proto in ("http", "https") else "http", host, prefix)


def request_base(headers, scheme: str = "http", path: str = "/") -> str:
    """The address a request reached the app at: :func:`forwarded_base`, else ``scheme://Host`` + ``path``."""
    host = _first(headers, "host")
    if forwarded := forwarded_base(headers, path):
        return forwarded
    return _base(scheme if scheme in ("http", "https") else "http", host, path) if _HOST.match(host) else ""


def _first(headers, name: str) -> str:
    try:
        value = headers.get(name) or ""
    except AttributeError:
        return ""
    return str(value).split(",", 1)[0].strip()


def _base(scheme: str, host: str, path: str) -> str:
    path = path if _PREFIX.match(path or "/") else "/"
    return f"{scheme}://{host}{path.rstrip('/')}/"


def citation_url(url: str) -> str:
    """A link as a citation may carry it: characters that end or break a BibTeX field or a sentence
    (white space, quotes, braces, backslash) percent-encoded."""
    return re.sub(r"[\s\"{}\\<>`]", lambda m: f"%{ord(m.group()):02X}", url)


def filters_from_params(params: dict[str, list[str]]) -> Filters:
    """The inverse of :func:`answer_link` for the filter part (URL parameters are the
    singular ``KIND_BY_PARAM`` names); unknown names are ignored here."""
    return Filters(**{KIND_BY_PARAM[name].name: values for name, values in params.items() if name in KIND_BY_PARAM})


__all__ = [
    "EXPORT_PATH",
    "absolute",
    "answer_link",
    "audio_at",
    "base_url",
    "citation_url",
    "document_link",
    "export_link",
    "filters_from_params",
    "forwarded_base",
    "page_url",
    "request_base",
    "story_link",
]
