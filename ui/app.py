"""The Gradio chat app: layout, event wiring and ``serve``.

Handlers live on :class:`ChatApp` (one per index) and return plain values, so
the same functions answer the browser, ``gradio_client`` and the tests. The
app reads only the index; the HTML comes from :mod:`ui.render`, URL
parameters are checked by :mod:`ui.params`, follow-ups are understood by
:mod:`ui.followups`. Nothing is fetched from the network at run time.

What a page holds travels as data, not in the HTML: the panel's filters as a
mapping ``{kind: [values]}`` (a hidden ``gr.JSON`` that the dropdowns write
through a ``js=`` callback, and that every answer writes back), and the
conversation (:class:`Conversation`, another hidden ``gr.JSON``) as input and
output of every event. The server also keeps the conversation per session
(``gr.State``, trusted); when it has dropped the session, the copy the browser
sends is read as untrusted input (:meth:`ChatApp._resume`).
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import asdict, dataclass, field
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import gradio as gr

from labstories.index import Settings
from labstories.index.vocabulary import FILTER_KINDS, KIND, KIND_BY_KEY, KIND_BY_PARAM
from labstories.rag import FilterError, Filters, QueryError, StoryIndex, links
from labstories.rag.answer import answer
from labstories.rag.live import LiveIndex

from . import render
from .access import credentials
from .assets import (
    BASE_JS,
    CLEAR_JS,
    FILTERS_TOGGLE_HTML,
    GLOSSARY_JS,
    HEAD,
    HEADER_HTML,
    PANEL_JS,
    PLAYER_HTML,
    SCRIPT,
    SHOW_JS,
    STYLESHEET,
    SYNC_JS,
)
from .display import plural
from .followups import Vocabulary, refine
from .guard import RequestGuard
from .heap import HeapTrimmer
from .limits import MAX_HISTORY, MAX_PARAMS, check_question, clean_text, cut_link
from .messages import for_web
from .nearby import nearest
from .overview import overview_html
from .params import clean_filters, parse_params
from .ports import PortError, check_port
from .share import SharedLinks

#: Sessions whose state the server keeps (least recently used dropped first). Gradio keeps a
#: copy of every component's config per session, the last answers included: ~0.4 MB here. Its
#: default of 10,000 let memory grow by ~130 MB per 1,000 questions (benchmarks/load.py). A
#: dropped session loses nothing: the browser sends its copy of the conversation (``_resume``).
SESSIONS = 100
#: Events Gradio keeps for its monitoring summary, and how often it summarises them. It keeps
#: 10,000 by default and summarises all of them in pandas after every event: 11 ms of CPU per
#: question once a server has answered 10,000, 2 ms at 1,000. This app shows no monitoring
#: page, so a recent window, summarised every 100 events, is plenty.
EVENTS_KEPT = 1000
SUMMARY_EVERY = 100
MAX_SHOWN = 9999  # stories a conversation sent back may say were shown (a page number, bounded)
MAX_BASE = 2000  # characters of the page address a conversation sent back may carry
EXAMPLES = (
    "How did labs build belonging with migrants?",
    "How did labs earn the trust of communities?",
    "What did solution mappers learn from local innovators?",
    "How did labs work with governments on policy?",
)


@dataclass
class Conversation:
    """Per-session memory: the last question, its filters, how many stories were shown, and the
    address the page was opened at (copied links and Markdown are absolute against it).

    Hits are not kept (sessions would hold megabytes); "more" runs the same
    deterministic search again and takes the next page. Which filters the next
    question keeps is not remembered here: all of those in force, whatever set
    them (one rule, in :func:`ui.followups.refine`).

    ``asdict()`` of it is what the page holds and sends back with every event
    (the hidden ``conversation`` component, the ``conversation`` parameter and
    output of ``/chat``): ``{"query": str, "filters": {kind: [values]},
    "stories_shown": int, "base": str}``.
    """

    query: str = ""
    filters: dict = field(default_factory=dict)
    stories_shown: int = 0
    base: str = ""

    def link(self) -> str:
        return links.answer_link(self.query, Filters.from_dict(self.filters)) if self.query else ""


def _into_view(outputs: tuple) -> tuple:
    """A rerun's outputs and the story and chat columns: when it answered a question (its link, last,
    asks one) the answer comes into view, as a filter chosen while reading a story expects; before
    any question a filter only changes the address, and the view stays."""
    link = outputs[-1]
    asks = isinstance(link, str) and any(key == "q" for key, _ in parse_qsl(link.lstrip("?")))
    return (*outputs, *((gr.update(visible=False), gr.update(visible=True)) if asks else (gr.skip(), gr.skip())))


def _one_index(handler):
    """Run an event handler on ONE index, taken when it starts, however many lookups it makes."""

    @functools.wraps(handler)
    def run(self, *args, **kwargs):
        if getattr(self._local, "index", None) is not None:  # called from another handler
            return handler(self, *args, **kwargs)
        self._local.index = self._source.current if isinstance(self._source, LiveIndex) else self._source
        try:
            return handler(self, *args, **kwargs)
        finally:
            self._local.index = None

    return run


class ChatApp:
    """Event handlers over a :class:`StoryIndex`, or a :class:`LiveIndex` that swaps builds between events."""

    def __init__(self, index: StoryIndex | LiveIndex):
        self._source = index
        self._local = threading.local()
        self._vocabulary: tuple[StoryIndex | None, Vocabulary | None] = (None, None)

    @property
    def index(self) -> StoryIndex:
        """The index of the event being handled (outside one: the current index)."""
        pinned = getattr(self._local, "index", None)
        if pinned is not None:
            return pinned
        return self._source.current if isinstance(self._source, LiveIndex) else self._source

    @property
    def vocabulary(self) -> Vocabulary:
        index = self.index
        if self._vocabulary[0] is not index:
            self._vocabulary = (index, Vocabulary.from_index(index))
        return self._vocabulary[1]

    # -- answers -------------------------------------------------------------
    @_one_index
    def respond(self, message, history, filters=None, conversation=None, session=None, request: gr.Request = None):
        """Ask a question, or follow up on the last one ("only in Peru", "more").

        Parameters (the public API, ``/chat``): ``message`` the text; ``history``
        the chat so far (the messages the last call returned, or []);
        ``filters`` a mapping ``{kind: [values]}`` over the kinds of
        ``labstories.index.vocabulary.KINDS`` (``{"country": ["Peru"]}``; one
        string for one value is fine; unknown kinds and values are dropped with
        a note in the answer): the filters in force, which the message keeps,
        whatever set them, until it removes them (send back the ``filters``
        the last call returned); ``conversation`` what the last call returned as
        its ``conversation`` (optional: the server remembers it per session;
        send it back when the session may be gone).

        Returns ``(message box, history, filters, conversation, link)``: an empty
        message box, the history with the answer appended, the filters now in
        force (every kind, ``[]`` when unset), the conversation to send back with
        the next call, and the answer's link (``?q=…&country=…``)."""
        question = check_question(_text(message))  # first: nothing below runs on more than MAX_QUESTION characters
        message = question.text
        history = _history(history)
        conv = self._resume(_conv(session), conversation, request)
        notes: list[str] = []
        panel = self._panel(filters, notes)
        if question.note:  # too long: refused at no cost (see ui.limits)
            return ("", history + [_bot(render.notice_html(question.note))], *_state(panel, conv), conv.link())
        if not message.strip():
            return (
                "",
                history + [_bot(render.notice_html("Type a question, e.g. “" + EXAMPLES[0] + "”"))],
                *_state(panel, conv),
                conv.link(),
            )
        step = refine(message, conv.query, panel, self.vocabulary)
        history.append({"role": "user", "content": render.esc(message)})
        if step.more:
            return ("", *self._more(history, conv))
        if step.absent:  # "only in Kenya": said, with the nearest values; nothing searched, filters kept
            places = [nearest(kind, value, self.vocabulary) for kind, value in step.absent]
            history.append(_bot(render.absent_html(places, conv.query, panel)))
            return ("", history, *_state(panel, conv), conv.link())
        notes.extend(_understood(step))
        kept = step.carried if conv.query and not step.follow_up else None
        return ("", *self._answer(history, step.query, step.filters, notes, conv.base, kept))

    @_one_index
    def more(self, history, session=None, conversation=None, request: gr.Request = None):
        """The next page of passages for the last question (API: /more, which takes the history only:
        gradio_client fills no defaults for an undocumented endpoint, so it runs on the session's copy)."""
        history = _history(history)
        return self._more(history, self._resume(_conv(session), conversation, request))

    @_one_index
    def rerun(self, history, filters=None, conversation=None, session=None, request: gr.Request = None):
        """Ask the last question again under the panel's filters (a filter changed or cleared, Filter by
        this). Before any question only the address changes: the chat and the conversation are left as
        they are (``gr.skip``), so a rerun that ends after a question sent meanwhile overwrites nothing."""
        history, notes = _history(history), []
        conv = self._resume(_conv(session), conversation, request)
        panel = self._panel(filters, notes)
        if not conv.query:
            return (gr.skip(), _mapping(panel), gr.skip(), gr.skip(), links.answer_link("", panel))
        notes.append("Same question, filters now: " + (panel.describe() or "none") + ".")
        return self._answer(history, conv.query, panel, notes, conv.base)

    def refilter(self, history, filters=None, conversation=None, session=None, request: gr.Request = None):
        """A dropdown changed or the panel was cleared: :meth:`rerun`, without the filters output (the
        panel already shows them, and the user may be choosing the next one)."""
        history, _, *rest = self.rerun(history, filters, conversation, session, request)
        return (history, *rest)

    def rerun_in_view(self, history, filters=None, conversation=None, session=None, request: gr.Request = None):
        """The app's :meth:`rerun` ("Filter by this"): its outputs and the columns (:func:`_into_view`)."""
        return _into_view(self.rerun(history, filters, conversation, session, request))

    def refilter_in_view(self, history, filters=None, conversation=None, session=None, request: gr.Request = None):
        """The app's :meth:`refilter` (a dropdown, "Clear filters"): its outputs and the columns."""
        return _into_view(self.refilter(history, filters, conversation, session, request))

    def _answer(
        self,
        history,
        query: str,
        filters: Filters,
        notes: list[str],
        base: str = "",
        kept: Filters | None = None,
    ):
        """Search and append the answer; ``kept`` are the filters carried over from the last question."""
        try:
            found = answer(self.index, query, filters, notes=notes)
        except (QueryError, FilterError) as error:
            history.append(_bot(render.notice_html(for_web(error))))
            return (history, *_state(filters, Conversation(base=base)), "")
        conv = Conversation(query, found.filters.to_dict(), found.shown, base)
        history.append(_bot(render.answer_html(found, self.base(conv), kept)))
        return (history, *_state(found.filters, conv), conv.link())

    def _resume(self, conv: Conversation, carried, request: gr.Request | None = None) -> Conversation:
        """:meth:`_carry_on`, and, when no address of the page is known, the one a proxy in front says
        the request came to (``X-Forwarded-Host``/``-Proto``; an API call has no page address)."""
        resumed = self._carry_on(conv, carried)
        resumed.base = resumed.base or _proxy_base(request)
        return resumed

    def _carry_on(self, conv: Conversation, carried) -> Conversation:
        """The conversation the page sent back (``carried``), when the server has lost its own.

        The server keeps Gradio's state for the :data:`SESSIONS` most recent
        sessions only; a tab idle while many others came and went returns with
        none. The page holds the conversation as data (the hidden
        ``conversation`` component, the ``conversation`` parameter of ``/chat``)
        and sends it with every event, so the conversation goes on. What a
        client sends is untrusted: the question is read as a link's ``q`` is and
        the filters as a link's are (``ui/params.py``), the page number is
        bounded, only an http(s) base is kept; anything else of the wrong shape
        is an empty conversation."""
        if conv.query:
            return conv
        sent = _carried(carried)
        if sent is None:
            return conv
        facets = self.index.facets
        asked = parse_params([("q", sent["query"])], facets, ())
        if not asked.query:
            return conv
        filters = clean_filters(sent["filters"], facets, [])
        base = conv.base or (links.base_url(clean_text(sent["base"])) if len(sent["base"]) <= MAX_BASE else "")
        return Conversation(asked.query, dict(filters.items()), min(max(sent["stories_shown"], 0), MAX_SHOWN), base)

    def _panel(self, filters, notes: list[str]) -> Filters:
        """The filters mapping a client sent → Filters in the index's spelling.

        Keys are a kind's name, URL parameter or alias (``index.vocabulary.KIND_BY_KEY``);
        values a list or one string. Unknown kinds and values are dropped, each with a
        note, as the panel's and a link's are (``ui/params.clean_filters``); anything
        but a mapping is no filters, with a note."""
        if filters is None or filters == "" or filters == []:
            return Filters()
        if not isinstance(filters, dict):
            notes.append('Ignored the filters: they should be a mapping of kind to values, e.g. {"country": ["Peru"]}.')
            return Filters()
        by_kind: dict[str, list] = {}
        unknown: list[str] = []
        for key, values in list(filters.items())[:MAX_PARAMS]:
            kind = KIND_BY_KEY.get(key) if isinstance(key, str) else None
            if kind is None:
                unknown.append(_quote(clean_text(str(key))))
                continue
            values = list(values) if isinstance(values, (list, tuple)) else [] if values is None else [values]
            by_kind.setdefault(kind.name, []).extend(values)
        if len(filters) > MAX_PARAMS:
            notes.append(f"The filters had {len(filters)} kinds; only the first {MAX_PARAMS} were read.")
        if unknown:
            notes.append(
                f"Ignored the filter kind{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"filters are {', '.join(FILTER_KINDS)}."
            )
        return clean_filters(by_kind, self.index.facets, notes)

    def base(self, conv: Conversation) -> str:
        """Links are made absolute against the ``public_url`` setting, else the page's own address (else
        the one a proxy forwarded, see :meth:`_resume`); without any they stay relative."""
        return getattr(self.index.settings, "public_url", "") or conv.base

    def _more(self, history, conv: Conversation):
        filters = Filters.from_dict(conv.filters)
        if not conv.query:
            history.append(_bot(render.notice_html("Ask a question first; then “more” shows further passages.")))
            return (history, *_state(filters, conv), conv.link())
        found = answer(self.index, conv.query, filters, first=conv.stories_shown)
        if not found.groups:
            history.append(
                _bot(
                    render.notice_html(
                        f"That was all: {plural(found.passages, 'passage')} from {plural(found.stories, 'story', 'stories')} "
                        f"for “{conv.query}”."
                    )
                )
            )
        else:
            conv.stories_shown = found.shown
            history.append(_bot(render.answer_html(found, self.base(conv))))
        return (history, *_state(filters, conv), conv.link())

    @_one_index
    def narrow(self, key: str, history, conversation=None, session=None, http: gr.Request = None):
        """A link that asks the same question under its own filters: a "what the answer is about" chip adds
        one, a filter's ✕ removes one, a nearest value replaces a missing one."""
        request = parse_params(
            parse_qsl(_key(key).lstrip("?")), self.index.facets, self.index.state.stories, self.index.state.documents
        )
        conv = self._resume(_conv(session), conversation, http)
        if not request.query:
            return (_history(history), *_state(Filters.from_dict(conv.filters), conv), conv.link())
        added = [
            f"{KIND[k].singular} {v}"
            for k, values in request.filters.items()
            for v in values
            if v not in conv.filters.get(k, [])
        ]
        removed = [
            f"{KIND[k].singular} {v}"
            for k, values in conv.filters.items()
            for v in values
            if v not in request.filters.get(k)
        ]
        notes = ["Narrowed to " + "; ".join(added) + "."] if added else []
        notes += ["Removed filter: " + "; ".join(removed) + "."] if removed else []
        return self._answer(_history(history), request.query, request.filters, notes, conv.base)

    # -- the first screen ------------------------------------------------------------
    @_one_index
    def overview(self):
        """Page load: what the index holds, as the empty chat's placeholder (:mod:`ui.overview`); rendered
        at every load, since a :class:`LiveIndex` may have switched builds since the page was built."""
        return gr.update(placeholder=overview_html(self.index))

    # -- links: page load, ?q=, ?story= --------------------------------------------
    @_one_index
    def on_load(self, address: str, request: gr.Request):
        """Page load: act on the address bar's parameters; remember the page's address (from the browser)."""
        pairs = list(request.query_params.multi_items()) if request is not None else []
        outputs = list(self._open(pairs, links.base_url(address) or _proxy_base(request)))
        if not any(key == "q" or key in KIND_BY_KEY for key, _ in pairs):  # a filter picked while loading stays
            outputs[1] = gr.skip()
        return tuple(outputs)

    @_one_index
    def open_link(self, link: str, request: gr.Request = None):
        """``?q=…&principle=…`` or ``?story=…&t=…`` → the same outputs a page load gives (API: /open):
        history, filters, conversation, link, story HTML."""
        link = cut_link(_text(link))
        return self._open(
            parse_qsl(link.text.lstrip("?"), keep_blank_values=True),
            _proxy_base(request),
            notes=[link.note] if link.note else [],
        )

    def _open(self, pairs, base: str = "", notes: list[str] = ()):
        request = parse_params(pairs, self.index.facets, self.index.state.stories, self.index.state.documents)
        request.notes[:0] = notes
        history: list[dict] = []
        if request.notes:
            history.append(_bot(render.notice_html(" ".join(request.notes))))
        if request.query:
            history.append({"role": "user", "content": render.esc(request.query)})
            history, *rest = self._answer(history, request.query, request.filters, [], base)
        else:
            rest = [
                *_state(request.filters, Conversation(base=base)),
                links.answer_link("", request.filters) if request.filters else "",
            ]
        view = self._view(request)
        if view is not None:
            rest[-1] = view[1]
            return (history, *rest, view[0], gr.update(visible=True), gr.update(visible=False))
        return (history, *rest, "", gr.update(visible=False), gr.update(visible=True))

    def _view(self, request) -> tuple[str, str] | None:
        """(HTML, address) of the story or document a link names, or None when it names neither."""
        if request.story:
            story = self.index.story(request.story)
            return render.story_html(story, request.t), links.story_link(story.id, request.t)
        if request.doc:
            document = self.index.state.documents[request.doc]
            if document.type == "story":
                return render.story_html(document, request.t), links.story_link(document.id, request.t)
            return render.document_html(document), links.document_link(document.id)
        return None

    @_one_index
    def revisit(self, key: str, conversation=None, session=None):
        """Back or Forward to an address whose view the page no longer shows (the ``ls-revisit-key`` bridge,
        see the history block of ui/static/app.js): what a page load at that address gives, with links
        still made absolute against the page's own address."""
        link = cut_link(_key(key))
        base = self._resume(_conv(session), conversation).base
        pairs = parse_qsl(link.text.lstrip("?"), keep_blank_values=True)
        return self._open(pairs, base, notes=[link.note] if link.note else [])

    @_one_index
    def open_story(self, key: str):
        """A story or document link clicked in an answer: show it whole in the app."""
        request = parse_params(
            parse_qsl(cut_link(_key(key)).text.lstrip("?")),
            self.index.facets,
            self.index.state.stories,
            self.index.state.documents,
        )
        view = self._view(request)
        if view is None:
            return gr.update(), gr.update(), gr.update(), gr.update()
        return view[0], gr.update(visible=True), gr.update(visible=False), view[1]

    @_one_index
    def close_story(self, conversation=None, session=None):
        return (
            gr.update(visible=False),
            gr.update(visible=True),
            self._resume(_conv(session), conversation).link() or "?",
        )

    # -- glossary ------------------------------------------------------------------
    @_one_index
    def show_glossary(self, key: str):
        """A tag chip clicked: the element's definition and a "filter by this" button."""
        pairs = parse_qsl(cut_link(_key(key)).text.lstrip("?"))
        kind, value = next(((KIND_BY_PARAM[n].name, v) for n, v in pairs if n in KIND_BY_PARAM), (None, None))
        if kind is None or value not in self.index.facets.get(kind, {}):
            return gr.update(visible=False), "", None, gr.update()
        html = render.glossary_html(kind, value, self.index.element(value))
        label = f"Filter by {KIND[kind].singular}: {value}"
        return gr.update(visible=True), html, [kind, value], gr.update(value=label)

    @_one_index
    def filter_by(self, chosen, filters=None):
        """Add the glossary's element to the filter panel (it replaces that kind's values)."""
        current = dict(self._panel(filters, []).items())
        if chosen:
            kind, value = chosen
            current[kind] = [value]
        return gr.update(visible=False), _mapping(Filters(**current))


