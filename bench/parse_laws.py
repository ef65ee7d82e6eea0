"""Parser coverage on the vn-laws dataset: how many laws yield each field.

Run from the repository root:  python bench/parse_laws.py [--show-missing]
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

ARTICLE_ID = re.compile(r"\d+[a-z]?")  # a law section's id is its article number: "5", "5a"
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
        checks = {
            "number": first.number is not None,
            "date": first.date is not None,
            "signer name": first.signer.name is not None,
            "Điều section": any(ARTICLE_ID.fullmatch(s.id) for d in docs for s in d.sections),
        }
        for field, ok in checks.items():
            counts[field] += ok
            if not ok:
                missing.setdefault(field, []).append(path.name)
        counts["documents"] += len(docs)
        counts["sections"] += sum(len(d.sections) for d in docs)
    seconds = time.perf_counter() - started

    print(f"{len(files)} law files parsed in {seconds:.1f} s ({counts['documents']} documents)")
    for field in ("number", "date", "signer name", "Điều section"):
        print(f"  with {field:<13} {counts[field]:>4} / {len(files)}")
    print(f"  sections total      {counts['sections']:>6}")
    print(f"  crashes             {len(crashes):>4}")
    for name, trace in crashes:
        print(f"\n{name}\n{trace}")
    if show_missing:
        for field, names in missing.items():
            print(f"\nwithout {field}: " + ", ".join(names))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
