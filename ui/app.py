"""The Gradio chat app: layout, event wiring and ``serve``.

Handlers live on :class:`ChatApp` (one per index) and return plain values, so
the same functions answer the browser, ``gradio_client`` and the tests. The
app reads only the index; the HTML comes from :mod:`ui.render`, URL
parameters are checked by :mod:`ui.params`, follow-ups are understood by
:mod:`ui.followups`. Nothing is fetched from the network at run time.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qsl

import gradio as gr

from labstories.index import Settings
from labstories.index.vocabulary import FILTER_KINDS, KIND, KIND_BY_PARAM
from labstories.rag import FilterError, Filters, QueryError, StoryIndex, links
from labstories.rag.live import LiveIndex
from labstories.rag.grouping import group_by_story, page_of
from labstories.rag.snippets import query_stems
from labstories.rag.strength import assess

from . import render
from .ports import PortError, check_port
from .access import credentials
from .assets import BASE_JS, CSS, GLOSSARY_JS, HEADER_HTML, JS, PLAYER_HTML, SYNC_JS
from .display import plural
from .followups import Vocabulary, refine
from .guard import RequestGuard
from .heap import HeapTrimmer
from .limits import MAX_HISTORY, check_question, cut_link
from .messages import for_web
from .params import clean_filters, parse_params

#: Sessions whose state the server keeps (least recently used dropped first). Gradio keeps a
#: copy of every component's config per session, the last answers included: ~0.4 MB here. Its
#: default of 10,000 let memory grow by ~130 MB per 1,000 questions (benchmarks/load.py). A
#: dropped session loses nothing: the conversation is read back from the chat (``_resume``).
SESSIONS = 100
#: Events Gradio keeps for its monitoring summary, and how often it summarises them. It keeps
#: 10,000 by default and summarises all of them in pandas after every event: 11 ms of CPU per
#: question once a server has answered 10,000, 2 ms at 1,000. This app shows no monitoring
#: page, so a recent window, summarised every 100 events, is plenty.
EVENTS_KEPT = 1000
SUMMARY_EVERY = 100
RETRIEVE = 30     # passages fetched per question, grouped by story; "more" pages through the stories
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
    deterministic search again and takes the next page. ``from_messages`` is
    the part of ``filters`` that chat messages set rather than the panel: a
    new question drops it (see :mod:`ui.followups`).
    """

    query: str = ""
    filters: dict = field(default_factory=dict)
    stories_shown: int = 0
    base: str = ""
    from_messages: dict = field(default_factory=dict)

    def link(self) -> str:
        return links.answer_link(self.query, Filters.from_dict(self.filters)) if self.query else ""


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
    def respond(self, message, history, *args):
        """Enter in the text box: understand the message, search, append the answer."""
        *values, conversation = args
        question = check_question(_text(message))  # first: nothing below runs on more than MAX_QUESTION characters
        message = question.text
        history = _history(history)
        conv = self._resume(_conv(conversation), history)
        notes: list[str] = []
        panel = clean_filters(dict(zip(FILTER_KINDS, values)), self.index.facets, notes)
        if question.note:  # too long: refused at no cost (see ui.limits)
            return ("", history + [_bot(render.notice_html(question.note))], *_values(panel), asdict(conv), conv.link())
        if not message.strip():
            return ("", history + [_bot(render.notice_html("Type a question, e.g. “" + EXAMPLES[0] + "”"))],
                    *_values(panel), asdict(conv), conv.link())
        step = refine(message, conv.query, panel, self.vocabulary, Filters.from_dict(conv.from_messages))
        history.append({"role": "user", "content": render.esc(message)})
        if step.more:
            return ("", *self._more(history, conv))
        notes.extend(_understood(step))
        return ("", *self._answer(history, step.query, step.filters, notes, conv.base, step.from_messages))

    @_one_index
    def more(self, history, conversation):
        """The next page of passages for the last question."""
        history = _history(history)
        return self._more(history, self._resume(_conv(conversation), history))

    @_one_index
    def rerun(self, history, *args):
        """Ask the last question again under the panel's filters (Apply, Filter by this)."""
        *values, conversation = args
        history, notes = _history(history), []
        conv = self._resume(_conv(conversation), history)
        panel = clean_filters(dict(zip(FILTER_KINDS, values)), self.index.facets, notes)
        if not conv.query:
            note = "Filters set; they apply to your next question."
            return (history + [_bot(render.notice_html(note))], *_values(panel), asdict(conv), links.answer_link("", panel))
        notes.append("Same question, filters now: " + (panel.describe() or "none") + ".")
        return self._answer(history, conv.query, panel, notes, conv.base)

    def _answer(self, history, query: str, filters: Filters, notes: list[str], base: str = "",
                from_messages: Filters | None = None):
        try:
            hits = self.index.search(query, filters, RETRIEVE)
        except (QueryError, FilterError) as error:
            history.append(_bot(render.notice_html(for_web(error))))
            return (history, *_values(filters), asdict(Conversation(base=base)), "")
        conv = Conversation(query, {k: v for k, v in filters.items()}, 0, base,
                            {k: v for k, v in (from_messages or Filters()).items()})
        answer = self._page(conv, filters, hits, notes)
        answer.strength = assess(self.index, query, filters, hits) if hits else None
        answer.relaxations = self.index.relaxations(filters) if not hits else []
        history.append(_bot(render.answer_html(answer)))
        return (history, *_values(filters), asdict(conv), conv.link())

    def _page(self, conv: Conversation, filters: Filters, hits, notes=()) -> render.Answer:
        """The next page of ``hits``' stories (from ``conv.stories_shown``); advances ``conv.stories_shown``."""
        groups = group_by_story(hits)
        page = page_of(groups, conv.stories_shown)
        answer = render.Answer(
            conv.query, filters, page, conv.stories_shown + 1, len(groups), len(hits), len({g.lab for g in groups}),
            query_stems(conv.query), list(notes), about=render.about(hits), base=self.base(conv),
            typed=Filters.from_dict(conv.from_messages))
        conv.stories_shown += len(page)
        return answer

    def _resume(self, conv: Conversation, history: list) -> Conversation:
        """The conversation as the newest answer in ``history`` left it, when the server has lost it.

        The server keeps Gradio's state for the :data:`SESSIONS` most recent
        sessions only; a tab idle while many others came and went returns with
        none. Every answer carries its question, filters, typed filters, page and
        base as attributes, and the browser sends the chat back with each message,
        so the conversation goes on. What the client sends is untrusted: it is
        read as a link is (``ui/params.py``), and only http(s) bases are kept."""
        if conv.query:
            return conv
        for message in reversed(history):
            found = ANSWER_STATE.search(_text(message.get("content"))) if _from_assistant(message) else None
            if found:
                break
        else:
            return conv
        link, typed, shown, base = (html.unescape(value) for value in found.groups())
        asked = parse_params(parse_qsl(link.lstrip("?")), self.index.facets, self.index.state.stories)
        if not asked.query:
            return conv
        by_messages = parse_params(parse_qsl(typed.lstrip("?")), self.index.facets, self.index.state.stories).filters
        return Conversation(asked.query, dict(asked.filters.items()), int(shown), conv.base or links.base_url(base),
                            dict(by_messages.items()))

    def base(self, conv: Conversation) -> str:
        """Links are made absolute against the ``public_url`` setting, else the page's own address."""
        return getattr(self.index.settings, "public_url", "") or conv.base

    def _more(self, history, conv: Conversation):
        filters = Filters.from_dict(conv.filters)
        hits = self.index.search(conv.query, filters, RETRIEVE) if conv.query else []
        stories = len({h.story for h in hits})
        if not conv.query:
            history.append(_bot(render.notice_html("Ask a question first; then “more” shows further passages.")))
        elif conv.stories_shown >= stories:
            history.append(_bot(render.notice_html(
                f"That was all: {plural(len(hits), 'passage')} from {plural(stories, 'story', 'stories')} "
                f"for “{conv.query}”.")))
        else:
            history.append(_bot(render.answer_html(self._page(conv, filters, hits))))
        return (history, *_values(filters), asdict(conv), conv.link())

    @_one_index
    def narrow(self, key: str, history, conversation):
        """A "what the answer is about" chip: the same question with that filter added (its link's filters)."""
        request = parse_params(parse_qsl(_key(key).lstrip("?")), self.index.facets, self.index.state.stories)
        conv = self._resume(_conv(conversation), _history(history))
        if not request.query:
            return (list(history or []), *_values(Filters.from_dict(conv.filters)), asdict(conv), conv.link())
        added = [f"{KIND[k].singular} {v}" for k, values in request.filters.items() for v in values
                 if v not in conv.filters.get(k, [])]
        notes = ["Narrowed to " + "; ".join(added) + " (remove it in the Filters panel)."] if added else []
        return self._answer(list(history or []), request.query, request.filters, notes, conv.base)

    # -- links: page load, ?q=, ?story= --------------------------------------------
    @_one_index
    def on_load(self, address: str, request: gr.Request):
        """Page load: act on the address bar's parameters; remember the page's address (from the browser)."""
        pairs = list(request.query_params.multi_items()) if request is not None else []
        return self._open(pairs, links.base_url(address))

    @_one_index
    def open_link(self, link: str):
        """``?q=…&principle=…`` or ``?story=…&t=…`` → the same outputs a page load gives (API: /open)."""
        link = cut_link(_text(link))
        return self._open(parse_qsl(link.text.lstrip("?"), keep_blank_values=True), notes=[link.note] if link.note else [])

    def _open(self, pairs, base: str = "", notes: list[str] = ()):
        request = parse_params(pairs, self.index.facets, self.index.state.stories)
        request.notes[:0] = notes
        history: list[dict] = []
        if request.notes:
            history.append(_bot(render.notice_html(" ".join(request.notes))))
        if request.query:
            history.append({"role": "user", "content": render.esc(request.query)})
            history, *rest = self._answer(history, request.query, request.filters, [], base)
        else:
            rest = [*_values(request.filters), asdict(Conversation(base=base)),
                    links.answer_link("", request.filters) if request.filters else ""]
        if request.story:
            story = self.index.story(request.story)
            rest[-1] = links.story_link(story.id, request.t)
            return (history, *rest, render.story_html(story, request.t), gr.update(visible=True), gr.update(visible=False))
        return (history, *rest, "", gr.update(visible=False), gr.update(visible=True))

    @_one_index
    def open_story(self, key: str):
        """A story link clicked in an answer: show the story in the app."""
        request = parse_params(parse_qsl(cut_link(_key(key)).text.lstrip("?")), self.index.facets, self.index.state.stories)
        if not request.story:
            return gr.update(), gr.update(), gr.update(), gr.update()
        story = self.index.story(request.story)
        link = links.story_link(story.id, request.t)
        return render.story_html(story, request.t), gr.update(visible=True), gr.update(visible=False), link

    @_one_index
    def link_for(self, *args):
        """The address for the last question under the panel's current filters (panel edited)."""
        *values, conversation = args
        panel = clean_filters(dict(zip(FILTER_KINDS, values)), self.index.facets, [])
        return links.answer_link(_conv(conversation).query, panel)

    def close_story(self, conversation):
        return gr.update(visible=False), gr.update(visible=True), _conv(conversation).link() or "?"

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

    def filter_by(self, chosen, *values):
        """Add the glossary's element to the filter panel."""
        current = dict(zip(FILTER_KINDS, [list(v or []) for v in values]))
        if chosen:
            kind, value = chosen
            current[kind] = [value]
        return (gr.update(visible=False), *[current[k] for k in FILTER_KINDS])


