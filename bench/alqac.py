"""Legal-article retrieval on ALQAC 2022 (or 2025), against a plain BM25 baseline in the same run.

Each of the 4 laws of shared/datasets/alqac2022/law.json becomes one Document
(file = law id with "/" -> "-", ordinal 1, number = the law id, type "Luật")
whose sections are its articles (id = article id, path [id], heading = the first
line of the article text, text = the rest). They are indexed with
`search.indexer.index_documents` into a cache folder (default
bench/out/alqac-index; rebuilt only when law.json or the engine's indexing code
changes, and segmentation is cached in its segments.sqlite anyway). Each of the 520 questions of
question.json is run with `Engine.search(text, sections=True, limit=10)`: hits
are articles (hit key -> law, hit section -> article id).

Reported, for the engine and for the baseline: Recall@1/5/10 (fraction of
questions with a relevant article in the top k) and MRR@10, plus the
engine/baseline ratio, and the median and p95 of the engine's took_ms.

Baseline: bm25s (Lucene BM25, k1=1.5, b=0.75) over the same articles (heading +
text), tokenized with pyvi `ViTokenizer.tokenize`, lowercased, tokens without a
letter or digit dropped (pyvi words: syllables joined by "_"). Questions get the
same tokenization.

--weights name=w,...   changes the engine's search.ranking.Weights (field weights
                       words, syl, bigram, heading; folded; own_number), handed
                       to the Engine (applied at query time: no re-indexing).
--grid                 also runs a small set of weight variants (one factor at a
                       time around the current weights, plus a few combinations)
                       over the same index and prints their figures, best MRR first
                       (ranking only: Whoosh search without totals/facets/snippets).
--grid-full            the full product bigram {0,.25,.5,1} x heading {0,.3,.6} x
                       folded {.2,.4} x words {.5,1} (48 variants; long).
                       "folded" is the weight of a syllable's other accented forms.
--limit N              only the first N questions (quick checks).
--dataset alqac2025    the ALQAC 2025 set instead (28 laws, 3,368 articles, 729
                       questions; index cached in bench/out/alqac2025-index).

Run from the repository root:
    python bench/alqac.py
    python bench/alqac.py --grid
    python bench/alqac.py --weights bigram=1,heading=0.6
    python bench/alqac.py --weights own_number=10
    python bench/alqac.py --dataset alqac2025
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataclasses import asdict, replace  # noqa: E402

from common import (OUT, SHARED, engine_fingerprint, index_is_current, mark_index,  # noqa: E402
                    parse_weights, percentile, reset_index, table, weights_label)

from search.indexer import index_documents  # noqa: E402
from search.models import Document, Section  # noqa: E402
from search.service import Engine  # noqa: E402

DATASETS = ("alqac2022", "alqac2025")
KS = (1, 5, 10)


def law_file(law_id: str) -> str:
    return law_id.replace("/", "-")


def law_documents(laws: list[dict]) -> list[Document]:
    docs = []
    for law in laws:
        sections = []
        for article in law["articles"]:
            heading, _, rest = article["text"].strip().partition("\n")
            sections.append(Section(id=str(article["id"]), path=[str(article["id"])],
                                    heading=heading.strip(), text=rest.strip()))
        docs.append(Document(file=law_file(law["id"]), ordinal=1, number=law["id"], type="Luật",
                             sections=sections))
    return docs


def ensure_index(index_dir: Path, laws_path: Path, laws: list[dict]) -> float:
    """(Re)build the index unless its stamp matches law.json and the engine code; seconds spent."""
    stamp = engine_fingerprint("alqac", hashlib.sha1(laws_path.read_bytes()).hexdigest())
    if index_is_current(index_dir, stamp):
        return 0.0
    started = time.perf_counter()
    reset_index(index_dir)
    index_documents(law_documents(laws), index_dir)
    mark_index(index_dir, stamp)
    return time.perf_counter() - started


# --- scoring -----------------------------------------------------------------

def score(rankings: list[list[tuple[str, str]]], questions: list[dict]) -> dict:
    """Recall@k and MRR@10 given each question's ranked (law, article) pairs."""
    first_ranks = []
    for ranked, question in zip(rankings, questions):
        relevant = {(r["law_id"], str(r["article_id"])) for r in question["relevant_articles"]}
        rank = next((i for i, pair in enumerate(ranked[:10], start=1) if pair in relevant), None)
        first_ranks.append(rank)
    n = len(questions)
    figures = {f"R@{k}": sum(1 for r in first_ranks if r and r <= k) / n for k in KS}
    figures["MRR@10"] = sum(1 / r for r in first_ranks if r) / n
    return figures


def run_engine(engine: Engine, questions: list[dict], by_file: dict[str, str]):
    rankings, took = [], []
    for question in questions:
        result = engine.search(question["text"], sections=True, limit=10)
        took.append(result["took_ms"])
        rankings.append([(by_file[hit["key"].rsplit("#", 1)[0]], hit["section"]) for hit in result["hits"]])
    return rankings, took


def rank_only(engine: Engine, questions: list[dict], by_file: dict[str, str]):
    """The ranking of `Engine.search(sections=True, limit=10)` without its totals,
    facets and snippets (about half the time): for the weight grid only."""
    from search.query import parse_query

    searcher = engine._searcher()
    vocabulary = engine._tables(searcher)[1]
    rankings, took = [], []
    for question in questions:
        started = time.perf_counter()
        parsed = parse_query(question["text"], vocabulary, searcher.reader(), engine.weights)
        results = searcher.search(parsed.query, limit=10, terms=False)
        rankings.append([(by_file[hit["key"].rsplit("#", 1)[0]], hit["section"]) for hit in results])
        took.append((time.perf_counter() - started) * 1000)
    return rankings, took


