"""The bundled MiniLM exported to ONNX: queries on fp32 (the same vectors, faster), indexing on int8.

Both files are made locally from the bundled weights on first use
(``torch.onnx.export``; for int8, onnxruntime's dynamic quantisation with
per-channel scales) and cached outside the index, keyed by the weights and
torch. sentence-transformers stays the loader and the reference.

* Queries (the default, ``query_backend="onnx"``): one short text at a time,
  where torch's per-operator overhead dominates. The fp32 graph gives the torch
  vector (cosine above 0.99999 in the tests; on export it is checked against
  torch and not used below :data:`QUERY_AGREEMENT`, 0.9999) in about half the
  time: 7 ms against 15 ms on this machine, one thread.
* Indexing (opt-in, ``--embed-backend onnx-int8``): cosine to the torch
  vectors 0.993 on average (lowest 0.984), dev nDCG@10 0.8101 against 0.8115,
  1.6× the passages per second (docs/retrieval.md). The index's collection
  name records the backend, so int8 and torch vectors never mix.

When onnx or the export is unavailable, both fall back to torch, saying so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import numpy as np

from .embed import MAX_TOKENS, Embedder
from .settings import cache_dir

log = logging.getLogger(__name__)

BACKEND = "onnx-int8"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export(embedder: Embedder, out: Path) -> Path:
    """The transformer (token vectors out) as ONNX; pooling stays in numpy, as sentence-transformers does it."""
    import torch

    class Tokens(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # Two texts of different lengths, so the traced graph keeps the padding mask.
    sample = embedder.tokenizer(["a short one", "a somewhat longer second text"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "tokens")}
    out.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # tracer notes about the legacy exporter, irrelevant for this graph
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Tokens(embedder.model[0].auto_model).eval(),
            tuple(sample[n] for n in INPUTS),
            str(out),
            input_names=list(INPUTS),
            output_names=["tokens"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return out


def quantize(fp32: Path, out: Path) -> Path:
    """int8 weights with per-channel scales: per-tensor scales gave cosine 0.955 to torch, per-channel 0.993."""
    root = logging.getLogger()  # the quantiser configures the root logger; leave it as it was
    level, handlers = root.level, list(root.handlers)
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        root.setLevel(logging.ERROR)  # its "consider pre-processing" hint
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers
    return out


def model_folder(embedder: Embedder) -> Path:
    """Where this model's exports are cached: one folder per weights and torch version."""
    key = hashlib.sha256(
        f"{embedder.identity}|{embedder.model_path.resolve()}|{version('torch')}".encode()
    ).hexdigest()[:12]
    return cache_dir() / f"minilm-{key}"


def fp32_model(embedder: Embedder) -> Path:
    """The cached fp32 export of ``embedder``'s model, made (and checked against torch) on first use."""
    target = model_folder(embedder) / "model.onnx"
    if not target.exists():
        partial = export(embedder, target.with_name(f"model.onnx.{os.getpid()}"))
        try:
            agreement = _agreement(embedder, partial)
            if agreement < QUERY_AGREEMENT:
                raise RuntimeError(f"the export gives vectors at cosine {agreement:.6f} to torch's")
            partial.replace(target)  # atomic: a concurrent or interrupted run never sees half a file
        finally:
            partial.unlink(missing_ok=True)
    return target


def int8_model(embedder: Embedder) -> Path:
    """The cached int8 export of ``embedder``'s model, made from the fp32 one on first use."""
    target = model_folder(embedder) / "model-int8.onnx"
    if not target.exists():
        partial = target.with_name(f"model-int8.onnx.{os.getpid()}")
        quantize(fp32_model(embedder), partial)
        partial.replace(target)
    return target


#: Lowest cosine between the fp32 export's and torch's vectors for the export to serve queries.
QUERY_AGREEMENT = 0.9999
#: Texts the export is checked on: short and long, English and not, the shape of real questions.
PROBES = (
    "Trust",
    "how did labs build belonging with migrants?",
    "¿Cómo trabajaron los laboratorios con las comunidades indígenas?",
    "We mapped grassroots solutions with women entrepreneurs, then ran a pilot with the ministry. " * 4,
    "savings groups " * 200,  # past the model's 256 word pieces: truncated, as sentence-transformers does
)


