"""Opening, creating and locking the index folder, and the errors a user sees about it."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from .schema import make_schema, signature
from .whoosh_internals import SharedMapStorage, written_with_codec

INDEX_NAME = "sections"
INCOMPLETE = "INCOMPLETE"  # in the index folder while its first build runs
LOCK_WAIT_SECONDS = 2.0


class IndexUnavailable(Exception):
    """The index cannot be opened or written; str() is one sentence for the user."""


class IndexBusy(IndexUnavailable):
    """Another process is writing the index."""


class IndexDamaged(IndexUnavailable):
    """The index's files cannot be read; `index --rebuild` starts it afresh."""


class BuildFailed(IndexUnavailable):
    """A build could not be completed; the index is as it was before it."""


def open_index(index_dir: str | os.PathLike):
    """Open an existing index for reading, or raise IndexUnavailable with a clear message."""
    path = Path(index_dir)
    if (path / INCOMPLETE).exists():
        raise IndexDamaged(f"the index at {path} is incomplete (its first build has not finished): "
                           f"run `notice-search index PATH --index {path} --rebuild`")
    if not any(path.glob(f"_{INDEX_NAME}_*.toc")):
        raise IndexUnavailable(f"no index at {path}: run `notice-search index PATH` first")
    try:
        ix = SharedMapStorage(str(path)).open_index(INDEX_NAME)
    except (AttributeError, ImportError):  # its schema names code this version does not have
        ix = None
    except Exception:  # noqa: BLE001 - a truncated or garbled table of contents, in any of many ways
        raise IndexDamaged(f"the index at {path} is damaged: "
                           f"run `notice-search index PATH --index {path} --rebuild`") from None
    # The schema and the codec (the posting format) are the index's format version.
    if ix is None or signature(ix.schema) != signature(make_schema()) or not written_with_codec(ix):
        raise IndexUnavailable(f"the index at {path} was made by another version of notice-search: "
                               f"run `notice-search index PATH --index {path} --rebuild`")
    return ix


def open_or_create(path: Path, rebuild: bool):
    """The index at `path`; created afresh if missing or unfinished, or if unusable and
    `rebuild` is set. The caller holds the write lock."""
    path.mkdir(parents=True, exist_ok=True)
    if any(path.glob(f"_{INDEX_NAME}_*.toc")) and not (path / INCOMPLETE).exists():
        try:
            return open_index(path)
        except IndexUnavailable:
            if not rebuild:
                raise
    # Until the first commit, readers are told the index is incomplete, not that it is empty.
    (path / INCOMPLETE).touch()
    return SharedMapStorage(str(path)).create_index(make_schema(), indexname=INDEX_NAME)


def mark_complete(path: Path) -> None:
    """After a commit: the index holds a whole generation."""
    (path / INCOMPLETE).unlink(missing_ok=True)


@contextmanager
def write_lock(index_path: Path):
    """Hold the index's write lock, or raise IndexBusy if another process holds it."""
    index_path.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(index_path)).lock(f"{INDEX_NAME}_WRITELOCK")
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise IndexBusy(f"the index at {index_path} is being written by another process; "
                            "try again when it finishes")
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()


def reopen(ix):
    """The index as last committed (a fresh object: the given one may predate the commit), read
    like every other reader from the process's shared mappings (Whoosh's own `open_dir` would
    copy each part of every segment into memory: 2.7 GB for an unchanged re-run at 270,000
    sections)."""
    return SharedMapStorage(ix.storage.folder).open_index(INDEX_NAME)
