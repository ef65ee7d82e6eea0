"""Every use of Whoosh's private internals, in one module.

The engine goes below Whoosh's public API in a few places, each for a measured
reason. They are all here, so that a Whoosh upgrade that changes them fails in
tests/test_whoosh_internals.py (which compares them with Whoosh's public
answers) rather than in production ranking; no other module names a private
Whoosh attribute (a test checks that too).

- `posting_blocks`: a term's postings a block at a time, as arrays, through
  `W3LeafMatcher._read_ids/_read_weights/_ids/_weights/_next_block` (the
  public matcher yields one posting per Python call).
- `Codec`: Whoosh's codec without per-block length statistics (they serve only
  Whoosh's own scoring, which search/ranking.py replaces).
- `TermFrequencies`, `TermPositions`: formats whose `word_values` count terms
  prepared as space-separated text in one pass.
- `unlocked_writer`, `ProcessWriter`, `RecordTask`: writers for a caller that
  holds the index's write lock itself (`_lk=False`), and Whoosh's
  multi-process writer whose sub-processes run code of ours on each record
  (`SubWriterTask._process_file`, `MpWriter._new_task`). Whoosh's own commit
  ignores a sub-process that died (`MpWriter._commit` skips a missing result)
  and waits for ever on a queue nobody reads; `ProcessWriter` fails instead
  (`WriterFailed`), before anything is published.
"""
from __future__ import annotations

import os
import pickle
import queue
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.formats import Frequency, Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import pack_uint

# --- reading -------------------------------------------------------------------------


def posting_blocks(leaf, field: str, text: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(record numbers, term frequencies) of one term in one segment, a block at a
    time; numbers are the segment's own, deleted records included."""
    if (field, text) not in leaf:
        return
    matcher = leaf.postings(field, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield np.asarray(matcher._ids, dtype=np.int64), np.asarray(matcher._weights, dtype=np.float64)
            matcher._next_block()
        return
    # Postings inlined in the term index: few, read through the public matcher.
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight()))
        matcher.next()
    if found:
        block = np.array(found, dtype=np.float64)
        yield block[:, 0].astype(np.int64), block[:, 1]


# --- formats and codec ---------------------------------------------------------------


class Codec(W3Codec):
    """Whoosh's codec without per-block length statistics: they serve only Whoosh's
    own top-N scoring, and gathering them costs a look-up per posting written."""

    length_stats = False


class TermFrequencies(Frequency):
    """Frequencies of space-separated terms prepared beforehand, counted in one
    C-level pass instead of a Python loop over Token objects."""

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        return ((term, n, n * boost, pack_uint(n)) for term, n in Counter(value.split()).items())


class TermPositions(Positions):
    """Positions of space-separated terms prepared beforehand."""

    def word_values(self, value, analyzer, **kwargs):
        positions = defaultdict(list)
        for position, term in enumerate(value.split()):
            positions[term].append(position)
        boost = self.field_boost
        return ((term, len(found), len(found) * boost, self.encode(found)) for term, found in positions.items())


# --- writing -------------------------------------------------------------------------


def unlocked_writer(ix, **kwargs):
    """A writer for a caller that already holds the index's write lock."""
    return ix.writer(_lk=False, **kwargs)


class WriterFailed(Exception):
    """A writer sub-process failed or died; str() says how, in one line."""


class RecordTask(SubWriterTask):
    """A Whoosh sub-writer process that passes each record through `prepare` before
    adding it. Subclasses set up per-process state in `open` and release it in `close`;
    `options` is what the parent gave `ProcessWriter`. A failure is reported to the
    parent as one line (no traceback), and the process exits with status 1."""

    options: Any = None

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def prepare(self, record: dict) -> dict:
        return record

    def run(self):
        try:
            self.open()
            try:
                super().run()
            finally:
                self.close()
        except BaseException as e:  # noqa: BLE001 - reported to the parent, which fails the build
            reason = (e.strerror if isinstance(e, OSError) and e.strerror else str(e)) or type(e).__name__
            try:
                self.resultqueue.put(("failed", reason), timeout=5)
                self.resultqueue.close()
                self.resultqueue.join_thread()  # the message is written before the process ends
            finally:
                sys.stderr.flush()
                os._exit(1)

    def _process_file(self, filename, doc_count):
        tempstorage = self.writer.temp_storage()
        with tempstorage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                _, record = pickle.load(f)
                self.writer.add_document(**self.prepare(record))
        tempstorage.delete_file(filename)


class ProcessWriter(MpWriter):
    """Whoosh's multi-process writer, each sub-process (a `task` class) writing its own
    segment; the caller holds the write lock."""

    def __init__(self, ix, task: type[RecordTask], options: Any, procs: int, limitmb: int, codec):
        super().__init__(ix, procs=procs, multisegment=True, _lk=False, codec=codec,
                         subargs={"limitmb": limitmb, "codec": codec}, limitmb=limitmb)
        self.task, self.options = task, options

    def _new_task(self):
        task = self.task(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                         self.subargs, self.multisegment)
        task.options = self.options
        self.tasks.append(task)
        task.start()
        return task

    def _enqueue(self):
        """MpWriter._enqueue, but a job is never put on a queue that no live process reads."""
        filename = "%s.doclist" % os.urandom(8).hex()
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _put(self, job) -> None:
        while True:
            self._check_tasks()
            try:
                self.jobqueue.put(job, timeout=0.2)
                return
            except queue.Full:
                continue

    def _check_tasks(self) -> None:
        """Raise WriterFailed if a sub-process has failed or was killed."""
        ended = [task for task in self.tasks if task.exitcode not in (None, 0)]
        if ended:
            self._fail(ended)

    def _fail(self, ended) -> None:
        reasons = []
        while True:
            try:
                result = self.resultqueue.get(timeout=0.2)
            except queue.Empty:
                break
            if result[0] == "failed":
                reasons.append(result[1])
        if not reasons:
            codes = [task.exitcode for task in ended]
            reasons = [f"killed by signal {-code}" if code < 0 else f"exit status {code}" for code in codes]
        raise WriterFailed("a writer process failed: " + "; ".join(dict.fromkeys(reasons)))

    def _commit(self, mergetype, optimize, merge):
        """MpWriter._commit for separate segments, failing if any sub-process failed."""
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self._put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        for task in self.tasks:
            task.join()
        failed = [task for task in self.tasks if task.exitcode != 0]
        if failed:
            self._fail(failed)
        results = []
        for _ in self.tasks:
            try:
                results.append(self.resultqueue.get(timeout=5))
            except queue.Empty:
                raise WriterFailed("a writer process ended without handing over its segment") from None
        if any(result[0] == "failed" for result in results):
            raise WriterFailed("a writer process failed: " + "; ".join(r[1] for r in results if r[0] == "failed"))
        finalsegments += [segment for _, _, segment in results]
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def cancel(self):
        """Stop the sub-processes too: a failed build leaves none behind."""
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
                task.join(timeout=10)
        finally:
            super().cancel()
