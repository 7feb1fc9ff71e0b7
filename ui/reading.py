"""A story's sections as the story view shows them: long paragraphs cut into readable pieces, each
with the second of the interview it starts at.

Some answers are one block of up to ~1,800 words. :func:`pieces` cuts a paragraph of more than
:data:`LONGEST` words at the sentence ends (``index.text.split_sentences``) nearest to every
:data:`AIM` words, so the pieces come out even; a "sentence" with no end in sight stays whole. Only
the view is cut: the stored text, the passages and their links stay as they are.

:func:`reading` gives each piece its second, from the section's known times (its start and each
paragraph's own inline time), interpolated by the answer words spoken in between, as a passage's
moment is (:func:`rag.moments.moment`: the same back-off, never before the known time, always before
the next). Where no later time is known (a story's last section) a piece plays from the known time
before it, and says nothing of being approximate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate

from labstories.index.records import Section
from labstories.index.text import split_sentences
from labstories.rag.moments import BACK_OFF

#: Words a piece aims at.
AIM = 100
#: A paragraph of up to this many words is shown whole.
LONGEST = 150


@dataclass(frozen=True)
class Piece:
    """One shown paragraph: its text, the second it starts at, and what the view marks on it."""

    text: str
    start: int
    #: ``start`` was interpolated between known times (shown as ``~m:ss``).
    approximate: bool = False
    #: It opens at its paragraph's own inline time (shown, as before, with its ▶).
    timed: bool = False
    #: The paragraph's tags, on its last piece only (the chips follow the paragraph).
    tags: dict = field(default_factory=dict)


def pieces(text: str, aim: int = AIM, longest: int = LONGEST) -> list[str]:
    """``text`` whole when it has at most ``longest`` words, else cut between sentences into about
    ``words / aim`` pieces, each cut at the sentence end nearest its share of the words."""
    words = len(text.split())
    sentences = split_sentences(text)
    if words <= longest or len(sentences) < 2:
        return [text]
    ends = list(accumulate(len(sentence.split()) for sentence in sentences))
    count = max(2, round(words / aim))
    cuts: list[int] = []  # a cut after sentence i; never after the last one
    for k in range(1, count):
        nearest = min(range(len(sentences) - 1), key=lambda i: abs(ends[i] - words * k / count))
        if not cuts or nearest > cuts[-1]:
            cuts.append(nearest)
    bounds = [-1, *cuts, len(sentences) - 1]
    return [" ".join(sentences[first + 1 : last + 1]) for first, last in zip(bounds, bounds[1:])]


def reading(section: Section) -> list[Piece]:
    """The section's paragraphs as :class:`Piece` s, in order, each with its second."""
    cut = [pieces(paragraph.text) for paragraph in section.paragraphs]
    anchors = [(0, section.start)]  # (answer words before, second) of each known time
    position, placed = 0, []
    for paragraph, texts in zip(section.paragraphs, cut):
        if _valid_inline(section, paragraph.start):
            anchors.append((position, paragraph.start))
        for number, text in enumerate(texts):
            placed.append((position, paragraph, number, len(texts), text))
            position += len(text.split())
    if section.end is not None:
        anchors.append((position, section.end))
    out = []
    for at, paragraph, number, count, text in placed:
        tags = paragraph.tags if number == count - 1 else {}
        if number == 0 and paragraph.start is not None:
            out.append(Piece(text, paragraph.start, timed=True, tags=tags))
        else:
            start, approximate = _interpolate(anchors, at)
            out.append(Piece(text, start, approximate, tags=tags))
    return out


def _interpolate(anchors: list[tuple[int, int]], at: int) -> tuple[int, bool]:
    """(second, interpolated?) of the word position ``at`` between the known times around it."""
    before = max(i for i, (words, _) in enumerate(anchors) if words <= at)
    words, second = anchors[before]
    later = [(w, s) for w, s in anchors[before + 1 :] if w > at]
    if at == words or not later or later[0][1] <= second:  # at a known time, or no span known
        return second, False
    next_words, next_second = later[0]
    guess = int(second + (at - words) / (next_words - words) * (next_second - second) - BACK_OFF)
    guess = max(second, min(guess, next_second - 1))
    return guess, guess > second


def _valid_inline(section: Section, start: int | None) -> bool:
    """An inline time inside the section's span (as the passages read them, ``index.passages``)."""
    return start is not None and start >= section.start and (section.end is None or start < section.end)


__all__ = ["AIM", "LONGEST", "Piece", "pieces", "reading"]
