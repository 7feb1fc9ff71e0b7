"""Freed heap given back to the operating system now and then (ui/heap.py), until stopped."""

from __future__ import annotations


def test_the_heap_trimmer_returns_memory_until_stopped():
    import time

    from labstories.ui.heap import HeapTrimmer

    trimmer = HeapTrimmer(seconds=0.01)
    assert trimmer.trim is not None  # glibc, as on every machine this runs on
    calls = []
    real = trimmer.trim
    trimmer.trim = lambda pad: calls.append(real(pad))
    trimmer.start()
    time.sleep(0.3)
    trimmer.stop()
    trimmer._thread.join(1)
    assert len(calls) >= 3 and set(calls) <= {0, 1} and not trimmer._thread.is_alive()
