"""Sections → passages (index/passages.py): windows that fit the model, keep their section's start,
the tags of the paragraphs they cover and the words spoken before them; awkward window sizes (5, 17)
included."""

from __future__ import annotations

import random

import pytest
from conftest import DATA

from labstories.index import Chunking, document_passages, parse_story
from labstories.index.passages import _windows, section_passages
from labstories.index.records import Document, Paragraph, Section, Story
from labstories.index.text import split_sentences

STORIES = DATA / "mini" / "stories"
MODEL_LIMIT = 256  # all-MiniLM-L6-v2 reads 256 word pieces, [CLS] and [SEP] included


def story(name: str):
    path = STORIES / f"{name}.md"
    return parse_story(path.read_text("utf-8"), path)


# -- _windows: pure, hand-computed ---------------------------------------------


@pytest.mark.parametrize(
    "sizes, size, overlap, expected",
    [
        ([], 17, 5, []),
        ([3], 17, 5, [(0, 1)]),
        ([5] * 10, 17, 5, [(0, 3), (2, 5), (4, 7), (6, 9), (8, 10)]),
        ([5] * 10, 17, 0, [(0, 3), (3, 6), (6, 9), (9, 10)]),
        # a sentence longer than the window is a window of its own, and windows still advance
        ([20, 3, 3], 5, 5, [(0, 1), (1, 2), (2, 3)]),
        ([17, 17, 1], 17, 40, [(0, 1), (1, 2), (2, 3)]),
        ([2, 2, 30, 2, 2], 5, 0, [(0, 2), (2, 3), (3, 5)]),
        # overlap larger than the window: back off to one past the window's first sentence
        ([1, 1, 1, 1, 1, 1], 5, 17, [(0, 5), (1, 6)]),
    ],
)
def test_windows_hand_computed(sizes, size, overlap, expected):
    assert _windows(sizes, size, overlap) == expected


@pytest.mark.parametrize("size", [5, 17])
@pytest.mark.parametrize("overlap", [0, 3, 17])
def test_windows_cover_everything_advance_and_fit(size, overlap):
    rng = random.Random(size * 100 + overlap)
    for _ in range(200):
        sizes = [rng.randint(1, 25) for _ in range(rng.randint(1, 30))]
        windows = _windows(sizes, size, overlap)
        assert windows[0][0] == 0 and windows[-1][1] == len(sizes)
        covered = set()
        for first, last in windows:
            assert first < last
            assert last - first == 1 or sum(sizes[first:last]) <= size
            covered.update(range(first, last))
        assert covered == set(range(len(sizes)))
        firsts = [w[0] for w in windows]
        assert firsts == sorted(set(firsts))  # strictly advancing: no endless loop
        for (_, previous_last), (first, _) in zip(windows, windows[1:]):
            assert first <= previous_last  # no gaps


def test_every_window_adds_a_new_sentence():
    windows = _windows([2, 2, 30, 2, 2], 5, 2)
    for (_, previous_last), (_, last) in zip(windows, windows[1:]):
        assert last > previous_last, windows


# -- document_passages --------------------------------------------------------------


def test_empty_sections_give_no_passages(embedder):
    pre = story("Experimenters_PRE")
    passages = document_passages(pre, embedder.count_tokens)
    assert [p.id for p in passages] == ["Experimenters_PRE@0#0", "Experimenters_PRE@11#0", "Experimenters_PRE@95#0"]


def test_passage_fields_context_and_tags(embedder):
    ssd = story("Experimenters_SSD")
    passages = document_passages(ssd, embedder.count_tokens)
    second = passages[1]
    assert (second.id, second.doc, second.section_start, second.start, second.window) == (
        "Experimenters_SSD@33#0",
        "Experimenters_SSD",
        33,
        33,
        0,
    )
    assert second.embed_text == (
        "Digitising the Sanduk Savings Box in South Sudan (South Sudan, Africa). "
        "Q: Could you tell me about an R&D activity you'd like to share?\n" + second.text
    )
    assert second.keyword_text == "Could you tell me about an R&D activity you'd like to share?\n" + second.text
    assert second.text.startswith("We digitised the Sanduk.") and second.text.endswith("Nobody can open it alone.")
    assert second.tags["principles"] == ["Trust", "Recognize local expertise"]


def test_context_prefix_without_continent_or_heading(embedder):
    [noa] = document_passages(story("Experimenter_NOA"), embedder.count_tokens)
    assert noa.embed_text.startswith("Reducing Plastic Bags in Eswatini (Eswatini). Q: What was your experiment?\n")
    [opening, _] = document_passages(story("SolutionMappers_TGO"), embedder.count_tokens)
    assert opening.embed_text.startswith("Digitalising Birth Registry in Togo (Togo, Africa).\nOK, So my name is Yem")


def test_inline_time_gives_the_passage_its_finer_start(embedder):
    first, second = document_passages(story("SolutionMappers_STR"), embedder.count_tokens)
    assert (first.section_start, first.start) == (430, 447)
    assert (second.section_start, second.start) == (478, 478)


