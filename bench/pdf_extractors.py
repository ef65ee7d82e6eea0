"""Compare PDF text extractors on real Gazette PDFs: speed and agreement with the source's text layer.

    python bench/pdf_extractors.py [--repeat 3]

Each PDF in ../shared/datasets/real-files/pdf/ has the source repository's own text layer beside it
(`<name>.txt`). For every candidate this prints the median seconds per page over the folder and the
character error rate and word recall against that reference (whitespace collapsed, both sides
NFC). The reference keeps page headers and signature stamps as the source extracted them, so no
candidate reaches 0; what matters is the comparison. Candidates that are not installed are listed
as missing.
"""
from __future__ import annotations

import argparse
import collections
import re
import shutil
import statistics
import subprocess
import time
import unicodedata
from pathlib import Path

from rapidfuzz.distance import Levenshtein

FOLDER = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "real-files" / "pdf"


def _pypdfium2(path: Path) -> tuple[str, int]:
    import pypdfium2
    pdf = pypdfium2.PdfDocument(str(path))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    return "\n".join(pages), len(pages)


def _pdfplumber(path: Path) -> tuple[str, int]:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    return "\n".join(pages), len(pages)


def _pdfminer(path: Path) -> tuple[str, int]:
    from pdfminer.high_level import extract_text
    from pypdf import PdfReader
    return extract_text(str(path)), len(PdfReader(path).pages)


def _pypdf(path: Path) -> tuple[str, int]:
    from pypdf import PdfReader
    reader = PdfReader(path)
    pages = [page.extract_text() or "" for page in reader.pages]
    return "\n".join(pages), len(pages)


def _pdftotext(path: Path) -> tuple[str, int]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    text = out.decode("utf-8", "replace")
    return text, text.count("\f") or 1


CANDIDATES = {
    "pypdfium2 (PDFium; Apache-2.0/BSD)": (_pypdfium2, "pypdfium2"),
    "pdfplumber (pdfminer.six; MIT)": (_pdfplumber, "pdfplumber"),
    "pdfminer.six (MIT)": (_pdfminer, "pdfminer"),
    "pypdf (BSD)": (_pypdf, "pypdf"),
    "pdftotext -layout (poppler-utils; GPL, a program)": (_pdftotext, None),
}


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _word_recall(text: str, reference: str) -> float:
    want = collections.Counter(reference.split())
    got = collections.Counter(text.split())
    return sum((want & got).values()) / max(1, sum(want.values()))


def _available(module: str | None) -> bool:
    if module is None:
        return shutil.which("pdftotext") is not None
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pdfs = sorted(FOLDER.glob("*.pdf"))
    print(f"{len(pdfs)} PDFs in {FOLDER.relative_to(FOLDER.parent.parent.parent.parent)}")
    print(f"{'extractor':52} {'s/page':>7} {'CER':>6} {'words':>6}  (median of {args.repeat} runs)")
    for name, (extract, module) in CANDIDATES.items():
        if not _available(module):
            print(f"{name:52} missing")
            continue
        per_page, errors, recalls = [], [], []
        for pdf in pdfs:
            reference = _flat(pdf.with_suffix(".txt").read_text(encoding="utf-8"))
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                text, pages = extract(pdf)
                times.append((time.perf_counter() - started) / max(1, pages))
            per_page.append(statistics.median(times))
            text = _flat(re.sub(r"\s+", " ", text))
            errors.append(Levenshtein.distance(text, reference) / max(1, len(reference)))
            recalls.append(_word_recall(text, reference))
        print(f"{name:52} {statistics.median(per_page):7.4f} {statistics.mean(errors):6.1%} "
              f"{statistics.mean(recalls):6.1%}")


if __name__ == "__main__":
    main()