def build_app(index: StoryIndex | LiveIndex) -> gr.Blocks:
    """The Blocks app over ``index``; launch it with :func:`launch` (which adds CSS, the script and theme).

    The panel's dropdowns (one per kind of ``index.vocabulary.KINDS``) are the
    browser's view of the hidden ``filters`` mapping: a change in one writes the
    mapping at once, in the browser (:data:`ui.assets.PANEL_JS`), so a question
    sent right after reads it, then asks the current question again under it
    (:meth:`ChatApp.refilter`; "Clear filters" too); after every answer the dropdowns show the mapping
    the server returned (:data:`ui.assets.SHOW_JS`). Events read and write the
    hidden ``conversation`` and the session's copy of it together."""
    app = ChatApp(index)
    with gr.Blocks(title="labstories — Accelerator Labs interview stories", analytics_enabled=False) as demo:
        gr.HTML(HEADER_HTML)
        gr.HTML(FILTERS_TOGGLE_HTML, elem_id="ls-filters-bar")  # a phone's "Filters" button (hidden on a desktop)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                with gr.Column(visible=False, elem_id="ls-gloss") as gloss_col:
                    gloss_view = gr.HTML()
                    with gr.Row():
                        gloss_filter = gr.Button(
                            "Filter by this", size="sm", variant="primary", elem_id="ls-gloss-filter"
                        )
                        gloss_close = gr.Button("Close", size="sm")
                with gr.Column(visible=False, elem_id="ls-story-view") as story_col:
                    back = gr.Button("← Back to answers", size="sm", elem_id="ls-back")
                    story_view = gr.HTML(elem_id="ls-story-html")
                with gr.Column(elem_id="ls-chat-view") as chat_col:
                    chatbot = gr.Chatbot(
                        elem_id="ls-chat",
                        label="Answers",
                        show_label=False,
                        autoscroll=False,
                        height=None,  # the answers flow in the page, which scrolls (no box of their own)
                        render_markdown=False,
                        sanitize_html=True,
                        latex_delimiters=[],
                        buttons=[],
                        feedback_options=None,
                        layout="panel",
                        examples=[{"text": q} for q in EXAMPLES],
                        placeholder=overview_html(app.index),
                    )
                    msg = gr.Textbox(
                        label="Your question",
                        placeholder="e.g. how did labs build belonging with migrants?",
                        elem_id="ls-msg",
                        submit_btn="Ask",
                        autofocus=True,
                        max_length=500,
                    )
                    with gr.Row():
                        more_btn = gr.Button("More stories", size="sm", elem_id="ls-more")
            with gr.Column(scale=1, min_width=240, elem_id="ls-filters"):
                gr.Markdown(
                    "### Filters\nA change asks the current question again. A new question keeps the filters "
                    "until you remove them (✕ in the answer); follow-ups like “only in Africa” set them too."
                )
                dropdowns = [_dropdown(kind, app.index.facets.get(kind, {})) for kind in FILTER_KINDS]
                with gr.Row():
                    clear_btn = gr.Button("Clear filters", size="sm", elem_id="ls-clear")
        gr.HTML(PLAYER_HTML)
        url = gr.Textbox(visible="hidden", elem_id="ls-url")
        story_key = gr.Textbox(visible="hidden", elem_id="ls-story-key")
        gloss_key = gr.Textbox(visible="hidden", elem_id="ls-gloss-key")
        narrow_key = gr.Textbox(visible="hidden", elem_id="ls-narrow-key")
        revisit_key = gr.Textbox(visible="hidden", elem_id="ls-revisit-key")  # Back/Forward to an address
        address = gr.Textbox(visible="hidden", elem_id="ls-address")
        filters = gr.JSON({}, label="filters", visible="hidden", elem_id="ls-filters-value")
        conversation = gr.JSON({}, label="conversation", visible="hidden", elem_id="ls-conversation")
        session = gr.State(asdict(Conversation()))
        chosen = gr.State(None)

        held = [conversation, session]  # the conversation: the page's copy, the server's
        answer_out = [chatbot, filters, *held, url]
        ask = dict(fn=app.respond, inputs=[msg, chatbot, filters, *held], outputs=[msg, *answer_out])
        # After an answer the panel and the address bar follow it (the chat's length tells a new answer apart)
        show = {"fn": None, "inputs": [url, filters, chatbot], "outputs": dropdowns, "js": SHOW_JS}
        msg.submit(**ask, api_name="chat").then(**show)
        chatbot.example_select(_example, None, msg, api_visibility="private").then(**ask, api_name=False).then(**show)
        # The public API is /chat; /more and /open stay callable (gradio_client, the tests) but undocumented.
        more_btn.click(app.more, [chatbot, session, conversation], answer_out, api_name=False).then(**show)
        gr.Button(visible=False).click(
            app.more, [chatbot, session], answer_out, api_name="more", api_visibility="undocumented"
        )
        # A filter changed or cleared asks the current question again (app.refilter); the mapping follows the
        # panel at once, in the browser, so a question sent meanwhile reads it.
        refilter = dict(
            fn=app.refilter_in_view,
            inputs=[chatbot, filters, *held],
            outputs=[chatbot, *held, url, story_col, chat_col],
            api_name=False,
        )
        clear_btn.click(None, None, filters, js=CLEAR_JS, api_name=False).then(**refilter).then(**show)
        for dropdown in dropdowns:
            dropdown.input(None, dropdowns, filters, js=PANEL_JS, api_name=False).then(**refilter).then(
                None, [url], None, js=SYNC_JS
            )
        load_out = [*answer_out, story_view, story_col, chat_col]
        demo.load(app.on_load, [address], load_out, js=BASE_JS, api_name=False).then(**show)
        demo.load(app.overview, None, chatbot, api_name=False, show_progress="hidden")
        narrow_key.change(app.narrow, [narrow_key, chatbot, *held], answer_out, api_name=False).then(**show)
        revisit_key.change(app.revisit, [revisit_key, *held], load_out, api_name=False).then(**show)
        gr.Button(visible=False).click(app.open_link, [msg], load_out, api_name="open", api_visibility="undocumented")
        story_key.change(app.open_story, [story_key], [story_view, story_col, chat_col, url], api_name=False).then(
            None, [url], None, js=SYNC_JS
        )
        back.click(app.close_story, held, [story_col, chat_col, url], api_name=False).then(
            None, [url], None, js=SYNC_JS
        )
        gloss_key.change(
            app.show_glossary, [gloss_key], [gloss_col, gloss_view, chosen, gloss_filter], api_name=False
        ).then(None, None, None, js=GLOSSARY_JS)
        gloss_close.click(lambda: gr.update(visible=False), None, gloss_col, api_name=False)
        gloss_filter.click(app.filter_by, [chosen, filters], [gloss_col, filters], api_name=False).then(
            app.rerun_in_view,
            [chatbot, filters, *held],
            [*answer_out, story_col, chat_col],
            api_name=False,
        ).then(**show)
    return demo


