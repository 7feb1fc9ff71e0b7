"""The Gradio chat app: layout, event wiring and ``serve``.

Handlers live on :class:`ChatApp` (one per index) and return plain values, so
the same functions answer the browser, ``gradio_client`` and the tests. The
app reads only the index; the HTML comes from :mod:`ui.render`, URL
parameters are checked by :mod:`ui.params`, follow-ups are understood by
:mod:`rag.refine`. Nothing is fetched from the network at run time.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from dataclasses import asdict, dataclass, field  # noqa: E402
from urllib.parse import parse_qsl  # noqa: E402

import gradio as gr  # noqa: E402

from labstories.index import Settings  # noqa: E402
from labstories.rag import FilterError, Filters, QueryError, StoryIndex  # noqa: E402
from labstories.rag import links  # noqa: E402
from labstories.rag.records import FILTER_KINDS  # noqa: E402
from labstories.rag.refine import Vocabulary, refine, relaxations  # noqa: E402
from labstories.rag.snippets import query_stems  # noqa: E402

from . import render  # noqa: E402
from .assets import CSS, GLOSSARY_JS, HEADER_HTML, JS, PLAYER_HTML, SYNC_JS  # noqa: E402
from .params import clean_filters, parse_params  # noqa: E402

#: Sessions whose state the server keeps (least recently used dropped first). Gradio keeps a
#: copy of every component's config per session — ~0.2 MB here, the filter lists included — and
#: its default of 10,000 let memory grow by ~130 MB per 1,000 questions (benchmarks/load.py).
SESSIONS = 300
PAGE = 5          # passages per answer
RETRIEVE = 30     # passages fetched per question; "more" pages through them
EXAMPLES = (
    "How did labs build belonging with migrants?",
    "How did labs earn the trust of communities?",
    "What did solution mappers learn from local innovators?",
    "How did labs work with governments on policy?",
)
LABEL = {"principles": "Principles", "tactics": "Tactics", "tools": "Tools", "skills": "Skills",
         "country": "Country", "continent": "Continent", "role": "Lab role"}


@dataclass
class Conversation:
    """Per-session memory: the last question, its filters and how many passages were shown.

    Hits are not kept (sessions would hold megabytes); "more" runs the same
    deterministic search again and takes the next page.
    """

    query: str = ""
    filters: dict = field(default_factory=dict)
    shown: int = 0

    def link(self) -> str:
        return links.answer_link(self.query, Filters.from_dict(self.filters)) if self.query else ""


class ChatApp:
    """Event handlers over one :class:`StoryIndex`."""

    def __init__(self, index: StoryIndex):
        self.index = index
        self.vocabulary = Vocabulary.from_index(index)

    # -- answers -------------------------------------------------------------
    def respond(self, message, history, *args):
        """Enter in the text box: understand the message, search, append the answer."""
        *values, state = args
        message = _text(message)
        history = list(history or [])
        conv = _conv(state)
        notes: list[str] = []
        panel = clean_filters(dict(zip(FILTER_KINDS, values)), self.index.facets, notes)
        if not message.strip():
            return ("", history + [_bot(render.notice_html("Type a question, e.g. “" + EXAMPLES[0] + "”"))],
                    *_values(panel), asdict(conv), conv.link())
        step = refine(message, conv.query, panel, self.vocabulary)
        history.append({"role": "user", "content": render.esc(message)})
        if step.more:
            return ("", *self._more(history, conv))
        notes.extend(_understood(step))
        return ("", *self._answer(history, step.query, step.filters, notes))

    def more(self, history, state):
        """The next page of passages for the last question."""
        return self._more(list(history or []), _conv(state))

    def rerun(self, history, *args):
        """Ask the last question again under the panel's filters (Apply, Filter by this)."""
        *values, state = args
        conv, notes = _conv(state), []
        panel = clean_filters(dict(zip(FILTER_KINDS, values)), self.index.facets, notes)
        history = list(history or [])
        if not conv.query:
            note = "Filters set; they apply to your next question."
            return (history + [_bot(render.notice_html(note))], *_values(panel), asdict(conv), links.answer_link("", panel))
        notes.append("Same question, filters now: " + (panel.describe() or "none") + ".")
        return self._answer(history, conv.query, panel, notes)

    def _answer(self, history, query: str, filters: Filters, notes: list[str]):
        try:
            hits = self.index.search(query, filters, RETRIEVE)
        except (QueryError, FilterError) as error:
            history.append(_bot(render.notice_html(str(error))))
            return (history, *_values(filters), asdict(_conv(None)), "")
        conv = Conversation(query, {k: v for k, v in filters.items()}, min(PAGE, len(hits)))
        answer = render.Answer(query, filters, hits[:PAGE], 1, len(hits), len({h.story for h in hits}),
                               query_stems(query), notes, relaxations(filters, self.index) if not hits else [])
        history.append(_bot(render.answer_html(answer)))
        return (history, *_values(filters), asdict(conv), conv.link())

    def _more(self, history, conv: Conversation):
        filters = Filters.from_dict(conv.filters)
        hits = self.index.search(conv.query, filters, RETRIEVE) if conv.query else []
        if not conv.query:
            history.append(_bot(render.notice_html("Ask a question first; then “more” shows further passages.")))
        elif conv.shown >= len(hits):
            history.append(_bot(render.notice_html(f"That was all {len(hits)} passages for “{conv.query}”.")))
        else:
            page = hits[conv.shown: conv.shown + PAGE]
            answer = render.Answer(conv.query, filters, page, conv.shown + 1, len(hits),
                                   len({h.story for h in hits}), query_stems(conv.query))
            history.append(_bot(render.answer_html(answer)))
            conv.shown += len(page)
        return (history, *_values(filters), asdict(conv), conv.link())

    # -- links: page load, ?q=, ?story= --------------------------------------------
    def on_load(self, request: gr.Request):
        """Page load: act on the address bar's parameters."""
        pairs = list(request.query_params.multi_items()) if request is not None else []
        return self._open(pairs)

    def open_link(self, link: str):
        """``?q=…&principle=…`` or ``?story=…&t=…`` → the same outputs a page load gives (API: /open)."""
        return self._open(parse_qsl((link or "").lstrip("?"), keep_blank_values=True))

    def _open(self, pairs):
        request = parse_params(pairs, self.index.facets, self.index.state.stories)
        history: list[dict] = []
        if request.notes:
            history.append(_bot(render.notice_html(" ".join(request.notes))))
        if request.query:
            history.append({"role": "user", "content": render.esc(request.query)})
            history, *rest = self._answer(history, request.query, request.filters, [])
        else:
            rest = [*_values(request.filters), asdict(Conversation()),
                    links.answer_link("", request.filters) if request.filters else ""]
        if request.story:
            story = self.index.story(request.story)
            rest[-1] = links.story_link(story.id, request.t)
            return (history, *rest, render.story_html(story, request.t), gr.update(visible=True), gr.update(visible=False))
        return (history, *rest, "", gr.update(visible=False), gr.update(visible=True))

    def open_story(self, key: str):
        """A story link clicked in an answer: show the story in the app."""
        request = parse_params(parse_qsl(_key(key).lstrip("?")), self.index.facets, self.index.state.stories)
        if not request.story:
            return gr.update(), gr.update(), gr.update(), gr.update()
        story = self.index.story(request.story)
        link = links.story_link(story.id, request.t)
        return render.story_html(story, request.t), gr.update(visible=True), gr.update(visible=False), link

    def link_for(self, *args):
        """The address for the last question under the panel's current filters (panel edited)."""
        *values, state = args
        panel = clean_filters(dict(zip(FILTER_KINDS, values)), self.index.facets, [])
        return links.answer_link(_conv(state).query, panel)

    def close_story(self, state):
        return gr.update(visible=False), gr.update(visible=True), _conv(state).link() or "?"

    # -- glossary ------------------------------------------------------------------
    def show_glossary(self, key: str):
        """A tag chip clicked: the element's definition and a "filter by this" button."""
        pairs = parse_qsl(_key(key).lstrip("?"))
        kind, value = next(((links.KIND_OF[n], v) for n, v in pairs if n in links.KIND_OF), (None, None))
        if kind is None or value not in self.index.facets.get(kind, {}):
            return gr.update(visible=False), "", None, gr.update()
        html = render.glossary_html(kind, value, self.index.element(value))
        label = f"Filter by {render.KIND_LABEL[kind]}: {value}"
        return gr.update(visible=True), html, [kind, value], gr.update(value=label)

    def filter_by(self, chosen, *values):
        """Add the glossary's element to the filter panel."""
        current = dict(zip(FILTER_KINDS, [list(v or []) for v in values]))
        if chosen:
            kind, value = chosen
            current[kind] = [value]
        return (gr.update(visible=False), *[current[k] for k in FILTER_KINDS])


