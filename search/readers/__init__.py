"""Readers per file format, behind one small interface: `read(path) -> Extract`.

The format is sniffed from the content (a `.doc` that is really HTML or RTF, a PDF named `.txt`),
the suffix only breaking ties. Each reader module has `read(path, context) -> Extract`: Unicode
text in which tables are written as layout cells (see `layout`), plus the chrome lines it left
out (running headers, page numbers, signing stamps) so that nothing is lost silently.
Legacy-encoded Vietnamese (TCVN3, VNI) is converted to Unicode here, for every format.

Readers of binary formats run in a forked child with memory and time bounds (`isolate`): a
hostile file costs a bounded amount and is skipped with its reason; the rest goes on.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Callable

MAX_TEXT_BYTES = 20 * 1024 * 1024
MAX_BINARY_BYTES = 200 * 1024 * 1024

SUFFIXES = {".txt", ".md", ".pdf", ".docx", ".doc", ".html", ".htm", ".rtf",
            ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


class UnreadableFile(Exception):
    """A file that cannot be read; str(e) is a one-line reason."""


@dataclass
class Extract:
    """What a reader got out of a file."""
    text: str
    chrome: list[str] = field(default_factory=list)  # lines recognised as chrome, left out of text
    notes: list[str] = field(default_factory=list)  # what was done ("OCR of 3 images", "TCVN3")
    pages: int = 0
    ocr_images: int = 0


@dataclass
class Context:
    name: str
    cache_dir: Path | None
    progress: Callable[[str], None]


def default_cache_dir() -> Path:
    """Where OCR results are cached when the caller names no folder: $NOTICE_SEARCH_CACHE, else
    the user's cache folder ($XDG_CACHE_HOME or ~/.cache)/notice-search."""
    if os.environ.get("NOTICE_SEARCH_CACHE"):
        return Path(os.environ["NOTICE_SEARCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "notice-search"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sniff(head: bytes, suffix: str) -> str:
    """The file's kind from its first bytes: pdf, docx, doc, rtf, image, mhtml, html or text."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    lowered = stripped[:2048].lower()
    if lowered.startswith(b"mime-version:") and b"multipart/related" in lowered:
        return "mhtml"
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in head[:8192].lower() \
            or (suffix in {".html", ".htm", ".doc"} and lowered.startswith(b"<")):
        return "html"
    return "text"


def read(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None,
         progress: Callable[[str], None] | None = None) -> Extract:
    """Read one file of any supported format; UnreadableFile (a one-line reason) if it cannot be."""
    from . import isolate, legacy, text

    path = Path(path)
    try:
        if path.is_dir():
            raise UnreadableFile("is a folder, not a file")
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(8192)
    except PermissionError:
        raise UnreadableFile("permission denied") from None
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except OSError as e:
        raise UnreadableFile(e.strerror or str(e)) from None
    kind = sniff(head, path.suffix.lower())
    limit = MAX_TEXT_BYTES if kind in {"text", "html", "mhtml", "rtf"} else MAX_BINARY_BYTES
    if size > limit:
        raise UnreadableFile(f"file too large ({size / 1024 / 1024:.1f} MB, limit {limit // 1024 // 1024} MB)")
    context = Context(path.name, Path(cache_dir) if cache_dir else default_cache_dir(), progress or _stderr)
    if kind == "text":
        extract = text.read(path, context)
    else:
        import_module(f"{__name__}.{_MODULES[kind]}")  # in this process: every child inherits it loaded
        extract = isolate.run(_READERS[kind], path, context)
    converted, encoding = legacy.to_unicode(extract.text)
    if encoding:
        extract.text = converted
        extract.notes.append(f"converted from {encoding.upper()}")
    if not extract.text.strip():
        raise UnreadableFile("empty file" if kind == "text" else "no text in the file")
    return extract


_MODULES = {"pdf": "pdf", "docx": "docx", "doc": "doc", "rtf": "rtf", "image": "ocr", "html": "html", "mhtml": "html"}


def _reader(module: str) -> Callable[[Path, Context], Extract]:
    def run(path: Path, context: Context) -> Extract:
        return import_module(f"{__name__}.{module}").read(path, context)
    run.__name__ = module
    return run


_READERS = {kind: _reader(module) for kind, module in _MODULES.items()}
