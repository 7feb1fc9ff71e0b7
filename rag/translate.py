"""French and Spanish questions → English words, offline, with a bilingual glossary.

The transcripts are English and no multilingual model is available offline,
so a question in French or Spanish shares almost no words or meaning with them.
A small glossary of the domain's vocabulary (``data/translations.json``)
carries the content words across; words it does not know — names, places,
cognates such as *consultation* — pass through unchanged. Matching is by
Snowball stem with accents folded, so *numériser*, *numérisation* and
*numérise* find the same entry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from labstories.index.text import SPOKEN_WORD as _WORD
from labstories.index.text import fold, stemmer

LANGUAGES = {"fr": "french", "es": "spanish"}


@dataclass(frozen=True)
class Translation:
    language: str  # "en", "fr" or "es"
    text: str  # the English rendering (the query itself when English)
    unknown: tuple[str, ...] = ()
    #: The question's own content words (lower-case, accents kept), for documents in its language.
    words: tuple[str, ...] = ()

    @property
    def translated(self) -> bool:
        return self.language != "en"


#: Function words the stock lists lack (accents folded).
_EXTRA_STOPWORDS = {
    "fr": frozenset(
        "comme ainsi alors donc tres aussi tout tous toute toutes cela ca chez vers selon lors afin "
        "quelque quelques chaque autre autres vue vu".split()
    ),
    "es": frozenset(
        "tambien muy asi entonces todo todos toda todas hacia segun cada otro otra otros otras visto vista".split()
    ),
}


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH, STOPWORDS_SPANISH

    return {
        "en": frozenset(STOPWORDS_EN) | {"how", "what", "which", "why", "when", "who", "where", "do", "does", "did"},
        "fr": frozenset(fold(w) for w in STOPWORDS_FRENCH) | _EXTRA_STOPWORDS["fr"],
        "es": frozenset(fold(w) for w in STOPWORDS_SPANISH) | _EXTRA_STOPWORDS["es"],
    }


@lru_cache(maxsize=1)
def _glossary() -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Per language: folded phrase → English (multi-word entries), folded word → English, stem → English."""
    raw = json.loads(resources.files("labstories.rag").joinpath("data/translations.json").read_text("utf-8"))
    tables = {}
    for language in LANGUAGES:
        phrases, words, stems = {}, {}, {}
        for source, english in raw[language].items():
            if " " in source or "'" in source:
                phrases[fold(source.lower())] = english
            else:
                words[fold(source.lower())] = english
                stems.setdefault(_stem(language, source), english)
        tables[language] = (phrases, words, stems)
    return tables


def _stem(language: str, word: str) -> str:
    return fold(stemmer(LANGUAGES[language]).stemWord(word.lower()))  # this thread's stemmer


def detect_language(text: str) -> str:
    """ "fr", "es" or "en", by which language's function words the text uses most."""
    words = [fold(w.lower()) for w in _WORD.findall(text)]
    if not words:
        return "en"
    votes = {lang: sum(w in stop for w in words) for lang, stop in _stopwords().items()}
    if "¿" in text or "ñ" in text.lower():
        votes["es"] += 2
    language = max(votes, key=lambda lang: (votes[lang], lang == "en"))
    return language if votes[language] > votes["en"] else "en"


@lru_cache(maxsize=1024)
def to_english(text: str, language: str | None = None) -> Translation:
    """``language`` ("fr"/"es") skips detection, for words too few to detect (chat follow-ups).
    Cached: one question is translated for its search, its strength and its page."""
    language = language or detect_language(text)
    if language == "en":
        return Translation("en", text)
    phrases, words, stems = _glossary()[language]
    english: list[str] = []
    rest = text.lower()
    for phrase, meaning in phrases.items():
        pattern = re.compile(rf"\b{re.escape(phrase)}\b")
        if pattern.search(fold(rest)):
            english.append(meaning)
            rest = pattern.sub(" ", fold(rest))
    unknown = []
    own = [w.strip("'’-") for w in _WORD.findall(text.lower())]
    own = [w for w in own if len(w) >= 2 and fold(w) not in _stopwords()[language]]
    hollow: set[str] = set()
    for word in _WORD.findall(rest):
        word = word.strip("'’-")
        folded = fold(word)
        if len(word) < 2 or folded in _stopwords()[language]:
            continue
        # The exact word first (stems of different words can collide), then its stem.
        meaning = words.get(folded) or stems.get(_stem(language, word))
        if meaning and set(meaning.split()) <= _stopwords()["en"]:
            hollow.add(folded)  # "comment" → "how": no topic, and an English word of its own
        if meaning:
            english.append(meaning)
        else:
            english.append(folded)
            unknown.append(folded)
    return Translation(
        language,
        " ".join(dict.fromkeys(english)),
        tuple(unknown),
        tuple(dict.fromkeys(w for w in own if fold(w) not in hollow)),
    )
