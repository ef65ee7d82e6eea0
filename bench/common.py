"""Shared helpers for the benchmark scripts in bench/ (quality, alqac, latency).

- `REPO`, `SHARED`, `OUT`: the repository root, the shared data folder beside it
  (`NOTICE_SEARCH_SHARED` overrides it) and the git-ignored output folder bench/out/.
- `parse_weights`: the engine's `search.weights.Weights` with some changed
  ("bigram=1,own_number=10"; "rerank_depth=80"), to hand to
  `Engine(index, weights=...)`; weights apply at query time, so no re-indexing is needed.
- `engine_fingerprint`, `index_is_current`, `mark_index`: cached indexes carry a
  stamp of the engine code that built them and are rebuilt when it changes.
- `ndcg_at`, `reciprocal_rank`, `percentile`, `table`: small metric and
  printing helpers, dependency-free and deterministic.
"""
from __future__ import annotations

import hashlib
import math
import os
import sys
import time
from dataclasses import asdict, fields, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SHARED = Path(os.environ.get("NOTICE_SEARCH_SHARED", REPO.parent / "shared"))
OUT = REPO / "bench" / "out"
NOTICES = REPO / "index_data" / "notices"

from search.weights import Weights  # noqa: E402


ENGINE_SOURCES = ("schema.py", "analysis.py", "indexer.py", "records.py", "writer.py", "whoosh_internals.py",
                  "normalize.py", "numbers.py", "parse.py", "ingest.py", "models.py", "validity.py", "relations.py",
                  "effective.py")
STAMP = "bench.stamp"


def engine_fingerprint(*extra: str) -> str:
    """SHA-1 over the engine's indexing code (and `extra` strings): an index built by
    other code than today's is rebuilt, since its terms may no longer match."""
    digest = hashlib.sha1()
    for name in ENGINE_SOURCES:
        path = REPO / "search" / name
        digest.update(path.read_bytes() if path.exists() else b"")
    for text in extra:
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def index_is_current(index_dir: Path, fingerprint: str) -> bool:
    stamp = Path(index_dir) / STAMP
    return stamp.exists() and stamp.read_text() == fingerprint


def reset_index(index_dir: Path) -> None:
    """Remove an index's Whoosh files (its schema may not even unpickle with today's
    code) but keep segments.sqlite, pyvi's output cached by content."""
    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.is_file() and path.name != "segments.sqlite":
            path.unlink()


def mark_index(index_dir: Path, fingerprint: str) -> None:
    (Path(index_dir) / STAMP).write_text(fingerprint)


def ensure_laws_index(index_dir: Path) -> None:
    """Index ../shared/datasets/vn-laws and the seed notices into `index_dir`, from scratch when
    it was built by other engine code (pyvi's cache is kept), else only what changed."""
    from search.service import index_paths

    started = time.perf_counter()
    fingerprint = engine_fingerprint("laws")
    fresh = not index_is_current(index_dir, fingerprint)
    if fresh:
        reset_index(index_dir)
    report = index_paths([str(SHARED / "datasets" / "vn-laws"), str(NOTICES)], str(index_dir), rebuild=fresh)
    mark_index(index_dir, fingerprint)
    print(f"index {index_dir}: {report['documents']} documents, {report['sections']} sections, "
          f"{report['added'] + report['updated']} files (re)indexed in {time.perf_counter() - started:.1f} s")


def parse_weights(text: str | None, consts: str | None = None) -> Weights:
    """The engine's Weights with some changed, to hand to `Engine(index, weights=...)`:
    `text` changes weights ('bigram=0.5,own_number=10'), `consts` the settings that
    are counts, not weights ('rerank_depth=80'). Unknown names are an error."""
    return replace(Weights(), **_changes(text, float, "--weights"), **_changes(consts, int, "--const"))


def _changes(text: str | None, kind: type, option: str) -> dict:
    names = [f.name for f in fields(Weights) if type(getattr(Weights(), f.name)) is kind]
    changes = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        try:
            if not sep or name not in names:
                raise ValueError
            changes[name] = kind(value)
        except ValueError:
            raise SystemExit(f"bad {option} item '{part}': write name={kind.__name__} with a name among "
                             + ", ".join(names)) from None
    return changes


def weights_label(weights: Weights | dict[str, float]) -> str:
    items = asdict(weights).items() if isinstance(weights, Weights) else weights.items()
    return " ".join(f"{k}={v:g}" for k, v in items)


def dcg(gains: list[float]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: list[str], relevant: dict[str, float], k: int = 5) -> float:
    """nDCG@k with graded gains 2^g - 1; `ranked` is a list of keys, best first."""
    gains = [relevant.get(key, 0) for key in ranked[:k]]
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg(gains) / ideal if ideal else 0.0


def reciprocal_rank(ranked: list[str], relevant, k: int | None = None) -> float:
    for i, key in enumerate(ranked[:k] if k else ranked, start=1):
        if key in relevant:
            return 1.0 / i
    return 0.0


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of a non-empty list."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def table(rows: list[list], header: list[str]) -> str:
    """A plain Markdown table (pastes into bench/README.md as is)."""
    cells = [[str(c) for c in header]] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in r]
                                          for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)
