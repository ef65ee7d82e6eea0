"""Real files in their original formats: indexed, found by number, dated right; legacy CER; OCR; cost.

    python bench/formats.py [--index DIR] [--cache DIR] [--skip-cost]

With --index and --cache naming an earlier run's folders, the index run is a re-run (nothing
changed) and the scans are read from that OCR cache.

1. Indexes ../shared/datasets/real-files with `python cli.py index … --index DIR --json` (OCR cache
   in a fresh folder, so scans are really OCR'd), then runs it again over the unchanged files and
   checks that nothing is read again (all unchanged, no new OCR cache entry).
2. Per folder: files, files indexed, and for every manifest file that prints a number: found by
   `search number:<it>`, and the date the parser gave its document against the manifest's. A miss
   is classed as the parser's (the reader's text holds the number / the date) or the reader's.
3. Legacy: character error rate of the reader's text against each hand-checked transcript
   (NFC + the project's normalization on both sides, whitespace collapsed, table rules dropped).
4. Scans: per file in pdf-scanned/, images OCR'd, number and date in the text.
5. Cost: seconds per page (PDF) or per MB (other formats) of `search.readers.read`, cold OCR cache.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, SHARED

from rapidfuzz.distance import Levenshtein

from search.normalize import normalize_text
from search.query import QueryError
from search.readers import UnreadableFile, read
from search.service import Engine, parse_path

DATA = SHARED / "datasets" / "real-files"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _date_in(text: str, iso: str) -> bool:
    """Whether the text writes the date (ngày 5 tháng 3 năm 2024, 05/03/2024, 5-3-2024 …)."""
    year, month, day = (int(x) for x in iso.split("-"))
    flat = " ".join(text.split())
    patterns = [rf"ngày\s*0?{day}\s*tháng\s*0?{month}\s*năm\s*{year}", rf"\b0?{day}\s*[/.-]\s*0?{month}\s*[/.-]\s*{year}\b"]
    return any(re.search(p, flat, re.I) for p in patterns)


def _index(index: Path, cache: Path) -> dict:
    env = dict(os.environ, NOTICE_SEARCH_CACHE=str(cache))
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "cli.py", "index", str(DATA), "--index", str(index), "--json"],
                         cwd=REPO, capture_output=True, env=env, text=True)
    if out.returncode != 0:
        sys.exit(f"index failed: {out.stderr.strip()}")
    report = json.loads(out.stdout)
    report["wall"] = time.perf_counter() - started
    return report


def _cer(text: str, reference: str) -> float:
    def flat(t: str) -> str:
        return " ".join(re.sub(r"(?m)^\|$|-{3,}|={3,}|_{3,}", " ", normalize_text(t)).split())
    ref = flat(reference)
    return Levenshtein.distance(flat(text), ref) / max(1, len(ref))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", help="index folder (default: a temporary one)")
    ap.add_argument("--cache", help="OCR cache folder (default: a new, empty one)")
    ap.add_argument("--skip-cost", action="store_true", help="skip the per-format cost measurement")
    args = ap.parse_args()
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["files"]
    work = Path(tempfile.mkdtemp(prefix="formats-"))
    index = Path(args.index) if args.index else work / "index"
    cache = Path(args.cache) if args.cache else work / "cache"
    os.environ["NOTICE_SEARCH_CACHE"] = str(cache)  # parse_path below reads through the same cache

    print(f"$ python cli.py index {DATA.relative_to(REPO.parent)} --index {index}   "
          f"(OCR cache: {len(list(cache.rglob('*.json')))} entries)")
    first = _index(index, cache)
    print(f"  {first['files']} files, {first['documents']} documents, added {first['added']}, "
          f"skipped {len(first['skipped'])} in {first['wall']:.0f} s")
    for skipped in first["skipped"]:
        print(f"  skipped {Path(skipped['path']).relative_to(DATA)}: {skipped['error']}")
    entries = len(list(cache.rglob("*.json")))
    again = _index(index, cache)
    print(f"  re-run over unchanged files: added {again['added']}, updated {again['updated']}, unchanged "
          f"{again['unchanged']}, new OCR cache entries {len(list(cache.rglob('*.json'))) - entries}, "
          f"in {again['wall']:.1f} s (process start included)")

    engine = Engine(index)
    skipped = {Path(s["path"]).resolve() for s in first["skipped"]}
    folders: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    misses = []
    env_cache = {"cache_dir": cache, "progress": lambda message: None}
    for entry in manifest:
        if entry["kind"] == "reference text":
            continue
        path = DATA / entry["file"]
        folder = entry["file"].split("/")[0]
        row = folders[folder]
        row["files"] += 1
        row["indexed"] += path.resolve() not in skipped
        number, date = entry.get("number"), entry.get("date")
        if not number or number == "Không số":
            continue
        row["numbers"] += 1
        refused = None
        for query in dict.fromkeys([number, re.sub("/+", "/", number)]):  # 24/2026//NQ-CP: also as meant
            try:
                hits = engine.search(f"number:{query}", limit=50)["hits"]
                break
            except QueryError as e:
                refused, hits = str(e), []
        mine = [h for h in hits if h["key"].split("#")[0] == entry["file"]]
        row["found"] += bool(mine)
        dated = None
        if date:
            row["dates"] += 1
            docs = parse_path(str(path))["documents"] if not mine else [engine.show(mine[0]["key"])]
            dated = any(d and d.get("date") == date for d in docs)
            row["dated"] += dated
        if mine and dated in (None, True):
            continue
        try:
            text = read(path, **env_cache).text
        except UnreadableFile as e:
            misses.append((entry["file"], number, date, f"reader: {e}"))
            continue
        text = normalize_text(text)
        has_number = _squash(number) in _squash(text)
        has_date = date is None or _date_in(text, date)
        what = []
        if refused and not mine:
            what.append(f"search refuses the number ({refused}); text has it: {'yes' if has_number else 'no'}")
        elif not mine:
            what.append("number not found" + (" (text has it: parser)" if has_number else " (not in the text: reader)"))
        if dated is False:
            what.append("date wrong" + (" (text has it: parser)" if has_date else " (not in the text)"))
        misses.append((entry["file"], number, date, "; ".join(what)))

    print("\n| folder | files | indexed | numbers found | dates right |\n| --- | ---: | ---: | ---: | ---: |")
    for folder, row in folders.items():
        print(f"| {folder} | {row['files']} | {row['indexed']} | {row['found']}/{row['numbers']} | "
              f"{row['dated']}/{row['dates']} |")
    print("\nMisses (file, number, date, why):")
    for miss in misses:
        print(f"- {miss[0]} {miss[1]} {miss[2]}: {miss[3]}")

    print("\nLegacy encodings, character error rate against the transcripts:")
    for path in sorted((DATA / "legacy").iterdir()):
        if path.name.endswith(".unicode.txt"):
            continue
        extract = read(path, **env_cache)
        reference = path.with_name(path.stem + ".unicode.txt").read_text(encoding="utf-8")
        print(f"- {path.name}: {_cer(extract.text, reference):.2%} ({', '.join(extract.notes)})")

    print("\nScans (pdf-scanned/): OCR'd images, number and date in the text:")
    by_file = {e["file"]: e for e in manifest}
    for path in sorted((DATA / "pdf-scanned").glob("*.pdf")):
        entry = by_file[path.relative_to(DATA).as_posix()]
        extract = read(path, **env_cache)
        text = normalize_text(extract.text)
        print(f"- {path.name}: {extract.pages} pages, {extract.ocr_images} images OCR'd; number "
              f"{entry['number']} {'yes' if _squash(entry['number']) in _squash(text) else 'NO'}; date "
              f"{entry['date']} {'yes' if _date_in(text, entry['date']) else 'NO'}")

    if args.skip_cost:
        return
    print("\nCost of reading (search.readers.read, empty OCR cache; 2 shared cores, single run):")
    cost: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    cold = work / "cold"
    for entry in manifest:
        if entry["kind"] == "reference text":
            continue
        path = DATA / entry["file"]
        kind = entry["kind"] if entry["kind"] != "legacy" else path.suffix.lstrip(".") + " (legacy)"
        started = time.perf_counter()
        try:
            extract = read(path, cache_dir=cold, progress=lambda message: None)
        except UnreadableFile:
            continue
        seconds = time.perf_counter() - started
        totals = cost[kind]
        totals[0] += seconds
        totals[1] += extract.pages
        totals[2] += path.stat().st_size / 1024 ** 2
    for kind, (seconds, pages, megabytes) in sorted(cost.items()):
        per = f"{seconds / pages:.3f} s/page" if pages else f"{seconds / megabytes:.3f} s/MB"
        print(f"- {kind}: {seconds:.1f} s for {pages or '-'} pages, {megabytes:.1f} MB: {per}")


if __name__ == "__main__":
    main()
