"""Follow-up understanding: a chat message + the previous question and filters → the next search.

Pure functions over the index's vocabulary (facet values and which continent
each country lies in); nothing here searches. The rules, chosen to be
predictable rather than clever — a wrong guess that swallows a question is
worse than a missed follow-up, which the user can always type as a question:

* A message is a *follow-up* only when it reads as one and changes the
  filters: it opens with a follow-up word ("only", "and", "what about", "more
  from", "without", "seulement", "et", "sans", "solo", "y", "qué tal", "sin"…)
  and, once names and filler words are taken out, at most two words remain —
  or it is nothing but place and role names ("Peru?", "experimenters in
  Africa"). A message that opens with a question word ("how", "why",
  "comment", "cómo"…) is a new question, whatever names it shares with the
  tag vocabulary. A follow-up searches the previous question again under the
  new filters.
* Country, continent and role names (in English, French or Spanish: see
  :mod:`ui.aliases`) mentioned anywhere become filters the user can see and
  remove; element names (principles, tactics, tools, skills; French and
  Spanish ones through the glossary) only in a follow-up — in a new question
  "how did they design the pilot?" is the topic, not a request for the
  automatically assigned tag *Design*. A name that is an element of several
  kinds goes to the kind that tags most sections.
* A mentioned value *replaces* the values of its kind ("only in Africa" after
  Asia means Africa), unless the message says "also" / "or" / "as well", which
  adds. A continent drops countries outside it, a country drops a continent it
  is not in. Names after "without" / "remove" / "not in" / "sans" / "sin" are
  removed; "clear filters" / "all countries" clear all or one kind.
* One rule keeps filters, whatever set them (the panel, a chip in an answer,
  a follow-up, a place named in a question): every filter in force carries
  over to the next message, follow-up or new question, until the user removes
  it (its ✕ in the answer, the panel, "without Peru", "clear filters"). The
  answer shows them and says so. ``refine`` applies it, in one place.
* A place the archive has no story from ("only in Kenya") changes nothing: the
  refinement names it (``absent``), keeps the filters and runs no search, so
  the app can say so and name the nearest values (:mod:`ui.nearby`).
* "more" / "show more" / "plus" / "más" asks for the next passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from labstories.index.pages import country_lookup, normalise_country
from labstories.index.text import SPOKEN_WORD, fold
from labstories.index.vocabulary import DOCUMENT_KINDS, FILTER_KINDS, ROLES, TAG_KINDS
from labstories.rag.records import Filters
from labstories.rag.translate import to_english

from .aliases import ALIASES as _SPOKEN_ALIASES

#: Extra spellings → (kind, values). Only applied for values the index knows.
ALIASES: dict[str, tuple[str, tuple[str, ...]]] = {
    **{spoken: ("role", (role.name,)) for role in ROLES for spoken in role.spoken},
    **_SPOKEN_ALIASES,
}
#: Longer messages are never follow-ups (and are not scanned word by word).
MAX_FOLLOW_UP_WORDS = 12

_CUE_WORDS = """
    and|but|so|ok|okay|then|now|instead|what about|how about|only|just|more from|more in|more on|more about|
    same for|same in|same|also|without|except|not in|not from|remove|drop|exclude|no more|
    et|mais|alors|maintenant|qu en est il de|qu en est il des|qu en est il du|qu en est il|et pour|quid de|seulement|
    uniquement|juste|plus de|encore|aussi|meme chose pour|idem pour|sans|sauf|hors|pas en|enlever|retirer|supprimer|
    y|pero|entonces|ahora|y que tal|que tal|y que hay de|que hay de|solo|solamente|unicamente|nada mas|mas de|
    mas en|tambien|lo mismo para|lo mismo en|sin|excepto|salvo|menos|no en|quitar|quita"""
_CUES = re.compile(
    r"^\W*(?:(?:" + "|".join(sorted((c.strip() for c in _CUE_WORDS.split("|")), key=len, reverse=True)) + r")\b\W*)+"
)
_QUESTION = re.compile(
    r"^\W*(how|why|what|who|whom|whose|where|when|which|did|do|does|can|could|should|would|will|"
    r"is|are|was|were|has|have|had|comment|pourquoi|quel|quelle|quels|quelles|qui|quand|combien|"
    r"est ce|qu est ce|que|como|por que|porque|quien|quienes|donde|cuando|cual|cuales|cuanto|"
    r"cuantos|cuantas)\b"
)
_REMOVE = re.compile(
    r"\b(without|remove|drop|except|exclude|excluding|not in|not from|no more|minus|sans|sauf|hors|"
    r"pas en|pas au|enlever|enleve|retirer|retire|supprimer|supprime|sin|excepto|salvo|menos|no en|"
    r"quitar|quita|eliminar|elimina)\b"
)
_ADD_WORDS = re.compile(r"\b(also|as well|or|add|aussi|egalement|ou|ajoute|ajouter|tambien|o|anade|agrega|agregar)\b")
_MORE = re.compile(
    r"^\W*(show |give me |load |montre moi |montrez moi |muestrame |dame )?(some |des |un peu )?"
    r"(more|plus|encore|mas)( passages| results| resultats| resultados| please| s il te plait| svp|"
    r" por favor)?\W*$"
)
_CLEAR_ALL = re.compile(
    r"\b(clear|reset|remove|drop|effacer|efface|enlever|enleve|supprimer|supprime|retirer|retire|"
    r"quitar|quita|borrar|borra|eliminar|elimina)( all| tous| todos)?( the| les| los)? "
    r"(filters|filtres|filtros)\b|\b(no|sans|sin) (filters|filter|filtres|filtre|filtros|filtro)\b"
)
_CLEAR_KIND = re.compile(
    r"\b(?:(?:all|any) |tous les |todos los )(countries|continents|roles|principles|tactics|"
    r"tools|skills|pays|paises|continentes)\b"
)
_KIND_WORD = {
    "countries": "country",
    "continents": "continent",
    "roles": "role",
    "pays": "country",
    "paises": "country",
    "continentes": "continent",
}
_FILLER = frozenset(
    """
    a an and also any as about be by can did do does for from further go how i in is it just labs lab
    me more my narrow not of on only or other others please refine same show so stories story tell that
    the their them then there these they this those to try us was we well were what when where which
    who why with within without instead now again too like ones one s let lets see ok okay but
    remove drop except filter filters clear all reset
    de du des d l la le les en au aux dans pour sur par avec un une et ou qu que est il elle ils y on ces ce
    cette histoires histoire recits recit seulement uniquement juste aussi encore maintenant idem quid meme chose
    pays svp merci te plait plus mais alors sans sauf hors pas
    del el los las al con una o es hay tal historias historia relatos relato solo solamente unicamente tambien
    mas ahora lo mismo favor gracias paises nada pero entonces sin excepto salvo menos no
    """.split()
)
_LANGUAGES = ("fr", "es")
#: Continents of the country lookup that are no place a story comes from.
_NO_CONTINENT = frozenset({"Global", "Seven seas (open ocean)"})


@dataclass
class Vocabulary:
    """What can be recognised: facet values by kind, each country's continent, and (built once,
    from the bundled country lookup) the places the archive has no story from."""

    facets: dict[str, dict[str, int]]
    continent_of: dict[str, str] = field(default_factory=dict)
    _names: list | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_index(cls, index) -> Vocabulary:
        documents = index.state.documents.values()
        return cls(
            index.facets,
            {country: d.continents[0] for d in documents if len(d.continents) == 1 for country in d.countries},
        )

    def names(self) -> list[tuple[re.Pattern, str, tuple[str, ...]]]:
        """(pattern, kind, values) for every recognisable name, longest first."""
        return [(pattern, kind, values) for pattern, kind, values, known in self.every_name() if known]

    def every_name(self) -> list[tuple[re.Pattern, str, tuple[str, ...], bool]]:
        """(pattern, kind, values, known): the names of :meth:`names` (known) and of places the
        archive has no story from (not known), longest first, so "South Sudan" is read before
        "Sudan" whichever of them the archive has; built once."""
        if self._names is None:
            phrases = [(p, k, v, True) for p, k, v in self._phrases()]
            taken = {p for p, *_ in phrases}
            phrases += [(p, k, v, False) for p, k, v in self._absent_phrases() if p not in taken]
            phrases.sort(key=lambda item: -len(item[0]))
            self._names = [
                (re.compile(r"(?<![\w])" + re.escape(p) + r"(?:e?s)?(?![\w])"), k, v, known)
                for p, k, v, known in phrases
            ]
        return self._names

    def _absent_phrases(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """Countries and continents of the bundled lookup (and their other names) that no
        document of the index comes from, as (phrase, kind, values)."""
        have = {kind: {v.casefold() for v in self.facets.get(kind, {})} for kind in ("country", "continent")}
        found: dict[str, tuple[str, tuple[str, ...]]] = {}
        for name, entry in country_lookup().items():
            if (
                entry["name"].casefold() not in have["country"]
                and (normalise_country(name) or "").casefold() not in have["country"]
            ):
                found[normalise(name)] = ("country", (entry["name"],))
            for continent in entry["continents"]:
                if continent not in _NO_CONTINENT and continent.casefold() not in have["continent"]:
                    found[normalise(continent)] = ("continent", (continent,))
        for phrase, (kind, values) in ALIASES.items():
            if kind in have and not any(v.casefold() in have[kind] for v in values):
                found.setdefault(normalise(phrase), (kind, values))
        return [(p, k, v) for p, (k, v) in found.items() if len(p) >= 3 and p not in _FILLER]

    def _phrases(self) -> list[tuple[str, str, tuple[str, ...]]]:
        found: dict[str, tuple[str, tuple[str, ...]]] = {}
        for kind in DOCUMENT_KINDS + TAG_KINDS:
            for value, count in self.facets.get(kind, {}).items():
                phrase = normalise(value)
                if len(phrase) < 3 or phrase in _FILLER:
                    continue
                previous = found.get(phrase)
                if previous is None or (
                    kind in TAG_KINDS
                    and previous[0] in TAG_KINDS
                    and count > self.facets[previous[0]].get(previous[1][0], 0)
                ):
                    found[phrase] = (kind, (value,))
        for phrase, (kind, values) in ALIASES.items():
            known = tuple(v for v in values if v in self.facets.get(kind, {}))
            if known and normalise(phrase) not in found:
                found[normalise(phrase)] = (kind, known)
        return sorted(((p, k, v) for p, (k, v) in found.items()), key=lambda item: -len(item[0]))


@dataclass
class Refinement:
    """The search to run next, and what was understood, for the answer's lead line."""

    query: str
    filters: Filters
    follow_up: bool = False
    more: bool = False
    recognised: list[tuple[str, str]] = field(default_factory=list)  # (kind, value) applied
    removed: list[tuple[str, str]] = field(default_factory=list)  # (kind, value) taken away
    #: The filters in force before the message that the search keeps (the rule of the module docstring).
    carried: Filters = field(default_factory=Filters)
    #: (kind, value) of places asked for that the archive has no story from: nothing is searched.
    absent: list[tuple[str, str]] = field(default_factory=list)


