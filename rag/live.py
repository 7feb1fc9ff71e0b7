"""``LiveIndex``: the app's handle on whichever build is current.

A running app must pick up a finished ``labstories index`` without a restart,
and must never mix two builds inside one answer. So the holder polls the
manifest's version (a file read, or one call to the Chroma server) at most
every ``interval`` seconds on a background thread; when it changes it opens
the new :class:`StoryIndex` completely — state, vectors, checks — and only
then swaps one reference. A search takes that reference once and uses it to
the end; the old index stays valid for whoever still holds it, because a
build never overwrites what the previous build points at.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from labstories.index.embed import Embedder
from labstories.index.sources import open_source

from .search import RetrievalConfig, StoryIndex

log = logging.getLogger(__name__)


class LiveIndex:
    """Holds the current :class:`StoryIndex` and swaps in a newer build between searches."""

    def __init__(self, opener: Callable[[], StoryIndex], version: Callable[[], str | None], interval: float = 2.0):
        self._open = opener
        self._version = version
        self.interval = interval
        self._index = opener()
        self._lock = threading.Lock()  # one refresh at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failed: str | None = None  # why the last newer build could not be opened

    @classmethod
    def open(
        cls, settings, embedder=None, config: RetrievalConfig = RetrievalConfig(), interval: float = 2.0
    ) -> LiveIndex:
        source = open_source(settings)
        embedder = embedder or Embedder(
            settings.model_path or None, settings.batch_size, settings.query_backend
        )  # one model for every build
        return cls(
            lambda: StoryIndex.open(settings, embedder=embedder, config=config, source=source), source.version, interval
        )

    @property
    def current(self) -> StoryIndex:
        """The index to use for one whole request; take it once, keep it to the end."""
        return self._index

    def refresh(self) -> bool:
        """Open and switch to a newer build if there is one; True when it switched.

        A newer build that cannot be opened (still being written, damaged) leaves
        the current index serving; the next poll tries again."""
        with self._lock:
            try:
                latest = self._version()
            except Exception as error:  # a server hiccup must not take the app down
                self.failed = f"{type(error).__name__}: {error}"
                return False
            if latest is None or latest == self._index.version:
                return False
            try:
                fresh = self._open()
            except Exception as error:
                if self.failed != str(error):
                    log.warning("not switching to build %s yet: %s", latest, error)
                self.failed = str(error)
                return False
            self._index, self.failed = fresh, None  # one assignment: atomic for readers
            return True

    def start(self) -> LiveIndex:
        """Poll on a daemon thread until :meth:`stop`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._poll, name="labstories-live-index", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self.refresh()
