"""OCR with Tesseract's Vietnamese model, cached by image content; the reader of image files.

Tesseract runs as a program (Debian packages tesseract-ocr and tesseract-ocr-vie) and hands back
its words with their boxes (TSV), which go through the same layout pass as a PDF's text layer,
so a scanned header or signature block comes out as cells too. Each result is cached under the
SHA-256 of the image's pixels and the OCR settings: a re-run never OCRs the same image twice.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from . import Context, Extract, UnreadableFile
from .layout import Page, Word, lay_out, lines_from_words

LANGUAGE = "vie"
MAX_PIXELS = 80_000_000  # 8,000 × 10,000: a page at 600 dpi fits, a decompression bomb does not
TARGET_DPI = 300
SECONDS_PER_IMAGE = 240
MEMORY_BYTES = 2 * 1024 ** 3
INSTALL = "install Tesseract with its Vietnamese model (Debian: apt-get install tesseract-ocr tesseract-ocr-vie)"


def missing() -> str | None:
    """Why OCR cannot run here (one line saying what to install), or None when it can."""
    program = shutil.which("tesseract")
    if not program:
        return f"needs OCR, but Tesseract is not installed: {INSTALL}"
    languages = _languages(program)
    if languages is None:
        return f"needs OCR, but Tesseract does not run: {INSTALL}"
    if LANGUAGE not in languages:
        return f"needs OCR, but Tesseract's Vietnamese model is missing: {INSTALL}"
    return None


@functools.cache
def _languages(program: str) -> tuple[str, ...] | None:
    try:
        out = subprocess.run([program, "--list-langs"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(out.stdout.decode(errors="replace").split())


@functools.cache
def _version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, timeout=30)
    return (out.stdout or out.stderr).decode(errors="replace").splitlines()[0]


def words(image, dpi: int, cache_dir: Path | None) -> list[Word]:
    """The words Tesseract reads in a PIL image, in the image's pixel coordinates."""
    image = image.convert("L")
    settings = f"{_version()}|{LANGUAGE}|psm3|{dpi}"
    key = hashlib.sha256(settings.encode() + f"{image.size}".encode() + image.tobytes()).hexdigest()
    cached = cache_dir / "ocr" / key[:2] / f"{key}.json" if cache_dir else None
    if cached and cached.exists():
        try:
            return [Word(*w) for w in json.loads(cached.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            pass  # a damaged entry is redone
    found = _tesseract(image, dpi)
    if cached:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps([[w.text, w.x0, w.y0, w.x1, w.y1] for w in found], ensure_ascii=False),
                           encoding="utf-8")
            os.replace(tmp, cached)
        except OSError:
            pass  # an unwritable cache only costs the next run the OCR again
    return found


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _tesseract(image, dpi: int) -> list[Word]:
    png = io.BytesIO()
    image.save(png, format="PNG")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        out = subprocess.run(["tesseract", "-", "-", "-l", LANGUAGE, "--psm", "3", "--dpi", str(dpi), "tsv"],
                             input=png.getvalue(), capture_output=True, timeout=SECONDS_PER_IMAGE, env=env,
                             preexec_fn=_limit_memory if os.name == "posix" else None)
    except subprocess.TimeoutExpired:
        raise UnreadableFile(f"OCR of one image took over {SECONDS_PER_IMAGE} s") from None
    if out.returncode != 0:
        message = out.stderr.decode(errors="replace").strip().splitlines()
        raise UnreadableFile(f"OCR failed ({message[-1] if message else 'tesseract exit ' + str(out.returncode)})")
    found = []
    rows = csv.DictReader(io.StringIO(out.stdout.decode("utf-8", errors="replace")), delimiter="\t",
                          quoting=csv.QUOTE_NONE)
    for row in rows:
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
        found.append(Word(text, left, top, left + width, top + height))
    return found


def read(path: Path, context: Context) -> Extract:
    """An image file (PNG, JPEG, TIFF; every frame of a multi-page TIFF) through OCR."""
    reason = missing()
    if reason:
        raise UnreadableFile(reason)
    Image.MAX_IMAGE_PIXELS = None  # the size is checked below, before any pixel is decoded
    try:
        image = Image.open(path)
        pages = []
        frames = getattr(image, "n_frames", 1)
        for frame in range(frames):
            image.seek(frame)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UnreadableFile(f"image too large to OCR ({width}×{height} pixels, limit "
                                     f"{MAX_PIXELS // 1_000_000} million)")
            dpi = int((image.info.get("dpi") or (0, 0))[0] or 0)
            picture = image.convert("L")
            if dpi < 150:  # unknown or low resolution: read it as a page at 300 dpi
                dpi = TARGET_DPI
            context.progress(f"{context.name}: OCR {frame + 1}/{frames}")
            pages.append(Page(lines_from_words(words(picture, dpi, context.cache_dir)), width, height))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise UnreadableFile(f"broken image file ({' '.join(str(e).split())[:120]})") from None
    laid = lay_out(pages)
    return Extract(laid.text, laid.chrome, [f"OCR of {len(pages)} image(s)"], len(pages), len(pages))
