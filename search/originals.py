"""The original file behind an indexed document, for download ("Tải về").

Every indexed record carries its file's name (relative to the folder given to `index`), that
folder and the file's SHA-1 (`filestate`). The original is that folder joined with the name,
served only when the resolved path still lies inside the folder (no `..`, no symlink out of it)
and is a regular file. Files indexed from already-parsed documents (benchmarks) have no folder
and no original.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from .records import FileState

MEDIA_TYPES = {".md": "text/markdown", ".txt": "text/plain", ".doc": "application/msword", ".rtf": "application/rtf",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class NoOriginal(LookupError):
    """No original file to offer; str(e) is a one-line reason."""


@dataclass
class Original:
    path: Path  # resolved, inside `folder`
    name: str  # the file name to offer the download under
    media_type: str


def original_file(searcher, key: str) -> Original:
    """The original file of the document `key` (`file#ordinal`), checked to lie inside the folder
    it was indexed from. `searcher` is a Whoosh searcher over the index (Engine._searcher())."""
    head = searcher.document(key=key, section="") if "#" in key else None
    if head is None:
        raise NoOriginal("no such document")
    name, folder, _ = FileState.decode(head["filestate"])
    if not folder:
        raise NoOriginal("this document was not indexed from a file")
    root = Path(folder).resolve()
    path = (root / name).resolve()
    if path == root or root not in path.parents:
        raise NoOriginal("the file lies outside the indexed folder")
    if not path.is_file():
        raise NoOriginal("the original file is no longer there")
    media_type = MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Original(path, path.name, media_type)