def launch_options(index: StoryIndex | LiveIndex | None = None) -> dict:
    """What gradio 6 takes at ``launch()``: theme (system fonts, nothing fetched), the CSS file, the
    script tag (and the script file as the one path Gradio may serve, see :mod:`ui.assets`), and the
    server's limits: no uploads (``max_file_size=0`` and :class:`ui.guard.RequestGuard`),
    bounded request bodies, no run history kept in browsers. With ``index``, the page's title and link
    preview and the answer's CSV (:class:`ui.share.SharedLinks`)."""
    from starlette.middleware import Middleware

    theme = gr.themes.Default(
        font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "monospace"],
    )
    return dict(
        theme=theme,
        css_paths=[STYLESHEET],
        head=HEAD,
        allowed_paths=[str(SCRIPT)],
        footer_links=[],
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        show_error=False,
        max_file_size=0,
        run_history=False,
        app_kwargs={
            "middleware": [Middleware(RequestGuard), *([Middleware(SharedLinks, index=index)] if index else [])]
        },
    )


def launch(
    index: StoryIndex | LiveIndex,
    host: str,
    port: int,
    block: bool = True,
    auth: list[tuple[str, str]] | None = None,
    concurrency: int = 4,
):
    """Build and start the app; returns the Blocks (running in a thread when ``block`` is False).

    With ``auth`` (user, password) pairs, Gradio's login guards the page and the API.
    ``concurrency`` handlers run at once, the rest wait in order. Part of a search
    runs outside the GIL (Chroma, torch, numpy), so on 2 cores 4 served more
    questions per second than 1 or 2, and 8 no more than 4 (README, benchmarks/load.py)."""
    demo = build_app(index)
    demo.queue(default_concurrency_limit=concurrency)
    demo._queue.ANALYTICS_MAX_EVENTS = EVENTS_KEPT  # both read as events come and go (gradio/queueing.py)
    demo._queue.ANAYLTICS_CACHE_FREQUENCY = SUMMARY_EVERY  # (sic: Gradio's spelling)
    demo.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        quiet=True,
        auth=auth or None,
        state_session_capacity=SESSIONS,
        **launch_options(index),
    )
    return demo


