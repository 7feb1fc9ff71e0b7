"""Scores ranked hits against graded judgments, as ../shared/eval/README.md defines.

Each hit is mapped to the section that contains its start time; nDCG@10 uses
gain 2^grade − 1 and a log2 discount, Recall@10 the share of relevant sections
found, MRR@10 the reciprocal rank of the first relevant one. Repeated sections
keep their places (three hits from one section occupy three of the ten).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

from labstories.index.vocabulary import section_key

from .errors import EvalFileError, FilterError
from .records import Filters


@dataclass
class Question:
    id: str
    question: str
    kind: str = ""
    filters: dict = field(default_factory=dict)
    relevant: dict[str, int] = field(default_factory=dict)


def read_questions(path: Path | str) -> list[Question]:
    """JSON lines ``{"id", "question", "filters"?, "kind"?, "relevant"?}``; any bad line is an error,
    since scores over part of a judged set would mislead."""
    questions = []
    for number, question, problem in question_lines(path):
        if problem:
            raise EvalFileError(Path(path), problem, number)
        questions.append(question)
    return questions


def question_lines(path: Path | str):
    """(line number, Question or None, problem or None) per non-blank line, so a batch can
    report a bad line and carry on with the rest."""
    path = Path(path)
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFileError(path, str(error)) from None
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                yield number, _question(json.loads(line), number), None
            except json.JSONDecodeError as error:
                yield number, None, f"not valid JSON ({error.msg} at column {error.colno})"
            except KeyError as error:
                yield number, None, f"missing field {error}"
            except (FilterError, ValueError, TypeError, AttributeError) as error:
                yield number, None, str(error)


def _question(raw: dict, number: int) -> Question:
    Filters.from_dict(raw.get("filters"))
    return Question(
        id=str(raw.get("id", number)),
        question=str(raw["question"]),
        kind=str(raw.get("kind", "")),
        filters=raw.get("filters") or {},
        relevant={k: int(v) for k, v in (raw.get("relevant") or {}).items()},
    )


def section_of(story: str, start: int, section_starts: dict[str, list[int]]) -> str:
    """The key of the section of ``story`` that contains second ``start``."""
    best = None
    for begin in section_starts.get(story, []):
        if begin <= start:
            best = begin
    return section_key(story, best if best is not None else start)


def ndcg(ranked: list[str], relevant: dict[str, int], depth: int = 10) -> float:
    """A repeated section keeps its places but earns its gain once, so nDCG stays ≤ 1."""
    seen: set[str] = set()
    gains = []
    for key in ranked[:depth]:
        gains.append(0 if key in seen else 2 ** relevant.get(key, 0) - 1)
        seen.add(key)
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in relevant.values()), reverse=True)[:depth]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], relevant: dict[str, int], depth: int = 10) -> float:
    wanted = {key for key, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:depth])) / len(wanted) if wanted else 0.0


def mrr(ranked: list[str], relevant: dict[str, int], depth: int = 10) -> float:
    for rank, key in enumerate(ranked[:depth], start=1):
        if relevant.get(key, 0) > 0:
            return 1.0 / rank
    return 0.0


@dataclass
class Scores:
    rows: dict[str, dict[str, float]]  # kind (and "all") → metric → mean
    counts: dict[str, int]
    per_question: dict[str, dict[str, float]]


def score(questions: list[Question], ranked_sections: dict[str, list[str]], depth: int = 10) -> Scores:
    per_question = {}
    for q in questions:
        ranked = ranked_sections.get(q.id, [])
        per_question[q.id] = {
            "ndcg": ndcg(ranked, q.relevant, depth),
            "recall": recall(ranked, q.relevant, depth),
            "mrr": mrr(ranked, q.relevant, depth),
        }
    groups: dict[str, list[str]] = {"all": [q.id for q in questions]}
    for q in questions:
        groups.setdefault(q.kind or "unlabelled", []).append(q.id)
    rows = {
        kind: {metric: mean(per_question[i][metric] for i in ids) for metric in ("ndcg", "recall", "mrr")}
        for kind, ids in groups.items()
        if ids
    }
    return Scores(rows=rows, counts={kind: len(ids) for kind, ids in groups.items()}, per_question=per_question)


def format_table(scores: Scores, depth: int = 10) -> str:
    header = f"| kind | n | nDCG@{depth} | Recall@{depth} | MRR@{depth} |\n|---|---|---|---|---|"
    order = ["all"] + sorted(kind for kind in scores.rows if kind != "all")
    lines = [
        f"| {kind} | {scores.counts[kind]} | {row['ndcg']:.3f} | {row['recall']:.3f} | {row['mrr']:.3f} |"
        for kind in order
        for row in [scores.rows[kind]]
    ]
    return "\n".join([header, *lines])


def section_starts(index) -> dict[str, list[int]]:
    """Story id → its section starts, for mapping hits to sections."""
    return {s.id: [x.start for x in s.sections] for s in index.state.stories.values()}


def ranked_sections(index, questions: list[Question], depth: int = 10) -> dict[str, list[str]]:
    """Run every question through ``index.search`` and map hits to section keys."""
    starts = section_starts(index)
    ranked = {}
    for q in questions:
        hits = index.search(q.question, Filters.from_dict(q.filters), depth)
        ranked[q.id] = [section_of(h.story, h.start, starts) for h in hits]
    return ranked


def evaluate(index, questions: list[Question], depth: int = 10) -> Scores:
    return score(questions, ranked_sections(index, questions, depth), depth)