def build_app(index: StoryIndex) -> gr.Blocks:
    """The Blocks app over ``index``; launch it with :func:`launch` (which adds CSS, JS and theme)."""
    app = ChatApp(index)
    with gr.Blocks(title="labstories — Accelerator Labs interview stories") as demo:
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
                        more_btn = gr.Button("More passages", size="sm", elem_id="ls-more")
            with gr.Column(scale=1, min_width=240, elem_id="ls-filters"):
                gr.Markdown("### Filters\nApplied to the next question; follow-ups like “only in Africa” set them too.")
                dropdowns = [_dropdown(kind, index.facets.get(kind, {})) for kind in FILTER_KINDS]
                with gr.Row():
                    apply_btn = gr.Button("Apply to last question", size="sm", elem_id="ls-apply")
                    clear_btn = gr.Button("Clear filters", size="sm", elem_id="ls-clear")
        gr.HTML(PLAYER_HTML)
        url = gr.Textbox(visible="hidden", elem_id="ls-url")
        story_key = gr.Textbox(visible="hidden", elem_id="ls-story-key")
        gloss_key = gr.Textbox(visible="hidden", elem_id="ls-gloss-key")
        state = gr.State(asdict(Conversation()))
        chosen = gr.State(None)

        answer_out = [chatbot, *dropdowns, state, url]
        ask = dict(fn=app.respond, inputs=[msg, chatbot, *dropdowns, state], outputs=[msg, *answer_out])
        msg.submit(**ask, api_name="chat").then(None, [url], None, js=SYNC_JS)
        chatbot.example_select(_example, None, msg).then(**ask, api_name=False).then(None, [url], None, js=SYNC_JS)
        more_btn.click(app.more, [chatbot, state], answer_out, api_name="more").then(None, [url], None, js=SYNC_JS)
        apply_btn.click(app.rerun, [chatbot, *dropdowns, state], answer_out, api_name="rerun").then(
            None, [url], None, js=SYNC_JS)
        clear_btn.click(lambda: [[] for _ in FILTER_KINDS], None, dropdowns, api_name=False).then(
            app.link_for, [*dropdowns, state], url, api_name=False).then(None, [url], None, js=SYNC_JS)
        for dropdown in dropdowns:  # the address bar follows the panel, too
            dropdown.input(app.link_for, [*dropdowns, state], url, api_name=False).then(None, [url], None, js=SYNC_JS)
        load_out = [*answer_out, story_view, story_col, chat_col]
        demo.load(app.on_load, None, load_out, api_name=False).then(None, [url], None, js=SYNC_JS)
        gr.Button(visible=False).click(app.open_link, [msg], load_out, api_name="open")
        story_key.change(app.open_story, [story_key], [story_view, story_col, chat_col, url], api_name=False).then(
            None, [url], None, js=SYNC_JS)
        back.click(app.close_story, [state], [story_col, chat_col, url], api_name=False).then(None, [url], None, js=SYNC_JS)
        gloss_key.change(app.show_glossary, [gloss_key], [gloss_col, gloss_view, chosen, gloss_filter],
                         api_name=False).then(None, None, None, js=GLOSSARY_JS)
        gloss_close.click(lambda: gr.update(visible=False), None, gloss_col, api_name=False)
        gloss_filter.click(app.filter_by, [chosen, *dropdowns], [gloss_col, *dropdowns], api_name=False).then(
            app.rerun, [chatbot, *dropdowns, state], answer_out, api_name=False).then(None, [url], None, js=SYNC_JS)
    return demo


