"""Snippets and highlight spans: which part of a passage to show, which words to mark.

Matching is by stem, the way the keyword index matches, so "migrants" in a
query marks "migrant" and "Migration" is left alone. No HTML here: the UI
escapes the text and wraps the spans.
"""

from __future__ import annotations

from labstories.index.text import WORD, first_stems, function_words, split_sentences, stems_of, tokenize

#: Question words that BM25 may keep but that are noise when marked in a passage.
_QUESTION_WORDS = frozenset(
    tokenize(
        "how what which why when who whom whose where did does do done can could should would "
        "labs lab get got make made way ways"
    )
)


def query_stems(query: str) -> set[str]:
    """Stems worth marking in a passage: the query's content words, never its function words."""
    content = " ".join(w for w in WORD.findall(query.lower()) if w not in function_words())
    return set(tokenize(content)) - _QUESTION_WORDS


def highlight_spans(text: str, stems: set[str]) -> list[tuple[int, int]]:
    """(start, end) offsets of words in text whose stem is one of ``stems``."""
    if not stems:
        return []
    matches = list(WORD.finditer(text))
    words = sorted({match.group() for match in matches})
    marked = {word for word, stem in zip(words, first_stems(words)) if stem in stems}
    return [match.span() for match in matches if match.group() in marked]


def snippet(text: str, stems: set[str], limit: int = 320) -> str:
    """The run of sentences around the one with most query words, about ``limit`` characters."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    words = [WORD.findall(sentence.lower()) for sentence in sentences]  # what tokenize splits, stemmed once below
    stem = stems_of({word for sentence in words for word in sentence})
    counts = [len({stem[w] for w in sentence if w in stem} & stems) for sentence in words]
    best = max(range(len(sentences)), key=lambda i: (counts[i], -i))
    first = last = best
    length = len(sentences[best])
    while length < limit and (first > 0 or last < len(sentences) - 1):
        if last < len(sentences) - 1:
            last += 1
            length += len(sentences[last]) + 1
        elif first > 0:
            first -= 1
            length += len(sentences[first]) + 1
    chosen = " ".join(sentences[first : last + 1])
    if len(chosen) > limit + 80:
        chosen = chosen[:limit].rsplit(" ", 1)[0] + " …"
    prefix = "… " if first > 0 else ""
    return prefix + chosen
