"""The shared text helpers (index/text.py): URLs, folding, sentences, stems, and the per-thread
stemmer the app's concurrent handlers rely on."""

from __future__ import annotations

import json
import sys
import threading
from importlib import resources

from conftest import ROOT

from labstories.index.text import (
    SPOKEN_WORD,
    WORD,
    first_stems,
    fold,
    is_web_url,
    split_sentences,
    stemmer,
    stems_of,
    tokenize,
    without_surrogates,
)
from labstories.rag import translate

#: The shared archive if it is beside the checkout, else the snapshot that ships in the package.
STORY_FOLDERS = (ROOT.parent / "shared" / "corpus" / "stories", ROOT / "index" / "data" / "archive" / "stories")
THREADS = 8
ROUNDS = 12


def test_web_urls_are_http_or_https_only():
    assert is_web_url("https://example.org/a.mp3") and is_web_url("HTTP://example.org/")
    for url in (
        None,
        "",
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "https://a b",
        'https://x/"onmouseover=1',
    ):
        assert not is_web_url(url), url


def test_fold_and_surrogates():
    assert fold("numérisation, año, Ça") == "numerisation, ano, Ca"
    assert without_surrogates("a\ud800b") == "a\ufffdb"


def test_split_sentences():
    assert split_sentences('We met. Then (after a week) we went! Did it work? 3 of 5 did… "Yes."') == [
        "We met.",
        "Then (after a week) we went!",
        "Did it work?",
        "3 of 5 did…",
        '"Yes."',
    ]
    assert split_sentences("Dr. smith met e.g. someone.") == ["Dr. smith met e.g. someone."]


def test_tokenize_stems_of_and_first_stems_agree():
    words = ["Migrants", "building", "the", "Trust", "x", "co-design", "Ça"]
    assert first_stems(words) == [(tokenize(word) or [None])[0] for word in words]
    lowered = {w.lower() for w in words if WORD.fullmatch(w.lower())}
    assert stems_of(lowered) == {w: tokenize(w)[0] for w in lowered if tokenize(w)}


def test_each_thread_has_its_own_stemmer_and_keeps_it():
    seen: dict[str, tuple[object, object]] = {}
    barrier = threading.Barrier(2)

    def grab(name: str) -> None:
        barrier.wait()  # both alive at once, so a reused thread identity cannot hide sharing
        seen[name] = (stemmer(), stemmer())

    threads = [threading.Thread(target=grab, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (a1, a2), (b1, b2) = seen["a"], seen["b"]
    assert a1 is a2 and b1 is b2  # one object per thread, made once
    assert a1 is not b1 and a1 is not stemmer()  # never shared between threads
    assert stemmer("french") is not stemmer("english") and stemmer("french") is stemmer("french")


def _english_words() -> list[str]:
    """Every word, in order and with its repeats, of a dozen real transcripts (~100k words)."""
    folder = next((f for f in STORY_FOLDERS if f.is_dir()), None)
    if folder is None:  # neither corpus: a generated vocabulary of made-up inflections
        stems = ["migrat", "trust", "build", "commun", "digit", "farm", "water", "sav", "pilot", "map"]
        return [s + e for _ in range(200) for s in stems for e in ("", "s", "ing", "ed", "ation", "ers", "ly")]
    words: list[str] = []
    for path in sorted(folder.glob("*.md"))[:12]:
        words += WORD.findall(path.read_text("utf-8").lower())
    return words


def _glossary_words(language: str) -> list[str]:
    """The glossary's French or Spanish words and inflections of them, many the stemmer has not seen."""
    raw = json.loads(resources.files("labstories.rag").joinpath("data/translations.json").read_text("utf-8"))
    base = [w for source in raw[language] for w in SPOKEN_WORD.findall(source.lower())]
    endings = ("", "s", "es", "ment", "ions", "ación", "aciones", "é", "ées", "ando", "ait")
    return [word + ending for word in base for ending in endings]


def _run_together(work, rounds: int = ROUNDS) -> list[list]:
    """``work(thread, round)`` on THREADS threads started together by a barrier, every round."""
    barrier = threading.Barrier(THREADS)
    results: list[list] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def run(thread: int) -> None:
        try:
            for round_ in range(rounds):
                barrier.wait(timeout=60)
                results[thread].append(work(thread, round_))
        except BaseException as error:  # noqa: BLE001 — reported by the main thread
            errors.append(error)
            barrier.abort()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can: the most interleaving
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:3]
    return results


def test_stemming_from_eight_threads_at_once_equals_one_thread():
    english = _english_words()
    french, spanish = _glossary_words("fr"), _glossary_words("es")
    assert len(english) > 1000 and len(french) > 1000 and len(spanish) > 1000
    chunk = 4000  # each round a different slice, so every round stems words no thread has cached yet
    slices = [english[i : i + chunk] for i in range(0, len(english), chunk)]
    # the single-threaded truth, from fresh objects that no other thread touches
    import Stemmer

    reference_en = [Stemmer.Stemmer("english").stemWords(s) for s in slices]
    reference_fr = [fold(Stemmer.Stemmer("french").stemWord(w)) for w in french]
    reference_es = [fold(Stemmer.Stemmer("spanish").stemWord(w)) for w in spanish]
    sentence = " ".join(english[:2000])
    reference_tokens = tokenize(sentence)

    def work(thread: int, round_: int):
        # threads walk the slices in different orders: they stem different words at the same moment
        index = (round_ + thread) % len(slices)
        words = slices[index]
        stems = (
            # one word per call, from Python: the most chances for another thread to cut in
            [stemmer().stemWord(w) for w in words] if thread % 2 else stemmer().stemWords(words)
        )
        language, words, reference = ("fr", french, reference_fr) if thread % 2 else ("es", spanish, reference_es)
        glossary = [translate._stem(language, w) for w in words]
        return (index, stems, glossary == reference, tokenize(sentence) == reference_tokens)

    for thread, rounds in enumerate(_run_together(work)):
        for index, stems, glossary_ok, tokens_ok in rounds:
            mismatched = [
                (w, got, want) for w, got, want in zip(slices[index], stems, reference_en[index]) if got != want
            ]
            assert not mismatched and len(stems) == len(reference_en[index]), (thread, mismatched[:5])
            assert glossary_ok and tokens_ok, thread


def test_the_query_side_needs_neither_the_parser_nor_the_chunker():
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "rag").glob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "labstories.index.parse" in line or "labstories.index.passages" in line
    ]
    assert offenders == []
