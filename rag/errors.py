"""Typed errors of the query side: what was asked that cannot be answered, as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from labstories.index.errors import LabstoriesError


@dataclass(eq=False)
class FilterError(LabstoriesError):
    """A filter the index does not know: an unknown kind, or a value no passage carries."""

    kind: str
    value: str | None = None  # None when the kind itself is unknown
    closest: list[str] = field(default_factory=list)
    known: int = 0  # how many values the index has for this kind

    def describe(self) -> str:
        if self.value is None:
            return f"unknown filter kind {self.kind}; use one of {', '.join(self.closest)}"
        text = f"unknown {self.kind} value {self.value!r}"
        return text + (f"; closest: {', '.join(self.closest)}" if self.closest else "")


@dataclass(eq=False)
class QueryError(LabstoriesError):
    """The query cannot be run as given."""

    problem: str  # "empty" | "k_range"
    k: int | None = None
    limit: int = 1000

    def describe(self) -> str:
        if self.problem == "empty":
            return "the query is empty"
        return f"k of {self.k} is out of range; use 1 to {self.limit}"


@dataclass(eq=False)
class EvalFileError(LabstoriesError):
    """A questions file that cannot be read, or one bad line in it."""

    path: Path
    problem: str
    line: int | None = None

    def describe(self) -> str:
        where = f"{self.path} line {self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.problem}" if self.line else f"cannot read {where}: {self.problem}"


__all__ = ["EvalFileError", "FilterError", "QueryError"]
