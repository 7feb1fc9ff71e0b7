"""``labstories``: index the archive, search it, evaluate retrieval, serve the app.

Each command is a thin function: read options into :class:`Settings`, call one
library function, print. Library errors are typed; here they become one line
on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from labstories.index import CorpusError, NoIndexError, Settings, SettingsError, StoreError
from labstories.index.settings import SETTINGS
from labstories.rag.records import FILTER_KINDS

from . import console

USER_ERRORS = (CorpusError, NoIndexError, SettingsError, StoreError)


def _settings(args) -> Settings:
    return Settings.load(
        data_dir=getattr(args, "data_dir", None), chroma_url=getattr(args, "chroma_url", None),
        model_path=getattr(args, "model_path", None), batch_size=getattr(args, "batch_size", None),
        k=getattr(args, "k", None), host=getattr(args, "host", None), port=getattr(args, "port", None),
        concurrency=getattr(args, "concurrency", None),
    )


def _open_index(settings: Settings):
    from labstories.rag import StoryIndex

    return StoryIndex.open(settings)


def cmd_index(args) -> int:
    """Build or update the index from an archive folder.

    Walks PATH for .md pages: stories are indexed, element pages become the
    glossary, other page types are counted and skipped. Only new or changed
    stories are embedded.

    Example: labstories index ../shared/corpus
    """
    from labstories.index import update

    settings = _settings(args)
    report = update(args.path, settings, show_progress=not args.quiet)
    console.print_update(report, settings)
    return 0


def cmd_search(args) -> int:
    """Search the stories; prints passages with their audio link.

    Example: labstories search "how did labs build belonging with migrants?" --principle Trust
    Batch:   labstories search --queries questions.jsonl --json > hits.jsonl
    """
    from labstories.rag import Filters

    if not args.query and not args.queries:
        raise console.UsageError("give a QUERY or --queries FILE")
    if args.query and args.queries:
        raise console.UsageError("give either a QUERY or --queries FILE, not both")
    settings = _settings(args)
    index = _open_index(settings)
    if args.queries:
        return _search_file(index, args, settings.k)
    filters = Filters(principles=args.principle, tactics=args.tactic, tools=args.tool, skills=args.skill,
                      country=args.country, continent=args.continent, role=args.role)
    hits = index.search(args.query, filters, settings.k)
    if args.json:
        for hit in hits:
            print(json.dumps(asdict(hit), ensure_ascii=False))
    else:
        console.print_hits(hits, args.query, filters)
    return 0


def _search_file(index, args, k: int) -> int:
    """One output line per question; a bad line or filter is reported and the rest carries on."""
    from labstories.rag import FilterError, Filters, QueryError
    from labstories.rag.evaluate import question_lines

    failed = 0
    for number, question, problem in question_lines(args.queries):
        hits = []
        if question is not None:
            try:
                hits = index.search(question.question, Filters.from_dict(question.filters), k)
            except (FilterError, QueryError) as error:
                problem = str(error)
        ident = question.id if question is not None else f"line {number}"
        if problem:
            failed += 1
            where = f"line {number}" + (f" ({ident})" if question is not None else "")
            print(f"labstories search: {args.queries} {where}: {problem}", file=sys.stderr)
        if args.json:
            line = {"id": ident, "hits": [asdict(h) for h in hits]}
            print(json.dumps(line | ({"error": problem} if problem else {}), ensure_ascii=False))
        elif question is not None and not problem:
            print(f"## {question.id}: {question.question}")
            console.print_hits(hits, question.question, Filters.from_dict(question.filters))
    return 2 if failed else 0  # the rest was answered, but the file needs fixing


def cmd_facets(args) -> int:
    """List every filter value with its count (tags: sections; country/continent/role: stories).

    Example: labstories facets --kind principles
    """
    index = _open_index(_settings(args))
    facets = index.facets if not args.kind else {args.kind: index.facets[args.kind]}
    if args.json:
        print(json.dumps(facets, ensure_ascii=False, indent=1))
    else:
        console.print_facets(facets)
    return 0


def cmd_stats(args) -> int:
    """Summarise the index: stories, sections, passages, model, where it is stored.

    Example: labstories stats
    """
    settings = _settings(args)
    index = _open_index(settings)
    stats = console.index_stats(index, settings)
    print(json.dumps(stats, indent=1) if args.json else console.format_stats(stats))
    return 0


def cmd_eval(args) -> int:
    """Score retrieval on a graded question file (nDCG@10, Recall@10, MRR@10 per kind).

    Example: labstories eval ../shared/eval/dev.jsonl --cv 5
    """
    from labstories.rag import evaluate, format_table, read_questions

    settings = _settings(args)
    questions = read_questions(args.file)
    index = _open_index(settings)
    began = time.perf_counter()
    scores = evaluate(index, questions, 10)
    print(format_table(scores))
    print(f"\n{len(questions)} questions in {time.perf_counter() - began:.1f} s")
    if args.cv:
        from labstories.rag.tuning import cross_validate

        print(f"\n{args.cv}-fold cross-validation of the fitted settings:")
        print(cross_validate(index, questions, folds=args.cv))
    return 0


def cmd_serve(args) -> int:
    """Start the chat app (indexing CORPUS first when given; unchanged stories are reused).

    Example: labstories serve ../shared/corpus --port 7860
    """
    from labstories.index import Embedder, update
    from labstories.index.onnx_embed import indexing_embedder
    from labstories.ui.app import serve

    settings = _settings(args)
    # Loads lazily, shared by both steps; the indexing one embeds passages as `labstories index` does.
    embedder = (indexing_embedder if args.corpus else Embedder)(settings.model_path or None, settings.batch_size)
    if args.corpus:
        console.print_update(update(args.corpus, settings, embedder=embedder, show_progress=True), settings)
    serve(settings, embedder=embedder)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labstories", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help=f"{_help('data_dir')} [env LABSTORIES_DATA]")
    common.add_argument("--chroma-url", help=f"{_help('chroma_url')} [env LABSTORIES_CHROMA_URL]")
    common.add_argument("--model-path", help=f"{_help('model_path')} [env LABSTORIES_MODEL]")
    common.add_argument("--batch-size", type=int, help=f"{_help('batch_size')} [env LABSTORIES_BATCH_SIZE]")

    def command(name, func, **kw):
        p = sub.add_parser(name, parents=[common], help=func.__doc__.split("\n")[0], description=func.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter, **kw)
        p.set_defaults(func=func)
        return p

    p = command("index", cmd_index)
    p.add_argument("path", help="archive folder (searched recursively for .md pages)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")

    p = command("search", cmd_search)
    p.add_argument("query", nargs="?", help="the question")
    p.add_argument("--queries", help="JSON lines {\"id\", \"question\", \"filters\"}; one result line per question")
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    p.add_argument("--k", type=int, help="passages to return (default 10)")
    for flag, kind in (("--principle", "principles"), ("--tactic", "tactics"), ("--tool", "tools"), ("--skill", "skills"),
                       ("--country", "country"), ("--continent", "continent"), ("--role", "role")):
        p.add_argument(flag, action="append", default=[], metavar="VALUE", help=f"only passages with this {flag[2:]} (repeatable: any of them)")

    p = command("facets", cmd_facets)
    p.add_argument("--kind", choices=FILTER_KINDS)
    p.add_argument("--json", action="store_true")

    p = command("stats", cmd_stats)
    p.add_argument("--json", action="store_true")

    p = command("eval", cmd_eval)
    p.add_argument("file", help="JSON lines with id, question, filters, kind, relevant")
    p.add_argument("--cv", type=int, metavar="N", help="also report N-fold cross-validated scores of fitted settings")

    p = command("serve", cmd_serve)
    p.add_argument("corpus", nargs="?", help="archive folder to index before serving (optional once indexed)")
    p.add_argument("--host", help=f"{_help('host')} [env LABSTORIES_HOST]")
    p.add_argument("--port", type=int, help=f"{_help('port')} [env LABSTORIES_PORT]")
    p.add_argument("--concurrency", type=int, help=f"{_help('concurrency')} [env LABSTORIES_CONCURRENCY]")
    return parser


def _help(name: str) -> str:
    return next(s.help for s in SETTINGS if s.name == name)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from labstories.rag import EvalFileError, FilterError, QueryError

    try:
        return args.func(args)
    except (*USER_ERRORS, FilterError, QueryError, EvalFileError, console.UsageError) as error:
        print(f"labstories {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the previous index is intact and the next `labstories index` finishes the job", file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: a message, not a traceback
        if os.environ.get("LABSTORIES_DEBUG"):
            raise
        print(f"labstories {args.command}: unexpected {type(error).__name__}: {error} "
              "(set LABSTORIES_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
