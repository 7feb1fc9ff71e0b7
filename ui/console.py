"""Readable terminal output for the CLI: update reports, answers, facets, stats."""

from __future__ import annotations

import shutil
import textwrap

from labstories.index.vocabulary import DOCUMENT_TYPE, DOCUMENT_TYPES, KIND
from labstories.rag.answer import MOMENTS, Answer, StoryGroup
from labstories.rag.records import Filters, Hit

from . import markdown
from .display import lab_name, place, plural


class UsageError(ValueError):
    """The command line itself is wrong (missing or conflicting arguments)."""


def print_update(report, settings) -> None:
    others = {kind: n for kind, n in report.documents.items() if kind != "story"}
    what = plural(report.stories, "story", "stories")
    if others:
        parts = [plural(report.documents.get(t.name, 0), t.label.lower(), t.plural) for t in DOCUMENT_TYPES]
        what = f"{plural(sum(report.documents.values()), 'document')} ({', '.join(parts)})"
    print(
        f"Indexed {what} ({plural(report.sections, 'section')}, "
        f"{plural(report.passages, 'passage')}) and {plural(report.elements, 'glossary entry', 'glossary entries')} "
        f"in {report.seconds:.1f} s → {settings.chroma_url or settings.data_dir}"
    )
    print(
        f"  {len(report.added)} new, {len(report.changed)} changed, {len(report.removed)} removed"
        + (f", {len(report.repaired)} repaired" if report.repaired else "")
        + f"; {plural(report.embedded, 'passage')} embedded"
        + (f", {report.cached} from the vector cache" if report.cached else "")
    )
    for damage in report.fixed:
        print(f"  repaired damage: {damage}")
    if report.other_types:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.other_types.items(), key=lambda kv: -kv[1]))
        total = sum(report.other_types.values())
        print(f"  skipped {total} page{'s' if total != 1 else ''} of other types ({kinds})")
    for item in report.warnings:
        print(f"  warning: {item.path}: {item.reason}")
    for item in report.problems:
        print(f"  skipped {item.path}: {item.reason}")
    if report.corpus:
        print(f"  corpus: {report.corpus}")


def print_kept_index(settings) -> None:
    """``serve`` without PATH on an index of the user's own archive: say it is kept, and how to change that."""
    from labstories.index.sources import open_source

    manifest = open_source(settings).manifest()
    if manifest is None:
        return  # opening the index says what is missing, in its own words
    where = f"the Chroma server at {settings.chroma_url}" if settings.chroma_url else "the data folder"
    print(
        f"Serving the index of {manifest.corpus} from {where} (indexed {manifest.indexed_at}); "
        "give PATH to update it" + ("" if settings.chroma_url else ", or another --data-dir for the bundled snapshot")
    )


def print_answer(answer: Answer, by_story: bool = False) -> None:
    """The readable answer: the weak-match note when nothing speaks to the question, then the
    passages ranked (or, ``by_story``, each story once with its best moment and up to two more)."""
    if searched := markdown.searched_as(answer):
        print(textwrap.fill(searched, _width()) + "\n")
    if not answer.hits:
        print_empty(answer)
        return
    if answer.weak:
        print(textwrap.fill(markdown.weak_note(answer), _width()) + "\n")
    if by_story:
        _print_stories(answer)
    else:
        print_hits(answer.hits, answer.query, answer.filters)


def print_empty(answer: Answer) -> None:
    """No passages: say so, and which filter to drop to get some back."""
    print_hits([], answer.query, answer.filters)
    for relax in answer.relaxations:
        if relax.passages:
            verb = "matches" if relax.passages == 1 else "match"
            print(
                f"  remove {KIND[relax.kind].singular} {' or '.join(relax.values)}: "
                f"{plural(relax.passages, 'passage')} {verb} the other filters"
            )


def print_hits(hits: list[Hit], query: str, filters: Filters) -> None:
    width = _width()
    scope = f" ({filters.describe()})" if filters else ""
    if not hits:
        print(f"No passages match {query!r}{scope}." + (" Try removing a filter." if filters else ""))
        return
    print(f"{count_line(hits)} for {query!r}{scope}\n")
    for rank, hit in enumerate(hits, start=1):
        print(f"{rank}. {hit.title}")
        if hit.type == "story":
            moment = f"▶ {markdown.moment_label(hit)}"
            print(f"   {hit.role} · {place(hit.country, hit.continent)} · {moment}   [{hit.section}]")
        else:
            facts = [DOCUMENT_TYPE[hit.type].label, place(hit.country, hit.continent), str(hit.year or "")]
            print(f"   {' · '.join(f for f in facts if f)}   [{hit.doc}]")
        _print_moment(hit, width, "   ")


