"""A passage as a citation, in three forms: plain text, APA and BibTeX.

A story is cited by its interviewee (the name they give, :mod:`index.speakers`;
the lab stands in when the transcript gives none), their role and lab (the lab
is named by its country), the story's title, the moment and the app's link to
it. Every other archive page (solution, experiment, learning plan, blog,
publication) is cited by its lab, type and year, with the original page for a
blog or publication and the app's page for the rest. Titles lose a closing
period and sentences get one only when they do not already end in ``. ? !``,
so no citation reads "…Impact.." or "…migrants?.".

Text from the archive is untrusted: here it is only put in order (the HTML
escaping is the template's); BibTeX gets its special characters escaped and
URLs percent-encode what would end a field (:func:`rag.links.citation_url`).
"""

from __future__ import annotations

import re

from labstories.index.text import fold, is_web_url
from labstories.index.vocabulary import DOCUMENT_TYPE
from labstories.rag import links
from labstories.rag.records import Hit

from .display import clock, lab_name

ARCHIVE = "UNDP Accelerator Labs R&D Archive"
#: The citation forms the app offers, in its menu's order.
FORMS = ("Plain text", "APA", "BibTeX")
_WEB_TYPES = ("blog", "publications")
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\textasciitilde{}",
}


def plain(hit: Hit, base: str = "") -> str:
    """``Gabriel Lamma, Solutions Mapper, UNDP Accelerator Lab Peru, "Title", R&D Archive interview at 8:03, <link>``."""
    title = f'"{_title(hit.title)}"'
    if hit.type == "story":
        who = ", ".join(part for part in (_line(hit.speaker), hit.role, lab_name(hit.country)) if part)
        return f"{who}, {title}, R&D Archive interview at {_moment(hit)}, {_link(hit, base)}"
    kind = _type(hit).lower() + (f" ({hit.year})" if hit.year else "")
    return f"{_author(hit)}, {title}, {kind}, {ARCHIVE}, {_link(hit, base)}"


def apa(hit: Hit, base: str = "") -> str:
    """APA 7: ``Lamma, G. (n.d.). Title [Interview; Solutions Mapper, UNDP Accelerator Lab Peru; at 8:03]. UNDP Accelerator Labs R&D Archive. <link>``."""
    year = str(hit.year) if hit.year else "n.d."
    if hit.type == "story":
        author = _apa_name(hit.speaker) or lab_name(hit.country)
        lab = ", ".join(part for part in (hit.role, lab_name(hit.country) if hit.speaker else "") if part)
        medium = "; ".join(part for part in ("Interview", lab, f"at {_spoken_moment(hit)}") if part)
    else:
        author, medium = _author(hit), _type(hit)
    return f"{_sentence(author)} ({year}). {_title(hit.title)} [{medium}]. {_sentence(ARCHIVE)} {_link(hit, base)}"


def bibtex(hit: Hit, base: str = "") -> str:
    """A ``@misc`` entry: author (a person as ``{Surname, Given}``, a lab in double braces), title,
    how published, note (role, lab, moment), year when known, url; every value escaped."""
    if hit.type == "story" and _line(hit.speaker):
        author = _tex(_bib_name(hit.speaker))
        note = f"{', '.join(p for p in (hit.role, lab_name(hit.country)) if p)}; at {_spoken_moment(hit)}"
    else:
        author = "{" + _tex(lab_name(hit.country) if hit.type == "story" else _author(hit)) + "}"
        note = "; ".join(p for p in (hit.role, f"at {_spoken_moment(hit)}" if hit.type == "story" else "") if p)
    fields = [
        ("author", author),
        ("title", "{" + _tex(_title(hit.title)) + "}"),
        ("howpublished", _tex(("Interview" if hit.type == "story" else _type(hit)) + ", " + ARCHIVE)),
        ("note", _tex(note)),
        ("year", str(hit.year) if hit.year else ""),
        ("url", _link(hit, base)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{_key(hit)},\n{body}\n}}"


def forms(hit: Hit, base: str = "") -> list[tuple[str, str]]:
    """(label, text) of every form, in :data:`FORMS` order."""
    return list(zip(FORMS, (plain(hit, base), apa(hit, base), bibtex(hit, base)), strict=True))


# -- pieces ------------------------------------------------------------------------------------
def _link(hit: Hit, base: str) -> str:
    """A blog's or publication's own page; for the rest the app's link (absolute against ``base``)."""
    own = hit.url if hit.type in _WEB_TYPES and is_web_url(hit.url) else None
    return links.citation_url(own or links.absolute(hit.link, base))


def _author(hit: Hit) -> str:
    """The lab that wrote a page: its country's lab, or the network when no country is known."""
    return lab_name(hit.country) if hit.country else "UNDP Accelerator Labs"


def _type(hit: Hit) -> str:
    return DOCUMENT_TYPE[hit.type].label if hit.type in DOCUMENT_TYPE else hit.type.capitalize()


def _moment(hit: Hit) -> str:
    return ("~" if hit.interpolated else "") + clock(hit.at)


def _spoken_moment(hit: Hit) -> str:
    return ("about " if hit.interpolated else "") + clock(hit.at)


def _line(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _title(text: str) -> str:
    """One line, without a closing period (a ``?`` or ``!`` is part of the title and stays)."""
    return _line(text).rstrip(". ") or "Untitled"


def _sentence(text: str) -> str:
    """``text`` ending in one full stop: one is added unless it already ends in ``. ? !``."""
    text = _line(text)
    return text if text.endswith((".", "?", "!")) else text + "."


def _apa_name(name: str) -> str:
    """``Maria Veronica Moreno`` → ``Moreno, M. V.``; one word stays as it is."""
    words = _line(name).split()
    if len(words) < 2:
        return " ".join(words)
    initials = " ".join(
        f"{w[0]}." if "-" not in w else "-".join(f"{p[0]}." for p in w.split("-") if p) for w in words[:-1]
    )
    return f"{words[-1]}, {initials}"


def _bib_name(name: str) -> str:
    """``Ali Muntasir`` → ``Muntasir, Ali`` (BibTeX's own reading of "Last, First")."""
    words = _line(name).split()
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else " ".join(words)


def _tex(text: str) -> str:
    """Text for a BibTeX field: LaTeX's special characters escaped, one line."""
    return "".join(_LATEX.get(c, c) for c in _line(text))


def _key(hit: Hit) -> str:
    """``muntasir_experimenter_sdn_483``: ASCII letters, digits and ``_`` only (what every BibTeX tool reads)."""
    who = _line(hit.speaker).split()[-1:] if hit.type == "story" else []
    parts = [*who, hit.doc or hit.story, str(hit.at) if hit.type == "story" else str(hit.year or "")]
    key = "_".join(re.sub(r"[^a-z0-9]+", "_", fold(p).lower()).strip("_") for p in parts if p)
    return re.sub(r"_+", "_", key).strip("_") or "labstories"


__all__ = ["ARCHIVE", "FORMS", "apa", "bibtex", "forms", "plain"]
