"""Finding text files and reading them safely as normalized Unicode text."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

from .normalize import normalize_text

MAX_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md"}


class UnreadableFile(Exception):
    """A file that cannot be read as text; str(e) is a one-line reason."""


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data:
        raise UnreadableFile(_nul_reason(data))
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableFile("not UTF-8 or UTF-16 text") from None
    if "\x00" in text or _control_share(text) > 0.01:
        raise UnreadableFile("binary file")
    return text


def _nul_reason(data: bytes) -> str:
    sample = data[:4096]
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    if max(odd_nuls, even_nuls) > len(sample) // 4 and min(odd_nuls, even_nuls) * 10 < max(odd_nuls, even_nuls):
        return "not UTF-8 or UTF-16 text (UTF-16 without a byte-order mark)"
    return "binary file"


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r\f\v")
    return controls / max(1, len(sample))


def read_text(path: str | os.PathLike) -> str:
    """The file's text, normalized (normalize_text); UnreadableFile if it is not text."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UnreadableFile("is a folder, not a file")
        if size > MAX_BYTES:
            raise UnreadableFile(f"file too large ({size / 1024 / 1024:.1f} MB, limit {MAX_BYTES // 1024 // 1024} MB)")
        data = path.read_bytes()
    except PermissionError:
        raise UnreadableFile("permission denied") from None
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except OSError as e:
        raise UnreadableFile(e.strerror or str(e)) from None
    text = normalize_text(_decode(data))
    if not text.strip():
        raise UnreadableFile("empty file")
    return text


def discover(paths) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """The .txt/.md files under `paths`, and the paths skipped with a reason.

    Returns (found, skipped): `found` pairs each file with its key (its path
    relative to the given folder, posix-style; the file name for a file given
    directly), sorted by key within each given path; `skipped` pairs a path with
    why it was left out. Folders are walked recursively; hidden entries (".git")
    are ignored, symlinked folders are followed once (loops are cut), and
    unreadable folders are skipped.
    """
    found: list[tuple[Path, str]] = []
    skipped: list[tuple[str, str]] = []
    seen: set[Path] = set()

    def add(path: Path, key: str) -> None:
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            found.append((path, key))

    for given in map(Path, paths):
        if given.is_dir():
            files: list[tuple[Path, str]] = []
            _walk(given, given, files, skipped, visited=set())
            for path, key in sorted(files, key=lambda item: item[1]):
                add(path, key)
        elif given.is_file():
            if given.suffix.lower() in TEXT_SUFFIXES:
                add(given, given.name)
            else:
                skipped.append((str(given), "not a .txt or .md file"))
        else:
            reason = "broken link" if given.is_symlink() else "no such file or folder"
            skipped.append((str(given), reason))
    return found, skipped


def _walk(root: Path, folder: Path, files, skipped, visited: set) -> None:
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in visited:
            return  # a symlink loop or a folder linked twice
        visited.add((info.st_dev, info.st_ino))
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except PermissionError:
        skipped.append((str(folder), "permission denied"))
        return
    except OSError as e:
        skipped.append((str(folder), e.strerror or str(e)))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            _walk(root, path, files, skipped, visited)
        elif is_file and path.suffix.lower() in TEXT_SUFFIXES:
            files.append((path, path.relative_to(root).as_posix()))
        elif entry.is_symlink() and not path.exists():
            skipped.append((str(path), "broken link"))