def build_app(index: StoryIndex | LiveIndex) -> gr.Blocks:
    """The Blocks app over ``index``; launch it with :func:`launch` (which adds CSS, JS and theme)."""
    app = ChatApp(index)
    with gr.Blocks(title="labstories — Accelerator Labs interview stories", analytics_enabled=False) as demo:
        gr.HTML(HEADER_HTML)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                with gr.Column(visible=False, elem_id="ls-gloss") as gloss_col:
                    gloss_view = gr.HTML()
                    with gr.Row():
                        gloss_filter = gr.Button("Filter by this", size="sm", variant="primary", elem_id="ls-gloss-filter")
                        gloss_close = gr.Button("Close", size="sm")
                with gr.Column(visible=False, elem_id="ls-story-view") as story_col:
                    back = gr.Button("← Back to answers", size="sm", elem_id="ls-back")
                    story_view = gr.HTML(elem_id="ls-story-html")
                with gr.Column(elem_id="ls-chat-view") as chat_col:
                    chatbot = gr.Chatbot(
                        elem_id="ls-chat", label="Answers", show_label=False, autoscroll=False, height="65vh", render_markdown=False, sanitize_html=True,
                        latex_delimiters=[], buttons=[], feedback_options=None, layout="panel",
                        examples=[{"text": q} for q in EXAMPLES],
                        placeholder="Ask about the labs' work: who, where, how. Try an example below.",
                    )
                    msg = gr.Textbox(label="Your question", placeholder="e.g. how did labs build belonging with migrants?",
                                     elem_id="ls-msg", submit_btn="Ask", autofocus=True, max_length=500)
                    with gr.Row():
                        more_btn = gr.Button("More stories", size="sm", elem_id="ls-more")
            with gr.Column(scale=1, min_width=240, elem_id="ls-filters"):
                gr.Markdown("### Filters\nApplied to the next question; follow-ups like “only in Africa” set them too.")
                dropdowns = [_dropdown(kind, app.index.facets.get(kind, {})) for kind in FILTER_KINDS]
                with gr.Row():
                    apply_btn = gr.Button("Apply to last question", size="sm", elem_id="ls-apply")
                    clear_btn = gr.Button("Clear filters", size="sm", elem_id="ls-clear")
        gr.HTML(PLAYER_HTML)
        url = gr.Textbox(visible="hidden", elem_id="ls-url")
        story_key = gr.Textbox(visible="hidden", elem_id="ls-story-key")
        gloss_key = gr.Textbox(visible="hidden", elem_id="ls-gloss-key")
        narrow_key = gr.Textbox(visible="hidden", elem_id="ls-narrow-key")
        address = gr.Textbox(visible="hidden", elem_id="ls-address")
        conversation = gr.State(asdict(Conversation()))
        chosen = gr.State(None)

        answer_out = [chatbot, *dropdowns, conversation, url]
        ask = dict(fn=app.respond, inputs=[msg, chatbot, *dropdowns, conversation], outputs=[msg, *answer_out])
        msg.submit(**ask, api_name="chat").then(None, [url], None, js=SYNC_JS)
        chatbot.example_select(_example, None, msg, api_visibility="private").then(**ask, api_name=False).then(None, [url], None, js=SYNC_JS)
        # The public API is /chat; /more and /open stay callable (gradio_client, the tests) but undocumented.
        more_btn.click(app.more, [chatbot, conversation], answer_out, api_name="more", api_visibility="undocumented").then(
            None, [url], None, js=SYNC_JS)
        apply_btn.click(app.rerun, [chatbot, *dropdowns, conversation], answer_out, api_name="rerun",
                        api_visibility="private").then(
            None, [url], None, js=SYNC_JS)
        clear_btn.click(lambda: [[] for _ in FILTER_KINDS], None, dropdowns, api_name=False).then(
            app.link_for, [*dropdowns, conversation], url, api_name=False).then(None, [url], None, js=SYNC_JS)
        for dropdown in dropdowns:  # the address bar follows the panel, too
            dropdown.input(app.link_for, [*dropdowns, conversation], url, api_name=False).then(None, [url], None, js=SYNC_JS)
        load_out = [*answer_out, story_view, story_col, chat_col]
        demo.load(app.on_load, [address], load_out, js=BASE_JS, api_name=False).then(None, [url], None, js=SYNC_JS)
        narrow_key.change(app.narrow, [narrow_key, chatbot, conversation], answer_out, api_name=False).then(
            None, [url], None, js=SYNC_JS)
        gr.Button(visible=False).click(app.open_link, [msg], load_out, api_name="open", api_visibility="undocumented")
        story_key.change(app.open_story, [story_key], [story_view, story_col, chat_col, url], api_name=False).then(
            None, [url], None, js=SYNC_JS)
        back.click(app.close_story, [conversation], [story_col, chat_col, url], api_name=False).then(None, [url], None, js=SYNC_JS)
        gloss_key.change(app.show_glossary, [gloss_key], [gloss_col, gloss_view, chosen, gloss_filter],
                         api_name=False).then(None, None, None, js=GLOSSARY_JS)
        gloss_close.click(lambda: gr.update(visible=False), None, gloss_col, api_name=False)
        gloss_filter.click(app.filter_by, [chosen, *dropdowns], [gloss_col, *dropdowns], api_name=False).then(
            app.rerun, [chatbot, *dropdowns, conversation], answer_out, api_name=False).then(None, [url], None, js=SYNC_JS)
    return demo


