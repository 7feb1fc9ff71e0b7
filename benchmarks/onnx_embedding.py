"""Faster embedding, same answers? The bundled MiniLM exported to ONNX, fp32 and int8, against torch.

Exports the bundled sentence-transformers model locally (its weights, never a
download) with ``torch.onnx.export``, quantises the export with onnxruntime's
dynamic int8 quantisation (per-channel weight scales, activations quantised
per batch) and runs both through onnxruntime with the model's own tokenizer,
mean pooling and L2 normalisation — what sentence-transformers does for this
model. The code is the shipped backend's (index/onnx_embed.py).

Measures, over the real corpus passages (the exact text the indexer embeds):
1. throughput in passages/s per backend, batch by batch in turn (torch, then
   fp32, then int8 on the same batch), so a busy machine slows all alike;
2. cosine between each backend's vector and torch's, per passage;
3. query encoding time, one thread, torch against int8;
4. dev nDCG@10 with an index built from torch's and from int8's vectors,
   queries encoded by torch (the shipped setup) and, for int8, by int8 too.

The export and the indexes go to ``--work`` (a temporary folder by default);
``--json`` also writes the figures. The indexes for (4) are built from the
given vectors only (no bundled vector cache, which holds torch's).

Examples:
    python benchmarks/onnx_embedding.py ../shared/corpus --dev ../shared/eval/dev.jsonl
    python benchmarks/onnx_embedding.py tests/data/mini --dev tests/data/eval/mini_dev.jsonl --sample 32 --json o.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from labstories.index import Settings, document_passages, scan, update  # noqa: E402
from labstories.index.embed import Embedder  # noqa: E402
from labstories.index.onnx_embed import OnnxEmbedder, export, quantize  # noqa: E402
from labstories.index.vector_cache import VectorCache  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class OnnxQueries(OnnxEmbedder):
    """Queries through the int8 model too (the shipped backend keeps queries on torch)."""

    def encode_query(self, text: str):
        return self.encode([text])[0]


class Precomputed(Embedder):
    """Hands back vectors already computed for these texts, so an index is built from one backend's vectors."""

    def __init__(self, vectors: dict[str, np.ndarray], batch_size: int = 32):
        super().__init__(None, batch_size)
        self.vectors = vectors

    def encode(self, texts: list[str], show_progress: bool = False):
        return np.stack([self.vectors[t] for t in texts])


# -- measurements --------------------------------------------------------------------
@dataclass
class Backend:
    name: str
    embedder: Embedder
    seconds: float = 0.0
    vectors: np.ndarray | None = None


def corpus_texts(corpus: Path, embedder: Embedder) -> list[str]:
    """What the indexer embeds: every passage's context-prefixed text, sorted by length as it batches them."""
    texts = [p.embed_text for story in scan(corpus).stories for p in document_passages(story, embedder.count_tokens)]
    return sorted(set(texts), key=len)


def throughput(backends: list[Backend], texts: list[str], batch_size: int) -> None:
    """Each batch through every backend in turn; time and vectors accumulate per backend."""
    parts = {b.name: [] for b in backends}
    for begin in range(0, len(texts), batch_size):
        batch = texts[begin : begin + batch_size]
        for backend in backends:
            began = time.perf_counter()
            parts[backend.name].append(backend.embedder.encode(batch))
            backend.seconds += time.perf_counter() - began
    for backend in backends:
        backend.vectors = np.concatenate(parts[backend.name])


def query_latency(embedder: Embedder, questions: list[str], rounds: int = 3) -> float:
    """Median ms to encode one question (the search path)."""
    times = []
    for _ in range(rounds):
        for q in questions:
            began = time.perf_counter()
            embedder.encode_query(q)
            times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def dev_scores(
    corpus: Path, dev: Path, work: Path, name: str, vectors: dict[str, np.ndarray], query_embedder: Embedder
) -> dict:
    from labstories.rag import StoryIndex, evaluate, read_questions

    settings = replace(Settings(), data_dir=work / f"index-{name}")
    shutil.rmtree(settings.data_dir, ignore_errors=True)  # an update would keep the old vectors
    # An empty cache: the bundled one holds torch's vectors for the shared corpus under the same
    # model identity, and would stand in for the vectors under test.
    update(corpus, settings, embedder=Precomputed(vectors), cache=VectorCache())
    index = StoryIndex.open(settings, embedder=query_embedder)
    scores = evaluate(index, read_questions(dev), 10)
    return {kind: round(row["ndcg"], 4) for kind, row in scores.rows.items()}


def stored_vectors(data_dir: Path) -> dict[str, np.ndarray]:
    """Embed text → vector from an index already built with torch (saves re-embedding on a busy machine)."""
    from labstories.index import load_state, store

    state = load_state(data_dir)
    collection = store.get_collection(store.open_client(data_dir, ""), state.manifest.collection)
    text_of = {p.id: p.embed_text for p in state.passages}
    got = collection.get(include=["embeddings"])
    return {
        text_of[i.rpartition("~")[0]]: np.asarray(v, np.float32)
        for i, v in zip(got["ids"], got["embeddings"])
        if i.rpartition("~")[0] in text_of
    }


