"""Query-side records: what a user asks for (Filters) and what comes back (Hit)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from labstories.index.vocabulary import FILTER_KINDS, KIND, KIND_BY_KEY

from .errors import FilterError


class Filters:
    """What a search is narrowed to: values by filter kind (``vocabulary.KINDS``).

    Several values of one kind mean any of them; different kinds must all hold.
    The kinds come from the declaration, so ``Filters(country=["Peru"])``,
    ``filters.country`` and ``filters.items()`` know every kind without a field
    written here. A Filters is a value: the algebra (:meth:`add`, :meth:`remove`,
    :meth:`replace`, :meth:`without`, :meth:`merge`, :meth:`minus`) returns new ones.
    """

    __slots__ = ("_values", "resolved_by")

    def __init__(self, **values: Iterable[str] | str):
        unknown = sorted(set(values) - set(FILTER_KINDS))
        if unknown:
            raise TypeError(f"unknown filter kind {', '.join(unknown)}")
        self._values = {
            kind: tuple(dict.fromkeys([values[kind]] if isinstance(values[kind], str) else values[kind]))
            for kind in FILTER_KINDS
            if values.get(kind)
        }
        #: The facets these values were checked against and spelled by (``rag.filters.resolve``),
        #: so a value is resolved once per index however many layers it passes through.
        self.resolved_by: object | None = None

    @classmethod
    def from_dict(cls, raw: Mapping | None) -> Filters:
        """``{"principles": "Trust"}``, lists, or any key a kind goes by (``sdg`` for ``sdgs``,
        ``principle``); an unknown key raises :class:`FilterError`, values are trimmed."""
        raw = raw or {}
        if not isinstance(raw, Mapping):
            raise FilterError(type(raw).__name__, None, list(FILTER_KINDS))
        unknown = sorted(str(key) for key in raw if key not in KIND_BY_KEY)
        if unknown:
            raise FilterError(", ".join(unknown), None, list(FILTER_KINDS))
        values: dict[str, list[str]] = {}
        for key, value in raw.items():
            items = [value] if isinstance(value, (str, int)) else list(value or [])
            values.setdefault(KIND_BY_KEY[key].name, []).extend(str(v).strip() for v in items if str(v).strip())
        return cls(**values)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Filters:
        """From (kind, value) pairs, the inverse of :meth:`pairs`."""
        values: dict[str, list[str]] = {}
        for kind, value in pairs:
            values.setdefault(kind, []).append(value)
        return cls(**values)

    def to_dict(self) -> dict[str, list[str]]:
        """``{kind: [values]}`` for the kinds that are set (JSON, the app's state)."""
        return {kind: list(values) for kind, values in self._values.items()}

    def __getattr__(self, kind: str) -> list[str]:
        if kind in KIND:
            return list(self._values.get(kind, ()))
        raise AttributeError(kind)

    def get(self, kind: str) -> list[str]:
        return list(self._values.get(kind, ()))

    def items(self) -> list[tuple[str, list[str]]]:
        """(kind, values) for each kind that is set, in declaration order."""
        return [(kind, list(values)) for kind, values in self._values.items()]

    def __bool__(self) -> bool:
        return bool(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return f"Filters({', '.join(f'{k}={list(v)!r}' for k, v in self._values.items())})"

    def __contains__(self, pair: tuple[str, str]) -> bool:
        kind, value = pair
        return value in self._values.get(kind, ())

    # -- the algebra ---------------------------------------------------------------
    def add(self, kind: str, *values: str) -> Filters:
        """These values too (any of them)."""
        return self.replace(kind, [*self.get(kind), *values])

    def remove(self, kind: str, *values: str) -> Filters:
        return self.replace(kind, [v for v in self.get(kind) if v not in values])

    def replace(self, kind: str, values: Iterable[str]) -> Filters:
        """The kind's values become ``values`` (none: the kind is cleared)."""
        return Filters(**{**self.to_dict(), kind: list(values)})

    def without(self, *kinds: str) -> Filters:
        return Filters(**{k: v for k, v in self._values.items() if k not in kinds})

    def merge(self, other: Filters) -> Filters:
        """Both sets of values, kind by kind."""
        merged = self.to_dict()
        for kind, values in other.items():
            merged[kind] = [*merged.get(kind, []), *values]
        return Filters(**merged)

    def minus(self, other: Filters) -> Filters:
        """The values of this one that ``other`` does not hold, kind by kind."""
        return Filters(**{k: [v for v in values if (k, v) not in other] for k, values in self._values.items()})

    def pairs(self) -> list[tuple[str, str]]:
        """Every (kind, value), in declaration order."""
        return [(kind, value) for kind, values in self._values.items() for value in values]

    def describe(self) -> str:
        return "; ".join(f"{kind}: {' or '.join(values)}" for kind, values in self.items())


@dataclass
class Hit:
    """One retrieved passage, with everything needed to show, play and share it."""

    story: str
    title: str
    role: str
    country: str
    continent: str
    section: str  # "<story>@<section start>", the key the evaluation uses
    start: int  # seconds; a finer inline start where the section has one (the evaluation maps this)
    end: int | None
    heading: str
    text: str
    snippet: str
    tags: dict[str, list[str]]
    score: float
    audio_url: str | None
    audio_at: str | None  # audio_url#t=<at>, when the story has audio
    link: str  # the app's deep link ?story=<id>&t=<at>
    #: The passage's own moment (seconds): ``start`` moved on by the words spoken before it.
    at: int | None = None
    #: True when ``at`` is interpolated (approximate) rather than a timestamp of the archive.
    interpolated: bool = False
    #: The best dense cosine of the passage's section (None when only the keyword side found it):
    #: an absolute measure of how well it matches, unlike the per-query standardised ``score``.
    cosine: float | None = None
    #: The page's file stem (``story`` holds the same id, for the story-shaped consumers).
    doc: str = ""
    #: The page's type: story, solution, learningplan, experiment, blog, publications.
    type: str = "story"
    year: int | None = None
    language: str = ""
    #: The link that fits the type: a story's audio at the second, a blog's or publication's own
    #: page, and for solutions, learning plans and experiments the app's document view.
    url: str | None = None
    #: The page's summary in one line (``index.text.gist`` of its ``ai_summary``); "" when it has none.
    summary: str = ""
    #: Who speaks in a story: the name the interviewee gives (``index.speakers``), or "".
    speaker: str = ""

    def __post_init__(self):
        if self.at is None:
            self.at = self.start
        self.doc = self.doc or self.story
