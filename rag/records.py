"""Query-side records: what a user asks for (Filters) and what comes back (Hit)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from labstories.index.vocabulary import FILTER_KINDS

from .errors import FilterError


@dataclass
class Filters:
    """Several values of one kind mean any of them; different kinds must all hold."""

    principles: list[str] = field(default_factory=list)
    tactics: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    continent: list[str] = field(default_factory=list)
    role: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, raw: dict | None) -> "Filters":
        """Accepts ``{"principles": "Trust"}`` or lists; unknown keys are an error."""
        raw = raw or {}
        unknown = sorted(set(raw) - set(FILTER_KINDS))
        if unknown:
            raise FilterError(", ".join(unknown), None, list(FILTER_KINDS))
        values = {}
        for kind, value in raw.items():
            items = [value] if isinstance(value, str) else list(value or [])
            values[kind] = [str(v).strip() for v in items if str(v).strip()]
        return cls(**values)

    def items(self) -> list[tuple[str, list[str]]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)]

    def __bool__(self) -> bool:
        return bool(self.items())

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
    section: str          # "<story>@<section start>", the key the evaluation uses
    start: int            # seconds; a finer inline start where the section has one (the evaluation maps this)
    end: int | None
    heading: str
    text: str
    snippet: str
    tags: dict[str, list[str]]
    score: float
    audio_url: str | None
    audio_at: str | None  # audio_url#t=<at>, when the story has audio
    link: str             # the app's deep link ?story=<id>&t=<at>
    #: The passage's own moment (seconds): ``start`` moved on by the words spoken before it.
    at: int | None = None
    #: True when ``at`` is interpolated (approximate) rather than a timestamp of the archive.
    interpolated: bool = False
    #: The best dense cosine of the passage's section (None when only the keyword side found it):
    #: an absolute measure of how well it matches, unlike the per-query standardised ``score``.
    cosine: float | None = None

    def __post_init__(self):
        if self.at is None:
            self.at = self.start