def speed_table(backends: list[Backend], count: int) -> str:
    reference = backends[0]
    rows = ["| backend | passages/s | × torch | cosine to torch: min | p1 | mean |", "|---|---|---|---|---|---|"]
    for b in backends:
        cos = np.sum(b.vectors * reference.vectors, axis=1)
        rows.append(
            f"| {b.name} | {count / b.seconds:.1f} | {reference.seconds / b.seconds:.2f} | {cos.min():.4f} | "
            f"{np.percentile(cos, 1):.4f} | {cos.mean():.5f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--dev", default=str(ROOT.parent / "shared" / "eval" / "dev.jsonl"))
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "labstories-onnx"))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--sample", type=int, default=256, help="passages (spread over all lengths) for the speed table"
    )
    parser.add_argument(
        "--torch-index",
        help="take torch vectors from this index (built by `labstories index`) "
        "instead of embedding the corpus with torch again",
    )
    parser.add_argument("--no-eval", action="store_true", help="speed table only: no full-corpus vectors, no dev nDCG")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    work, corpus = Path(args.work), Path(args.corpus)
    work.mkdir(parents=True, exist_ok=True)
    figures: dict = {"benchmark": "onnx_embedding"}

    torch_embedder = Embedder(batch_size=args.batch_size)
    began = time.perf_counter()
    fp32, int8 = work / "minilm.onnx", work / "minilm-int8.onnx"
    if not fp32.exists():
        export(torch_embedder, fp32)
    if not int8.exists():
        quantize(fp32, int8)
    figures["export_seconds"] = round(time.perf_counter() - began, 2)
    figures["fp32_mb"], figures["int8_mb"] = round(fp32.stat().st_size / 1e6, 1), round(int8.stat().st_size / 1e6, 1)
    print(
        f"export + quantise: {figures['export_seconds']:.1f} s; fp32 {figures['fp32_mb']:.0f} MB, "
        f"int8 {figures['int8_mb']:.0f} MB"
    )

    texts = corpus_texts(corpus, torch_embedder)
    sample = texts[:: max(1, len(texts) // args.sample)][: args.sample]
    backends = [
        Backend("torch", torch_embedder),
        Backend("onnx-fp32", OnnxEmbedder(batch_size=args.batch_size, onnx_path=fp32)),
        Backend("onnx-int8", OnnxEmbedder(batch_size=args.batch_size, onnx_path=int8)),
    ]
    for backend in backends:  # load and warm each before timing
        backend.embedder.encode(sample[:2])
    throughput(backends, sample, args.batch_size)
    print(
        f"\n{len(sample)} of {len(texts)} passages, batch {args.batch_size}, each batch through every backend in turn; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(speed_table(backends, len(sample)))
    figures["sample_passages"] = len(sample)
    figures["backends"] = {}
    for b in backends:
        cos = np.sum(b.vectors * backends[0].vectors, axis=1)
        figures["backends"][b.name] = {
            "passages_per_s": round(len(sample) / b.seconds, 1),
            "cosine_to_torch_min": round(float(cos.min()), 5),
            "cosine_to_torch_mean": round(float(cos.mean()), 5),
        }

    lines = Path(args.dev).read_text("utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    single = OnnxQueries(onnx_path=int8, threads=1)
    figures["query_ms"] = {
        "torch": round(query_latency(torch_embedder, questions), 2),
        "onnx-int8": round(query_latency(single, questions), 2),
    }
    print(
        f"\nquery encoding, median ms: torch (1 thread) {figures['query_ms']['torch']:.1f}, "
        f"onnx-int8 (1 thread) {figures['query_ms']['onnx-int8']:.1f}"
    )
    if not args.no_eval:
        figures |= evaluation(args, corpus, work, texts, torch_embedder, backends[2].embedder, single)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


def evaluation(
    args,
    corpus: Path,
    work: Path,
    texts: list[str],
    torch_embedder: Embedder,
    int8_embedder: Embedder,
    int8_queries: Embedder,
) -> dict:
    """Every passage through int8 (throughput, agreement) and dev nDCG@10 per index/query backend pair."""
    if args.torch_index:
        torch_vectors = stored_vectors(Path(args.torch_index))
        missing = [t for t in texts if t not in torch_vectors]
        torch_vectors.update(zip(missing, torch_embedder.encode(missing)))
    else:
        torch_vectors = dict(zip(texts, torch_embedder.encode(texts)))
    began = time.perf_counter()
    int8_vectors = dict(zip(texts, int8_embedder.encode(texts)))
    seconds = time.perf_counter() - began
    cos = np.array([float(np.dot(int8_vectors[t], torch_vectors[t])) for t in texts])
    print(
        f"\nall {len(texts)} passages with onnx-int8: {len(texts) / seconds:.1f} passages/s "
        f"(load average {os.getloadavg()[0]:.1f}); cosine to torch min {cos.min():.4f}, mean {cos.mean():.5f}"
    )
    found = {
        "all_passages": {
            "passages": len(texts),
            "int8_passages_per_s": round(len(texts) / seconds, 1),
            "cosine_to_torch_min": round(float(cos.min()), 5),
            "cosine_to_torch_mean": round(float(cos.mean()), 5),
        },
        "dev_ndcg": {},
    }

    print(
        "\n| index vectors | query vectors | dev nDCG@10 | topical | known_item | filtered | keyword | multilingual |"
    )
    print("|---|---|---|---|---|---|---|---|")
    runs = [
        ("torch", torch_vectors, "torch", torch_embedder),
        ("onnx-int8", int8_vectors, "torch", torch_embedder),
        ("onnx-int8", int8_vectors, "onnx-int8", int8_queries),
    ]
    for docs, vectors, queries, query_embedder in runs:
        s = dev_scores(corpus, Path(args.dev), work, f"{docs}-{queries}", vectors, query_embedder)
        found["dev_ndcg"][f"{docs} index, {queries} queries"] = s
        print(
            f"| {docs} | {queries} | {s['all']:.4f} | {s.get('topical', 0):.4f} | {s.get('known_item', 0):.4f} | "
            f"{s.get('filtered', 0):.4f} | {s.get('keyword', 0):.4f} | {s.get('multilingual', 0):.4f} |",
            flush=True,
        )
    return found


if __name__ == "__main__":
    sys.exit(main())