def serve(settings: Settings, embedder=None) -> None:
    """``labstories serve``: open the index, warm the model, serve until interrupted.

    A finished ``labstories index`` (here or, with a Chroma server, on any
    machine) is picked up within seconds, between two requests.
    ``embedder`` lets a caller that just indexed share its loaded model."""
    auth = credentials(settings.auth, settings.auth_file)  # a bad entry fails before anything loads
    check_port(settings.host, settings.port)
    live = LiveIndex.open(settings, embedder=embedder)
    live.current.search("warm up the model")  # the first query loads the model (seconds); do it before the first user
    check_port(settings.host, settings.port)  # it may have been taken while the model loaded
    login = f"; login required ({len(auth)} user{'s' if len(auth) != 1 else ''})" if auth else ""
    print(f"labstories is running on http://{settings.host}:{settings.port}/{login}  (Ctrl+C to stop)", flush=True)
    live.start()
    trimmer = HeapTrimmer().start()
    try:
        launch(live, settings.host, settings.port, block=True, auth=auth, concurrency=settings.concurrency)
    except OSError as error:  # taken in the instant between the check and the bind
        raise PortError(
            f"cannot listen on {settings.host}:{settings.port}: {error}; choose another with --port"
        ) from None
    finally:
        trimmer.stop()
        live.stop()


