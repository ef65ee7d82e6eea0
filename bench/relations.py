"""Relations and effective dates against the hand-read gold (bench/relations_gold.json).

Each gold file is parsed with search.parse.parse_file; every parsed document's
title and body (preamble, then each section's heading and text) go to
search.relations.find_relations and search.effective.find_effective, as an
integration would call them. A file's relations are the union over its documents.

Relations are compared per file as (subject, kind, target): the target is a
number (compared by search.numbers.number_key) or a law's name and year (case,
diacritics and spacing folded). Precision and recall are given per kind for the
document's own relations, then for relations between cited documents, then
article sets of matched own relations. Effective dates: exact ISO date (or
null where the gold says the text gives none or cannot be resolved).

    python bench/relations.py [--split dev|heldout|all] [--failures] [--raw]

--raw feeds each file's whole text instead of the parser's output (to tell the
extractor's misses from text the parser leaves out).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SHARED, table  # noqa: E402
from search.effective import find_effective  # noqa: E402
from search.ingest import read_text  # noqa: E402
from search.parse import parse_text  # noqa: E402
from search.relations import KINDS, Target, find_relations  # noqa: E402

GOLD = Path(__file__).with_name("relations_gold.json")


def gold_target(t: dict) -> Target:
    return Target(number=t["number"], name=t["name"], year=t["year"])


def document_parts(path: Path, raw: bool) -> list[dict]:
    """What an integration hands over for each document of the file."""
    text = read_text(path)
    if raw:
        return [{"title": None, "body": text, "number": None, "date": None}]
    parts = []
    for doc in parse_text(text, path.name):
        body = "\n".join([doc.preamble] + [f"{s.heading}\n{s.text}" for s in doc.sections])
        parts.append({"title": doc.title, "body": body, "number": doc.number, "date": doc.date})
    return parts


def extract(path: Path, issue_date: str | None, raw: bool):
    relations, effective = {}, None
    for part in document_parts(path, raw):
        for rel in find_relations(part["body"], title=part["title"], number=part["number"]):
            key = (rel.subject and Target(number=rel.subject).key, rel.kind, rel.target.key)
            if key in relations:
                relations[key] = sorted(set(relations[key]) | set(rel.articles))
            else:
                relations[key] = rel.articles
        if effective is None:
            text = f"{part['title']}\n{part['body']}" if part["title"] else part["body"]
            effective = find_effective(text, issue_date=issue_date)
    return relations, effective


def prf(tp: int, fp: int, fn: int) -> tuple[str, str]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return (f"{p:.3f}" if p is not None else "–"), (f"{r:.3f}" if r is not None else "–")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    ap.add_argument("--failures", action="store_true", help="list every miss and false relation")
    ap.add_argument("--raw", action="store_true", help="read whole files instead of the parser's output")
    args = ap.parse_args()

    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    datasets = SHARED / "datasets"
    docs = [d for d in gold["documents"] if args.split == "all" or d["split"] == args.split]
    wanted = {d["file"] for d in docs}
    gold_rel = defaultdict(dict)
    for g in gold["relations"]:
        if g["file"] in wanted:
            key = (g["subject"] and Target(number=g["subject"]).key, g["kind"], gold_target(g["target"]).key)
            gold_rel[g["file"]][key] = g
    gold_eff = {e["file"]: e for e in gold["effective"] if e["file"] in wanted}

    counts = {scope: Counter() for scope in ("own", "between")}
    per_kind = defaultdict(Counter)
    art = Counter()
    eff = Counter()
    failures = []
    for doc in docs:
        path = datasets / doc["file"]
        found, effective = extract(path, doc["issue_date"], args.raw)
        if doc["relations_annotated"]:
            expected = gold_rel[doc["file"]]
            for key in set(found) | set(expected):
                scope = "between" if key[0] else "own"
                outcome = "tp" if key in found and key in expected else "fp" if key in found else "fn"
                counts[scope][outcome] += 1
                if scope == "own":
                    per_kind[key[1]][outcome] += 1
                if outcome == "tp" and scope == "own" and expected[key]["articles"]:
                    art["with"] += 1
                    art["exact"] += set(found[key]) == set(expected[key]["articles"])
                if outcome != "tp":
                    g = expected.get(key)
                    failures.append((doc["file"], outcome, key, g["line"] if g else None, g["text"] if g else ""))
        g = gold_eff.get(doc["file"])
        if g:
            got = effective.date if effective else None
            eff["total"] += 1
            eff["right"] += got == g["effective_date"]
            if g["effective_date"]:
                eff["dated"] += 1
                eff["dated_right"] += got == g["effective_date"]
            if g["expiry_date"] or (effective and effective.expiry):
                eff["expiry"] += 1
                eff["expiry_right"] += (effective.expiry if effective else None) == g["expiry_date"]
            if got != g["effective_date"]:
                failures.append((doc["file"], "effective", (got, g["effective_date"]), g["line"], g["text"] or ""))

    rows = []
    for kind in KINDS:
        c = per_kind.get(kind)
        if not c:
            continue
        p, r = prf(c["tp"], c["fp"], c["fn"])
        rows.append([kind, c["tp"] + c["fn"], c["tp"] + c["fp"], c["tp"], p, r])
    for scope, label in (("own", "all own"), ("between", "between cited documents")):
        c = counts[scope]
        p, r = prf(c["tp"], c["fp"], c["fn"])
        rows.append([label, c["tp"] + c["fn"], c["tp"] + c["fp"], c["tp"], p, r])
    annotated = sum(d["relations_annotated"] for d in docs)
    print(f"split {args.split}: {annotated} documents with relations, {len(docs)} with effective dates"
          f"{' (whole files)' if args.raw else ''}")
    print(table(rows, ["kind", "gold", "found", "right", "precision", "recall"]))
    print(f"articles of matched own relations with articles in the gold: "
          f"{art['exact']}/{art['with']} exact")
    print(f"effective date: {eff['right']}/{eff['total']} right = {eff['right'] / max(eff['total'], 1):.3f} "
          f"(of which dated: {eff['dated_right']}/{eff['dated']}); "
          f"expiry: {eff['expiry_right']}/{eff['expiry']}")
    if args.failures:
        for file, outcome, key, line, text in failures:
            print(f"{outcome:9} {file}:{line or ''}  {key}  {text[:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
