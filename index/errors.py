"""Typed errors of the indexing side. They carry data, not advice.

Each error says what is wrong in neutral words (``str(error)``) and keeps the
facts as fields: which path, which setting, which collection. The command line
and the web app each turn those fields into a message for their own reader
(``ui/messages.py``): the CLI names the command to run next, the page does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class LabstoriesError(Exception):
    """Base of every error a user can cause or fix; anything else is a bug."""

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        return type(self).__name__


@dataclass(eq=False)
class CorpusError(LabstoriesError):
    """The corpus path itself is unusable."""

    path: Path
    problem: str  # "missing" | "empty" | "unreadable"
    detail: str = ""

    def describe(self) -> str:
        if self.problem == "missing":
            return f"corpus path {self.path} does not exist"
        if self.problem == "empty":
            return f"no .md pages under {self.path}"
        return f"corpus path {self.path} cannot be read ({self.detail})"


@dataclass(eq=False)
class NoIndexError(LabstoriesError):
    """There is no usable index in the data directory (yet, or any more)."""

    data_dir: Path
    problem: str  # "missing" | "damaged" | "format" | "incomplete" | "model"
    path: Path | None = None
    detail: str = ""
    found: str = ""  # what the index has (format version, model) when that is the problem
    expected: str = ""  # what this program reads
    server: str = ""  # the Chroma server's address, when the index lives there

    def describe(self) -> str:
        if self.problem == "missing":
            return (
                f"no index on the Chroma server at {self.server} yet"
                if self.server
                else f"no index in {self.data_dir} yet"
            )
        if self.problem == "format":
            return f"the index in {self.data_dir} has format {self.found}, this program reads {self.expected}"
        if self.problem == "model":
            return f"the index in {self.data_dir} was built with the model {self.found}, not {self.expected}"
        where = self.path or self.data_dir
        what = "is damaged" if self.problem == "damaged" else "is incomplete"
        return f"{where} {what}" + (f" ({self.detail})" if self.detail else "")


class DamagedIndexError(NoIndexError):
    """A file or store of the index is missing, truncated or changed since it was built.

    ``path`` names the damaged file (or Chroma folder, or server record) and
    ``damage`` says what is wrong with it; ``labstories index`` repairs every such case.
    """

    def __init__(self, path: Path | str, damage: str, data_dir: Path | None = None):
        super().__init__(
            data_dir=Path(data_dir) if data_dir else Path(str(path)).parent, problem="damaged", path=path, detail=damage
        )

    @property
    def damage(self) -> str:
        return self.detail


@dataclass(eq=False)
class StoreError(LabstoriesError):
    """Chroma cannot be reached, or lacks what the manifest points at."""

    problem: str  # "unreachable" | "missing_collection" | "unwritable"
    url: str = ""
    collection: str = ""
    detail: str = ""

    def describe(self) -> str:
        if self.problem == "unreachable":
            return f"cannot reach the Chroma server at {self.url}" + (f" ({self.detail})" if self.detail else "")
        if self.problem == "missing_collection":
            return f"the index collection {self.collection} is missing from Chroma"
        return self.detail if self.problem == "unwritable" else f"Chroma cannot be used: {self.detail}"


@dataclass(eq=False)
class SettingsError(LabstoriesError):
    """A setting has a value the program cannot use."""

    setting: str  # the setting's name, e.g. "k"
    value: object
    problem: str  # e.g. "must be a whole number", "is out of range"
    allowed: str = ""  # e.g. "1 to 1000"
    source: str = ""  # "--k" or "LABSTORIES_K", filled in by whoever read it
    extra: dict = field(default_factory=dict)

    def describe(self) -> str:
        name = self.source or self.setting.replace("_", " ")
        tail = f"; use {self.allowed}" if self.allowed else ""
        return f"{name} of {self.value!r} {self.problem}{tail}"


__all__ = ["CorpusError", "DamagedIndexError", "LabstoriesError", "NoIndexError", "SettingsError", "StoreError"]
