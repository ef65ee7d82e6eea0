"""Ranking quality on the development queries (shared/eval/queries.json).

Indexes index_data/notices (5 files, 9 documents) into a temporary folder, or
into --index DIR (reused while the engine's indexing code is unchanged, see
common.engine_fingerprint), runs every query of queries.json through
`Engine.search` (document hits: sections grouped by document, best section
decides) and prints each query's nDCG@5 (graded gains 2^g - 1) and reciprocal
rank, then the means. Target: mean nDCG@5 >= 0.9.

Run from the repository root:
    python bench/quality.py                         # temporary index
    python bench/quality.py --index bench/out/notices-index
    python bench/quality.py --weights bigram=1,heading=0.6
    python bench/quality.py --weights own_number=10
    python bench/quality.py --json                   # one JSON summary on stdout
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (NOTICES, SHARED, engine_fingerprint, index_is_current, mark_index, ndcg_at,  # noqa: E402
                    parse_weights, reciprocal_rank, reset_index, table, weights_label)

from search.service import Engine, index_paths  # noqa: E402


def evaluate(engine: Engine, queries: list[dict], k: int = 5) -> list[dict]:
    rows = []
    for item in queries:
        result = engine.search(item["q"], limit=max(k, 10))
        ranked = [hit["key"] for hit in result["hits"]]
        rows.append({"q": item["q"], "ndcg": ndcg_at(ranked, item["relevant"], k),
                     "rr": reciprocal_rank(ranked, item["relevant"]), "top": ranked[:3],
                     "took_ms": result["took_ms"]})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", help="reuse (or build, if missing) the index in this folder")
    ap.add_argument("--weights", help="change weights, e.g. bigram=1,heading=0.6,own_number=10")
    ap.add_argument("--json", action="store_true", help="print a JSON summary instead of a table")
    args = ap.parse_args()

    queries = json.loads((SHARED / "eval" / "queries.json").read_text(encoding="utf-8"))["queries"]
    with tempfile.TemporaryDirectory(prefix="notice-quality-") as tmp:
        index_dir = Path(args.index) if args.index else Path(tmp)
        fingerprint = engine_fingerprint("notices")
        if not index_is_current(index_dir, fingerprint):  # missing, or built by other engine code
            reset_index(index_dir)
            index_paths([str(NOTICES)], str(index_dir), rebuild=True)
            mark_index(index_dir, fingerprint)
        weights = parse_weights(args.weights)
        engine = Engine(index_dir, weights=weights)
        rows = evaluate(engine, queries)
        engine.ix.close()

    mean_ndcg = sum(r["ndcg"] for r in rows) / len(rows)
    mrr = sum(r["rr"] for r in rows) / len(rows)
    if args.json:
        print(json.dumps({"weights": asdict(weights), "ndcg@5": round(mean_ndcg, 4), "mrr": round(mrr, 4),
                          "queries": rows}, ensure_ascii=False))
    else:
        print(f"weights: {weights_label(weights)}\n")
        print(table([[r["q"], r["ndcg"], r["rr"], ", ".join(k.split("_")[0] + k.split(".txt")[1]
                                                              for k in r["top"])] for r in rows]
                    + [["**mean**", mean_ndcg, mrr, ""]],
                    ["query", "nDCG@5", "RR", "top 3 (file#ordinal)"]))
        print(f"\nmean nDCG@5 {mean_ndcg:.3f}  MRR {mrr:.3f}  (target nDCG@5 >= 0.9: "
              f"{'met' if mean_ndcg >= 0.9 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
