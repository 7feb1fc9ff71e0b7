"""The model is part of the index's identity: the manifest names the model actually used."""

from __future__ import annotations

import pytest

from labstories.index import Embedder, NoIndexError, Settings
from labstories.index.embed import bundled_model_path, model_identity
from labstories.index.state import read_manifest
from labstories.rag import StoryIndex
from labstories.ui.messages import for_cli


def _other_model(tmp_path):
    """The bundled model under another folder name: same weights, another identity."""
    other = tmp_path / "other-minilm"
    other.mkdir()
    for item in bundled_model_path().iterdir():
        (other / item.name).symlink_to(item)
    return other


def test_manifest_records_the_model_used(mini_settings, embedder):
    settings, _ = mini_settings
    manifest = read_manifest(settings.data_dir)
    assert manifest.model == embedder.identity and manifest.dimension == 384


def test_opening_with_another_model_names_both(mini_settings, tmp_path):
    settings, _ = mini_settings
    other = Embedder(_other_model(tmp_path))
    with pytest.raises(NoIndexError) as raised:
        StoryIndex.open(Settings(data_dir=settings.data_dir), embedder=other)
    error = raised.value
    assert error.problem == "model"
    assert error.found == model_identity(bundled_model_path()) and error.expected == other.identity
    message = for_cli(error)
    assert error.found in message and "other-minilm:" in message and "labstories index" in message
