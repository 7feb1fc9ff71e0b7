"""Links ready to share: the page's title and link preview, and an answer as CSV.

:class:`SharedLinks` is ASGI middleware in front of Gradio (beside
:class:`ui.guard.RequestGuard`). It does two things Gradio's own routes do not:

* ``GET /`` (the page): a link-preview bot reads the HTML and runs no script, and
  Gradio's HTML says "Gradio". The head gets a ``<title>`` and Open Graph and
  Twitter tags that name what the link opens — the question and how many labs
  speak to it (``?q=``), the story, its interviewee, lab and country
  (``?story=``), the document (``?doc=``) — rendered by a Jinja2 template with
  autoescaping, from parameters read as the page reads them (:mod:`ui.params`).
* ``GET /export.csv?q=…&country=…``: the answer to that link, under the same
  filters, as CSV (:mod:`ui.export`), as an attachment.

Links are absolute against the ``public_url`` setting, else the address the
request came to: ``X-Forwarded-Proto``/``-Host``/``-Prefix`` from a proxy
(:func:`rag.links.request_base`), else its ``Host``. When the app asks for a
login, a request without one gets the generic preview and a 401 for the CSV:
nothing of the archive leaves before the login (the check reads Gradio's own
session cookie, as its ``/login_check`` does). Searches run in a worker thread,
two at a time, and previews are kept for the last :data:`KEPT` links.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl

import anyio
from starlette.datastructures import Headers

from labstories.index.speakers import interviewee
from labstories.index.text import fold, gist
from labstories.rag import FilterError, QueryError, links
from labstories.rag.answer import answer
from labstories.rag.live import LiveIndex

from .display import lab_name, place, plural
from .export import answer_csv
from .limits import clean_text
from .markdown import filters_line
from .messages import for_web
from .params import parse_params
from .render import ENV, facts, type_label

SITE_TITLE = "labstories — Accelerator Labs interview stories"
SITE_DESCRIPTION = (
    "Ask the interview stories of the UNDP Accelerator Labs R&D Archive: passages that lab members "
    "actually said, each playable from its second."
)
#: Previews kept (by index build and link), so a bot and the page it previews do not search twice.
KEPT = 256
#: Searches for previews and CSVs at once (outside Gradio's queue; the rest wait).
AT_ONCE = 2
MAX_DESCRIPTION = 300
_OPEN_GRAPH = re.compile(r'<meta\s+(?:property="og:[^"]*"|name="twitter:[^"]*")\s+content="[^"]*"\s*/?>\s*', re.S)
_TITLE = re.compile(r"<title>.*?</title>\s*", re.S)
_CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)
_HEAD = re.compile(r"<head>", re.I)


@dataclass
class Preview:
    """What a shared link says before it is opened: og:title, og:description, og:url."""

    title: str = SITE_TITLE
    description: str = SITE_DESCRIPTION
    url: str = ""

    @property
    def tab_title(self) -> str:
        return self.title if self.title == SITE_TITLE else f"{self.title} — labstories"


def preview_for(index, pairs: list[tuple[str, str]], base: str = "") -> Preview:
    """The preview of the page ``?pairs`` opens, read as the page reads them (unknown values dropped)."""
    request = parse_params(pairs, index.facets, index.state.stories, index.state.documents)
    page = request.story or request.doc
    if page:
        document = index.state.documents[page]
        link = links.story_link(page, request.t) if request.story else links.document_link(page)
        return Preview(document.title, _about_document(document), links.absolute(link, base))
    if request.query:
        link = links.answer_link(request.query, request.filters)
        return Preview(request.query, _about_answer(index, request), links.absolute(link, base))
    return Preview(url=base)


def _about_document(document) -> str:
    if document.type == "story":
        who = ", ".join(p for p in (interviewee(document), document.role, lab_name(document.country)) if p)
        where = place(document.country, document.continent)
        line = f"{who} · {where}" if where else who
    else:
        line = f"{type_label(document.type)} · {facts(document)}".rstrip(" ·")
    return _short(f"{line}. {gist(document.summary)}" if document.summary else line)


def _about_answer(index, request) -> str:
    """``4 labs speak to this. Top: “Title” (UNDP Accelerator Lab Peru)``, with the filters."""
    found = answer(index, request.query, request.filters)
    with_filters = f" Filters: {filters_line(found.filters)}." if found.filters else ""
    if not found.groups:
        return _short("No passage matches this in the archive yet." + with_filters)
    best = found.groups[0].best
    top = f"“{best.title}” ({lab_name(best.country) if best.country else type_label(best.type)})"
    strong = found.strength is None or found.strength.strong
    labs = found.labs_speaking if strong else 0
    if labs:
        return _short(f"{plural(labs, 'lab speaks', 'labs speak')} to this. Top: {top}.{with_filters}")
    return _short(f"No passage speaks to this directly; the closest: {top}.{with_filters}")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"


def head_html(preview: Preview) -> str:
    return ENV.get_template("preview.html").render(preview=preview)


def with_preview(page: str, preview: Preview) -> str:
    """Gradio's page with its title and Open Graph / Twitter tags replaced by the preview's."""
    page = _TITLE.sub("", _OPEN_GRAPH.sub("", page))
    anchor = _CHARSET if _CHARSET.search(page) else _HEAD  # after the charset, which must come first
    return anchor.sub(lambda m: m.group() + head_html(preview), page, count=1)


def csv_filename(query: str) -> str:
    """``labstories-trust-of-communities.csv``: ASCII letters, digits and hyphens only."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(query).lower()).strip("-")[:60].rstrip("-")
    return f"labstories-{slug or 'answer'}.csv"


