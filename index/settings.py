"""One settings object: CLI flags and environment variables fill it, the library reads it.

Each entry has a name, an environment variable, a default and a help line,
in the manner of datasette's ``SETTINGS``; the README table is generated from
:data:`SETTINGS` and a test checks it stays in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlparse


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: object
    help: str


SETTINGS = (
    Setting("data_dir", "LABSTORIES_DATA", ".labstories", "Folder for the index (Chroma files, keyword index, manifest)."),
    Setting("chroma_url", "LABSTORIES_CHROMA_URL", "", "Use a Chroma server (http://host:port) instead of local Chroma files."),
    Setting("model_path", "LABSTORIES_MODEL", "", "Sentence-transformers model folder; default: the bundled all-MiniLM-L6-v2."),
    Setting("batch_size", "LABSTORIES_BATCH_SIZE", 32, "Texts per embedding batch."),
    Setting("k", "LABSTORIES_K", 10, "Passages returned per search."),
    Setting("host", "LABSTORIES_HOST", "127.0.0.1", "Address the app listens on."),
    Setting("port", "LABSTORIES_PORT", 7860, "Port the app listens on."),
    Setting("concurrency", "LABSTORIES_CONCURRENCY", 4, "Questions the app answers at once; the rest wait in its queue."),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".labstories")
    chroma_url: str = ""
    model_path: str = ""
    batch_size: int = 32
    k: int = 10
    host: str = "127.0.0.1"
    port: int = 7860
    concurrency: int = 4

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Defaults, then environment variables, then explicit (CLI) overrides that are not None."""
        values = {}
        for setting in SETTINGS:
            raw = os.environ.get(setting.env)
            if raw not in (None, ""):
                values[setting.name] = raw
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls()._with(values)

    def _with(self, values: dict) -> "Settings":
        types = {f.name: f.type for f in fields(self)}
        converted = {}
        for name, value in values.items():
            kind = types[name]
            if kind in ("int", int):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise SettingsError(f"{name} must be a whole number, got {value!r}") from None
            elif kind in ("Path", Path):
                value = Path(value).expanduser()
            converted[name] = value
        settings = replace(self, **converted)
        settings.check()
        return settings

    def check(self) -> None:
        if self.chroma_url:
            parsed = urlparse(self.chroma_url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise SettingsError(f"chroma URL {self.chroma_url!r} is not http(s)://host:port")
        if not 1 <= self.k <= 1000:
            raise SettingsError(f"k of {self.k} is out of range; use 1 to 1000")
        if self.batch_size < 1:
            raise SettingsError(f"batch size of {self.batch_size} must be at least 1")
        if self.concurrency < 1:
            raise SettingsError(f"concurrency of {self.concurrency} must be at least 1")


class SettingsError(ValueError):
    """A setting has a value the program cannot use."""


def settings_table() -> str:
    """The README's settings table, generated so the docs cannot drift from the code."""
    rows = ["| setting | environment variable | default | what it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        flag = "--" + s.name.replace("_", "-")
        default = f"`{s.default}`" if s.default != "" else "(none)"
        rows.append(f"| `{flag}` | `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)