def launch_options() -> dict:
    """What gradio 6 takes at ``launch()``: theme (system fonts, nothing fetched), CSS, the script."""
    theme = gr.themes.Default(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
                              font_mono=["ui-monospace", "SFMono-Regular", "monospace"])
    return dict(theme=theme, css=CSS, head=JS, footer_links=[], ssr_mode=False, pwa=False, mcp_server=False,
                show_error=False)


def launch(index: StoryIndex, host: str, port: int, block: bool = True, concurrency: int = 4):
    """Build and start the app; returns the Blocks (running in a thread when ``block`` is False).

    ``concurrency`` handlers run at once, the rest wait in order. Part of a search
    runs outside the GIL (Chroma, torch, numpy), so on 2 cores 4 served more
    questions per second than 1 or 2, and 8 no more than 4 (README, benchmarks/load.py)."""
    demo = build_app(index)
    demo.queue(default_concurrency_limit=concurrency)
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=not block, quiet=True,
                state_session_capacity=SESSIONS, **launch_options())
    return demo


def serve(settings: Settings, embedder=None) -> None:
    """``labstories serve``: open the index, warm the model, serve until interrupted.

    ``embedder`` lets a caller that just indexed share its loaded model."""
    index = StoryIndex.open(settings, embedder=embedder)
    index.search("warm up the model")  # the first query loads the model (seconds); do it before the first user
    print(f"labstories is running on http://{settings.host}:{settings.port}/  (Ctrl+C to stop)", flush=True)
    launch(index, settings.host, settings.port, block=True, concurrency=settings.concurrency)


