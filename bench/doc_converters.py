"""Compare converters for Word 97–2003 (.doc) files on the real files: speed and text quality.

    python bench/doc_converters.py

For each converter found on the machine (antiword, catdoc, wvText, LibreOffice headless), over
../shared/datasets/real-files/doc/ and legacy/*.doc: the median seconds per file, how many of the
manifest's document numbers appear in the output, and for the legacy files the character error
rate against the hand-checked transcripts after the TCVN3/VNI conversion the readers use
(whitespace collapsed, table rules `|` and `-` runs dropped on both sides).
"""
from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from search.readers import legacy  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "real-files"


def _run(args: list[str]) -> str:
    return subprocess.run(args, capture_output=True, timeout=300).stdout.decode("utf-8", "replace")


def _antiword(path: Path) -> str:
    return _run(["antiword", "-w", "0", "-m", "UTF-8.txt", str(path)])


def _catdoc(path: Path) -> str:
    return _run(["catdoc", "-w", "-d", "utf-8", str(path)])


def _wvtext(path: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.txt"
        subprocess.run(["wvText", str(path), str(out)], capture_output=True, timeout=300)
        return out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""


def _libreoffice(path: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "txt:Text (encoded):UTF8", "--outdir", tmp, str(path)],
                       capture_output=True, timeout=300)
        out = Path(tmp) / (path.stem + ".txt")
        return out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""


CONVERTERS = {
    "antiword (Debian antiword, 0.6 MB)": (_antiword, "antiword"),
    "catdoc (Debian catdoc, 0.7 MB)": (_catdoc, "catdoc"),
    "wvText (Debian wv, 0.7 MB + 5 libraries)": (_wvtext, "wvText"),
    "LibreOffice headless (libreoffice-writer-nogui)": (_libreoffice, "soffice"),
}


def _flat(text: str) -> str:
    text = re.sub(r"[|]|-{3,}|={3,}", " ", text)
    return " ".join(text.split())


def main() -> None:
    manifest = {f["file"]: f for f in json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["files"]}
    files = sorted((DATA / "doc").glob("*.doc")) + sorted((DATA / "legacy").glob("*.doc"))
    print(f"{len(files)} .doc files ({len(list((DATA / 'legacy').glob('*.doc')))} legacy-encoded)")
    for name, (convert, program) in CONVERTERS.items():
        if not shutil.which(program):
            print(f"{name}: not installed")
            continue
        times, numbers, wanted, errors = [], 0, 0, []
        for path in files:
            started = time.perf_counter()
            raw = convert(path)
            times.append(time.perf_counter() - started)
            text = legacy.to_unicode(raw)[0]
            number = manifest[path.relative_to(DATA).as_posix()].get("number")
            if number:
                wanted += 1
                numbers += number.replace(" ", "") in text.replace(" ", "")
            transcript = path.with_name(path.stem + ".unicode.txt")
            if transcript.exists():
                reference = _flat(transcript.read_text(encoding="utf-8"))
                errors.append(Levenshtein.distance(_flat(text), reference) / len(reference))
        print(f"{name}: {statistics.median(times):.2f} s/file (median), numbers in text {numbers}/{wanted}, "
              f"legacy CER " + " ".join(f"{e:.2%}" for e in errors) + f" (mean {statistics.mean(errors):.2%})")


if __name__ == "__main__":
    main()