class SharedLinks:
    """Pure ASGI middleware: the preview in ``GET /``, and ``GET /export.csv``."""

    def __init__(self, app, index):
        self.app = app
        self.source = index
        self._previews: OrderedDict = OrderedDict()
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def index(self):
        return self.source.current if isinstance(self.source, LiveIndex) else self.source

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path == "/" + links.EXPORT_PATH:
            return await self._export(scope, send)
        if path != "/":
            return await self.app(scope, receive, send)
        return await self._page(scope, receive, send)

    # -- the page ------------------------------------------------------------------------
    async def _page(self, scope, receive, send):
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                await self._send_page(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    async def _send_page(self, scope, start: dict, body: bytes, send) -> None:
        headers = Headers(raw=start.get("headers", []))
        is_page = (
            start.get("status") == 200
            and headers.get("content-type", "").startswith("text/html")
            and "content-encoding" not in headers
        )
        if is_page:
            preview = await self._preview(scope) if _signed_in(scope) else Preview(url=self._base(scope))
            body = with_preview(body.decode("utf-8", "replace"), preview).encode("utf-8")
            raw = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            start = {**start, "headers": [*raw, (b"content-length", str(len(body)).encode())]}
        await send(start)
        await send({"type": "http.response.body", "body": body})

    async def _preview(self, scope) -> Preview:
        pairs = _pairs(scope)
        index, base = self.index, self._base(scope)
        key = (index.version, base, tuple(pairs))
        if key in self._previews:
            self._previews.move_to_end(key)
            return self._previews[key]
        try:
            preview = await self._in_thread(preview_for, index, pairs, base)
        except Exception:  # noqa: BLE001 — a preview must never take the page down
            preview = Preview(url=base)
        self._previews[key] = preview
        while len(self._previews) > KEPT:
            self._previews.popitem(last=False)
        return preview

    # -- the CSV -------------------------------------------------------------------------
    async def _export(self, scope, send) -> None:
        if not _signed_in(scope):
            return await _reply(send, 401, "text/plain", b"Log in to the app first, then download the CSV.")
        index, base = self.index, self._base(scope)
        request = parse_params(_pairs(scope), index.facets, index.state.stories, index.state.documents)
        if not request.query:
            return await _reply(send, 400, "text/plain", b"Give a question: export.csv?q=...&country=...")
        try:
            found = await self._in_thread(answer, index, request.query, request.filters)
        except (QueryError, FilterError) as error:
            return await _reply(send, 400, "text/plain; charset=utf-8", for_web(error).encode("utf-8"))
        body = ("\ufeff" + answer_csv(found, base)).encode("utf-8")  # the BOM: Excel then reads UTF-8
        disposition = f'attachment; filename="{csv_filename(request.query)}"'
        await _reply(send, 200, "text/csv; charset=utf-8", body, [(b"content-disposition", disposition.encode())])

    # -- shared ----------------------------------------------------------------------------
    def _base(self, scope) -> str:
        public = getattr(self.index.settings, "public_url", "")
        return links.base_url(public) or links.request_base(Headers(scope=scope), scope.get("scheme", "http"))

    async def _in_thread(self, function, *args):
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(AT_ONCE)
        return await anyio.to_thread.run_sync(lambda: function(*args), limiter=self._limiter)


def _pairs(scope) -> list[tuple[str, str]]:
    query = scope.get("query_string", b"").decode("latin-1")
    return [(clean_text(k), clean_text(v)) for k, v in parse_qsl(query, keep_blank_values=True)]


def _signed_in(scope) -> bool:
    """No login asked for, or the request carries the session cookie of a logged-in user (Gradio's
    ``access-token-<id>`` cookie, the check its ``/login_check`` makes)."""
    app = scope.get("app")
    if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
        return True
    if getattr(app, "auth_dependency", None) is not None:
        return False  # a custom login: Gradio alone can tell; share nothing
    cookies = _cookies(Headers(scope=scope).get("cookie", ""))
    cookie = getattr(app, "cookie_id", "")
    token = cookies.get(f"access-token-{cookie}") or cookies.get(f"access-token-unsecure-{cookie}")
    return bool(token) and token in getattr(app, "tokens", {})


def _cookies(header: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:  # a malformed cookie header is no login
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


async def _reply(send, status: int, kind: str, body: bytes, extra: list | None = None) -> None:
    headers = [
        (b"content-type", kind.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["SITE_TITLE", "Preview", "SharedLinks", "csv_filename", "head_html", "preview_for", "with_preview"]
