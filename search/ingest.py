"""Finding the files to index and reading them as normalized Unicode text.

The formats themselves are read by `search.readers` (one module per format); this module keeps
the two entry points the indexer and the parser use: `discover(paths)` and `read_text(path)`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from .normalize import normalize_text
from .readers import SUFFIXES, UnreadableFile, read

__all__ = ["SUFFIXES", "UnreadableFile", "discover", "read_text"]


def read_text(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None,
              progress: Callable[[str], None] | None = None) -> str:
    """The file's text, normalized (normalize_text); UnreadableFile (a one-line reason) if it cannot
    be read. Any supported format (see search.readers); OCR results are cached in `cache_dir`
    (default: readers.default_cache_dir()); progress lines of long work go to `progress`
    (default: stderr)."""
    text = normalize_text(read(path, cache_dir=cache_dir, progress=progress).text)
    if not text.strip():
        raise UnreadableFile("empty file")
    return text


def discover(paths) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """The files of a supported format (SUFFIXES) under `paths`, and the paths skipped with a reason.

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
            if given.suffix.lower() in SUFFIXES:
                add(given, given.name)
            else:
                skipped.append((str(given), "not a supported file type (" + " ".join(sorted(SUFFIXES)) + ")"))
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
        elif is_file and path.suffix.lower() in SUFFIXES:
            files.append((path, path.relative_to(root).as_posix()))
        elif entry.is_symlink() and not path.exists():
            skipped.append((str(path), "broken link"))
