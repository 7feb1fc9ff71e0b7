"""One settings object, each setting declared once: CLI flags and environment variables fill it.

A setting is a field of :class:`Settings` whose metadata holds its environment
variable, help line, the commands that take it and a check. From that one
declaration come the environment lookup (:meth:`Settings.load`), the CLI's
flags and their help (``ui/cli.py``) and the README's settings table
(:func:`settings_table`, kept in step by a docs test) — in the manner of
datasette's ``SETTINGS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlparse

from .errors import SettingsError

#: Every command; a setting that only some commands use names them instead.
ALL = ("index", "search", "facets", "stats", "eval", "serve")


def cache_dir() -> Path:
    """Where work worth keeping between indexes lives (model exports, vectors):
    ``$LABSTORIES_CACHE`` or ``~/.cache/labstories``."""
    return Path(os.environ.get("LABSTORIES_CACHE") or Path.home() / ".cache" / "labstories").expanduser()


def _setting(
    default: Any,
    env: str,
    help: str,
    commands: tuple[str, ...] = ALL,
    check: Callable[[Any], tuple[str, str] | None] | None = None,
):
    return field(default=default, metadata={"env": env, "help": help, "commands": commands, "check": check})


def _at_least(low: int):
    def check(value: int):
        return None if value >= low else ("is too small", f"at least {low}")

    return check


def _between(low: int, high: int):
    def check(value: int):
        return None if low <= value <= high else ("is out of range", f"{low} to {high}")

    return check


def _one_of(*allowed: str):
    def check(value: str):
        return None if value in allowed else ("is not a backend", " or ".join(allowed))

    return check


def _http_url(value: str):
    parsed = urlparse(value)
    if not value or (parsed.scheme in ("http", "https") and parsed.hostname):
        return None
    return ("is not an http(s) address", "http://host:port")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(
        Path(".labstories"), "LABSTORIES_DATA", "Folder for the index (Chroma files, keyword index, manifest)."
    )
    corpus: str = _setting(
        "",
        "LABSTORIES_CORPUS",
        "Archive folder that `index` and `serve` read; default: the archive snapshot bundled with the package.",
        commands=("index", "serve"),
    )
    chroma_url: str = _setting(
        "",
        "LABSTORIES_CHROMA_URL",
        "Use a Chroma server (http://host:port) instead of local Chroma files.",
        check=_http_url,
    )
    model_path: str = _setting(
        "", "LABSTORIES_MODEL", "Sentence-transformers model folder; default: the bundled all-MiniLM-L6-v2."
    )
    batch_size: int = _setting(
        32, "LABSTORIES_BATCH_SIZE", "Texts per embedding batch.", commands=("index", "serve"), check=_between(1, 4096)
    )
    k: int = _setting(
        10, "LABSTORIES_K", "Passages returned per search.", commands=("search",), check=_between(1, 1000)
    )
    host: str = _setting("127.0.0.1", "LABSTORIES_HOST", "Address the app listens on.", commands=("serve",))
    port: int = _setting(
        7860, "LABSTORIES_PORT", "Port the app listens on.", commands=("serve",), check=_between(1, 65535)
    )
    auth: tuple[str, ...] = _setting(
        (),
        "LABSTORIES_AUTH",
        "user:password allowed into the app (repeatable; in the variable, comma-separated); none: no login.",
        commands=("serve",),
    )
    auth_file: str = _setting(
        "", "LABSTORIES_AUTH_FILE", "File of user:password lines allowed into the app.", commands=("serve",)
    )
    embed_backend: str = _setting(
        "torch",
        "LABSTORIES_EMBED_BACKEND",
        "What embeds passages when indexing: torch, or onnx-int8 (an int8 ONNX export "
        "of the same model, 1.6x faster here; see docs/retrieval.md).",
        commands=("index", "serve"),
        check=_one_of("torch", "onnx-int8"),
    )
    query_backend: str = _setting(
        "onnx",
        "LABSTORIES_QUERY_BACKEND",
        "What embeds questions: onnx (an fp32 ONNX export of the same model, checked "
        "against torch on export; half the time) or torch.",
        commands=("search", "eval", "serve"),
        check=_one_of("onnx", "torch"),
    )
    concurrency: int = _setting(
        4,
        "LABSTORIES_CONCURRENCY",
        "Questions the app answers at once; the rest wait in its queue.",
        commands=("serve",),
        check=_at_least(1),
    )
    max_story_bytes: int = _setting(
        2_000_000,
        "LABSTORIES_MAX_STORY_BYTES",
        "Story files larger than this are skipped with a warning.",
        commands=("index", "serve"),
        check=_at_least(1),
    )
    vector_cache: str = _setting(
        "",
        "LABSTORIES_VECTOR_CACHE",
        "Folder where embedded vectors are kept by text, so a rebuild or an interrupted run never embeds "
        "the same text twice (default: vectors/ in LABSTORIES_CACHE, else ~/.cache/labstories); off keeps none.",
        commands=("index", "serve"),
    )
    public_url: str = _setting(
        "",
        "LABSTORIES_PUBLIC_URL",
        "The app's public address (behind a proxy); copied and Markdown links are absolute against it.",
        commands=("search", "serve"),
        check=_http_url,
    )

    def vector_cache_folder(self) -> Path | None:
        if self.vector_cache.strip().lower() == "off":
            return None
        return Path(self.vector_cache).expanduser() if self.vector_cache else cache_dir() / "vectors"

    @classmethod
    def load(cls, **overrides) -> Settings:
        """Defaults, then environment variables, then explicit (CLI) overrides that are not None."""
        values: dict[str, tuple[Any, str]] = {}
        for spec in SETTINGS:
            raw = os.environ.get(spec.env)
            if raw not in (None, ""):
                values[spec.name] = (raw, spec.env)
        values.update({name: (value, SPEC[name].flag) for name, value in overrides.items() if value is not None})
        return cls()._with(values)

    def _with(self, values: dict[str, tuple[Any, str]]) -> Settings:
        converted = {name: SPEC[name].convert(value, source) for name, (value, source) in values.items()}
        settings = replace(self, **converted)
        for name, (_, source) in values.items():
            SPEC[name].validate(getattr(settings, name), source)
        return settings


@dataclass(frozen=True)
class Setting:
    """One setting as the CLI, the environment and the README see it."""

    name: str
    type: type
    default: Any
    env: str
    help: str
    commands: tuple[str, ...]
    check: Callable[[Any], tuple[str, str] | None] | None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def repeatable(self) -> bool:
        """A list setting: the flag may be given several times, the variable holds a comma-separated list."""
        return self.type == tuple[str, ...]

    def convert(self, value: Any, source: str = "") -> Any:
        if self.repeatable:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(item.strip() for item in items if item.strip())
        if self.type is int and not isinstance(value, int):
            try:
                return int(str(value).strip())
            except ValueError:
                raise SettingsError(self.name, value, "must be a whole number", source=source) from None
        if self.type is Path:
            return Path(value).expanduser()
        return value

    def validate(self, value: Any, source: str = "") -> None:
        problem = self.check(value) if self.check else None
        if problem:
            raise SettingsError(self.name, value, problem[0], problem[1], source=source)


def _declared() -> tuple[Setting, ...]:
    hints = get_type_hints(Settings)
    return tuple(
        Setting(
            f.name,
            hints[f.name],
            f.default,
            f.metadata["env"],
            f.metadata["help"],
            f.metadata["commands"],
            f.metadata["check"],
        )
        for f in fields(Settings)
    )


SETTINGS: tuple[Setting, ...] = _declared()
SPEC: dict[str, Setting] = {s.name: s for s in SETTINGS}


def settings_table() -> str:
    """The README's settings table, generated so the docs cannot drift from the code."""
    rows = ["| setting | environment variable | default | commands | what it does |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default not in ("", ()) else "(none)"
        commands = "all" if s.commands == ALL else ", ".join(f"`{c}`" for c in s.commands)
        rows.append(f"| `{s.flag}` | `{s.env}` | {default} | {commands} | {s.help} |")
    return "\n".join(rows)


__all__ = ["ALL", "cache_dir", "SETTINGS", "SPEC", "Setting", "Settings", "SettingsError", "settings_table"]