# -- small helpers ---------------------------------------------------------------------
def _dropdown(kind: str, counts: dict[str, int]) -> gr.Dropdown:
    choices = [(f"{value} ({count})", value) for value, count in counts.items()]
    return gr.Dropdown(
        choices, value=[], multiselect=True, label=KIND[kind].label, elem_id=f"ls-f-{kind}", filterable=True
    )


def _example(evt: gr.SelectData) -> str:
    value = evt.value
    return value.get("text", "") if isinstance(value, dict) else str(value or "")


def _text(message) -> str:
    """Browser messages may arrive as content blocks; gradio_client sends a string. Anything else
    an API caller sends becomes text too (and is cut to size by the caller)."""
    if isinstance(message, dict):
        return str(message.get("text", ""))
    if isinstance(message, list):
        return " ".join(str(b.get("text", "")) if isinstance(b, dict) else str(b) for b in message[:20])
    return str(message or "")


def _history(history) -> list:
    """The conversation a client sent back, bounded: the newest :data:`MAX_HISTORY` messages, and only
    the newest answers whole, so that with the next one the page holds :data:`KEEP_ANSWERS`."""
    history = list(history)[-MAX_HISTORY:] if isinstance(history, list) else []
    answers = [i for i, m in enumerate(history) if _is_answer(m)]
    for i in answers[: -(KEEP_ANSWERS - 1)]:
        history[i] = _bot(render.folded_html(_answer_link(_text(history[i].get("content")))))
    return history


