"""Text coverage of the parser: how much of each input ends up in some document's output.

Run from the repository root:  python bench/text_coverage.py [--set NAME] [--worst N] [--show FILE]

For every file, the words (runs of letters and digits, case-folded) of its non-chrome lines
are compared with the words of what the parser outputs for it: every document's metadata as
it is printed (issuer, motto, "Số: …", "<place>, ngày … tháng … năm …", type, title, the "V/v"
of a dispatch, "Kính gửi:" / "Nơi nhận:" with the recipients, the signature), its preamble,
and every section and division (label, heading, text — appendices and notes included).
Chrome is what search.chrome.find_chrome recognises (gazette page headers and stamps, a
saved page's metadata box, banners, related lists, footers); it is left out of the input.

Words are runs of letters or of digits ("tháng11" is "tháng" and "11"). Coverage of a file = characters of its input words found in the output / characters of its
input words, counting each word as often as it occurs (a paragraph lost is missed even if
its words occur elsewhere). Target: at least 99.5 % for every file.

Sets: notices (../shared/datasets/real-notices docs and pages), laws (../shared/datasets/vn-laws),
seeds (index_data/notices), gazette (../shared/datasets/real-files/pdf text layers, extra).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from search.chrome import find_chrome  # noqa: E402
from search.ingest import read_text  # noqa: E402
from search.models import Document  # noqa: E402
from search.normalize import nfc  # noqa: E402
from search.parse import parse_text  # noqa: E402

SHARED = Path(os.environ.get("NOTICE_SEARCH_SHARED", REPO.parent / "shared"))
TARGET = 99.5
_WORD_RE = re.compile(r"[^\W\d_]+|\d+")
_MARKUP_RE = re.compile(r"</?[A-Za-z][^<>]*>|[*_#|`\\]")  # markdown and tags: not words of the input

SETS = {
    "notices": lambda: sorted((SHARED / "datasets" / "real-notices" / "docs").glob("*.md"))
    + sorted((SHARED / "datasets" / "real-notices" / "pages").glob("*.md")),
    "laws": lambda: sorted((SHARED / "datasets" / "vn-laws").glob("*.txt")),
    "seeds": lambda: sorted((REPO / "index_data" / "notices").glob("*.txt")),
    "gazette": lambda: sorted((SHARED / "datasets" / "real-files" / "pdf").glob("*.txt")),
}
REQUIRED = ("notices", "laws", "seeds")


def words(text: str) -> list[str]:
    return _WORD_RE.findall(nfc(text).casefold())


def rendered(doc: Document) -> list[str]:
    """The document's output as a reader sees it printed."""
    out = [doc.issuer or "", doc.motto or "", doc.type or "", doc.title or "", *doc.notes]
    if doc.number:
        out.append(f"Số: {doc.number}")
    if doc.date:
        year, month, day = doc.date.split("-")
        out.append(f"{doc.place or ''}, ngày {day} tháng {month} năm {year}")
    elif doc.place:
        out.append(f"{doc.place}, ngày tháng năm")
    if doc.type == "Công văn" and doc.title:
        out.append("V/v")
    if doc.recipients:
        out.append("Kính gửi: Nơi nhận:")
        out.extend(doc.recipients)
    signer = doc.signer
    out.extend([signer.on_behalf_of or "", signer.position or "", signer.rank or "", signer.name or ""])
    out.append(doc.preamble)
    for section in doc.sections:
        out.extend([section.label, section.heading, section.text])
    for division in doc.divisions:
        out.extend([division.label, division.title])
    return out


def coverage(path: Path) -> tuple[float, int, Counter]:
    """(% covered, input characters, missing words) of one file."""
    text = read_text(path)
    chrome = find_chrome(text)
    wanted = Counter(w for i, line in enumerate(text.split("\n")) if i not in chrome
                     for w in words(_MARKUP_RE.sub("", line)))
    found = Counter(w for doc in parse_text(text, path.name) for part in rendered(doc) for w in words(part))
    total = sum(len(w) * n for w, n in wanted.items())
    covered = sum(len(w) * min(n, found[w]) for w, n in wanted.items())
    missing = Counter({w: n - found[w] for w, n in wanted.items() if found[w] < n})
    return (100.0 * covered / total if total else 100.0), total, missing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=[*SETS, "all"], default="all", help="all = notices, laws, seeds")
    ap.add_argument("--worst", type=int, default=8, help="files to list, worst first")
    ap.add_argument("--show", help="print the missing words of this file (a path)")
    args = ap.parse_args()
    if args.show:
        pct, total, missing = coverage(Path(args.show))
        print(f"{args.show}: {pct:.2f} % of {total} characters")
        print(" ".join(f"{w}×{n}" for w, n in missing.most_common(80)))
        return 0
    names = REQUIRED if args.set == "all" else (args.set,)
    below = 0
    for name in names:
        started = time.perf_counter()
        results = [(path, *coverage(path)) for path in SETS[name]()]
        seconds = time.perf_counter() - started
        if not results:
            print(f"{name}: no files (is ../shared there?)")
            continue
        pcts = [r[1] for r in results]
        pooled = sum(r[1] * r[2] for r in results) / max(1, sum(r[2] for r in results))
        under = [r for r in results if r[1] < TARGET]
        below += len(under)
        print(f"{name}: {len(results)} files in {seconds:.1f} s; coverage min {min(pcts):.2f} %, "
              f"mean {sum(pcts) / len(pcts):.2f} %, pooled {pooled:.2f} %; below {TARGET} %: {len(under)}")
        for path, pct, _total, missing in sorted(results, key=lambda r: r[1])[:args.worst]:
            top = " ".join(f"{w}×{n}" for w, n in missing.most_common(6))
            print(f"  {pct:6.2f} %  {path.name:<48} missing: {top}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
