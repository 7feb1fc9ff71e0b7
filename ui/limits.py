"""What the server accepts from one request: sizes, counts and characters, checked before any work.

The browser's ``max_length`` is a courtesy; ``/gradio_api/call/*`` accepts
anything. So every request is held to these limits first — before follow-up
detection, translation or embedding — and what was refused or cut is said in
a note, never silently. Text is also made safe to echo: lone surrogates (valid in a
Python ``str``, invalid in UTF-8 and in the JSON Gradio sends back) and
control characters become U+FFFD or a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from labstories.index.text import without_surrogates

MAX_QUESTION = 500  # characters of a chat question (the text box allows the same)
MAX_LINK = 4000  # characters of a ?q=…&story=… link given to /open
MAX_PARAMS = 32  # link parameters read; the app's own links use at most a dozen
MAX_HISTORY = 200  # chat messages kept in a conversation sent back by a client

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Cut:
    """A text within its limit, and the note to show when it had to be cut (else "")."""

    text: str
    note: str = ""


def clean_text(text: str) -> str:
    """Lone surrogates → U+FFFD, control characters (NUL included) → a space."""
    return _CONTROL.sub(" ", without_surrogates(text))


def check_question(text: str) -> Cut:
    """A chat question cleaned — or, over :data:`MAX_QUESTION` characters, refused with a note.

    Refused rather than cut: the text box stops at the same limit, so only a
    script sends more, and answering the first 500 characters of a megabyte
    would still cost a full search (embedding 500 characters is the dearest
    step). A refusal costs nothing, so a flood of them cannot slow anyone down.
    """
    if len(text) > MAX_QUESTION:
        return Cut(
            "",
            f"Your question was {len(text):,} characters; questions are limited to {MAX_QUESTION}. "
            "Please shorten it and ask again.",
        )
    return Cut(clean_text(text))


def cut_link(link: str) -> Cut:
    """A link for ``/open`` cut to :data:`MAX_LINK` characters (its parameters are checked later)."""
    if len(link) > MAX_LINK:
        return Cut(link[:MAX_LINK], f"The link was {len(link):,} characters; only the first {MAX_LINK} were read.")
    return Cut(link)


__all__ = ["Cut", "MAX_HISTORY", "MAX_LINK", "MAX_PARAMS", "MAX_QUESTION", "check_question", "clean_text", "cut_link"]