#: Answers kept whole in a conversation; older ones fold to a line that asks them again. The browser
#: sends the whole conversation back with every question, each answer tens of kB of HTML, and the
#: server takes at most guard.MAX_BODY: without folding, a long conversation stops answering.
KEEP_ANSWERS = 6
#: An answer's own link, in its foot (ui/templates/answer.html).
_ANSWER_LINK = re.compile(r'<a class="ls-copy" href="([^"]*)">Copy link to this answer</a>')


def _is_answer(message) -> bool:
    return (
        isinstance(message, dict)
        and message.get("role") == "assistant"
        and 'class="ls-answer"' in (text := _text(message.get("content")))
        and 'class="ls-lead' in text
    )


def _answer_link(html: str) -> str:
    """The ``?q=…`` link of an answer the client sent back (untrusted: only its query string is kept,
    and what it asks is read again as any link is)."""
    found = _ANSWER_LINK.search(html)
    query = urlsplit(unescape(found.group(1))).query if found else ""
    return f"?{query}" if query.startswith("q=") else ""


def _bot(html: str) -> dict:
    return {"role": "assistant", "content": html}


def _proxy_base(request) -> str:
    """The app's address as a proxy in front of it says the client reached it, or ""."""
    return links.forwarded_base(getattr(request, "headers", None) or {}) if request is not None else ""


