"""A passage's own moment in the interview, interpolated by words spoken.

A section's timestamp marks where the interviewer's question starts; a passage
deep inside a long answer is spoken minutes later. Its moment is interpolated
between the known times around it (the section's start or an inline time, and
the next one) by the share of words spoken before it, then moved back a few
seconds so playback starts just before the passage, never before the known
time. In a story's last section no end is known, and the archive's measured
speaking rate stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median, quantiles

from labstories.index.records import Passage

#: Seconds to start before the interpolated moment, so the first words are not cut.
BACK_OFF = 3
#: Words per second when the archive gives no sections to measure (about 150 words a minute).
DEFAULT_RATE = 2.5


@dataclass(frozen=True)
class SpeakingRate:
    """Words per second over sections with a known end: the median and its spread."""

    median: float
    q1: float
    q3: float
    sections: int


def speaking_rate(stories) -> SpeakingRate:
    """Per section with a known end: answer words ÷ seconds (the question is not transcribed word
    for word everywhere, the answers are what passages are cut from); the median is used."""
    rates = []
    for story in stories:
        for section in story.sections:
            words = sum(len(p.text.split()) for p in section.paragraphs)
            if section.end is not None and section.end > section.start and words:
                rates.append(words / (section.end - section.start))
    if len(rates) < 4:
        return SpeakingRate(DEFAULT_RATE, DEFAULT_RATE, DEFAULT_RATE, len(rates))
    q1, _, q3 = quantiles(rates, n=4)
    return SpeakingRate(round(median(rates), 3), round(q1, 3), round(q3, 3), len(rates))


def moment(passage: Passage, rate: float, back_off: int = BACK_OFF) -> tuple[int, bool]:
    """(second the passage is spoken at, whether that second was interpolated).

    ``start + words_before ÷ span_words × (span_end − start) − back_off``, never
    before ``start`` and always before ``span_end``; with no ``span_end``,
    ``words_before ÷ rate`` seconds after ``start``.
    """
    start = passage.start
    if passage.words_before <= 0:
        return start, False
    if passage.span_end is not None and passage.span_words > 0:
        offset = passage.words_before / passage.span_words * (passage.span_end - start)
        at = min(int(start + offset - back_off), passage.span_end - 1)
    else:
        at = int(start + passage.words_before / max(rate, 0.1) - back_off)
    at = max(start, at)
    return at, at > start


__all__ = ["BACK_OFF", "DEFAULT_RATE", "SpeakingRate", "moment", "speaking_rate"]
