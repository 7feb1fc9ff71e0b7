"""Where the app's own CSS and script live, how Gradio gets them, and the small markup and callbacks beside them.

The CSS is ``ui/static/app.css``; Gradio reads it at launch (``css_paths``)
and inlines it in the page's config, so it needs no request of its own. The
script is ``ui/static/app.js``; its header states its rules (one delegated
click handler, a bridge to the server, ``lsSync``; it never builds markup from
data). The page's head loads it with ``<script src="gradio_api/file=…">``:
the path is relative, so it resolves against the page's own ``<base>`` as
Gradio's own assets do, behind ``GRADIO_ROOT_PATH`` too, and :data:`SCRIPT`
is the one file ``launch(allowed_paths=…)`` lets Gradio serve. The ``?v=``
is a digest of the file, so a browser never keeps an old script after an
upgrade. Both files ship in the wheel (``pyproject.toml`` package data);
nothing is fetched from the network.

The event callbacks below are one-liners handed to Gradio as ``js=``. Those
that move filters between the panel's dropdowns and the hidden filters mapping
are generated from the kinds' declaration (:data:`index.vocabulary.FILTER_KINDS`),
so no number or order of kinds is written here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from labstories.index.vocabulary import FILTER_KINDS

STATIC = Path(__file__).resolve().parent / "static"
#: The app's CSS (``launch(css_paths=…)``).
STYLESHEET = STATIC / "app.css"
#: The app's script (served by Gradio's file route; :data:`HEAD` loads it).
SCRIPT = STATIC / "app.js"


def script_tag(path: Path = SCRIPT) -> str:
    """``<script src="gradio_api/file=/…/app.js?v=…">``: relative to the app's root, versioned by content."""
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f'<script src="gradio_api/file={quote(str(path))}?v={version}"></script>'


HEAD = script_tag()

PLAYER_HTML = (
    '<div id="ls-player" role="region" aria-label="Interview player" hidden>'
    '<span id="ls-now" aria-live="polite"></span>'
    '<audio id="ls-audio" controls preload="none"></audio>'
    '<label class="ls-speed">Speed <select id="ls-speed" aria-label="Playback speed">'
    '<option value="0.75">0.75×</option><option value="1" selected>1×</option><option value="1.25">1.25×</option>'
    '<option value="1.5">1.5×</option><option value="2">2×</option></select></label>'
    '<button type="button" id="ls-player-close" aria-label="Close the player">✕</button></div>'
)

#: A phone's "Filters" button: the panel is folded away there until it is pressed (app.js toggles
#: ``aria-expanded``, which app.css reads; it hides the button on a wider screen).
FILTERS_TOGGLE_HTML = (
    '<button type="button" id="ls-filters-toggle" aria-expanded="false" aria-controls="ls-filters">Filters</button>'
)

HEADER_HTML = (
    '<header class="ls-header"><h1>labstories</h1>'
    "<p>Ask the interview stories of the UNDP Accelerator Labs R&amp;D Archive. Every answer is a set of "
    "passages that lab members actually said, each playable from its second.</p></header>"
)


def panel_js(kinds=FILTER_KINDS) -> str:
    """The dropdowns' values (one argument per kind, in ``kinds`` order) → the filters mapping."""
    return f"(...values) => Object.fromEntries({json.dumps(list(kinds))}.map((kind, i) => [kind, values[i] || []]))"


def show_js(kinds=FILTER_KINDS) -> str:
    """After an event: the address bar follows ``link`` and each dropdown shows its kind of the mapping.

    ``history`` (the chat's messages) tells the address bar a new answer from the same one
    synced again. It returns one value per dropdown, always as an array of outputs (Gradio
    would take a lone array result as the outputs themselves)."""
    return (
        "(link, filters, history) => { if (window.lsSync) window.lsSync(link, "
        "Array.isArray(history) ? history.length : undefined); "
        f"return {json.dumps(list(kinds))}.map((kind) => (filters && Array.isArray(filters[kind])) ? filters[kind] : []); }}"
    )


#: The filters mapping of an empty panel ("Clear filters").
CLEAR_JS = "() => ({})"
SYNC_JS = "(link) => { if (window.lsSync) window.lsSync(link); }"
#: The page's own address, handed to the server at load so copied links can be absolute.
BASE_JS = "(address) => location.origin + location.pathname"
GLOSSARY_JS = "() => { if (window.lsShowGlossary) window.lsShowGlossary(); }"
PANEL_JS = panel_js()
SHOW_JS = show_js()

__all__ = [
    "BASE_JS",
    "CLEAR_JS",
    "FILTERS_TOGGLE_HTML",
    "GLOSSARY_JS",
    "HEAD",
    "HEADER_HTML",
    "PANEL_JS",
    "PLAYER_HTML",
    "SCRIPT",
    "SHOW_JS",
    "STATIC",
    "STYLESHEET",
    "SYNC_JS",
    "panel_js",
    "script_tag",
    "show_js",
]
