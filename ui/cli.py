"""``labstories``: index the archive, search it, evaluate retrieval, serve the app.

Each command is a thin function: read options into :class:`Settings`, call one
library function, print. Library errors are typed; here they become one line
on stderr and exit code 2, never a traceback — and so do the operating
system's refusals a user can cause and fix (a folder that cannot be written,
a path that is a file, a port in use). Anything else is a bug: its traceback
goes to a log file, and the one line names that file (exit code 1).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from labstories.index import LabstoriesError, Settings
from labstories.index.settings import SETTINGS
from labstories.index.vocabulary import FILTER_KINDS, KIND_BY_KEY, KINDS

from . import console
from .limits import clean_text
from .messages import for_cli

#: OSError numbers a user causes and can fix: permissions, paths, a full disk, a busy port.
USER_OS_ERRORS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.ENOENT,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EEXIST,
    errno.ENAMETOOLONG,
    errno.EADDRINUSE,
    errno.EADDRNOTAVAIL,
    errno.ELOOP,
}
ERROR_LOG = "labstories-error.log"


def _settings(args) -> Settings:
    """Flags the command was given (None when absent) over environment variables over defaults."""
    given = {s.name: getattr(args, s.name, None) for s in SETTINGS}
    settings = Settings.load(**given | {"corpus": _corpus_argument(args)})
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise console.UsageError(f"the data folder {settings.data_dir} is a file; give a folder with --data-dir")
    return settings


def _corpus_argument(args) -> str | None:
    """PATH or --corpus (one of them) of ``index`` and ``serve``."""
    path, option = getattr(args, "path", None), getattr(args, "corpus", None)
    if path and option and path != option:
        raise console.UsageError("give the archive folder as PATH or --corpus, not both")
    return path or option


def _require_writable(settings: Settings) -> None:
    """``index`` writes the data folder (and local Chroma's files): say so up front, by name."""
    from labstories.index.vectors import writable

    folder = Path(settings.data_dir).absolute()
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    chroma = folder / "chroma"
    if not os.access(existing, os.W_OK) or (not settings.chroma_url and chroma.exists() and not writable(chroma)):
        raise console.UsageError(
            f"cannot write to the data folder {folder if existing == folder else existing}; "
            "`labstories index` needs write access (search and serve work on a read-only index)"
        )


def _open_index(settings: Settings):
    from labstories.rag import StoryIndex

    return StoryIndex.open(settings)


def cmd_index(args) -> int:
    """Build or update the index from an archive folder (default: the bundled snapshot).

    Walks PATH for .md pages: stories are indexed, element pages become the
    glossary, other page types are counted and skipped. Only new or changed
    stories are stored again, and only passages never seen before are embedded.
    Without PATH (or LABSTORIES_CORPUS) it indexes the archive snapshot that
    ships with the package. Damaged index files are found and repaired;
    --rebuild starts from nothing.

    Example: labstories index ../shared/corpus
    """
    from labstories.index import update
    from labstories.index.snapshot import chosen_corpus

    settings = _settings(args)
    _require_writable(settings)
    report = update(chosen_corpus(settings), settings, show_progress=not args.quiet, rebuild=args.rebuild)
    console.print_update(report, settings)
    return 0


def cmd_search(args) -> int:
    """Search the stories; prints passages with their audio link.

    --by-story groups the passages by story (best moment first, up to two more),
    stories in ranking order. --format markdown prints the answer as Markdown to
    paste into a report: its links are absolute with --public-url (or
    LABSTORIES_PUBLIC_URL), relative ?story= links without. --format csv prints
    one row per passage (rank, type, title, interviewee, role, lab, country, year,
    timestamp, passage, link, ...) for a spreadsheet.

    Example: labstories search "how did labs build belonging with migrants?" --principle Trust
    Stories: labstories search "belonging with migrants" --by-story --format markdown --public-url https://labs.example.org/
    Spreadsheet: labstories search "trust of communities" --format csv > answer.csv
    Batch:   labstories search --queries questions.jsonl --json > hits.jsonl
    """
    from labstories.rag import Filters
    from labstories.rag.answer import answer

    if not args.query and not args.queries:
        raise console.UsageError("give a QUERY or --queries FILE")
    if args.query and args.queries:
        raise console.UsageError("give either a QUERY or --queries FILE, not both")
    settings = _settings(args)
    index = _open_index(settings)
    if args.queries:
        return _search_file(index, args, settings.k)
    query = clean_text(args.query)  # undecodable argv bytes arrive as lone surrogates
    filters = Filters(**{kind.name: [clean_text(v) for v in getattr(args, kind.param)] for kind in KINDS})
    if args.json:
        for hit in index.search(query, filters, settings.k):
            print(json.dumps(asdict(hit), ensure_ascii=False))
        return 0
    found = answer(index, query, filters, retrieve=settings.k, labs=None)
    if args.format == "markdown":
        console.print_markdown(found, args.by_story, settings.public_url)
    elif args.format == "csv":
        from .export import answer_csv

        sys.stdout.write(answer_csv(found, settings.public_url))
    else:
        console.print_answer(found, args.by_story)
    return 0


def _search_file(index, args, k: int) -> int:
    """One output line per question; a bad line or filter is reported and the rest carries on."""
    from labstories.rag import FilterError, Filters, QueryError
    from labstories.rag.evaluate import question_lines

    failed = 0
    for number, question, problem in question_lines(args.queries):
        hits = []
        if question is not None:
            question.id, question.question = clean_text(question.id), clean_text(question.question)
            try:
                hits = index.search(question.question, Filters.from_dict(question.filters), k)
            except (FilterError, QueryError) as error:
                problem = clean_text(for_cli(error))
            except (ValueError, TypeError) as error:
                problem = clean_text(str(error))
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

    --kind takes a kind's name, its singular or plural (country, countries, sdg, ...).

    Example: labstories facets --kind principles
    """
    from labstories.rag import FilterError

    kind = KIND_BY_KEY.get(args.kind.strip().lower()) if args.kind is not None else None
    if args.kind is not None and kind is None:
        raise FilterError(clean_text(args.kind), None, list(FILTER_KINDS))
    index = _open_index(_settings(args))
    facets = index.facets if kind is None else {kind.name: index.facets[kind.name]}
    if args.json:
        print(json.dumps(facets, ensure_ascii=False, indent=1))
    else:
        console.print_facets(facets)
    return 0


def cmd_stats(args) -> int:
    """Summarise the index: stories, sections, passages, model, where it is stored.

    Example: labstories stats
    """
    stats = _open_index(_settings(args)).stats()
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

        if not 2 <= args.cv <= len(questions):
            raise console.UsageError(f"--cv {args.cv} needs between 2 and {len(questions)} folds")
        print(f"\n{args.cv}-fold cross-validation of the fitted settings:")
        print(cross_validate(index, questions, folds=args.cv))
    return 0


def cmd_serve(args) -> int:
    """Start the chat app, indexing first (unchanged stories are reused).

    Without PATH it serves the archive snapshot bundled with the package
    (indexed on first start) — or, when the data directory already holds an
    index of another archive folder, that index, untouched.

    Example: labstories serve
             labstories serve ../shared/corpus --port 7860
    """
    from labstories.index import update
    from labstories.index.onnx_embed import indexing_embedder
    from labstories.index.snapshot import corpus_to_serve
    from labstories.ui.access import credentials
    from labstories.ui.app import serve
    from labstories.ui.ports import check_port

    settings = _settings(args)
    credentials(settings.auth, settings.auth_file)  # bad credentials or a busy port: say so before indexing
    check_port(settings.host, settings.port)
    # Loads lazily, shared by indexing and answering (questions: the query backend, never int8).
    embedder = indexing_embedder(
        settings.model_path or None, settings.batch_size, settings.embed_backend, settings.query_backend
    )
    corpus = corpus_to_serve(settings)
    if corpus is not None:
        console.print_update(update(corpus, settings, embedder=embedder, show_progress=True), settings)
    else:
        console.print_kept_index(settings)
    serve(settings, embedder=embedder)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labstories", description=_plain(__doc__.split("\n\n")[0]))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name, func, **kw):
        p = sub.add_parser(
            name,
            help=_plain(func.__doc__.split("\n")[0]),
            description=_plain(func.__doc__),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kw,
        )
        p.set_defaults(func=func)
        _setting_flags(p, name)
        return p

    p = command("index", cmd_index)
    p.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="archive folder (searched recursively for .md pages); default: the bundled snapshot",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--rebuild", action="store_true", help="discard the stored index and build it from scratch")

    p = command("search", cmd_search)
    p.add_argument("query", nargs="?", help="the question")
    p.add_argument("--queries", help='JSON lines {"id", "question", "filters"}; one result line per question')
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    p.add_argument("--by-story", action="store_true", help="group the passages by story, best moment first")
    p.add_argument(
        "--format",
        choices=("text", "markdown", "csv"),
        default="text",
        help="text (default), markdown (question, filters, then lab, moment, quote and link per passage) "
        "or csv (one row per passage, for a spreadsheet)",
    )
    for kind in KINDS:
        p.add_argument(
            kind.flag,
            dest=kind.param,
            action="append",
            default=[],
            metavar="VALUE",
            help=f"only passages with this {kind.singular} (repeatable: any of them)",
        )

    p = command("facets", cmd_facets)
    p.add_argument("--kind", metavar="KIND", help=f"only this kind: {', '.join(FILTER_KINDS)}")
    p.add_argument("--json", action="store_true")

    p = command("stats", cmd_stats)
    p.add_argument("--json", action="store_true")

    p = command("eval", cmd_eval)
    p.add_argument("file", help="JSON lines with id, question, filters, kind, relevant")
    p.add_argument("--cv", type=int, metavar="N", help="also report N-fold cross-validated scores of fitted settings")

    p = command("serve", cmd_serve)
    p.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="archive folder to index before serving; default: the bundled snapshot, or the existing index",
    )
    return parser


def _setting_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """The settings this command takes, as flags; values stay strings here and are
    converted and checked once, by :class:`Settings`, whatever their source."""
    group = parser.add_argument_group("settings (flag > environment variable > default)")
    for spec in SETTINGS:
        if command in spec.commands:
            default = spec.default if spec.default not in ("", ()) else "none"
            group.add_argument(
                spec.flag,
                dest=spec.name,
                metavar=spec.name.upper(),
                action="append" if spec.repeatable else "store",
                help=_plain(f"{spec.help} [env {spec.env}; default {default}]"),
            )


def _plain(text: str) -> str:
    """Help is read in a terminal: the backticks that mark code in docstrings and in the
    settings' help (which the README renders as Markdown) are dropped."""
    return text.replace("`", "")


class _StderrLine(logging.Handler):
    """A library warning (an ONNX fallback, a build not switched to yet) as one ``labstories: …`` line
    on whatever ``sys.stderr`` is when it is emitted."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(f"labstories: {self.format(record)}", file=sys.stderr, flush=True)
        except Exception:  # noqa: BLE001 — logging must never take a command down
            self.handleError(record)


def _show_library_warnings() -> None:
    """The library logs (``labstories.*`` loggers) instead of printing; the terminal user still sees
    its warnings. Only our loggers: other libraries' records keep their own handling."""
    logger = logging.getLogger("labstories")
    if not any(isinstance(handler, _StderrLine) for handler in logger.handlers):
        logger.addHandler(_StderrLine(logging.WARNING))


def main(argv: list[str] | None = None) -> int:
    _show_library_warnings()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from labstories.ui.access import AccessError
    from labstories.ui.ports import PortError

    try:
        return args.func(args)
    except LabstoriesError as error:
        return _fail(args.command, for_cli(error))
    except (console.UsageError, AccessError, PortError) as error:
        return _fail(args.command, str(error))
    except BrokenPipeError:  # `labstories search … | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(
            "interrupted; the previous index is intact and the next `labstories index` finishes the job",
            file=sys.stderr,
        )
        return 130
    except OSError as error:
        if error.errno in USER_OS_ERRORS:
            return _fail(args.command, _os_message(error))
        return _unexpected(args, error)
    except Exception as error:  # the last line of defence: a message and a log file, not a traceback
        return _unexpected(args, error)


