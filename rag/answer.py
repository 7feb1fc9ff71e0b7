"""One answer for every interface: search → documents → a page of labs → how strong each match is.

A practitioner scanning an answer wants many labs at a glance, not five windows
of one interview. So the ranked hits are grouped by document: a story keeps the
order of its best hit and up to ``MOMENTS`` hits (the best one and, folded under
it, the next ones); any other document is shown once, with its best passage.
Each document is judged on its own (:func:`rag.strength.speaks`): those that
speak to the question come first, the loosely related ones after them, listed
apart. A page takes documents until it holds ``PAGE_LABS`` different labs (a lab
is a country's Accelerator Lab), and the first page also takes the best document
of every other type found (:func:`promote_types`), so a solution or an experiment
on the question is never three pages down. The answer also says whether anything
in it speaks to the question at all (:mod:`rag.strength`), which filters emptied
it (:func:`rag.filters.relaxations`) and what it is most about (the chips that
narrow it). The app and the terminal both present this one record.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from labstories.index.vocabulary import DOCUMENT_TYPES

from . import links
from .filters import Relaxation
from .records import Filters, Hit
from .strength import MatchStrength, assess, speaks

#: Moments shown per story: the best one and up to two more, folded.
MOMENTS = 3
#: Different labs per page of an answer.
PAGE_LABS = 5
#: Passages fetched per question and grouped by story; later pages take the next stories of the same list.
RETRIEVE = 30
#: Tag kinds summarised beside an answer ("what the answer is about"), and how many values each.
ABOUT_KINDS = ("principles", "tactics")
ABOUT_TOP = 4


@dataclass
class StoryGroup:
    """One story in an answer: its facts once, its best moments in ranking order."""

    rank: int  # 1-based place of the story in the answer
    hits: list[Hit] = field(default_factory=list)
    #: Speaks to the question on its own (:func:`rag.strength.speaks`); the others are listed
    #: apart, folded, as loosely related.
    strong: bool = True

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

    @property
    def type(self) -> str:
        return self.best.type


@dataclass
class Narrowing:
    """A value the answer is much about, and the link that asks again with it as a filter."""

    kind: str
    value: str
    count: int
    link: str


@dataclass
class Answer:
    """One answer: the search that ran, the page of stories to show and what to say about it."""

    query: str
    filters: Filters
    groups: list[StoryGroup]  # the page shown
    first: int = 1  # place of groups[0] among the answer's stories
    stories: int = 0  # stories in the whole answer
    passages: int = 0  # passages retrieved for this question
    labs: int = 0  # different labs among the stories
    stems: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # plain text: what was understood or dropped
    relaxations: list[Relaxation] = field(default_factory=list)
    strength: MatchStrength | None = None
    #: The most frequent principles and tactics among the passages, each narrowing the answer.
    about: list[Narrowing] = field(default_factory=list)
    #: Every passage found, in ranking order (the page shows some of them, grouped).
    hits: list[Hit] = field(default_factory=list)
    #: Every story of the answer, in the order pages take them.
    everything: list[StoryGroup] = field(default_factory=list)
    #: The English the question was searched as, when it was asked in French or Spanish.
    searched_as: str = ""
    asked_in: str = "en"  # the question's language ("en", "fr", "es")

    @property
    def by_type(self) -> list[Narrowing]:
        """Documents found per type, each narrowing the answer to that type in one click; empty when
        the answer holds only one type."""
        found: dict[str, set[str]] = {}
        for hit in self.hits:
            found.setdefault(hit.type, set()).add(hit.doc)
        if len(found) < 2:
            return []
        return [
            Narrowing(
                "type",
                kind.name,
                len(found[kind.name]),
                links.answer_link(self.query, self.filters.replace("type", [kind.name])),
            )
            for kind in DOCUMENT_TYPES
            if kind.name in found
        ]

    @property
    def speaking(self) -> list[StoryGroup]:
        """The page's stories that speak to the question, in ranking order."""
        return [g for g in self.groups if g.strong]

    @property
    def loose(self) -> list[StoryGroup]:
        """The page's loosely related stories, listed apart."""
        return [g for g in self.groups if not g.strong]

    @property
    def labs_speaking(self) -> int:
        """Different labs among the answer's stories (every page) that speak to the question."""
        return len({g.lab for g in self.everything if g.strong})

    @property
    def last(self) -> int:
        return self.first + len(self.groups) - 1

    @property
    def shown(self) -> int:
        """Stories shown up to the end of this page (where the next page starts)."""
        return self.first - 1 + len(self.groups)

    @property
    def link(self) -> str:
        return links.answer_link(self.query, self.filters)

    @property
    def weak(self) -> bool:
        """Passages were found, but none speaks to the question directly."""
        return bool(self.groups) and self.strength is not None and not self.strength.strong


