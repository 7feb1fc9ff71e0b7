"""Ranked hits → stories: one entry per story, its best moment first, pages of labs.

A practitioner scanning an answer wants many labs at a glance, not five windows
of one interview. Stories keep the order of their best hit in the search's own
ranking; each keeps up to ``moments`` hits (the best one and, folded under it,
the next ones). A page takes stories until it holds ``labs`` different labs (a
lab is a country's Accelerator Lab; several stories may come from one lab).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .records import Hit

#: Moments shown per story: the best one and up to two more, folded.
MOMENTS = 3
#: Different labs per page of an answer.
PAGE_LABS = 5


@dataclass
class StoryGroup:
    """One story in an answer: its facts once, its best moments in ranking order."""

    rank: int                          # 1-based place of the story in the answer
    hits: list[Hit] = field(default_factory=list)

    @property
    def best(self) -> Hit:
        return self.hits[0]

    @property
    def more(self) -> list[Hit]:
        return self.hits[1:]

    @property
    def lab(self) -> str:
        """The lab the story comes from: its country's lab, or the story itself when no country is known."""
        return self.best.country or self.best.story


def group_by_story(hits: list[Hit], moments: int = MOMENTS) -> list[StoryGroup]:
    """Stories in the order of their best hit; each with at most ``moments`` hits, best first."""
    groups: dict[str, StoryGroup] = {}
    for hit in hits:
        group = groups.setdefault(hit.story, StoryGroup(rank=len(groups) + 1))
        if len(group.hits) < moments:
            group.hits.append(hit)
    return list(groups.values())


def page_of(groups: list[StoryGroup], first: int = 0, labs: int = PAGE_LABS) -> list[StoryGroup]:
    """Stories from position ``first`` on, until the page holds ``labs`` different labs."""
    page: list[StoryGroup] = []
    seen: set[str] = set()
    for group in groups[first:]:
        if len(seen) >= labs:
            break
        page.append(group)
        seen.add(group.lab)
    return page


__all__ = ["MOMENTS", "PAGE_LABS", "StoryGroup", "group_by_story", "page_of"]