def _conv(conversation) -> Conversation:
    """The session's own copy (a dict the server wrote: trusted)."""
    return Conversation(**conversation) if isinstance(conversation, dict) and conversation else Conversation()


def _carried(value) -> dict | None:
    """The conversation a client sent, if it has the shape the app gives out (see :class:`Conversation`).

    Only the shape is checked here; :meth:`ChatApp._resume` reads the contents as untrusted."""
    if not isinstance(value, dict) or not value:
        return None
    sent = {
        "query": value.get("query", ""),
        "filters": value.get("filters") or {},
        "stories_shown": value.get("stories_shown", 0),
        "base": value.get("base") or "",
    }
    shapes = {"query": str, "filters": dict, "stories_shown": int, "base": str}
    if not all(isinstance(sent[name], kind) for name, kind in shapes.items()) or isinstance(
        sent["stories_shown"], bool
    ):
        return None
    return sent


def _mapping(filters: Filters) -> dict[str, list[str]]:
    """The filters mapping the page and the API get back: every kind, ``[]`` when unset."""
    return {kind: list(getattr(filters, kind)) for kind in FILTER_KINDS}


def _state(filters: Filters, conv: Conversation) -> tuple[dict, dict, dict]:
    """The values of the outputs that hold a page's state: the filters mapping, the page's copy of the
    conversation and the session's."""
    return _mapping(filters), asdict(conv), asdict(conv)


def _quote(text: str, limit: int = 60) -> str:
    text = text if len(text) <= limit else text[:limit] + "…"
    return f"“{text}”"


def _key(key: str) -> str:
    """Bridge values carry a nonce after \\x01 so repeated clicks still register as changes."""
    return _text(key).split("\x01", 1)[0]


def _understood(step) -> list[str]:
    notes = []
    if step.recognised:
        notes.append(
            "Filter set from your message: " + "; ".join(f"{KIND[k].singular} {v}" for k, v in step.recognised) + "."
        )
    if step.removed:
        notes.append("Removed filter: " + "; ".join(f"{KIND[k].singular} {v}" for k, v in step.removed) + ".")
    if step.follow_up:
        notes.append(f"Refining the previous question “{step.query}”.")
    return notes


__all__ = ["ChatApp", "Conversation", "PortError", "build_app", "check_port", "launch", "launch_options", "serve"]
