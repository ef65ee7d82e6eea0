"""Parser coverage on the vn-laws dataset: how many laws yield each field, and their articles.

Run from the repository root:  python bench/parse_laws.py [--show-missing]

Besides the fields, it counts the articles (Điều) found and lists the laws whose article
numbers have gaps (an article lost into the one before it, e.g. one written "Ðiều" with an
Icelandic eth, shows up as a gap).
"""
from __future__ import annotations

import os
import re
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from search.parse import parse_file  # noqa: E402

ARTICLE_ID = re.compile(r"(\d+)[a-zđ]?")  # a law section's id is its article number: "5", "5a"
SHARED = Path(os.environ.get("NOTICE_SEARCH_SHARED", REPO_ROOT.parent / "shared"))


def main() -> int:
    show_missing = "--show-missing" in sys.argv
    files = sorted((SHARED / "datasets" / "vn-laws").glob("*.txt"))
    counts: Counter = Counter()
    missing: dict[str, list[str]] = {}
    crashes = []
    started = time.perf_counter()
    for path in files:
        try:
            docs = parse_file(path, path.name)
        except Exception:  # the bench reports crashes instead of stopping at the first
            crashes.append((path.name, traceback.format_exc()))
            continue
        first = docs[0]
        articles = [int(m.group(1)) for d in docs for s in d.sections if (m := ARTICLE_ID.fullmatch(s.id))]
        checks = {
            "number": first.number is not None,
            "date": first.date is not None,
            "signer name": first.signer.name is not None,
            "title": first.title is not None and first.title.lower().startswith(("luật", "bộ luật")),
            "Điều section": bool(articles),
        }
        counts["articles"] += len(articles)
        counts["divisions"] += sum(len(d.divisions) for d in docs)
        if articles:
            gaps = sorted(set(range(1, max(articles) + 1)) - set(articles))
            if gaps:
                missing.setdefault("articles (gaps)", []).append(f"{path.name} {gaps[:6]}")
        for field, ok in checks.items():
            counts[field] += ok
            if not ok:
                missing.setdefault(field, []).append(path.name)
        counts["documents"] += len(docs)
        counts["sections"] += sum(len(d.sections) for d in docs)
    seconds = time.perf_counter() - started

    print(f"{len(files)} law files parsed in {seconds:.1f} s ({counts['documents']} documents)")
    for field in ("number", "date", "signer name", "title", "Điều section"):
        print(f"  with {field:<13} {counts[field]:>4} / {len(files)}")
    print(f"  sections total      {counts['sections']:>6}")
    print(f"  articles total      {counts['articles']:>6}")
    print(f"  divisions total     {counts['divisions']:>6}")
    print(f"  laws with gaps in their article numbers: {len(missing.get('articles (gaps)', []))}")
    print(f"  crashes             {len(crashes):>4}")
    for name, trace in crashes:
        print(f"\n{name}\n{trace}")
    if show_missing:
        for field, names in missing.items():
            print(f"\nwithout {field}: " + "; ".join(names))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
