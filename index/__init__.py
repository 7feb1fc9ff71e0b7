"""Files → stored index: scan and parse archive pages, chunk, embed, store."""

from .embed import Embedder
from .parse import ParseError, parse_story
from .elements import parse_element
from .passages import Chunking, story_passages
from .records import TAG_KINDS, Element, Paragraph, Passage, Section, Story
from .scan import CorpusError, ScanResult, scan
from .settings import SETTINGS, Settings, SettingsError
from .state import DamagedIndexError, IndexState, NoIndexError, load_state
from .store import StoreError
from .update import UpdateReport, update

__all__ = [
    "TAG_KINDS", "SETTINGS", "Chunking", "CorpusError", "DamagedIndexError", "Element", "Embedder", "IndexState", "NoIndexError",
    "Paragraph", "ParseError", "Passage", "ScanResult", "Section", "Settings", "SettingsError", "StoreError",
    "Story", "UpdateReport", "load_state", "parse_element", "parse_story", "scan", "story_passages", "update",
]
