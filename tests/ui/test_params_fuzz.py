"""URL parameters (ui/params.py) and the app's /open handler under hostile input: surrogates, NUL, odd digits,
huge numbers, repeated and unknown names. Every case gives a page with notes — never an error —
and nothing that cannot be sent back as UTF-8 JSON."""

from __future__ import annotations

import json

import fuzz_profile  # noqa: F401  (bounded by default; LABSTORIES_LONG_FUZZ=1 for long runs)
from app_support import app_index, audio_server  # noqa: F401  (session fixtures)
from hypothesis import given
from hypothesis import strategies as st

from labstories.ui.limits import MAX_PARAMS
from labstories.ui.params import KNOWN, MAX_QUERY, MAX_T, parse_params

FACETS = {
    "principles": {"Trust": 3},
    "tactics": {},
    "tools": {"Design": 2},
    "skills": {},
    "country": {"Peru": 1, "Atlantis": 2},
    "continent": {"Africa": 1},
    "role": {"Explorer": 1},
}
STORIES = {"SolutionMappers_AUD", "Explorer_NOA"}

ANY_CHAR = st.characters(blacklist_categories=())  # surrogates, controls, NUL included
NASTY = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.tuples(st.sampled_from(["", "-", "+"]), st.integers(1, 6000)).map(
        lambda t: t[0] + "7" * t[1]
    ),  # past int()'s 4,300 digits
    st.sampled_from(
        [
            "²",
            "٣",
            "１２",
            "1e9",
            "-0",
            "0x10",
            " 7 ",
            "\x00",
            "\ud800",
            "\udfff",
            "Trust\x00",
            "SolutionMappers_AUD\n",
            "../../etc/passwd",
            "<script>",
            "9" * 5000,
            "",
        ]
    ),
)
NAMES = st.one_of(st.sampled_from(KNOWN), st.text(ANY_CHAR, max_size=12))


def _sendable(value) -> None:
    """What Gradio does with a handler's output: JSON, encoded as UTF-8."""
    json.dumps(value, ensure_ascii=False).encode("utf-8")


@given(st.lists(st.tuples(NAMES, NASTY), max_size=60))
def test_parse_params_never_raises_and_keeps_only_valid_values(pairs):
    request = parse_params(pairs, FACETS, STORIES)
    _sendable(request.notes)
    _sendable(request.query)
    assert len(request.query) <= MAX_QUERY
    assert request.t is None or 0 <= request.t <= MAX_T
    assert request.story is None or request.story in STORIES
    for kind, values in request.filters.items():
        assert set(values) <= set(FACETS[kind])
    assert len(request.notes) <= MAX_PARAMS + 4
    if len(pairs) > MAX_PARAMS:
        assert any("only the first" in note for note in request.notes)


@given(st.lists(st.tuples(NAMES, NASTY), max_size=40), st.sampled_from(["", "?", "&", "?q=trust&"]))
def test_the_open_handler_answers_every_link(app_index, pairs, prefix):  # noqa: F811
    from urllib.parse import quote

    from labstories.ui.app import ChatApp

    link = prefix + "&".join(
        f"{quote(n, errors='surrogatepass')}={quote(v, errors='surrogatepass')}" if i % 2 else f"{n}={v}"
        for i, (n, v) in enumerate(pairs)
    )
    outputs = ChatApp(app_index).open_link(link)
    history, filters, conv, session, url, story_html = outputs[:6]  # the page's outputs (ui/app.py build_app)
    _sendable([history, filters, conv, session, url, story_html])
