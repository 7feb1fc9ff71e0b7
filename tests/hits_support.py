"""A hand-made hit for the answer tests: the Peru migrants story at an interpolated moment.

Imported by tests/rag/test_strength.py and tests/ui/test_markdown.py (``from hits_support import _peru``).
"""

from __future__ import annotations

from labstories.rag.records import Hit


def _peru(**changes) -> Hit:
    base = dict(
        story="SolutionMappers_PER",
        title="Empowering Migrant Entrepreneurs",
        role="Solutions Mapper",
        country="Peru",
        continent="South America",
        section="SolutionMappers_PER@420",
        start=420,
        end=600,
        heading="How did you work with migrants?",
        text="We met migrant\nentrepreneurs every week.",
        snippet="We met migrant entrepreneurs",
        tags={},
        score=1.0,
        audio_url="https://example.org/per.mp3",
        audio_at="https://example.org/per.mp3#t=483",
        link="?story=SolutionMappers_PER&t=483",
        at=483,
        interpolated=True,
    )
    return Hit(**(base | changes))
