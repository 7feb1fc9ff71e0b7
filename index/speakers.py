"""Who speaks in an interview: the name the interviewee gives when they introduce themselves.

Stories carry no name field. Nearly every interview opens with the interviewee
saying who they are ("My name is Ali Muntasir and I'm Head of experimentation…",
"I'm Lorena Moskovich."), a little later when the talk starts with greetings;
the archive's one-paragraph summary usually opens with the same name ("Irfan
Anzu, head of exploration at…"). :func:`interviewee` reads the first answers,
never the interviewer's questions (the headings: "My name is Hazel and I'm
going to ask you…"), then the summary. What it returns is a transcript's
spelling of a name (it may be misheard) or ``""``: citations say so by naming
the lab instead.
"""

from __future__ import annotations

import re

from .records import Story

#: Answers read for an introduction (some interviews open with a few greetings), and of each the first characters.
SECTIONS_READ = 6
CHARS_READ = 400
#: A name: up to four capitalised words (letters, hyphens; "Al-Rubaiey", "Namadingo-Shaba").
_WORD = r"[^\W\d_][^\W\d_'’-]*(?:-[^\W\d_]+)*"
_NAME = rf"({_WORD}(?:\s+{_WORD}){{0,3}})"
_INTRODUCTION = re.compile(rf"\b(?:[Mm]y name is|I'm|I am|I’m)\s+{_NAME}")
_SUMMARY_OPENING = re.compile(rf"^{_NAME}(?:,|\s+is\b|\s+from\b)")
#: Capitalised words that follow "I'm" / "I am" but are no name, and words a name stops before.
NOT_NAMES = frozenset(
    """ok okay yes yeah so well hi hello good fine great glad happy sorry thank thanks here very not also
    currently working really just the a an from head part one of in at with for and on this that
    solution solutions mapper mappers explorer explorers experimenter experimenters exploration experimentation
    accelerator lab labs undp acclab team country office government senior junior deputy acting
    recording interview consent""".split()
)


def interviewee(story: Story) -> str:
    """The interviewee's name as the transcript gives it (``"Ali Muntasir"``), or ``""``."""
    for section in story.sections[:SECTIONS_READ]:
        for match in _INTRODUCTION.finditer(section.text[:CHARS_READ]):
            name = _name(match.group(1))
            if name:
                return name
    match = _SUMMARY_OPENING.match(story.summary or "")
    return _name(match.group(1)) if match else ""


def _name(words: str) -> str:
    """The capitalised words before the first one that is not a name (lowercase or a known word)."""
    kept = []
    for word in words.split():
        if not word[0].isupper() or word.lower() in NOT_NAMES or len(word) < 2:
            break
        kept.append(word)
    return " ".join(kept)


__all__ = ["interviewee"]
