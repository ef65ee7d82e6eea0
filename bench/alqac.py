"""Legal-article retrieval on ALQAC 2022 and ALQAC 2025, the engine beside two BM25 baselines in one run.

Each law of a set's law.json becomes one Document (file = law id with "/" -> "-",
ordinal 1, type, title and date as the law is published: see `law_metadata`)
whose sections are its articles (id = article id, path [id], heading = the first
line of the article text, text = the rest). They are indexed with
`search.indexer.index_documents` into a cache folder per set (bench/out/alqac2022-index,
bench/out/alqac2025-index; rebuilt only when law.json or the engine's indexing code
changes, and segmentation is cached in its segments.sqlite anyway). Each question
of question.json is run with `Engine.search(text, sections=True, limit=10)`: hits
are articles (hit key -> law, hit section -> article id).

Reported per set, for the engine and both baselines: Recall@1/5/10 (fraction of
questions with a relevant article in the top k) and MRR@10, whether the engine
beats both baselines, and the median and p95 of the engine's took_ms.

Baselines: bm25s (Lucene BM25, k1=1.5, b=0.75) over the same articles (heading +
text), lowercased, with the questions tokenized the same way:
  - syllables: every run of letters and digits (no word segmentation);
  - pyvi words: pyvi `ViTokenizer.tokenize`, tokens without a letter or digit
    dropped (syllables of a word joined by "_").
Their rankings are cached in bench/out/alqac<set>-baselines.json (keyed by the data).

--set 2022|2025|both    which question sets (default both)
--weights name=w,...    changes the engine's weights (search.weights.Weights: field
                        weights words, syl, bigram, heading; own_number;
                        named_document, named_article; title, clause), handed to
                        the Engine (applied at query time: no re-indexing)
--const name=n,...      changes its settings that are counts (rerank_depth)
--grid                  also runs a small set of weight variants (one factor at a
                        time around the current weights, plus a few combinations)
                        over the same index and prints their figures, best MRR first
--grid-full             the full product bigram {0,.25,.5,1} x heading {0,.3,.6} x
                        words {0,.5,1} (36 variants; long)
--misses FILE           writes, per question the engine does not rank first, the
                        question, the rank of its first relevant article and the
                        engine's top 3 (JSON lines), for reading the misses
--limit N               only the first N questions of each set (quick checks)

Run from the repository root:
    python bench/alqac.py
    python bench/alqac.py --set 2025 --misses bench/out/misses-2025.jsonl
    python bench/alqac.py --grid
    python bench/alqac.py --weights bigram=1,heading=0.6
    python bench/alqac.py --weights own_number=10,clause=0.5 --const rerank_depth=80
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

from common import (OUT, REPO, SHARED, engine_fingerprint, index_is_current, mark_index,  # noqa: E402
                    parse_weights, percentile, reset_index, table, weights_label)

from search.indexer import index_documents  # noqa: E402
from search.models import Document, Section  # noqa: E402
from search.numbers import DOC_TYPES, number_key  # noqa: E402
from search.service import Engine, Weights  # noqa: E402

SETS = {"2022": SHARED / "datasets" / "alqac2022", "2025": SHARED / "datasets" / "alqac2025"}
KS = (1, 5, 10)
FIGURES = ["R@1", "R@5", "R@10", "MRR@10"]
BASELINES = {"syllables": "BM25 syllables", "words": "BM25 pyvi words"}

# ALQAC 2022's law.json names its laws by number only; their type, title (the full
# name) and date as published (what `notice-search parse` reads from the laws' own
# files, e.g. ../shared/datasets/vn-laws/Bo-luat-dan-su-2015-296215.txt), so that the
# index holds what a user's folder of these laws would. ALQAC 2025 names its laws by
# their full names ("Luật Cư trú"): the title, and the type read from it.
PUBLISHED = {
    "91/2015/QH13": ("Bộ luật", "Bộ luật Dân sự", "2015-11-24"),
    "24/2018/QH14": ("Luật", "Luật An ninh mạng", "2018-06-12"),
    "45/2019/QH14": ("Bộ luật", "Bộ luật Lao động", "2019-11-20"),
    "01/VBHN-VPQH": ("Bộ luật", "Bộ luật Hình sự", "2017-07-10"),  # the consolidated criminal code
}


def law_file(law_id: str) -> str:
    return law_id.replace("/", "-")


def law_metadata(law_id: str) -> dict:
    """Number, type, title and date of a law given by its ALQAC id."""
    if number_key(law_id):
        doc_type, title, date = PUBLISHED.get(law_id, (None, None, None))
        return {"number": law_id, "type": doc_type or "Luật", "title": title, "date": date}
    doc_type = next((t for t in sorted(DOC_TYPES, key=len, reverse=True)
                     if law_id.lower().startswith(t.lower())), None)
    return {"number": None, "type": doc_type or "Luật", "title": law_id, "date": None}


def law_documents(laws: list[dict]) -> list[Document]:
    docs = []
    for law in laws:
        sections = []
        for article in law["articles"]:
            heading, _, rest = article["text"].strip().partition("\n")
            sections.append(Section(id=str(article["id"]), path=[str(article["id"])],
                                    heading=heading.strip(), text=rest.strip()))
        docs.append(Document(file=law_file(law["id"]), ordinal=1, sections=sections, **law_metadata(law["id"])))
    return docs


def ensure_index(index_dir: Path, laws_path: Path, laws: list[dict]) -> float:
    """(Re)build the index unless its stamp matches law.json and the engine code; seconds spent."""
    stamp = engine_fingerprint("alqac", hashlib.sha1(laws_path.read_bytes()).hexdigest(),
                               json.dumps(PUBLISHED), Path(__file__).read_text(encoding="utf-8"))
    if index_is_current(index_dir, stamp):
        return 0.0
    started = time.perf_counter()
    reset_index(index_dir)
    index_documents(law_documents(laws), index_dir)
    mark_index(index_dir, stamp)
    return time.perf_counter() - started


# --- scoring -----------------------------------------------------------------

def first_ranks(rankings: list[list[tuple[str, str]]], questions: list[dict]) -> list[int | None]:
    """Each question's rank (1..10) of its first relevant article, None if not in the top 10."""
    ranks = []
    for ranked, question in zip(rankings, questions):
        relevant = {(r["law_id"], str(r["article_id"])) for r in question["relevant_articles"]}
        ranks.append(next((i for i, pair in enumerate(ranked[:10], start=1) if pair in relevant), None))
    return ranks


