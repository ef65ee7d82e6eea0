"""pyvi's output cached in SQLite (`segments.sqlite` in the index folder), so that a
rebuild or an edited file does not segment unchanged text again.

Entries are keyed by the analysis version (analysis.version()) as well as the
text: a change to the analysis never reuses old segmentations, and entries of
other versions are dropped when the cache is opened. It is only a cache: a
damaged file is replaced by an empty one, and a read or write that fails turns
the cache off for the rest of the run.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from . import analysis

FILE_NAME = "segments.sqlite"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class SegmentCache:
    BATCH = 200  # segmentations written per transaction

    def __init__(self, path: Path, version: str | None = None):
        self.path = Path(path)
        self.version = version or analysis.version()
        self.pending: list[tuple[str, str, str]] = []
        self.db: sqlite3.Connection | None = None
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:  # not a database, or damaged: start afresh
            remove(self.path)
            try:
                self.db = self._open()
            except sqlite3.Error:  # cannot even be created (a full disk): segment without it
                self.db = None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")  # sub-writers read while another writes
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS segments (key TEXT PRIMARY KEY, version TEXT, words TEXT)")
                db.execute("DELETE FROM segments WHERE version != ?", (self.version,))
                db.execute("DROP TABLE IF EXISTS seg")  # the unversioned table of earlier releases
        except BaseException:
            db.close()
            raise
        return db

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.version}\0{text}".encode("utf-8")).hexdigest()

    def segment(self, text: str) -> str:
        key = self._key(text)
        row = self._execute("SELECT words FROM segments WHERE key = ?", (key,))
        if row:
            return row[0]
        words = analysis.segment(text)
        if self.db is not None:
            self.pending.append((key, self.version, words))
            if len(self.pending) >= self.BATCH:
                self.flush()
        return words

    def _execute(self, sql: str, args: tuple):
        if self.db is None:
            return None
        try:
            return self.db.execute(sql, args).fetchone()
        except sqlite3.DatabaseError:
            self._turn_off()
            return None

    def flush(self) -> None:
        if self.db is None or not self.pending:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO segments VALUES (?, ?, ?)", self.pending)
        except sqlite3.DatabaseError:
            self._turn_off()
        self.pending = []

    def _turn_off(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass
        self.db = None
        self.pending = []

    def close(self) -> None:
        self.flush()
        if self.db is not None:
            self.db.close()
            self.db = None


def remove(path: Path) -> None:
    """Delete a cache file and SQLite's files beside it."""
    for suffix in ("", *_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
