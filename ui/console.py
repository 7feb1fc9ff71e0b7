"""Readable terminal output for the CLI: update reports, hits, facets, stats."""

from __future__ import annotations

import shutil
import textwrap

from labstories.rag.records import Filters, Hit

from .display import clock


class UsageError(ValueError):
    """The command line itself is wrong (missing or conflicting arguments)."""


def print_update(report, settings) -> None:
    print(
        f"Indexed {report.stories} stories ({report.sections} sections, {report.passages} passages) "
        f"and {report.elements} glossary entries in {report.seconds:.1f} s → {settings.chroma_url or settings.data_dir}"
    )
    print(
        f"  {len(report.added)} new, {len(report.changed)} changed, {len(report.removed)} removed"
        + (f", {len(report.repaired)} repaired" if report.repaired else "")
        + f"; {report.embedded} passages embedded"
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
    print(f"Serving the index of {manifest.corpus} from {where} (indexed {manifest.indexed_at}); "
          "give PATH to update it" + ("" if settings.chroma_url else ", or another --data-dir for the bundled snapshot"))


def print_hits(hits: list[Hit], query: str, filters: Filters) -> None:
    width = min(100, shutil.get_terminal_size((100, 20)).columns)
    scope = f" ({filters.describe()})" if filters else ""
    if not hits:
        print(f"No passages match {query!r}{scope}." + (" Try removing a filter." if filters else ""))
        return
    stories = len({h.story for h in hits})
    print(f"{len(hits)} passages from {stories} stories for {query!r}{scope}\n")
    for rank, hit in enumerate(hits, start=1):
        place = ", ".join(x for x in (hit.country, hit.continent) if x)
        print(f"{rank}. {hit.title}")
        print(f"   {hit.role} · {place} · ▶ {clock(hit.start)}   [{hit.section}]")
        if hit.heading:
            print(textwrap.fill("Q: " + hit.heading, width, initial_indent="   ", subsequent_indent="      "))
        print(textwrap.fill(hit.snippet, width, initial_indent="   ", subsequent_indent="   "))
        tags = " · ".join(f"{kind}: {', '.join(values)}" for kind, values in hit.tags.items() if values)
        if tags:
            print(textwrap.fill(tags, width, initial_indent="   ", subsequent_indent="   "))
        print(f"   audio: {hit.audio_at or '(no audio for this story)'}")
        print(f"   open:  {hit.link}\n")


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