# --- the baseline --------------------------------------------------------------

def pyvi_tokens(text: str) -> list[str]:
    from pyvi import ViTokenizer

    return [t for t in ViTokenizer.tokenize(text).lower().split() if re.search(r"\w", t.replace("_", ""))]


def run_baseline(laws: list[dict], questions: list[dict]):
    import bm25s

    pairs = [(law["id"], str(a["id"])) for law in laws for a in law["articles"]]
    corpus = [pyvi_tokens(a["text"]) for law in laws for a in law["articles"]]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    queries = [pyvi_tokens(q["text"]) for q in questions]
    ids, _ = retriever.retrieve(queries, k=10, show_progress=False)
    return [[pairs[i] for i in row] for row in ids]


# --- weight variants -----------------------------------------------------------

def grid_variants(full: bool) -> list[dict[str, float]]:
    if full:
        return [{"bigram": b, "heading": h, "folded": f, "words": w} for b, h, f, w in
                itertools.product((0, 0.25, 0.5, 1), (0, 0.3, 0.6), (0.2, 0.4), (0.5, 1))]
    one_at_a_time = [{"bigram": 0}, {"bigram": 0.25}, {"bigram": 1}, {"heading": 0}, {"heading": 0.6},
                     {"folded": 0.2}, {"folded": 0}, {"words": 0.5}, {"syl": 0.5}]
    combos = [{"bigram": 1, "heading": 0.6}, {"bigram": 1, "folded": 0.2}]
    return [{}] + one_at_a_time + combos


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=DATASETS, default="alqac2022")
    ap.add_argument("--index", help="cache folder of the ALQAC index (default bench/out/alqac-index, "
                                    "or alqac2025-index)")
    ap.add_argument("--weights", help="change weights, e.g. bigram=1,heading=0.6,own_number=10")
    ap.add_argument("--grid", action="store_true", help="also try a small set of weight variants")
    ap.add_argument("--grid-full", action="store_true", help="try the full 48-variant product")
    ap.add_argument("--limit", type=int, help="only the first N questions")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = ap.parse_args()

    data = SHARED / "datasets" / args.dataset
    laws_path = data / "law.json"
    laws = json.loads(laws_path.read_text(encoding="utf-8"))
    questions = json.loads((data / "question.json").read_text(encoding="utf-8"))[:args.limit]
    by_file = {law_file(law["id"]): law["id"] for law in laws}
    default = OUT / ("alqac-index" if args.dataset == "alqac2022" else f"{args.dataset}-index")
    index_dir = Path(args.index) if args.index else default
    index_dir.mkdir(parents=True, exist_ok=True)
    built = ensure_index(index_dir, laws_path, laws)
    print(f"{sum(len(l['articles']) for l in laws)} articles, {len(questions)} questions; index "
          + (f"built in {built:.1f} s" if built else "reused") + f" ({index_dir})")

    started = time.perf_counter()
    base = score(run_baseline(laws, questions), questions)
    base_s = time.perf_counter() - started

    weights = parse_weights(args.weights)
    engine = Engine(index_dir, weights=weights)
    run_engine(engine, questions[:20], by_file)  # warm-up: caches, lazy imports
    started = time.perf_counter()
    rankings, took = run_engine(engine, questions, by_file)
    ours_s = time.perf_counter() - started
    ours = score(rankings, questions)

    print(f"\nweights: {weights_label(weights)}\n")
    names = ["R@1", "R@5", "R@10", "MRR@10"]
    print(table([[n, ours[n], base[n], f"{ours[n] / base[n]:.3f}" if base[n] else "-",
                  "yes" if ours[n] > base[n] else "NO"] for n in names],
                ["figure", "engine", "BM25 (bm25s, pyvi words)", "ratio", "beats"]))
    print(f"\nengine took_ms: median {percentile(took, 50):.1f}, p95 {percentile(took, 95):.1f}, "
          f"max {max(took):.1f}; all {len(questions)} questions {ours_s:.1f} s "
          f"(baseline incl. pyvi tokenization and indexing {base_s:.1f} s)")
    if args.json:
        print(json.dumps({"weights": asdict(weights), "engine": ours, "baseline": base,
                          "took_ms_p50": percentile(took, 50), "took_ms_p95": percentile(took, 95)}))

    if args.grid or args.grid_full:
        rows = []
        for variant in grid_variants(args.grid_full):
            rankings, took = rank_only(Engine(index_dir, weights=replace(weights, **variant)), questions, by_file)
            figures = score(rankings, questions)
            rows.append([weights_label(variant) or "(as above)", figures["R@1"], figures["R@5"],
                         figures["R@10"], figures["MRR@10"], f"{percentile(took, 95):.0f}"])
            print(f"  {rows[-1][0]}: MRR@10 {figures['MRR@10']:.3f}", file=sys.stderr, flush=True)
        rows.sort(key=lambda r: -r[4])
        print("\nweight variants (changes from the weights above; best MRR@10 first):\n")
        print(table(rows, ["variant", "R@1", "R@5", "R@10", "MRR@10", "p95 ms (rank only)"]))
        print(f"\nbaseline: R@1 {base['R@1']:.3f}  R@5 {base['R@5']:.3f}  R@10 {base['R@10']:.3f}  "
              f"MRR@10 {base['MRR@10']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
