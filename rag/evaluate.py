"""Scores ranked hits against graded judgments, as ../shared/eval/README.md defines.

A question judged per section (keys ``<story>@<seconds>``) is asked of the
stories (the index may hold the whole archive: other pages have no sections in
that file's judgments), and maps each hit to the section that contains its start time, and repeated sections keep their places
(three hits from one section occupy three of the ten). A question judged per
document (keys are page file stems) keeps each document's first hit only and
takes the first ten documents. nDCG@10 uses gain 2^grade − 1 and a log2
discount, Recall@10 the share of relevant keys found, MRR@10 the reciprocal
rank of the first relevant one. Where the file says which documents were read
(``judged``), the share of the top ten nobody read is reported beside them.
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
    #: Every key that was read and graded, 0 included (empty: not recorded).
    judged: dict[str, int] = field(default_factory=dict)

    @property
    def per_document(self) -> bool:
        """Judged per document (keys are page ids), not per section (``story@seconds``)."""
        return bool(self.relevant or self.judged) and not any("@" in key for key in (*self.relevant, *self.judged))


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
        judged={k: int(v) for k, v in (raw.get("judged") or {}).items()},
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


def unjudged(ranked: list[str], judged: dict[str, int], depth: int = 10) -> float:
    """Share of the first ``depth`` keys that nobody read (an unread document counts as not relevant)."""
    top = ranked[:depth]
    return sum(key not in judged for key in top) / len(top) if top else 0.0


def score(questions: list[Question], ranked_sections: dict[str, list[str]], depth: int = 10) -> Scores:
    per_question = {}
    for q in questions:
        ranked = ranked_sections.get(q.id, [])
        per_question[q.id] = {
            "ndcg": ndcg(ranked, q.relevant, depth),
            "recall": recall(ranked, q.relevant, depth),
            "mrr": mrr(ranked, q.relevant, depth),
        }
        if q.judged:
            per_question[q.id]["unjudged"] = unjudged(ranked, q.judged, depth)
    groups: dict[str, list[str]] = {"all": [q.id for q in questions]}
    for q in questions:
        groups.setdefault(q.kind or "unlabelled", []).append(q.id)
    rows = {}
    for kind, ids in groups.items():
        rows[kind] = {metric: mean(per_question[i][metric] for i in ids) for metric in ("ndcg", "recall", "mrr")}
        judged = [per_question[i]["unjudged"] for i in ids if "unjudged" in per_question[i]]
        if judged:
            rows[kind]["unjudged"] = mean(judged)
    return Scores(rows=rows, counts={kind: len(ids) for kind, ids in groups.items()}, per_question=per_question)


def format_table(scores: Scores, depth: int = 10) -> str:
    extra = any("unjudged" in row for row in scores.rows.values())
    header = f"| kind | n | nDCG@{depth} | Recall@{depth} | MRR@{depth} |" + (f" unjudged@{depth} |" if extra else "")
    header += "\n|---|---|---|---|---|" + ("---|" if extra else "")
    order = ["all"] + sorted(kind for kind in scores.rows if kind != "all")
    lines = []
    for kind in order:
        row = scores.rows[kind]
        line = f"| {kind} | {scores.counts[kind]} | {row['ndcg']:.3f} | {row['recall']:.3f} | {row['mrr']:.3f} |"
        lines.append(line + (f" {row.get('unjudged', 0.0):.0%} |" if extra else ""))
    return "\n".join([header, *lines])


def section_starts(index) -> dict[str, list[int]]:
    """Story id → its section starts, for mapping hits to sections."""
    return {s.id: [x.start for x in s.sections] for s in index.state.stories.values()}


#: How many passages a document-judged question reads to find its first ten documents.
DOCUMENT_POOL = 100


def ranked_sections(index, questions: list[Question], depth: int = 10) -> dict[str, list[str]]:
    """Run every question through ``index.search`` and map hits to what it is judged by: section keys,
    or (for a document-judged question) each document once, at its best hit."""
    starts = section_starts(index)
    ranked = {}
    for q in questions:
        filters = Filters.from_dict(q.filters)
        try:
            filters = index.resolve(filters)
        except FilterError:  # a value this index has no document for: nothing can be found
            ranked[q.id] = []
            continue
        if q.per_document:
            hits = index.search(q.question, filters, max(depth, DOCUMENT_POOL))
            ranked[q.id] = list(dict.fromkeys(h.doc for h in hits))[:depth]
        else:
            # Judged by interview sections: the stories' own ranking, whatever else the index holds.
            stories = filters if filters.get("type") or not _mixed(index) else filters.replace("type", ["story"])
            hits = index.search(q.question, stories, depth)
            ranked[q.id] = [section_of(h.story, h.start, starts) for h in hits]
    return ranked


def _mixed(index) -> bool:
    """The index holds other documents than stories."""
    return set(index.facets.get("type", {})) - {"story"} != set()


def evaluate(index, questions: list[Question], depth: int = 10) -> Scores:
    return score(questions, ranked_sections(index, questions, depth), depth)