def _agreement(embedder: Embedder, path: Path) -> float:
    """Lowest cosine, over :data:`PROBES` one at a time, between the export's query vectors and torch's."""
    queries = OnnxQueries(embedder, path)
    reference = Embedder.encode(embedder, list(PROBES))
    return float(min(np.dot(queries.encode(text), ref) for text, ref in zip(PROBES, reference)))


class OnnxQueries:
    """Single queries on the fp32 export: torch's vector, without torch's per-call overhead.

    Tokenised by the model's own ``tokenizer.json`` through ``tokenizers``,
    so answering a question never imports torch or transformers (200 MB and
    seconds less for ``serve`` and ``search``). One thread per call: a question
    is a dozen word pieces, and under load the app answers several at once."""

    def __init__(self, embedder: Embedder, path: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(embedder.model_path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @classmethod
    def load(cls, embedder: Embedder) -> OnnxQueries | None:
        """The export's query encoder, or None (torch then encodes queries) when it can't be had here."""
        try:
            return cls(embedder, fp32_model(embedder))
        except Exception as error:  # noqa: BLE001 — queries still work on torch, only slower
            log.warning("ONNX queries unavailable (%s: %s); encoding them with torch", type(error).__name__, error)
            return None

    def encode(self, text: str) -> np.ndarray:
        """float32 (384,), unit length: mean of the token vectors, as the model's pooling defines."""
        encoding = self.tokenizer.encode(text)
        feed = {
            "input_ids": np.array([encoding.ids], np.int64),
            "attention_mask": np.array([encoding.attention_mask], np.int64),
            "token_type_ids": np.array([encoding.type_ids], np.int64),
        }
        pooled = self.session.run(None, feed)[0][0].mean(axis=0)  # one text, no padding: every token counts
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


class OnnxEmbedder(Embedder):
    """:class:`Embedder` whose batch :meth:`encode` runs an ONNX export (int8 unless given another)."""

    backend = BACKEND

    @property
    def vector_identity(self) -> str:
        """Its vectors differ a little from torch's: cached vectors and collections are kept apart."""
        return f"{self.identity}+{BACKEND}"

    def __init__(
        self,
        model_path: Path | str | None = None,
        batch_size: int = 32,
        onnx_path: Path | None = None,
        threads: int = 0,
        query_backend: str = "onnx",
    ):
        super().__init__(model_path, batch_size, query_backend)
        self.onnx_path, self.threads = onnx_path, threads

    @cached_property
    def session(self):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads  # 0: onnxruntime's choice (the physical cores)
        options.inter_op_num_threads = 1
        path = self.onnx_path or int8_model(self)
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], show_progress: bool = False):
        """float32 array (len(texts), 384), L2-normalised; mean pooling over real tokens, as the model defines."""
        parts = [self._batch(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, self.dimension), np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="np")
        feed = {name: enc[name].astype(np.int64) for name in INPUTS}
        tokens = self.session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (tokens * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def indexing_embedder(
    model_path: Path | str | None = None, batch_size: int = 32, backend: str = "torch", query_backend: str = "onnx"
) -> Embedder:
    """The embedder ``labstories index`` uses: torch, or with ``backend="onnx-int8"`` the int8
    ONNX export when it can be made here (else torch, saying so)."""
    if backend != BACKEND:
        return Embedder(model_path, batch_size, query_backend)
    embedder = OnnxEmbedder(model_path, batch_size, query_backend=query_backend)
    try:
        _ = embedder.session  # made (exported, checked) now, so a failure falls back here
    except Exception as error:  # noqa: BLE001 — an export problem must not stop indexing
        log.warning("ONNX indexing unavailable (%s: %s); embedding with torch", type(error).__name__, error)
        return Embedder(model_path, batch_size, query_backend)
    return embedder


__all__ = [
    "BACKEND",
    "OnnxEmbedder",
    "OnnxQueries",
    "cache_dir",
    "export",
    "fp32_model",
    "indexing_embedder",
    "int8_model",
    "model_folder",
    "quantize",
]