def score(rankings: list[list[tuple[str, str]]], questions: list[dict]) -> dict:
    """Recall@k and MRR@10 given each question's ranked (law, article) pairs."""
    ranks = first_ranks(rankings, questions)
    n = len(questions)
    figures = {f"R@{k}": sum(1 for r in ranks if r and r <= k) / n for k in KS}
    figures["MRR@10"] = sum(1 / r for r in ranks if r) / n
    return figures


def hit_pair(hit: dict, by_file: dict[str, str]) -> tuple[str, str]:
    return by_file[hit["key"].rsplit("#", 1)[0]], hit["section"]


def run_engine(engine: Engine, questions: list[dict], by_file: dict[str, str]):
    rankings, took = [], []
    for question in questions:
        result = engine.search(question["text"], sections=True, limit=10)
        took.append(result["took_ms"])
        rankings.append([hit_pair(hit, by_file) for hit in result["hits"]])
    return rankings, took


# --- the baselines -------------------------------------------------------------

def syllable_tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def pyvi_tokens(text: str) -> list[str]:
    from pyvi import ViTokenizer

    return [t for t in ViTokenizer.tokenize(text).lower().split() if re.search(r"[^\W_]", t)]


def bm25_rankings(laws: list[dict], questions: list[dict], tokens) -> list[list[tuple[str, str]]]:
    import bm25s

    pairs = [(law["id"], str(a["id"])) for law in laws for a in law["articles"]]
    corpus = [tokens(a["text"]) for law in laws for a in law["articles"]]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    ids, _ = retriever.retrieve([tokens(q["text"]) for q in questions], k=10, show_progress=False)
    return [[pairs[i] for i in row] for row in ids]


def baseline_rankings(name: str, folder: Path, laws: list[dict], questions: list[dict]) -> dict:
    """Both baselines' rankings of every question, cached by the data they come from."""
    import bm25s

    digest = hashlib.sha1(b"".join((folder / f).read_bytes() for f in ("law.json", "question.json")))
    digest.update(bm25s.__version__.encode())
    cache = OUT / f"alqac{name}-baselines.json"
    if cache.exists():
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("data") == digest.hexdigest():
            return {k: [[tuple(p) for p in row] for row in v] for k, v in cached["rankings"].items()}
    rankings = {"syllables": bm25_rankings(laws, questions, syllable_tokens),
                "words": bm25_rankings(laws, questions, pyvi_tokens)}
    OUT.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"data": digest.hexdigest(), "rankings": rankings}), encoding="utf-8")
    return rankings


# --- weight variants -----------------------------------------------------------

def grid_variants(full: bool) -> list[dict[str, float]]:
    if full:
        return [{"bigram": b, "heading": h, "words": w} for b, h, w in
                itertools.product((0, 0.25, 0.5, 1), (0, 0.3, 0.6), (0, 0.5, 1))]
    one_at_a_time = [{"bigram": 0}, {"bigram": 0.5}, {"bigram": 1.5}, {"heading": 0}, {"heading": 0.6},
                     {"words": 0}, {"words": 1}, {"syl": 0.5}]
    combos = [{"bigram": 1.5, "heading": 0.6}, {"words": 0, "heading": 0.6}]
    return [{}] + one_at_a_time + combos


# --- one set ---------------------------------------------------------------------

