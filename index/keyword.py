"""The keyword side: a bm25s index over passages, with English stemming.

Tokenisation is ours (:func:`labstories.index.text.tokenize`: lower-case words,
English stopwords, Snowball stemmer) so that indexing and querying split text
the same way and the index can be scored for any token list, including
expanded queries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .text import tokenize


class KeywordIndex:
    """BM25 scores for every passage, in the order the passages were given."""

    def __init__(self, retriever, size: int):
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        import bm25s

        retriever = bm25s.BM25()
        tokens = [tokenize(text) or ["_empty_"] for text in texts]
        retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(retriever, int(retriever.scores["num_docs"]))

    def matches(self, tokens: list[str], allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, BM25 scores) of the passages holding a query token, optionally only the
        ``allowed`` (sorted) positions.

        Reads the posting lists of the query's tokens only, so the cost follows the
        matching passages, not the corpus size (bm25s's ``get_scores`` fills an array
        over every passage). Scores are summed per token in float32, in the order
        bm25s sums them, so they equal ``scores()`` exactly.
        """
        retriever, vocab = self.retriever, self.retriever.vocab_dict
        ids = [vocab[t] for t in tokens if t in vocab]
        if not ids or getattr(retriever, "nonoccurrence_array", None) is not None:
            scores = self.scores(tokens)  # BM25 variants that score every passage
            positions = np.flatnonzero(scores > 0) if allowed is None else allowed[scores[allowed] > 0]
            return positions.astype(np.int64), scores[positions]
        data, indices, indptr = (retriever.scores[key] for key in ("data", "indices", "indptr"))
        spans = [(int(indptr[i]), int(indptr[i + 1])) for i in ids]
        docs, inverse = np.unique(np.concatenate([indices[a:b] for a, b in spans]), return_inverse=True)
        scores = np.zeros(len(docs), dtype=np.float32)
        offset = 0
        for a, b in spans:
            scores[inverse[offset : offset + b - a]] += data[a:b]  # a passage occurs once per token
            offset += b - a
        if allowed is not None:
            _, keep, _ = np.intersect1d(docs, allowed, assume_unique=True, return_indices=True)
            docs, scores = docs[keep], scores[keep]
        keep = scores > 0
        return docs[keep].astype(np.int64), scores[keep]

    def document_frequency(self, token: str) -> int:
        """How many passages hold ``token`` (0 when none): the length of its posting list."""
        i = self.retriever.vocab_dict.get(token)
        if i is None:
            return 0
        indptr = self.retriever.scores["indptr"]
        return int(indptr[i + 1] - indptr[i])

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of each passage for the (already tokenised) query."""
        vocab = self.retriever.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)
