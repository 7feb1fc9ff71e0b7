"""Give freed heap back to the operating system now and then.

Every new browser session makes Gradio build and later drop a copy of the
page's state (~0.4 MB). glibc keeps what Python frees in its arenas, so a
server that has seen many visitors holds more memory than it uses. A
``malloc_trim`` every few seconds returns it (a few milliseconds, off the
request path); elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable


def _trim_function() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


class HeapTrimmer:
    """A daemon thread calling ``malloc_trim(0)`` every ``seconds`` until stopped."""

    def __init__(self, seconds: float = 10.0):
        self.seconds = seconds
        self.trim = _trim_function()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> HeapTrimmer:
        if self.trim is not None and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="labstories-heap-trim", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            self.trim(0)


__all__ = ["HeapTrimmer"]
