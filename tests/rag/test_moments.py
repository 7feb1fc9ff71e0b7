"""A passage's own moment in the interview (rag/moments.py): interpolated by words spoken, backed off,
kept inside its span; the archive's speaking rate."""

from __future__ import annotations

from labstories.index.records import Paragraph, Passage, Section, Story
from labstories.rag.moments import moment, speaking_rate


def _passage(**fields) -> Passage:
    base = dict(id="S@60#0", doc="S", section_start=60, start=60, text="t", embed_text="t", keyword_text="t")
    return Passage(**(base | fields))


def test_moment_is_interpolated_by_words_and_backed_off():
    # 60 + 20/60 × (120 − 60) − 3 = 77
    assert moment(_passage(words_before=20, span_words=60, span_end=120), rate=2.5) == (77, True)
    # 60 + 300/450 × 300 − 3 = 257
    assert moment(_passage(words_before=300, span_words=450, span_end=360), rate=2.5) == (257, True)
    # the last section: 100 + 50 / 2.5 − 3 = 117
    assert moment(_passage(start=100, words_before=50, span_words=80, span_end=None), rate=2.5) == (117, True)
    # never before the known time, and a passage that opens its span plays from it
    assert moment(_passage(words_before=1, span_words=450, span_end=360), rate=2.5) == (60, False)
    assert moment(_passage(words_before=0, span_words=450, span_end=360), rate=2.5) == (60, False)
    # always inside the span
    assert moment(_passage(words_before=449, span_words=450, span_end=70), rate=2.5, back_off=0) == (69, True)


def test_speaking_rate_median_and_quartiles():
    def story(*sections):
        return Story(id="S", title="t", sections=list(sections))

    sections = [Section(0, 10, "q", [Paragraph(" ".join(["w"] * n))]) for n in (10, 20, 30, 40, 50)]
    rate = speaking_rate([story(*sections, Section(50, None, "", [Paragraph("w w")]))])
    assert (rate.median, rate.sections) == (3.0, 5)  # words per second 1, 2, 3, 4, 5; the last section has no end
    assert rate.q1 < rate.median < rate.q3