def launch_options() -> dict:
    """What gradio 6 takes at ``launch()``: theme (system fonts, nothing fetched), CSS, the script,
    and the server's limits: no uploads (``max_file_size=0`` and :class:`ui.guard.RequestGuard`),
    bounded request bodies, no run history kept in browsers."""
    from starlette.middleware import Middleware

    theme = gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                              font_mono=["ui-monospace", "SFMono-Regular", "monospace"])
    return dict(theme=theme, css=CSS, head=JS, footer_links=[], ssr_mode=False, pwa=False, mcp_server=False,
                show_error=False, max_file_size=0, run_history=False,
                app_kwargs={"middleware": [Middleware(RequestGuard)]})


def launch(index: StoryIndex | LiveIndex, host: str, port: int, block: bool = True,
           auth: list[tuple[str, str]] | None = None, concurrency: int = 4):
    """Build and start the app; returns the Blocks (running in a thread when ``block`` is False).

    With ``auth`` (user, password) pairs, Gradio's login guards the page and the API.
    ``concurrency`` handlers run at once, the rest wait in order. Part of a search
    runs outside the GIL (Chroma, torch, numpy), so on 2 cores 4 served more
    questions per second than 1 or 2, and 8 no more than 4 (README, benchmarks/load.py)."""
    demo = build_app(index)
    demo.queue(default_concurrency_limit=concurrency)
    demo._queue.ANALYTICS_MAX_EVENTS = EVENTS_KEPT  # both read as events come and go (gradio/queueing.py)
    demo._queue.ANAYLTICS_CACHE_FREQUENCY = SUMMARY_EVERY  # (sic: Gradio's spelling)
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=not block, quiet=True,
                auth=auth or None, state_session_capacity=SESSIONS, **launch_options())
    return demo