def test_long_section_is_split_into_windows_that_keep_the_section_start(embedder):
    lng = story("Experimenters_LNG")
    long_section = lng.sections[1]
    assert embedder.count_tokens([long_section.text])[0] > 2 * MODEL_LIMIT
    passages = [p for p in document_passages(lng, embedder.count_tokens) if p.section_start == 60]
    assert len(passages) >= 4
    assert [p.window for p in passages] == list(range(len(passages)))
    assert [p.id for p in passages] == [f"Experimenters_LNG@60#{i}" for i in range(len(passages))]
    assert {p.start for p in passages} == {60}
    # consecutive windows overlap (share a sentence) and together cover the whole section
    for a, b in zip(passages, passages[1:]):
        assert split_sentences(a.text)[-1] in split_sentences(b.text)
    assert " ".join(split_sentences(passages[0].text)[:3]) in long_section.text
    assert long_section.text.endswith(split_sentences(passages[-1].text)[-1])
    # tags follow the paragraphs a window covers: first windows only paragraph 1, last only paragraph 2
    assert passages[0].tags["principles"] == ["Recognize local expertise"] and passages[0].tags["tools"] == []
    assert passages[-1].tags["tools"] == ["GIS systems"] and passages[-1].tags["principles"] == []


@pytest.mark.parametrize("window, overlap", [(5, 0), (17, 5), (160, 40)])
def test_every_passage_fits_the_model(embedder, window, overlap):
    chunking = Chunking(window_tokens=window, overlap_tokens=overlap)
    for path in sorted(STORIES.glob("*.md")):
        passages = document_passages(parse_story(path.read_text("utf-8"), path), embedder.count_tokens, chunking)
        counts = embedder.count_tokens([p.embed_text for p in passages])
        assert all(n + 2 <= MODEL_LIMIT for n in counts), (path.name, max(counts))
        assert len({p.id for p in passages}) == len(passages)


def test_run_on_sentence_longer_than_a_window_is_cut(embedder):
    words = " ".join(f"word{i}" for i in range(400))
    page = f"[[type:story]]\n\n# T\n\n### [[0:10]] Q?\n\n{words}\n"
    parsed = parse_story(page, "Experimenters_RUN.md")
    passages = document_passages(parsed, embedder.count_tokens)
    assert len(passages) > 1
    assert all(n + 2 <= MODEL_LIMIT for n in embedder.count_tokens([p.embed_text for p in passages]))
    assert " ".join(p.text for p in passages).split()[:3] == ["word0", "word1", "word2"]
    assert {w for p in passages for w in p.text.split()} == set(words.split())


# -- words before a passage, for its moment --------------------------------------------


def _words(first: str, n: int = 20) -> str:
    """A sentence of exactly ``n`` words."""
    return " ".join([first] + ["x"] * (n - 2) + ["end."])


def _count(texts: list[str]) -> list[int]:
    return [len(text.split()) for text in texts]


def test_passages_record_their_words_from_the_last_known_time():
    section = Section(
        60,
        160,
        "What happened?",
        [
            Paragraph(_words("Alpha") + " " + _words("Bravo")),
            Paragraph(_words("Charlie")),
            Paragraph(_words("Delta"), start=120),
        ],
    )
    story = Story(
        id="S",
        title="Title",
        countries=["Peru"],
        continents=["South America"],
        role="Explorer",
        iso3="PER",
        sections=[section],
    )
    passages = section_passages(story, section, _count, Chunking(window_tokens=32, overlap_tokens=0))
    got = [(p.text.split()[0], p.start, p.words_before, p.span_words, p.span_end) for p in passages]
    assert got == [
        ("Alpha", 60, 0, 60, 120),
        ("Bravo", 60, 20, 60, 120),
        ("Charlie", 60, 40, 60, 120),
        ("Delta", 120, 0, 20, 160),
    ]


# -- page_passages: the other page types ------------------------------------------------------
def _learning_plan() -> Document:
    answers = [f"Answer {n} names partner number {n} and what the lab did with them." for n in range(30)]
    sections = [
        Section(n, None, f"Prompt {n}: who did you work with?", [Paragraph(text)]) for n, text in enumerate(answers)
    ]
    sections.insert(3, Section(99, None, "An unanswered prompt", []))
    return Document(
        id="plan",
        type="learningplan",
        title="A plan",
        countries=["Peru"],
        continents=["South America"],
        sections=sections,
    )


def test_page_windows_run_across_answers_and_read_each_after_its_prompt(embedder):
    plan = _learning_plan()
    passages = document_passages(plan, embedder.count_tokens)
    assert 1 < len(passages) < len(plan.sections) / 2  # short answers share windows
    assert all(p.embed_text.startswith("A plan (Peru, South America).\n") for p in passages)
    assert "Q: Prompt 0: who did you work with? Answer 0" in passages[0].embed_text
    assert all("Prompt" not in p.text and "Prompt" not in p.keyword_text for p in passages)  # context, not content
    assert all("unanswered" not in p.embed_text for p in passages)
    covered = " ".join(p.text for p in passages)
    assert all(f"Answer {n} names" in covered for n in range(30))  # nothing lost
    assert all(max(embedder.count_tokens([p.embed_text])) <= 256 for p in passages)
    assert len({p.id for p in passages}) == len(passages)
    assert {p.section_start for p in passages} <= {s.start for s in plan.sections}
