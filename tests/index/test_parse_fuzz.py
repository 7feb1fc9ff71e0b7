"""The story parser (index/parse.py) under random damage to real stories: it never raises anything but
ParseError, drops no word of the body text, and lets no marker into passage text.

Mutations are the defects seen in the wild and a few worse ones: deleted or
doubled brackets, duplicated tag lines, truncation, NUL bytes, Latin-1 bytes
decoded as UTF-8 would (replacement characters), and huge single lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import fuzz_profile  # noqa: F401  (bounded by default; LABSTORIES_LONG_FUZZ=1 for long runs)
import pytest
from conftest import DATA, ROOT
from hypothesis import given
from hypothesis import strategies as st

from labstories.index.parse import ParseError, parse_story
from labstories.index.passages import document_passages

CORPUS = ROOT.parent / "shared" / "corpus" / "stories"
FIXTURES = DATA / "mini" / "stories"
STORIES = sorted(CORPUS.glob("*.md"))[:12] or sorted(FIXTURES.glob("*.md"))
TEXTS = [(p.stem, p.read_text("utf-8")) for p in STORIES]
TAG_KINDS = "principles|tactics|tools|skills"
_META = re.compile(r"\[\[(ai_summary|audio|continent|country|type):")
_TAG_LINE = re.compile(rf"^\s*\[\[({TAG_KINDS}):[^\]]*\]\]\s*$")
_MARKERS = re.compile(r"\[\[|\]\]|###|\[\[\d{1,2}:\d{1,2}")


def _word_count(texts) -> list[int]:
    return [len(t.split()) for t in texts]


# -- mutations ----------------------------------------------------------------------------
def _delete_brackets(text: str, rnd) -> str:
    spots = [m.start() for m in re.finditer(r"\[\[|\]\]", text)]
    for at in sorted(rnd.sample(spots, min(len(spots), rnd.randint(1, 6))), reverse=True):
        text = text[:at] + text[at + 2 :]
    return text


def _duplicate_tags(text: str, rnd) -> str:
    lines = text.splitlines()
    tags = [i for i, line in enumerate(lines) if _TAG_LINE.match(line)]
    for i in sorted(rnd.sample(tags, min(len(tags), 5)), reverse=True):
        lines.insert(i, lines[i])
    return "\n".join(lines)


def _truncate(text: str, rnd) -> str:
    return text[: rnd.randint(0, len(text))]


def _nul_bytes(text: str, rnd) -> str:
    for _ in range(rnd.randint(1, 5)):
        at = rnd.randint(0, len(text))
        text = text[:at] + "\x00" + text[at:]
    return text


def _latin1(text: str, rnd) -> str:
    # Latin-1 bytes read as UTF-8 with errors="replace" (what a tolerant reader would produce)
    at = rnd.randint(0, len(text))
    return text[:at] + b"caf\xe9 \xe0 la cr\xe8me".decode("utf-8", "replace") + text[at:]


def _huge_line(text: str, rnd) -> str:
    at = rnd.randint(0, len(text))
    return text[:at] + " ".join(["lorem"] * 20000) + text[at:]


def _join_lines(text: str, rnd) -> str:
    lines = text.splitlines()
    if len(lines) < 3:
        return text
    i = rnd.randint(0, len(lines) - 2)
    return "\n".join(lines[:i] + [lines[i] + " " + lines[i + 1]] + lines[i + 2 :])


MUTATIONS = [_delete_brackets, _duplicate_tags, _truncate, _nul_bytes, _latin1, _huge_line, _join_lines]


# -- the oracle: words of the body text, by a rule independent of the parser ----------------
def body_words(text: str) -> set[str]:
    """Words outside page metadata and tag lines. A metadata value ends at its ``]]`` or,
    when that was lost before the next marker or heading line, at the end of its line."""
    text = text.replace("\\[", "[").replace("\\]", "]")
    kept = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if _TAG_LINE.match(line):
            continue
        meta = _META.search(line)
        while meta:
            close = line.find("]]", meta.end())
            if close < 0:  # multi-line value: up to the "]]" in a following line, before the next marker
                j = i
                while j < len(lines) and "]]" not in lines[j] and not lines[j].lstrip().startswith(("[[", "#", "**[")):
                    j += 1
                if j < len(lines) and "]]" in lines[j]:
                    line, i = line[: meta.start()] + " " + lines[j][lines[j].index("]]") + 2 :], j + 1
                else:
                    line = line[: meta.start()]
            else:
                line = line[: meta.start()] + " " + line[close + 2 :]
            meta = _META.search(line)
        kept.append(line)
    return {w for w in re.findall(r"[^\W\d_]{2,}", " ".join(kept))}


def output_words(story) -> set[str]:
    parts = [story.title] + [s.heading for s in story.sections] + [p.text for s in story.sections for p in s.paragraphs]
    return set(re.findall(r"[^\W\d_]{2,}", " ".join(parts)))


@pytest.mark.skipif(not TEXTS, reason="no stories to mutate")
@given(st.sampled_from(TEXTS), st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3), st.randoms())
def test_damaged_stories_parse_without_losing_words_or_leaking_markers(story, mutations, rnd):
    stem, text = story
    for mutate in mutations:
        text = mutate(text, rnd)
    try:
        parsed = parse_story(text, Path(stem + ".md"))
    except ParseError:  # typed, reported by scan with the file's name; only for a page with no story in it
        untitled = re.sub(r"^[ \t]*# .*$", "", text, count=1, flags=re.M)
        assert not re.search(r"^\s*\[\[type:\s*story\s*\]\]", text, re.M) or not body_words(untitled) - {
            "type",
            "story",
        }, "a page typed story with text was refused"
        return
    missing = body_words(text) - output_words(parsed) - {"type", "story"}
    assert not missing, sorted(missing)[:20]
    for passage in document_passages(parsed, _word_count):
        assert not _MARKERS.search(passage.text), passage.text[:200]
