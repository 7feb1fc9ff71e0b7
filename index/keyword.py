"""The keyword side: a bm25s index over passages, with English stemming.

Tokenisation is ours (lower-case words, English stopwords, Snowball stemmer) so
that indexing and querying split text the same way and the index can be
scored for any token list, including expanded queries.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .vocabulary import WORD


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str) -> list[str]:
    words = [w for w in WORD.findall(text.lower()) if w not in _stopwords()]
    return _stemmer().stemWords(words)


class KeywordIndex:
    """BM25 scores for every passage, in the order the passages were given."""

    def __init__(self, retriever, size: int):
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> "KeywordIndex":
        import bm25s

        retriever = bm25s.BM25()
        tokens = [tokenize(text) or ["_empty_"] for text in texts]
        retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "KeywordIndex":
        import bm25s

        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(retriever, int(retriever.scores["num_docs"]))

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of each passage for the (already tokenised) query."""
        vocab = self.retriever.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)