class QuestionSet:
    def __init__(self, name: str, limit: int | None):
        folder = SETS[name]
        self.name = name
        laws_path = folder / "law.json"
        self.laws = json.loads(laws_path.read_text(encoding="utf-8"))
        every = json.loads((folder / "question.json").read_text(encoding="utf-8"))
        self.questions = every[:limit]
        self.by_file = {law_file(law["id"]): law["id"] for law in self.laws}
        index_dir = OUT / f"alqac{name}-index"
        index_dir.mkdir(parents=True, exist_ok=True)
        built = ensure_index(index_dir, laws_path, self.laws)
        print(f"ALQAC {name}: {len(self.laws)} laws, {sum(len(l['articles']) for l in self.laws)} articles, "
              f"{len(self.questions)} questions; index " + (f"built in {built:.1f} s" if built else "reused")
              + f" ({index_dir.relative_to(REPO)})", file=sys.stderr)
        started = time.perf_counter()
        self.baselines = {k: score(v[:len(self.questions)], self.questions)
                          for k, v in baseline_rankings(name, folder, self.laws, every).items()}
        self.baseline_s = time.perf_counter() - started
        self.index_dir = index_dir

    def run(self, weights: Weights):
        engine = Engine(self.index_dir, weights=weights)
        try:
            run_engine(engine, self.questions[:20], self.by_file)  # warm-up: caches, lazy imports
            started = time.perf_counter()
            rankings, took = run_engine(engine, self.questions, self.by_file)
            return rankings, took, time.perf_counter() - started
        finally:
            engine.close()

    def report(self, figures: dict, took: list[float], seconds: float) -> str:
        rows = [[n, figures[n], self.baselines["syllables"][n], self.baselines["words"][n],
                 "yes" if all(figures[n] > b[n] for b in self.baselines.values()) else "NO"] for n in FIGURES]
        return (f"### ALQAC {self.name} ({len(self.questions)} questions, "
                f"{sum(len(l['articles']) for l in self.laws)} articles)\n\n"
                + table(rows, ["figure", "engine", *BASELINES.values(), "beats both"])
                + f"\n\nengine took_ms: median {percentile(took, 50):.1f}, p95 {percentile(took, 95):.1f}, "
                f"max {max(took):.1f}; all questions {seconds:.1f} s")

    def misses(self, rankings) -> list[dict]:
        rows = []
        for question, ranked, rank in zip(self.questions, rankings, first_ranks(rankings, self.questions)):
            if rank != 1:
                rows.append({"set": self.name, "id": question["id"], "rank": rank, "text": question["text"],
                             "relevant": [[r["law_id"], str(r["article_id"])] for r in question["relevant_articles"]],
                             "top": ranked[:3]})
        return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", dest="sets", choices=[*SETS, "both"], default="both", help="question set(s)")
    ap.add_argument("--weights", help="change weights, e.g. bigram=1,heading=0.6,own_number=10")
    ap.add_argument("--const", metavar="NAME=N,...", help="change settings that are counts, e.g. rerank_depth=80")
    ap.add_argument("--grid", action="store_true", help="also try a small set of weight variants")
    ap.add_argument("--grid-full", action="store_true", help="try the full 36-variant product")
    ap.add_argument("--misses", metavar="FILE", help="write the questions not ranked first (JSON lines)")
    ap.add_argument("--limit", type=int, help="only the first N questions of each set")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = ap.parse_args()

    weights = parse_weights(args.weights, args.const)
    sets = [QuestionSet(name, args.limit) for name in (SETS if args.sets == "both" else [args.sets])]
    summary, misses = {}, []
    print(f"weights: {weights_label(weights)}\n")
    for qs in sets:
        rankings, took, seconds = qs.run(weights)
        figures = score(rankings, qs.questions)
        print(qs.report(figures, took, seconds) + "\n")
        summary[qs.name] = {"engine": figures, **qs.baselines,
                            "took_ms_p50": percentile(took, 50), "took_ms_p95": percentile(took, 95)}
        misses += qs.misses(rankings)
    if args.json:
        print(json.dumps({"weights": asdict(weights), "sets": summary}))
    if args.misses:
        Path(args.misses).write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in misses),
                                     encoding="utf-8")

    if args.grid or args.grid_full:
        rows = []
        for variant in grid_variants(args.grid_full):
            row = [weights_label(variant) or "(as above)"]
            for qs in sets:
                rankings, _, _ = qs.run(replace(weights, **variant))
                figures = score(rankings, qs.questions)
                row += [figures["R@1"], figures["R@10"], figures["MRR@10"]]
            rows.append(row)
            print(f"  {row[0]}: MRR@10 " + " ".join(f"{m:.3f}" for m in row[3::3]), file=sys.stderr, flush=True)
        rows.sort(key=lambda r: -sum(r[3::3]))
        print("\nweight variants (changes from the weights above; best mean MRR@10 first):\n")
        print(table(rows, ["variant", *(f"{qs.name} {n}" for qs in sets for n in ("R@1", "R@10", "MRR@10"))]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