def serve(settings: Settings, embedder=None) -> None:
    """``labstories serve``: open the index, warm the model, serve until interrupted.

    A finished ``labstories index`` (here or, with a Chroma server, on any
    machine) is picked up within seconds, between two requests.
    ``embedder`` lets a caller that just indexed share its loaded model."""
    auth = credentials(settings.auth, settings.auth_file)   # a bad entry fails before anything loads
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
        raise PortError(f"cannot listen on {settings.host}:{settings.port}: {error}; choose another with --port") from None
    finally:
        trimmer.stop()
        live.stop()


# -- small helpers ---------------------------------------------------------------------
def _dropdown(kind: str, counts: dict[str, int]) -> gr.Dropdown:
    choices = [(f"{value} ({count})", value) for value, count in counts.items()]
    return gr.Dropdown(choices, value=[], multiselect=True, label=KIND[kind].label, elem_id=f"ls-f-{kind}",
                       filterable=True)


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
    """The conversation a client sent back, bounded: the newest :data:`MAX_HISTORY` messages."""
    return list(history)[-MAX_HISTORY:] if isinstance(history, list) else []


def _bot(html: str) -> dict:
    return {"role": "assistant", "content": html}


#: The conversation an answer leaves, as ``answer.html`` writes it on the answer's element.
ANSWER_STATE = re.compile(r'<div class="ls-answer" data-link="([^"]{0,5000})" data-typed="([^"]{0,5000})" '
                          r'data-shown="(\d{1,4})" data-base="([^"]{0,2000})"')


def _from_assistant(message) -> bool:
    return isinstance(message, dict) and message.get("role") == "assistant"


def _conv(conversation) -> Conversation:
    return Conversation(**conversation) if isinstance(conversation, dict) and conversation else Conversation()


def _values(filters: Filters) -> list[list[str]]:
    return [list(getattr(filters, kind)) for kind in FILTER_KINDS]


def _key(key: str) -> str:
    """Bridge values carry a nonce after \\x01 so repeated clicks still register as changes."""
    return _text(key).split("\x01", 1)[0]


def _understood(step) -> list[str]:
    notes = []
    if step.recognised:
        notes.append("Filter set from your message: " + "; ".join(f"{KIND[k].singular} {v}" for k, v in step.recognised)
                     + " (remove it in the Filters panel).")
    if step.removed:
        notes.append("Removed filter: " + "; ".join(f"{KIND[k].singular} {v}" for k, v in step.removed) + ".")
    if step.follow_up:
        notes.append(f"Refining the previous question “{step.query}”.")
    return notes


__all__ = ["ChatApp", "Conversation", "PortError", "build_app", "check_port", "launch", "launch_options", "serve"]
