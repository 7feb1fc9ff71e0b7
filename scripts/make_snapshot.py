"""Regenerate the archive snapshot that ships in the package, and its vector cache.

    python scripts/make_snapshot.py ../shared/corpus
    python scripts/make_snapshot.py path/to/sdg-innovation-commons/pages --commit SHA --date YYYY-MM-DD

Writes ``index/data/archive/`` (stories byte for byte, element pages cut to
their glossary text, LICENSE, SOURCE.json), checks that the snapshot parses to
the same stories and glossary as the source folder, then indexes the snapshot
with no cache and keeps its vectors as ``index/data/vectors.npz`` — the same
vectors a fresh build computes, so search results do not change.
Run it from the repository's installed checkout (``pip install -e .``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from labstories.index import Embedder, Settings, update
from labstories.index.snapshot import ARCHIVE, Source, differences, write_snapshot
from labstories.index.vector_cache import BUNDLED, VectorCache, from_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="archive folder (e.g. ../shared/corpus or the archive's pages/)")
    parser.add_argument(
        "--license", type=Path, help="the archive's LICENSE (default: CORPUS/LICENSE or CORPUS/../LICENSE)"
    )
    parser.add_argument("--commit", default=Source.commit, help="archive commit the folder was taken from")
    parser.add_argument("--date", default=Source.date, help="date of that commit (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    license_file = args.license or next(
        (p for p in (args.corpus / "LICENSE", args.corpus.parent / "LICENSE") if p.exists()), None
    )
    if license_file is None:
        parser.error("no LICENSE next to the corpus; give --license")

    began = time.perf_counter()
    report = write_snapshot(args.corpus, ARCHIVE, license_file, Source(commit=args.commit, date=args.date))
    print(
        f"snapshot: {report.stories} stories, {report.elements} element pages, "
        f"{report.bytes_in / 1e6:.1f} MB → {report.bytes_out / 1e6:.2f} MB in {ARCHIVE}"
    )
    problems = differences(args.corpus, ARCHIVE)
    if problems:
        print("the snapshot does not parse like its source:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1

    embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        built = update(ARCHIVE, settings, embedder=embedder, cache=VectorCache())
        cache = from_index(settings, embedder.identity)
    cache.save(BUNDLED)
    print(
        f"vectors: {built.embedded} passages embedded, {len(cache)} cached "
        f"({BUNDLED.stat().st_size / 1e6:.1f} MB, model {embedder.identity}) in {time.perf_counter() - began:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