def _fail(command: str, message: str) -> int:
    print(f"labstories {command}: {clean_text(message)}", file=sys.stderr)
    return 2


def _os_message(error: OSError) -> str:
    """``[Errno 13] Permission denied: 'x'`` → ``permission denied: x (check the folder's owner and mode)``."""
    path = error.filename if error.filename is not None else ""
    hint = {
        errno.EACCES: "check its owner and permissions",
        errno.EPERM: "check its owner and permissions",
        errno.EROFS: "the file system is read-only",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ENOSPC: "free some disk space",
        errno.EADDRINUSE: "choose another --port",
    }.get(error.errno, "")
    text = (error.strerror or str(error)).lower()
    return f"{text}: {path}" + (f" ({hint})" if hint else "") if path else text + (f" ({hint})" if hint else "")


def _unexpected(args, error: BaseException) -> int:
    """A bug: the traceback goes to a log file (the data dir, else the temp dir), the line names it."""
    if os.environ.get("LABSTORIES_DEBUG"):
        raise error
    log = _write_log(args, "".join(traceback.format_exception(error)))
    where = f"details in {log}" if log else "set LABSTORIES_DEBUG=1 for the traceback"
    print(
        f"labstories {args.command}: unexpected {type(error).__name__}: {clean_text(str(error))[:300]} ({where})",
        file=sys.stderr,
    )
    return 1


def _write_log(args, text: str) -> Path | None:
    folders = []
    try:
        folders.append(Path(getattr(args, "data_dir", None) or os.environ.get("LABSTORIES_DATA") or ".labstories"))
    except (TypeError, ValueError):
        pass
    folders.append(Path(tempfile.gettempdir()))
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    for folder in folders:
        path = folder / ERROR_LOG
        try:
            with path.open("a", encoding="utf-8", errors="replace") as log:
                log.write(f"--- {stamp} labstories {args.command}\n{text}\n")  # not argv: it may hold --auth
            return path.resolve()
        except OSError:
            continue
    return None


if __name__ == "__main__":
    sys.exit(main())
