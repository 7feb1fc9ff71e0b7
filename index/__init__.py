"""Files → stored index: scan and parse archive pages, chunk, embed, store."""

from .elements import parse_element
from .embed import Embedder
from .errors import CorpusError, DamagedIndexError, LabstoriesError, NoIndexError, SettingsError, StoreError
from .parse import ParseError, parse_story
from .passages import Chunking, document_passages
from .records import TAG_KINDS, Element, Paragraph, Passage, Section, Story
from .scan import ScanResult, scan
from .settings import SETTINGS, Settings
from .state import IndexState, load_state
from .update import UpdateReport, update
from .vector_cache import VectorCache

__all__ = [
    "TAG_KINDS",
    "SETTINGS",
    "Chunking",
    "CorpusError",
    "DamagedIndexError",
    "Element",
    "Embedder",
    "IndexState",
    "LabstoriesError",
    "NoIndexError",
    "Paragraph",
    "ParseError",
    "Passage",
    "ScanResult",
    "Section",
    "Settings",
    "SettingsError",
    "StoreError",
    "Story",
    "UpdateReport",
    "VectorCache",
    "load_state",
    "parse_element",
    "parse_story",
    "scan",
    "document_passages",
    "update",
]