# -- small helpers ---------------------------------------------------------------------
def _dropdown(kind: str, counts: dict[str, int]) -> gr.Dropdown:
    choices = [(f"{value} ({count})", value) for value, count in counts.items()]
    return gr.Dropdown(choices, value=[], multiselect=True, label=LABEL[kind], elem_id=f"ls-f-{kind}",
                       filterable=True)


def _example(evt: gr.SelectData) -> str:
    value = evt.value
    return value.get("text", "") if isinstance(value, dict) else str(value or "")


def _text(message) -> str:
    """Browser messages may arrive as content blocks; gradio_client sends a string."""
    if isinstance(message, dict):
        return str(message.get("text", ""))
    if isinstance(message, list):
        return " ".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in message)
    return str(message or "")


def _bot(html: str) -> dict:
    return {"role": "assistant", "content": html}


def _conv(state) -> Conversation:
    return Conversation(**state) if isinstance(state, dict) and state else Conversation()


def _values(filters: Filters) -> list[list[str]]:
    return [list(getattr(filters, kind)) for kind in FILTER_KINDS]


def _key(key: str) -> str:
    """Bridge values carry a nonce after \\x01 so repeated clicks still register as changes."""
    return (key or "").split("\x01", 1)[0]


def _understood(step) -> list[str]:
    notes = []
    if step.recognised:
        notes.append("Filter set from your message: " + "; ".join(f"{render.KIND_LABEL[k]} {v}" for k, v in step.recognised)
                     + " (remove it in the Filters panel).")
    if step.removed:
        notes.append("Removed filter: " + "; ".join(f"{render.KIND_LABEL[k]} {v}" for k, v in step.removed) + ".")
    if step.follow_up:
        notes.append(f"Refining the previous question “{step.query}”.")
    return notes


__all__ = ["ChatApp", "Conversation", "build_app", "launch", "launch_options", "serve"]
