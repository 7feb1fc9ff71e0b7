"""The ONNX exports (index/onnx_embed.py): fp32 queries give torch's vectors; the int8 indexing backend
gives them within a tolerance, and never mixes with them."""

from __future__ import annotations

import numpy as np
import pytest

from labstories.index import Settings, load_state, update
from labstories.index.embed import Embedder
from labstories.index.onnx_embed import OnnxEmbedder, fp32_model, int8_model

TEXTS = [
    "Trust",
    "How did the lab earn the trust of beekeepers in the valley?",
    "We mapped grassroots solutions with women entrepreneurs, then ran a small pilot with the ministry. " * 3,
    "Nous avons travaillé avec les migrants pour créer un sentiment d'appartenance.",
    "savings groups " * 200,  # past the model's 256 word pieces: truncated, as sentence-transformers does
    "GIS maps of informal settlements and water points",
    "",
]


@pytest.fixture(scope="session")
def onnx_embedder(embedder) -> OnnxEmbedder:
    # batch of 3 over 7 texts: a short last batch, padding inside every batch
    return OnnxEmbedder(batch_size=3, onnx_path=int8_model(embedder))


def test_int8_vectors_agree_with_torch(onnx_embedder, embedder):
    ours, reference = onnx_embedder.encode(TEXTS), embedder.encode(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(ours * reference, axis=1)
    assert cosine.min() > 0.97 and cosine.mean() > 0.985, cosine
    # the ranking a query sees is the torch ranking: nearest text by text, both ways
    assert (np.argsort(-ours @ reference.T, axis=1)[:, 0] == np.arange(len(TEXTS))).all()


def test_batch_company_barely_moves_a_vector(onnx_embedder):
    """Dynamic quantisation scales activations per batch, so neighbours matter — about as much as
    int8 itself (the indexer batches passages of similar length, which keeps it smaller)."""
    one_by_one = np.stack([onnx_embedder.encode([t])[0] for t in TEXTS])
    assert np.sum(onnx_embedder.encode(TEXTS) * one_by_one, axis=1).min() > 0.975  # 0.984 measured


def test_queries_on_the_fp32_export_are_torchs_vectors(embedder):
    onnx_queries = Embedder(query_backend="onnx")
    torch_queries = Embedder(query_backend="torch")
    assert onnx_queries._onnx_queries is not None and torch_queries._onnx_queries is None
    for query in TEXTS:
        ours, reference = onnx_queries.encode_query(query), torch_queries.encode_query(query)
        assert ours.shape == (384,) and float(np.dot(ours, reference)) > 0.99999, query
    assert fp32_model(embedder).exists()  # made once, then shared by every process through the cache


def test_int8_indexing_still_embeds_queries_in_fp32(onnx_embedder, embedder):
    query = "how did labs build belonging with migrants?"
    assert (
        float(np.dot(onnx_embedder.encode_query(query), Embedder(query_backend="torch").encode_query(query))) > 0.99999
    )


def test_an_export_that_disagrees_with_torch_is_not_used(embedder, monkeypatch, capsys, caplog, tmp_path):
    from labstories.index import onnx_embed
    from labstories.ui.cli import _show_library_warnings

    _show_library_warnings()  # what `labstories` does first, so the library's warnings reach the terminal

    monkeypatch.setenv("LABSTORIES_CACHE", str(tmp_path))
    monkeypatch.setattr(onnx_embed, "QUERY_AGREEMENT", 1.5)  # no export can reach it
    queries = Embedder(query_backend="onnx")
    vector = queries.encode_query("trust")  # answered all the same, by torch
    assert queries._onnx_queries is None and vector.shape == (384,)
    assert "ONNX queries unavailable" in caplog.text  # the library logs it…
    assert "labstories: ONNX queries unavailable" in capsys.readouterr().err  # …and the CLI user sees it
    assert not list(tmp_path.rglob("*.onnx*"))  # nothing half-made or rejected is left for the next process


def test_an_index_records_its_backend_so_vectors_never_mix(tmp_path, mini_corpus_dir, onnx_embedder, embedder):
    torch_settings, onnx_settings = Settings(data_dir=tmp_path / "t"), Settings(data_dir=tmp_path / "o")
    update(mini_corpus_dir, torch_settings, embedder=embedder)
    update(mini_corpus_dir, onnx_settings, embedder=onnx_embedder)
    torch_built, onnx_built = load_state(tmp_path / "t").manifest, load_state(tmp_path / "o").manifest
    assert torch_built.collection != onnx_built.collection
    # switching backends on one index fills the other collection with that backend's vectors
    # (embedded again, or kept from the int8 run above by the vector cache, whose keys name the backend)
    report = update(mini_corpus_dir, torch_settings, embedder=onnx_embedder)
    assert report.embedded + report.cached == len(load_state(tmp_path / "t").passages) > 0
    assert report.cached == len(load_state(tmp_path / "o").passages)
    assert load_state(tmp_path / "t").manifest.collection == onnx_built.collection


def test_torch_indexes_unless_the_setting_asks_for_int8(monkeypatch):
    from labstories.index.onnx_embed import indexing_embedder

    assert type(indexing_embedder()) is Embedder  # the default: the shipped vectors are torch's
    monkeypatch.setenv("LABSTORIES_EMBED_BACKEND", "onnx-int8")
    chosen = indexing_embedder(backend=Settings.load().embed_backend)
    assert isinstance(chosen, OnnxEmbedder) and chosen.vector_identity.endswith("+onnx-int8")
    assert chosen.identity == Embedder().identity  # same model: an index it built opens for torch queries
