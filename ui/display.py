"""Small display helpers shared by the terminal and the web page."""

from __future__ import annotations


def clock(seconds: int | None) -> str:
    """``132`` → ``2:12``; ``3725`` → ``1:02:05``."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 story``, ``3 stories``: the count with the right noun."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def lab_name(country: str | None) -> str:
    """``UNDP Accelerator Lab Peru``: how a practitioner names the lab a story comes from."""
    return f"UNDP Accelerator Lab {country}" if country else "UNDP Accelerator Lab"


def place(country: str | None, continent: str | None) -> str:
    """``Peru, South America``."""
    return ", ".join(x for x in (country, continent) if x)
