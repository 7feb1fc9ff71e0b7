"""The model's identity (index/embed.py): its name and weights, recorded in the manifest of the index
it built, and checked when the index is opened."""

from __future__ import annotations

import pytest

from labstories.index import Embedder, NoIndexError, Settings
from labstories.index.embed import bundled_model_path, model_identity
from labstories.index.state import read_manifest
from labstories.rag import StoryIndex
from labstories.ui.messages import for_cli


def test_model_identity_is_name_and_weights(tmp_path, embedder):
    assert embedder.identity.startswith("all-MiniLM-L6-v2:") and len(embedder.identity.split(":")[1]) == 12
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights v1")
    first = model_identity(folder)
    assert first.startswith("my-model:") and model_identity(folder) == first
    (folder / "model.safetensors").write_bytes(b"weights v2")
    assert model_identity(folder) != first


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