def mentions(message: str, vocabulary: Vocabulary) -> tuple[list[tuple[str, str]], str]:
    """(kind, value) named in the message, and the message (normalised) with those names, and the
    places the archive has no story from, blanked out."""
    found, _, text = _scan(normalise(message), vocabulary)
    return found, text


def _scan(
    text: str, vocabulary: Vocabulary, absent_too: bool = True
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """(known names, places the archive lacks, text with both blanked) of a normalised text; the
    lacking places only with ``absent_too`` (a long message is never a follow-up: no need)."""
    found: list[tuple[str, str]] = []
    absent: list[tuple[str, str]] = []
    for pattern, kind, values, known in vocabulary.every_name():
        if (known or absent_too) and pattern.search(text):
            text = pattern.sub(" ", text)
            into = found if known else absent
            into.extend((kind, value) for value in values if (kind, value) not in into)
    return found, absent, text


def refine(message: str, previous_query: str, panel: Filters, vocabulary: Vocabulary) -> Refinement:
    """Turn one chat message into the next query and filters (see the module docstring).

    ``panel`` is every filter in force, whatever set it. The rule that keeps
    filters is here: the next search starts from all of them, follow-up or new
    question, and the message adds, replaces or removes values.
    """
    message = (message or "").strip()
    text = normalise(message)
    if previous_query and _MORE.match(text):
        return Refinement(previous_query, panel, follow_up=True, more=True, carried=panel)
    reading = _read(text, vocabulary)
    if reading.absent and reading.follow_up:  # "only in Kenya": nothing to search, the filters stay
        return Refinement(previous_query, panel, follow_up=bool(previous_query), carried=panel, absent=reading.absent)
    follow_up = bool(previous_query) and reading.follow_up
    kept = reading.kept if follow_up else [(k, v) for k, v in reading.kept if k not in TAG_KINDS]
    cleared = panel.without(*reading.cleared)
    removed = [pair for pair in panel.pairs() if pair not in cleared]
    removed += [pair for pair in reading.dropped if pair in cleared]
    filters = _apply(
        cleared.minus(Filters.from_pairs(reading.dropped)),
        kept,
        add=bool(_ADD_WORDS.search(text)),
        vocabulary=vocabulary,
    )
    return Refinement(
        previous_query if follow_up else message,
        filters,
        follow_up=follow_up,
        recognised=kept,
        removed=removed,
        carried=Filters.from_pairs(pair for pair in panel.pairs() if pair in filters),
    )


@dataclass
class _Reading:
    """What one message says about filters, and whether it reads as a follow-up."""

    kept: list[tuple[str, str]]  # names to apply
    dropped: list[tuple[str, str]]  # names after a remove word
    cleared: list[str]  # kinds to clear
    follow_up: bool
    absent: list[tuple[str, str]] = field(default_factory=list)  # places asked for that the archive lacks


def _read(text: str, vocabulary: Vocabulary) -> _Reading:
    cue = _CUES.match(text)
    body = text[cue.end() :] if cue else text
    short = len(text.split()) <= MAX_FOLLOW_UP_WORDS
    cleared = _cleared_kinds(text)
    rest_text = _CLEAR_KIND.sub(" ", _CLEAR_ALL.sub(" ", body))
    named, absent, rest = _scan(normalise(rest_text), vocabulary, absent_too=short)
    leftover = _content_words(rest) if short else ["…"] * (MAX_FOLLOW_UP_WORDS + 1)
    if cue and leftover and short:
        leftover = _translated_names(leftover, named, vocabulary)
    if not short or _QUESTION.match(body) or not (named or cleared or absent):
        follow_up = False
    elif cue:
        follow_up = len(leftover) <= 2
    else:  # no follow-up word: only place and role names ("Peru?", "experimenters in Africa")
        follow_up = not leftover and all(kind in DOCUMENT_KINDS for kind, _ in named)
    remove = _REMOVE.search(rest_text)
    if cue and _REMOVE.search(cue.group(0)):  # "without Peru", "sans confiance"
        return _Reading([], named, cleared, follow_up)
    if follow_up and remove:  # "only Africa without Sudan"
        dropped = mentions(rest_text[remove.end() :], vocabulary)[0]
        return _Reading([n for n in named if n not in dropped], dropped, cleared, follow_up)
    return _Reading(named, [], cleared, follow_up, absent)


def _content_words(text: str) -> list[str]:
    return [w for w in SPOKEN_WORD.findall(text) if w not in _FILLER and not w.isdigit()]


def _translated_names(words: list[str], named: list[tuple[str, str]], vocabulary: Vocabulary) -> list[str]:
    """French/Spanish element names ("confiance", "confianza"): found through the glossary.

    Adds what it finds to ``named`` and returns the words still unexplained."""
    left = []
    for word in words:
        for language in _LANGUAGES:
            found, _ = mentions(to_english(word, language).text, vocabulary)
            if found:
                named.extend(n for n in found if n not in named)
                break
        else:
            left.append(word)
    return left


def _cleared_kinds(text: str) -> list[str]:
    if _CLEAR_ALL.search(text):
        return list(FILTER_KINDS)
    kinds = [_KIND_WORD.get(m.group(1), m.group(1)) for m in _CLEAR_KIND.finditer(text)]
    return [k for k in dict.fromkeys(kinds) if k in FILTER_KINDS]


def _apply(filters: Filters, named: list[tuple[str, str]], add: bool, vocabulary: Vocabulary) -> Filters:
    """``filters`` with the named values: each replaces its kind's values (or joins them with ``add``);
    a continent drops countries outside it, a country drops a continent it is not in."""
    by_kind = Filters.from_pairs(named)
    for kind, values in by_kind.items():
        filters = filters.add(kind, *values) if add else filters.replace(kind, values)
    if by_kind.continent and not by_kind.country:
        filters = filters.replace(
            "country", [c for c in filters.country if vocabulary.continent_of.get(c) in filters.continent]
        )
    if by_kind.country and not by_kind.continent and filters.continent:
        places = {vocabulary.continent_of.get(c) for c in filters.country}
        if not places <= set(filters.continent):
            filters = filters.without("continent")
    return filters


def normalise(text: str) -> str:
    """Case and accents folded, apostrophes, hyphens and underscores as spaces: "Qu'en" → "qu en"."""
    return " ".join(re.sub(r"[-_'’]", " ", fold(text.casefold())).split())


__all__ = ["ALIASES", "MAX_FOLLOW_UP_WORDS", "Refinement", "Vocabulary", "mentions", "normalise", "refine"]
