"""Who may use a shared app: user:password pairs from ``--auth``, ``--auth-file`` or ``LABSTORIES_AUTH``.

Gradio's own login page guards the app and its API when a list of
credentials is given to ``launch(auth=…)``. Here the three sources become that
list; a malformed entry or an unreadable file is a user error naming the line
or the path (exit code 2), never a silently open app.
"""

from __future__ import annotations

from pathlib import Path


class AccessError(ValueError):
    """Credentials are malformed or their file cannot be read."""


def credentials(pairs: tuple[str, ...] | list[str] = (), file: str | Path = "") -> list[tuple[str, str]]:
    """``("alice:s3cret",)`` and a file of such lines (``#`` comments, blank lines) → [(user, password)]."""
    found = [_pair(text, "--auth / LABSTORIES_AUTH") for text in pairs if text.strip()]
    if file:
        path = Path(file).expanduser()
        try:
            lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise AccessError(f"cannot read the auth file {path} ({reason})") from None
        for number, line in enumerate(lines, 1):
            if line.strip() and not line.lstrip().startswith("#"):
                found.append(_pair(line.strip(), f"{path} line {number}"))
        if not found:
            raise AccessError(f"the auth file {path} has no user:password lines")
    return found


def _pair(text: str, where: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not sep or not user.strip() or not password:
        raise AccessError(
            f"{where}: expected user:password, got an entry without "
            + ("a colon" if not sep else "a user name" if not user.strip() else "a password")
        )
    return user.strip(), password


__all__ = ["AccessError", "credentials"]
