"""Query latency per query class over all 208 laws of shared/datasets/vn-laws plus index_data/notices.

Builds the index with `search.service.index_paths` on both folders (default
bench/out/laws-index; ~1 minute the first time, incremental afterwards: unchanged
files are skipped; rebuilt when the engine's indexing code changes, see
common.engine_fingerprint), or uses --index DIR --no-build as it is. Then, for each query class,
draws N queries deterministically (--seed) from text that occurs in the laws,
runs a warm-up (--warmup queries of every class, not counted), and times each
Engine call: the wall time around the call (time.perf_counter) and the engine's
own took_ms. Reported per class: count, median and p95 of both, the max, and
whether p95 (wall) is under the target (100 ms).

Classes:
  word         one syllable drawn uniformly from the distinct syllables that occur
               at least 5 times in the laws
  frequent     one of the 200 most frequent syllables ("của", "được"...): the
               worst case for single-word queries
  phrase       2-3 adjacent syllables (no punctuation between them) in quotes
  multi        3-5 adjacent syllables, unquoted (ranked OR); every search computes
               facets, so this class is also the "faceted" figure
  filtered     multi-word queries with a filter: --type, --from/--to, or --signer
  listing      empty query with filters (type/date/signer), newest first
  question     ALQAC 2022 question texts (long natural-language questions)
  mentions     Engine.mentions(number) for document numbers written in the laws

Run from the repository root:
    python bench/latency.py                     # all classes, 80 queries each
    python bench/latency.py -n 50 --classes word,phrase
    python bench/latency.py --index bench/out/laws-index --profile question
    python bench/latency.py --weights own_number=10 --classes question,multi

--profile CLASS  runs that class under cProfile and prints the top functions,
                 and the slowest queries of every class are listed (--slowest K).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (OUT, SHARED, ensure_laws_index, parse_weights, percentile,  # noqa: E402
                    table)

from search.numbers import find_numbers  # noqa: E402
from search.service import Engine  # noqa: E402

LAWS = SHARED / "datasets" / "vn-laws"
QUESTIONS = SHARED / "datasets" / "alqac2022" / "question.json"
TARGET_MS = 100.0
CLASSES = ("word", "frequent", "phrase", "multi", "filtered", "listing", "question", "mentions")
_LETTERS = re.compile(r"[^\W\d_]+")
_CHUNK_SPLIT = re.compile(r"[^\w\s]+|\n")


def law_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(LAWS.glob("*.txt"))]


class Sampler:
    """Deterministic query draws from the law texts."""

    def __init__(self, texts: list[str], seed: int):
        self.rng = random.Random(seed)
        self.counts: Counter = Counter()
        self.chunks: list[list[str]] = []  # runs of syllables with only spaces between them
        for text in texts:
            for chunk in _CHUNK_SPLIT.split(text):
                words = chunk.split()
                if words and all(_LETTERS.fullmatch(w) for w in words):
                    self.counts.update(w.lower() for w in words)
                    if len(words) >= 2:
                        self.chunks.append(words)
        self.numbers = sorted({m.number for text in texts for m in find_numbers(text)})

    def words(self, n: int) -> list[str]:
        pool = sorted(w for w, c in self.counts.items() if c >= 5 and len(w) > 1)
        return self.rng.sample(pool, n)

    def frequent(self, n: int) -> list[str]:
        top = [w for w, _ in self.counts.most_common(200)]
        return self.rng.sample(top, min(n, len(top)))

    def runs(self, n: int, lo: int, hi: int) -> list[str]:
        out = []
        while len(out) < n:
            words = self.rng.choice(self.chunks)
            size = self.rng.randint(lo, hi)
            if len(words) < size:
                continue
            start = self.rng.randrange(len(words) - size + 1)
            out.append(" ".join(words[start:start + size]))
        return out


def build_queries(engine: Engine, sampler: Sampler, n: int, seed: int) -> dict[str, list[tuple]]:
    """class -> [(callable name, args, kwargs, label)]."""
    rng = random.Random(seed + 1)
    facets = engine.search("", limit=0)["facets"]
    types = sorted(facets["type"])
    signers = sorted(facets["signer"])
    years = sorted(facets["year"])

    def a_filter() -> dict:
        kind = rng.choice(("type", "date", "signer"))
        if kind == "type":
            return {"type": rng.choice(types)}
        if kind == "signer":
            return {"signer": rng.choice(signers)}
        start = rng.choice(years)
        end = str(min(int(start) + rng.randint(0, 5), int(years[-1])))
        return {"date_from": start, "date_to": end}

    queries: dict[str, list[tuple]] = {}
    queries["word"] = [("search", w, {}) for w in sampler.words(n)]
    queries["frequent"] = [("search", w, {}) for w in sampler.frequent(n)]
    queries["phrase"] = [("search", f'"{p}"', {}) for p in sampler.runs(n, 2, 3)]
    queries["multi"] = [("search", p, {}) for p in sampler.runs(n, 3, 5)]
    queries["filtered"] = [("search", p, a_filter()) for p in sampler.runs(n, 2, 4)]
    queries["listing"] = [("search", "", a_filter()) for _ in range(n)]
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    queries["question"] = [("search", q["text"], {}) for q in rng.sample(questions, min(n, len(questions)))]
    queries["mentions"] = [("mentions", num, {}) for num in rng.sample(sampler.numbers, min(n, len(sampler.numbers)))]
    return queries


def timed(engine: Engine, call: tuple) -> tuple[float, float]:
    method, arg, kwargs = call
    started = time.perf_counter()
    result = getattr(engine, method)(arg, **kwargs)
    wall = (time.perf_counter() - started) * 1000
    return wall, result.get("took_ms", wall)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=str(OUT / "laws-index"), help="index folder (built if missing)")
    ap.add_argument("--no-build", action="store_true", help="do not run index_paths, use --index as is")
    ap.add_argument("-n", type=int, default=80, help="queries per class (default 80)")
    ap.add_argument("--warmup", type=int, default=5, help="warm-up queries per class (default 5)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--classes", default=",".join(CLASSES), help="comma-separated subset of: " + ", ".join(CLASSES))
    ap.add_argument("--weights", help="change weights, e.g. bigram=1,own_number=10")
    ap.add_argument("--profile", metavar="CLASS", help="run that class under cProfile too")
    ap.add_argument("--slowest", type=int, default=3, help="list the K slowest queries of each class")
    ap.add_argument("--json", action="store_true", help="also print the table as one JSON line")
    args = ap.parse_args()

    index_dir = Path(args.index)
    if not args.no_build:
        ensure_laws_index(index_dir)
    engine = Engine(index_dir, weights=parse_weights(args.weights))
    sampler = Sampler(law_texts(), args.seed)
    queries = build_queries(engine, sampler, args.n + args.warmup, args.seed)
    classes = [c for c in args.classes.split(",") if c]

    rows, slow, summary = [], [], {}
    for cls in classes:  # warm-up: the first queries of every class, not counted
        for call in queries[cls][:args.warmup]:
            timed(engine, call)
    for cls in classes:
        calls = queries[cls][args.warmup:]
        measured = [(timed(engine, call), call) for call in calls]
        walls = [m[0][0] for m in measured]
        tooks = [m[0][1] for m in measured]
        p95 = percentile(walls, 95)
        label = "multi (faceted)" if cls == "multi" else cls
        rows.append([label, len(calls), f"{percentile(walls, 50):.1f}", f"{p95:.1f}", f"{max(walls):.1f}",
                     f"{percentile(tooks, 50):.1f}", f"{percentile(tooks, 95):.1f}",
                     "yes" if p95 < TARGET_MS else "NO"])
        summary[cls] = {"n": len(calls), "wall_p50": percentile(walls, 50), "wall_p95": p95,
                        "took_p50": percentile(tooks, 50), "took_p95": percentile(tooks, 95)}
        for (wall, _), call in sorted(measured, key=lambda m: -m[0][0])[:args.slowest]:
            slow.append(f"  {cls:9} {wall:7.1f} ms  {call[0]}({call[1]!r}{', ' if call[2] else ''}"
                        + ", ".join(f"{k}={v!r}" for k, v in call[2].items()) + ")")
        print(f"  {label}: p95 {p95:.1f} ms", file=sys.stderr, flush=True)

    print()
    print(table(rows, ["class", "n", "wall p50", "wall p95", "wall max", "took p50", "took p95",
                       f"p95 < {TARGET_MS:.0f} ms"]))
    print("\nslowest queries (wall):\n" + "\n".join(slow))
    if args.json:
        print(json.dumps(summary))

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for call in queries[args.profile][args.warmup:]:
            timed(engine, call)
        profiler.disable()
        print(f"\ncProfile of class {args.profile!r} (cumulative, top 30):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
