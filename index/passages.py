"""Sections → passages: overlapping windows that fit the model, with context.

all-MiniLM-L6-v2 reads 256 word pieces and a third of the sections are longer,
so a long section becomes several windows of whole sentences that overlap by a
sentence or two. Each window keeps its section's start (or a finer inline
start), the tags of the paragraphs it covers, and a context prefix — story
title, country and the interviewer's question — because an answer like "we
went to them every week" means nothing without the question it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .records import Document, Passage, Section, merge_tags
from .text import split_sentences

TokenCounter = Callable[[list[str]], list[int]]


@dataclass(frozen=True)
class Chunking:
    """Window parameters; saved in the manifest so a change forces a rebuild."""

    window_tokens: int = 160
    overlap_tokens: int = 40
    heading_tokens: int = 48
    max_tokens: int = 256
    #: Windows of the other page types run across their sections (short answers share one).
    page_window_tokens: int = 200
    page_overlap_tokens: int = 24


@dataclass
class _Sentence:
    text: str
    tokens: int
    paragraph: int


#: Page types whose section headings are the writers' own headings, not questions answered below them.
_HEADED = ("blog", "publications")


def context_prefix(document: Document, heading: str) -> str:
    """What the model reads before a window: the title, where, and the question (or heading) it answers."""
    where = ", ".join(dict.fromkeys([*document.countries[:3], *document.continents[:2]]))
    prefix = f"{document.title} ({where})." if where else f"{document.title}."
    if not heading:
        return prefix
    return f"{prefix} {heading}" if document.type in _HEADED else f"{prefix} Q: {heading}"


def document_passages(document: Document, count_tokens: TokenCounter, chunking: Chunking = Chunking()) -> list[Passage]:
    """Every embeddable passage of a document: a story's windows stay inside its timed sections,
    other pages' windows run across their sections (:func:`page_passages`)."""
    if document.type != "story":
        return page_passages(document, count_tokens, chunking)
    passages = []
    for section in document.sections:
        passages.extend(section_passages(document, section, count_tokens, chunking))
    return passages


def page_passages(document: Document, count_tokens: TokenCounter, chunking: Chunking) -> list[Passage]:
    """Windows of whole sentences over a page's sections in reading order.

    A learning plan or solution is many short answers (a median solution is 157
    words in a dozen answers): a window per answer would make thousands of tiny
    passages, each paying for its context. So a window takes sentences across
    answers, and the model reads each answer after its prompt ("Q: …"), the
    context that makes "Ministry of Labour" an answer to "who were your new
    partners?". The keyword index and the passage shown hold the answers only:
    a template prompt is the same on every page and no content of this one.
    """
    prefix = context_prefix(document, "")
    units: list[tuple[int, str, bool]] = []  # (section, text, is its prompt)
    for number, section in enumerate(document.sections):
        sentences = [sentence for paragraph in section.paragraphs for sentence in split_sentences(paragraph.text)]
        if not sentences:
            continue
        heading = section.heading.strip()
        if heading:
            label = heading if document.type in _HEADED else f"Q: {heading}"
            units.append((number, label, True))
        units.extend((number, sentence, False) for sentence in sentences)
    if not units:
        return []
    units = _fit(units, count_tokens, chunking.page_window_tokens)
    sizes = count_tokens([text for _, text, _ in units])
    budget = chunking.max_tokens - 2 - count_tokens([prefix])[0] - 1
    size = max(32, min(chunking.page_window_tokens, budget))
    passages = []
    for first, last in _windows(sizes, size, chunking.page_overlap_tokens):
        covered = units[first:last]
        answers = [text for _, text, prompt in covered if not prompt]
        if not answers:
            continue
        section = document.sections[next(number for number, _, prompt in covered if not prompt)]
        text = " ".join(answers)
        read = " ".join(text_ for _, text_, _ in covered)
        passages.append(
            Passage(
                id=f"{document.id}@{section.start}#{len(passages)}",
                doc=document.id,
                section_start=section.start,
                start=section.start,
                text=text,
                embed_text=f"{prefix}\n{read}",
                keyword_text=f"{document.title}\n{text}",
                window=len(passages),
            )
        )
    return passages


