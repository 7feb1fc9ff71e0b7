"""Filter structures built once per opened index, so a query's filter work scales with its matches.

For each filter kind, every passage's value codes are kept in CSR form
(``indptr``/``codes``) and each value's passages as a sorted position array (a
posting list). A filter is then a union of posting lists within a kind and an
intersection across kinds — numpy work proportional to the matching passages,
not a Python loop over the whole corpus — and "how many passages would each
value give" is one ``bincount`` over the codes of the matching passages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labstories.index.records import Document, Passage
from labstories.index.vocabulary import KINDS

from .records import Filters

_POSITION = np.int32


@dataclass(frozen=True)
class KindIndex:
    """One filter kind: value codes per passage (CSR) and passages per value (posting lists)."""

    values: tuple[str, ...]  # code → value
    indptr: np.ndarray  # passage i's codes are codes[indptr[i]:indptr[i + 1]]
    codes: np.ndarray
    postings: dict[str, np.ndarray]  # value → sorted passage positions

    @classmethod
    def build(cls, per_passage: list[list[str]]) -> KindIndex:
        """From each passage's values (empty strings and repeats ignored)."""
        lengths = np.fromiter(map(len, per_passage), dtype=np.int64, count=len(per_passage))
        return cls.from_flat([v for values in per_passage for v in values], lengths)

    @classmethod
    def from_flat(cls, flat: list[str], lengths: np.ndarray) -> KindIndex:
        """From all passages' values in one list, ``lengths[i]`` of them belonging to passage i.
        Empty values and repeats within a passage are dropped here, in numpy."""
        code_of: dict[str, int] = {}
        codes = np.fromiter((code_of.setdefault(v, len(code_of)) for v in flat), dtype=np.int64, count=len(flat))
        owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        if "" in code_of:
            keep = codes != code_of[""]
            codes, owner = codes[keep], owner[keep]
        # one (passage, value) pair each, ordered by passage then value code
        pairs = np.sort(owner * (len(code_of) + 1) + codes)
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
        owner, codes = pairs // (len(code_of) + 1), pairs % (len(code_of) + 1)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner, minlength=len(lengths)), out=indptr[1:])
        order = np.argsort(codes, kind="stable")  # stable: positions stay sorted within a value
        bounds = np.searchsorted(codes[order], np.arange(len(code_of) + 1))
        values = tuple(code_of)
        postings = {
            value: owner[order[bounds[c] : bounds[c + 1]]].astype(_POSITION)
            for c, value in enumerate(values)
            if bounds[c + 1] > bounds[c]
        }
        return cls(values, indptr, codes.astype(_POSITION), postings)

    def positions(self, wanted: list[str]) -> np.ndarray:
        """Sorted positions of passages carrying any of ``wanted``."""
        lists = [self.postings[v] for v in wanted if v in self.postings]
        if not lists:
            return np.empty(0, dtype=_POSITION)
        return lists[0] if len(lists) == 1 else np.unique(np.concatenate(lists))

    def counts(self, positions: np.ndarray | None) -> dict[str, int]:
        """Passages per value among ``positions`` (all passages when None)."""
        if positions is None:
            codes = self.codes
        else:
            starts, ends = self.indptr[positions], self.indptr[positions + 1]
            lengths = ends - starts
            # the codes of each chosen passage, gathered without a Python loop
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            codes = self.codes[offsets + np.arange(int(lengths.sum()))]
        tally = np.bincount(codes, minlength=len(self.values))
        return {self.values[c]: int(tally[c]) for c in np.flatnonzero(tally)}


@dataclass(frozen=True)
class FilterIndex:
    """Every filter kind's :class:`KindIndex` over one build's passages."""

    size: int
    kinds: dict[str, KindIndex]

    @classmethod
    def build(cls, passages: list[Passage], documents: dict[str, Document]) -> FilterIndex:
        """One pass per tag kind over the passages; a document's own facts (country, role…) are
        read once per document and spread to its passages."""
        kinds = {}
        for kind in KINDS:
            if kind.tag:
                lists = [p.tags.get(kind.name, ()) for p in passages]
            else:
                per_document = {doc_id: document.values(kind.name) for doc_id, document in documents.items()}
                lists = [per_document[p.doc] for p in passages]
            lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
            kinds[kind.name] = KindIndex.from_flat([v for values in lists for v in values], lengths)
        return cls(len(passages), kinds)

    def positions(self, filters: Filters) -> np.ndarray | None:
        """Sorted positions of passages satisfying every filter kind; None when nothing is filtered."""
        found = None
        for kind, values in filters.items():
            matching = self.kinds[kind].positions(values)
            found = matching if found is None else np.intersect1d(found, matching, assume_unique=True)
            if not len(found):
                break
        return found

    def count(self, filters: Filters) -> int:
        found = self.positions(filters)
        return self.size if found is None else len(found)

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask over all passages (O(N); for callers that need one, not for search)."""
        found = self.positions(filters)
        if found is None:
            return np.ones(self.size, dtype=bool)
        mask = np.zeros(self.size, dtype=bool)
        mask[found] = True
        return mask

    def value_counts(self, kind: str, filters: Filters) -> dict[str, int]:
        """Passages per value of ``kind`` among the passages matching ``filters``."""
        return self.kinds[kind].counts(self.positions(filters))
