"""Text helpers both sides share (words, sentences, URLs, tokens), so rag/ needs neither the parser nor the chunker."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

#: A word for ranking and highlighting: two or more word characters.
WORD = re.compile(r"\w\w+", re.UNICODE)
#: A word as people type it in a sentence, apostrophes and hyphens included.
SPOKEN_WORD = re.compile(r"[\w'’-]+", re.UNICODE)

#: A lone UTF-16 surrogate ("\ud800" from JSON or undecodable argv bytes): tokenizers and JSON
#: encoders fail on it, so text is cleaned with :func:`without_surrogates` before any work.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'“(\[]?[A-Z0-9])")
_UNESCAPE = re.compile(r"\\([^\w\s])")


def without_surrogates(text: str) -> str:
    """Each lone surrogate replaced by U+FFFD, the replacement character."""
    return LONE_SURROGATE.sub("\ufffd", text)


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


#: The stock opening some AI summaries carry ("Here is a summary of the interview transcript in 5 sentences:").
_PREAMBLE = re.compile(r"^here(?: is|'s) (?:a|the) summary\b[^:]{0,120}:\s*", re.I)


def gist(summary: str, limit: int = 240, short: int = 80) -> str:
    """A summary in one line, for under a title: its first sentence, with the second when the first is
    shorter than ``short`` characters (it names the speaker, not the work), cut at a word with "…" past
    ``limit``. Derived from the summary's own words, never rewritten; "" for no summary."""
    sentences = split_sentences(_PREAMBLE.sub("", " ".join(summary.split())))
    if not sentences:
        return ""
    line = sentences[0] if len(sentences[0]) >= short else " ".join(sentences[:2])
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def unescape(text: str) -> str:
    r"""Undo markdown escaping (``\.``, ``\-``, ``\[``…) and trim."""
    return _UNESCAPE.sub(r"\1", text).strip()


def is_web_url(url: str | None) -> bool:
    """Only http(s) URLs may become links or players (never javascript:, data:, file:)."""
    return bool(url) and re.match(r"^https?://[^\s<>\"'`]+$", url, flags=re.I) is not None


def fold(text: str) -> str:
    """Accents removed: *numérisation* → *numerisation*."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_local = threading.local()


def stemmer(language: str = "english"):
    """This thread's Snowball stemmer for ``language`` (a PyStemmer algorithm name).

    A PyStemmer object keeps per-call state in C and a word cache, and its
    documentation says it must not be called from two threads at once; the app
    answers several questions at once, so every thread gets its own object."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(language)
    if found is None:
        import Stemmer

        found = stemmers[language] = Stemmer.Stemmer(language)
    return found


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The English stopwords :func:`tokenize` drops (bm25s's list)."""
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """English function words ("you", "your", "about", …): bm25s's longer (NLTK) list. The keyword
    index keeps them, but they are never worth marking in a passage or weighing as a question's topic."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


def tokenize(text: str) -> list[str]:
    """Lower-case words, English stopwords dropped, Snowball-stemmed: how indexing and
    querying both split text, so the keyword index can score any token list."""
    words = [w for w in WORD.findall(text.lower()) if w not in stopwords()]
    return stemmer().stemWords(words)


def stems_of(words: set[str]) -> dict[str, str]:
    """Lower-case word → stem for the words ``tokenize`` keeps, in one stemmer call."""
    kept = sorted(words - stopwords())
    return dict(zip(kept, stemmer().stemWords(kept)))


def first_stems(words: list[str]) -> list[str | None]:
    """``tokenize(word)[0]`` for each word (None where that is empty), stemmed in one call:
    marking a passage's words costs one stemmer call, not one per word."""
    lowered = [word.lower() for word in words]
    plain = [bool(WORD.fullmatch(low)) for low in lowered]  # a word that stays one word lower-cased
    stem = stems_of({low for low, one in zip(lowered, plain) if one})
    found: list[str | None] = []
    for word, low, one in zip(words, lowered, plain):
        stems = [stem[low]] if low in stem else [] if one else tokenize(word)
        found.append(stems[0] if stems else None)
    return found


__all__ = [
    "LONE_SURROGATE",
    "SPOKEN_WORD",
    "WORD",
    "first_stems",
    "fold",
    "gist",
    "is_web_url",
    "split_sentences",
    "stemmer",
    "stems_of",
    "stopwords",
    "tokenize",
    "unescape",
    "without_surrogates",
]
