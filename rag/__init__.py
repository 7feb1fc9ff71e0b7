"""Query → ranked hits: hybrid filtered search, links, snippets, evaluation."""

from .errors import EvalFileError, FilterError, QueryError
from .evaluate import Question, Scores, evaluate, format_table, read_questions, score
from .links import answer_link, audio_at, filters_from_params, story_link
from .live import LiveIndex
from .records import FILTER_KINDS, Filters, Hit
from .search import RetrievalConfig, StoryIndex

__all__ = [
    "FILTER_KINDS",
    "EvalFileError",
    "FilterError",
    "Filters",
    "Hit",
    "LiveIndex",
    "QueryError",
    "Question",
    "RetrievalConfig",
    "Scores",
    "StoryIndex",
    "answer_link",
    "audio_at",
    "evaluate",
    "filters_from_params",
    "format_table",
    "read_questions",
    "score",
    "story_link",
]
