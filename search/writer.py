"""Writing one new generation of the index: records in, segmented and indexed, committed.

Large batches go to Whoosh's multi-process writer with two sub-processes, each of
which segments (pyvi) as well as indexes its share into a segment of its own, so one
pyvi pass feeds every field; small batches are analysed in this process. Nothing is
visible until the commit renames the table of contents, so a killed build leaves the
previous generation readable; the next writer removes the orphaned files.
"""
from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh.writing import CLEAR

from . import analysis
from .index_store import BuildFailed
from .records import Record, content_text
from .segment_cache import FILE_NAME as SEGMENT_CACHE
from .segment_cache import SegmentCache
from .whoosh_internals import ProcessWriter, RecordTask, WriterFailed, unlocked_writer

PARALLEL_BYTES = 200_000  # files smaller than this in all (about 200 records) are written in-process
WRITER_PROCESSES = 2
WRITER_MEMORY_MB = 256  # per writer process, before Whoosh spills postings to disk


def analysed(record: Record, cache: SegmentCache) -> Record:
    """A record with its content fields filled: one pyvi pass feeds every field."""
    return {**record, **analysis.field_texts(cache.segment(content_text(record))),
            "heading": analysis.syllables(record["heading_text"])}


def _die_with_parent() -> None:
    """In a sub-writer: exit when the building process dies, even by SIGKILL, so
    that no orphan keeps the index's write lock open."""
    parent = os.getppid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _AnalysingTask(RecordTask):
    """A sub-writer process that segments the records it is given (options: the cache's path)."""

    def open(self) -> None:
        _die_with_parent()
        self.cache = SegmentCache(self.options)

    def close(self) -> None:
        self.cache.close()

    def prepare(self, record: Record) -> Record:
        return analysed(record, self.cache)


def commit(ix, index_path: Path, files: Iterable[tuple[str | None, list[Record]]], deletions: list[str],
           rebuild: bool, parallel: bool, progress: Callable[[int], None]) -> None:
    """Publish one new generation: drop the deleted files' records, add each file's records
    (replacing the file's old ones where a name is given; a rebuild drops everything else too).
    `files` is consumed as it is written, so a build never holds every record at once; with
    `parallel` the records are analysed and indexed by WRITER_PROCESSES sub-processes.
    `progress(n)` is called after each file. The caller holds the write lock."""
    cache = SegmentCache(index_path / SEGMENT_CACHE)  # opened here first: checked, old versions dropped
    if parallel and (os.cpu_count() or 1) > 1:
        cache.close()
        cache = None
        writer = ProcessWriter(ix, _AnalysingTask, index_path / SEGMENT_CACHE, procs=WRITER_PROCESSES,
                               limitmb=WRITER_MEMORY_MB)
    else:
        writer = unlocked_writer(ix, limitmb=WRITER_MEMORY_MB)
    try:
        for name in deletions:
            writer.delete_by_term("file", name)
        for done, (replaced, records) in enumerate(files, start=1):
            if replaced:
                writer.delete_by_term("file", replaced)
            for record in records:
                writer.add_document(**(analysed(record, cache) if cache else record))
            progress(done)
        writer.commit(mergetype=CLEAR) if rebuild else writer.commit()
    except BaseException as e:
        writer.cancel()
        if isinstance(e, (WriterFailed, OSError)):  # a sub-process died, the disk is full...
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise BuildFailed(f"the build failed ({reason}); the index at {index_path} is as it was "
                              "before it") from None
        raise
    finally:
        if cache:
            cache.close()