def _fit(units: list[tuple[int, str, bool]], count_tokens: TokenCounter, limit: int) -> list[tuple[int, str, bool]]:
    """Units longer than a window (a run-on paragraph, a table read as one line) cut at word boundaries."""
    fitted = []
    for (section, text, prompt), tokens in zip(units, count_tokens([t for _, t, _ in units])):
        if tokens <= limit:
            fitted.append((section, text, prompt))
            continue
        words = text.split()
        step = max(1, len(words) * limit // (tokens * 2))
        fitted.extend((section, " ".join(words[i : i + step]), prompt) for i in range(0, len(words), step))
    return fitted


def section_passages(
    story: Document, section: Section, count_tokens: TokenCounter, chunking: Chunking
) -> list[Passage]:
    sentences = _sentences(section, count_tokens, chunking)
    if not sentences:
        return []
    heading = _truncate(section.heading, chunking.heading_tokens, count_tokens)
    prefix = context_prefix(story, heading)
    budget = chunking.max_tokens - 2 - count_tokens([prefix])[0] - 1
    size = max(32, min(chunking.window_tokens, budget))
    clock = _WordClock(section, sentences)
    passages = []
    for number, (first, last) in enumerate(_windows([s.tokens for s in sentences], size, chunking.overlap_tokens)):
        covered = sentences[first:last]
        paragraphs = sorted({s.paragraph for s in covered})
        text = " ".join(s.text for s in covered)
        start, words_before, span_words, span_end = clock.place(first)
        passages.append(
            Passage(
                id=f"{story.id}@{section.start}#{number}",
                doc=story.id,
                section_start=section.start,
                start=start,
                text=text,
                embed_text=f"{prefix}\n{text}",
                keyword_text=f"{section.heading}\n{text}",
                tags=merge_tags(section.paragraphs[p].tags for p in paragraphs),
                window=number,
                words_before=words_before,
                span_words=span_words,
                span_end=span_end,
            )
        )
    return passages


class _WordClock:
    """Where a sentence lies in spoken words, counted from the latest known time before it.

    Known times ("anchors") are the section's start and each valid inline
    paragraph time. A passage gets its anchor's time as ``start``, the answer
    words from the anchor to its first sentence, and the words and time up to
    the next anchor, from which search interpolates the passage's own moment.
    The interviewer's question (the heading) is not counted: a section's first
    passage plays from the section's start, question included.
    """

    def __init__(self, section: Section, sentences: list[_Sentence]):
        self.position = []  # sentence → answer words before it in the section
        first_of: dict[int, int] = {}  # paragraph → its first sentence
        words = 0
        for number, sentence in enumerate(sentences):
            first_of.setdefault(sentence.paragraph, number)
            self.position.append(words)
            words += len(sentence.text.split())
        self.total = words
        # (paragraph or -1 for the section start, time, word position)
        self.anchors = [(-1, section.start, 0)] + [
            (index, p.start, self.position[first_of[index]])
            for index, p in enumerate(section.paragraphs)
            if _valid_inline(section, p.start) and index in first_of
        ]
        self.end = section.end
        self.sentences = sentences

    def place(self, sentence: int) -> tuple[int, int, int, int | None]:
        """(anchor time, words before the sentence since it, words to the next anchor, next anchor's time)."""
        paragraph = self.sentences[sentence].paragraph
        which = max(i for i, anchor in enumerate(self.anchors) if anchor[0] <= paragraph)
        _, time, words = self.anchors[which]
        if which + 1 < len(self.anchors):
            _, next_time, next_words = self.anchors[which + 1]
        else:
            next_time, next_words = self.end, self.total
        if next_time is not None and next_time <= time:
            next_time = None  # inline times out of order: the span's length is unknown
        return time, self.position[sentence] - words, next_words - words, next_time


def _valid_inline(section: Section, start: int | None) -> bool:
    return start is not None and start >= section.start and (section.end is None or start < section.end)


def _sentences(section: Section, count_tokens: TokenCounter, chunking: Chunking) -> list[_Sentence]:
    pieces: list[tuple[str, int]] = []
    for index, paragraph in enumerate(section.paragraphs):
        pieces.extend((sentence, index) for sentence in split_sentences(paragraph.text))
    counts = count_tokens([text for text, _ in pieces])
    sentences = []
    for (text, paragraph), tokens in zip(pieces, counts):
        if tokens <= chunking.window_tokens:
            sentences.append(_Sentence(text, tokens, paragraph))
            continue
        # A run-on "sentence" longer than a window: cut it at word boundaries.
        words = text.split()
        step = max(1, len(words) * chunking.window_tokens // (tokens * 2))
        for begin in range(0, len(words), step):
            part = " ".join(words[begin : begin + step])
            sentences.append(_Sentence(part, count_tokens([part])[0], paragraph))
    return sentences


def _windows(sizes: list[int], size: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy [first, last) sentence ranges of ≤ size tokens, overlapping ≥ overlap tokens."""
    windows = []
    first = 0
    while first < len(sizes):
        last, used = first, 0
        while last < len(sizes) and (last == first or used + sizes[last] <= size):
            used += sizes[last]
            last += 1
        windows.append((first, last))
        if last >= len(sizes):
            break
        # Step back from the end until the overlap is covered, but always advance,
        # and never so far that the next window could not take in a new sentence.
        back, kept = last, 0
        while back - 1 > first and kept < overlap and sum(sizes[back - 1 : last + 1]) <= size:
            back -= 1
            kept += sizes[back]
        first = back
    return windows


def _truncate(text: str, tokens: int, count_tokens: TokenCounter) -> str:
    words = text.split()
    while words and count_tokens([" ".join(words)])[0] > tokens:
        words = words[: max(1, int(len(words) * 0.8))] if len(words) > 1 else []
    return " ".join(words)
