"""Library errors → words for each reader: the terminal user and the person on the web page.

The library raises typed errors that carry facts (which folder, which value,
the closest valid ones). A terminal user is told the command that fixes it; a
reader of the page is never told to open a terminal.
"""

from __future__ import annotations

from functools import singledispatch

from labstories.index.errors import CorpusError, LabstoriesError, NoIndexError, StoreError
from labstories.index.vocabulary import KIND
from labstories.rag.errors import FilterError, QueryError

EXAMPLE_QUESTION = "how did labs build trust?"


@singledispatch
def for_cli(error: LabstoriesError) -> str:
    return str(error)


@for_cli.register
def _(error: CorpusError) -> str:
    if error.problem == "missing":
        return f"{error}; point `labstories index` at the archive folder"
    if error.problem == "empty":
        return f"{error}; is this the archive folder?"
    return str(error)


@for_cli.register
def _(error: NoIndexError) -> str:
    if error.problem == "missing":
        where = f" --chroma-url {error.server}" if error.server else ""
        return f"{error}; run `labstories index PATH{where}` first"
    if error.problem in ("format", "model"):
        return f"{error}; run `labstories index PATH` to rebuild it"
    return f"{error}; run `labstories index PATH` to repair it"


@for_cli.register
def _(error: StoreError) -> str:
    if error.problem == "unreachable":
        return f"{error}; start it with `chroma run --path DIR --port N` or drop --chroma-url"
    if error.problem == "missing_collection":
        return f"{error}; run `labstories index PATH` again"
    if error.problem == "unwritable":
        return f"{error}; run `labstories index PATH` once with write access"
    return str(error)


@for_cli.register
def _(error: FilterError) -> str:
    if error.value is None or error.closest:
        return str(error)
    return f"{error}; see `labstories facets` for the {error.known} values"


@for_cli.register
def _(error: QueryError) -> str:
    if error.problem == "empty":
        return f'{error}; type a question, e.g. "{EXAMPLE_QUESTION}"'
    return f"{error} (--k)"


@singledispatch
def for_web(error: LabstoriesError) -> str:
    return _sentence(str(error))


@for_web.register
def _(error: FilterError) -> str:
    if error.value is None:
        return _sentence(str(error))
    label = KIND[error.kind].singular if error.kind in KIND else error.kind
    text = f"No passage has the {label} “{error.value}”"
    return text + (f"; closest: {', '.join(error.closest)}." if error.closest else ".")


@for_web.register
def _(error: QueryError) -> str:
    if error.problem == "empty":
        return f"Type a question, e.g. “{EXAMPLE_QUESTION}”"
    return _sentence(str(error))


@for_web.register
def _(error: NoIndexError) -> str:
    return "The index is not available right now: " + _sentence(str(error))


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


__all__ = ["for_cli", "for_web"]