def count_line(hits: list[Hit], groups: list[StoryGroup] | None = None) -> str:
    """What is printed, counted: ``10 passages from 2 stories``; by story (``groups``, each
    showing at most :data:`MOMENTS` of its passages), ``4 of 10 passages (at most 3 per story)
    from 2 stories (2 labs)`` — the 10 being those of the stories shown."""
    if groups is None:
        return f"{plural(len(hits), 'passage')} from {documents_line(hits)}"
    shown = [hit for group in groups for hit in group.hits]
    stories = {hit.story for hit in shown}
    found = sum(hit.story in stories for hit in hits)
    passages = plural(len(shown), "passage")
    if found > len(shown):
        passages = f"{len(shown)} of {found} passages (at most {MOMENTS} per story)"
    return f"{passages} from {documents_line(shown)} ({plural(len({g.lab for g in groups}), 'lab')})"


def documents_line(hits: list[Hit]) -> str:
    """``3 stories`` or, when other types are among them, ``5 documents (3 stories, 2 solutions)``."""
    by_type: dict[str, set[str]] = {}
    for hit in hits:
        by_type.setdefault(hit.type, set()).add(hit.doc)
    if set(by_type) <= {"story"}:
        return plural(len(by_type.get("story", ())), "story", "stories")
    parts = [
        plural(len(ids), kind.label.lower(), kind.plural) for kind in DOCUMENT_TYPES if (ids := by_type.get(kind.name))
    ]
    return f"{plural(sum(map(len, by_type.values())), 'document')} ({', '.join(parts)})"


def _print_stories(answer: Answer) -> None:
    """``--by-story``: each story once (lab, role, place), its best moment, then up to two more."""
    width = _width()
    scope = f" ({answer.filters.describe()})" if answer.filters else ""
    print(f"{count_line(answer.hits, answer.groups)} for {answer.query!r}{scope}\n")
    for number, group in enumerate(answer.groups):
        if not group.strong and (number == 0 or answer.groups[number - 1].strong):
            print(f"— {markdown.LOOSE} —\n")
        best = group.best
        print(f"{group.rank}. {best.title}")
        if best.type == "story":
            print(f"   {lab_name(best.country)} · {best.role} · {place(best.country, best.continent)}")
        else:
            facts = [DOCUMENT_TYPE[best.type].label, place(best.country, best.continent), str(best.year or "")]
            print(f"   {' · '.join(f for f in facts if f)}   [{best.doc}]")
        for number, hit in enumerate(group.hits):
            if number == 1:
                print(f"   {plural(len(group.more), 'more moment')} in this story:")
            print(f"   ▶ {markdown.moment_label(hit)}   [{hit.section}]")
            _print_moment(hit, width, "     " if number else "   ")


def print_markdown(answer: Answer, by_story: bool, base: str = "") -> None:
    """``--format markdown``: the answer as Markdown (grouped by story with ``--by-story``), under
    the same count as the text output."""
    groups = answer.groups if by_story else [StoryGroup(rank, [hit]) for rank, hit in enumerate(answer.hits, 1)]
    count = count_line(answer.hits, answer.groups if by_story else None) if answer.hits else ""
    note = markdown.weak_note(answer) if answer.weak else ""
    searched = markdown.searched_as(answer)
    text = markdown.answer_markdown(
        answer.query, answer.filters, groups, base, note=note, count=count, searched=searched
    )
    print(text, end="")


def _width() -> int:
    return min(100, shutil.get_terminal_size((100, 20)).columns)


def _print_moment(hit: Hit, width: int, indent: str) -> None:
    if hit.heading:
        label = hit.heading if hit.type in ("blog", "publications") else "Q: " + hit.heading
        print(textwrap.fill(label, width, initial_indent=indent, subsequent_indent=indent + "   "))
    print(textwrap.fill(hit.snippet, width, initial_indent=indent, subsequent_indent=indent))
    tags = markdown.tags_line(hit)
    if tags:
        print(textwrap.fill(tags, width, initial_indent=indent, subsequent_indent=indent))
    if hit.type == "story":
        print(f"{indent}audio: {hit.audio_at or '(no audio for this story)'}")
    elif hit.url and hit.url != hit.link:
        print(f"{indent}page:  {hit.url}")
    print(f"{indent}open:  {hit.link}\n")


def print_facets(facets: dict[str, dict[str, int]]) -> None:
    for kind, values in facets.items():
        print(f"{kind} ({len(values)})")
        for value, count in values.items():
            print(f"  {count:5d}  {value}")


def format_stats(stats: dict) -> str:
    width = max(len(key) for key in stats)
    lines = []
    for key, value in stats.items():
        if isinstance(value, list):
            value = ", ".join(value) or "none"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        lines.append(f"{key.replace('_', ' '):<{width}}  {value}")
    return "\n".join(lines)