def answer(
    index,
    query: str,
    filters: Filters | None = None,
    first: int = 0,
    notes=(),
    retrieve: int = RETRIEVE,
    labs: int | None = PAGE_LABS,
) -> Answer:
    """Search ``query`` under ``filters`` and make the page of stories starting at story ``first``
    (0-based) that holds ``labs`` labs (None: every story from ``first`` on); the same question and
    filters always give the same stories in the same order."""
    filters = index.resolve(filters)
    understood = index.understand(query)
    hits = index.search(query, filters, retrieve)
    groups = group_by_story(hits)
    strength = assess(index, query, filters, hits) if hits else None
    weights = index.term_weights(query) if strength and strength.strong else {}
    own = index.term_weights(query, own=True) if strength and strength.strong and understood.translated else {}
    for group in groups:  # when nothing is strong, no story is presented as speaking to the question
        mine = own if group.best.language == understood.language else None
        group.strong = bool(strength and strength.strong) and speaks(group.hits, weights, mine)
    groups = [g for g in groups if g.strong] + [g for g in groups if not g.strong]  # those that speak first
    if labs:
        groups = promote_types(groups, labs)
    for rank, group in enumerate(groups, start=1):
        group.rank = rank
    page = page_of(groups, first, labs) if labs else groups[first:]
    return Answer(
        query,
        filters,
        page,
        first + 1,
        len(groups),
        len(hits),
        len({g.lab for g in groups}),
        index.stems(understood),
        list(notes),
        relaxations=index.relaxations(filters) if not hits else [],
        strength=strength if not first else None,  # said once, on the first page
        about=[
            Narrowing(kind, value, n, links.answer_link(query, filters.add(kind, value)))
            for kind, value, n in about(hits)
            if (kind, value) not in filters
        ],
        hits=hits,
        everything=groups,
        searched_as=understood.text if understood.translated else "",
        asked_in=understood.language,
    )


def group_by_story(hits: list[Hit], moments: int = MOMENTS) -> list[StoryGroup]:
    """Documents in the order of their best hit; a story keeps at most ``moments`` hits, best first
    (its ▶ moments), any other document its best passage only: it is shown once."""
    groups: dict[str, StoryGroup] = {}
    for hit in hits:
        group = groups.setdefault(hit.story, StoryGroup(rank=len(groups) + 1))
        if len(group.hits) < (moments if hit.type == "story" else 1):
            group.hits.append(hit)
    return list(groups.values())


def promote_types(groups: list[StoryGroup], labs: int = PAGE_LABS) -> list[StoryGroup]:
    """The answer's order: the first page's documents (until ``labs`` labs), then the best document of
    every other type found, then the rest in ranking order — so the first page shows every kind of
    document the archive has on the question, and later pages repeat none."""
    head = page_of(groups, 0, labs, extend=False)
    present = {g.type for g in head}
    promoted = []
    for group in groups[len(head) :]:
        if group.type not in present:
            promoted.append(group)
            present.add(group.type)
    return head + promoted + [g for g in groups[len(head) :] if g not in promoted]


def page_of(groups: list[StoryGroup], first: int = 0, labs: int = PAGE_LABS, extend: bool = True) -> list[StoryGroup]:
    """Documents from position ``first`` on, until the page holds ``labs`` different labs; then, with
    ``extend``, the documents after them whose type is not on the page yet (the promoted ones)."""
    page: list[StoryGroup] = []
    seen: set[str] = set()
    for group in groups[first:]:
        if len(seen) >= labs:
            if not extend or group.type in {g.type for g in page}:
                break
        page.append(group)
        seen.add(group.lab)
    return page


def about(hits: list[Hit], kinds=ABOUT_KINDS, top: int = ABOUT_TOP) -> list[tuple[str, str, int]]:
    """The most frequent values of each kind among ``hits``, with counts (ties: alphabetical)."""
    found = []
    for kind in kinds:
        counts = Counter(value for hit in hits for value in hit.tags.get(kind, ()))
        found += [(kind, value, n) for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    return found


__all__ = [
    "ABOUT_KINDS",
    "MOMENTS",
    "PAGE_LABS",
    "RETRIEVE",
    "Answer",
    "Narrowing",
    "StoryGroup",
    "about",
    "answer",
    "group_by_story",
    "page_of",
    "promote_types",
]
