"""Index build benchmark: the 208 laws plus the bundled notices.

Reports, in one run:
- a full build from nothing (no segmentation cache): wall time, sections per
  second, peak memory of the build (largest process), index size against text size;
- an unchanged re-run (nothing to do) and its share of the full build;
- a rebuild with a warm segmentation cache;
- pyvi alone segmenting the same section texts on one core, so the build's
  cost reads as a ratio to segmentation.

    python bench/build.py [--keep DIR]

Builds run as `python cli.py index …` subprocesses, so each figure includes
process start-up, as a user would see it.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("NOTICE_SEARCH_SHARED", REPO.parent / "shared"))
SOURCES = [SHARED / "datasets" / "vn-laws", REPO / "index_data" / "notices"]


def run_index(index_dir: Path, *extra: str) -> tuple[dict, float, int]:
    """One `index` run: its JSON summary, wall seconds, and peak RSS (MB) of any process so far."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, str(REPO / "cli.py"), "index", *map(str, SOURCES),
                          "--index", str(index_dir), "--json", *extra],
                         check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return json.loads(out), wall, peak_mb


def size_mb(path: Path, skip: str | None = None) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and f.name != skip) / 1e6


def pyvi_one_core() -> tuple[float, float, int]:
    """Seconds for pyvi alone, and for the engine's segment() (numbers protected),
    over the same section texts the index receives; and their syllable count."""
    from pyvi import ViTokenizer

    from search.records import FileState, content_text, document_records
    from search.ingest import discover, read_text
    from search.parse import parse_text
    from search import analysis

    found, _ = discover([str(s) for s in SOURCES])
    texts = []
    for path, name in found:
        for doc in parse_text(read_text(path), name):
            texts.extend(content_text(r) for r in document_records(doc, FileState(name, "", "")))
    started = time.perf_counter()
    for text in texts:
        ViTokenizer.tokenize(text)
    pyvi = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        analysis.segment(text)
    engine = time.perf_counter() - started
    return pyvi, engine, sum(len(t.split()) for t in texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build here and keep the index (default: a temp dir)")
    args = parser.parse_args()
    index_dir = args.keep or Path(tempfile.mkdtemp(prefix="build-bench-"))
    shutil.rmtree(index_dir, ignore_errors=True)
    text_mb = sum(size_mb(s) for s in SOURCES)

    full, full_wall, peak = run_index(index_dir)
    again, again_wall, _ = run_index(index_dir)
    warm, warm_wall, _ = run_index(index_dir, "--rebuild")
    pyvi, segment, syllables = pyvi_one_core()

    rows = [
        ("files / documents / sections", f"{full['files']} / {full['documents']} / {full['sections']}"),
        ("text", f"{text_mb:.1f} MB, {syllables:,} syllables"),
        ("full build (no cache), wall", f"{full_wall:.1f} s ({full['sections'] / full_wall:.0f} sections/s)"),
        ("peak memory (largest process)", f"{peak} MB"),
        ("index size (without segmentation cache)",
         f"{size_mb(index_dir, skip='segments.sqlite'):.1f} MB = "
         f"{size_mb(index_dir, skip='segments.sqlite') / text_mb:.2f} x text"),
        ("unchanged re-run, wall", f"{again_wall:.2f} s = {100 * again_wall / full_wall:.1f} % of full "
                                   f"(unchanged {again['unchanged']})"),
        ("rebuild with warm cache, wall", f"{warm_wall:.1f} s"),
        ("pyvi alone, one core", f"{pyvi:.1f} s ({syllables / pyvi:,.0f} syllables/s)"),
        ("segment() (numbers protected), one core", f"{segment:.1f} s"),
        ("full build / pyvi alone", f"{full_wall / pyvi:.2f}"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    if not args.keep:
        shutil.rmtree(index_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
