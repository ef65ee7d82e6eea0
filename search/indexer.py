"""Build and update the index: incremental, parallel, crash-safe.

- Incremental: every record carries its file's name, root and SHA-1 in `filestate`; a
  run re-reads only files whose hash changed and drops files that disappeared
  under the folders it was given.
- Parallel: Whoosh's multi-segment writer runs one sub-process per core, and
  each segments (pyvi) as well as indexes its share, so one
  pyvi pass feeds every field. Segmentation is cached by content in
  `segments.sqlite` so a rebuild does not segment unchanged text again.
- Crash-safe: Whoosh publishes a commit by renaming its table of contents, so a
  killed build leaves the previous generation readable; the next writer
  removes the orphaned files. The write lock makes a second writer fail fast
  with a clear message.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import pickle
import signal
import sqlite3
import time
from contextlib import contextmanager
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import CLEAR

from . import analysis
from .ingest import UnreadableFile, discover, read_text
from .models import Document
from .numbers import find_numbers, number_key
from .parse import parse_text
from .schema import make_schema, written_text
from .schema import signature as schema_signature

INDEX_NAME = "sections"
_STATE_SEP = "\0"  # joins a file's name, root and hash: no path can contain it
SEGMENT_CACHE = "segments.sqlite"
LOCK_WAIT_SECONDS = 2.0
PARALLEL_THRESHOLD = 200  # fewer records than this are written in-process
WRITER_PROCESSES = 2
WRITER_MEMORY_MB = 256  # per writer process, before Whoosh spills postings to disk


class IndexError_(Exception):
    """The index cannot be opened or written; str() is one sentence for the user."""


class IndexBusy(IndexError_):
    pass


@dataclass
class IndexReport:
    files: int = 0
    documents: int = 0
    sections: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def open_index(index_dir: str | os.PathLike):
    """Open an existing index for reading, or raise IndexError_ with a clear message."""
    path = Path(index_dir)
    if not whoosh_index.exists_in(path, indexname=INDEX_NAME):
        raise IndexError_(f"no index at {path}: run `notice-search index PATH` first")
    try:
        ix = whoosh_index.open_dir(path, indexname=INDEX_NAME)
    except Exception:  # an unreadable table of contents, or one pickled by another version
        ix = None
    if ix is None or schema_signature(ix.schema) != schema_signature(make_schema()):
        raise IndexError_(f"the index at {path} was made by another version of notice-search: "
                          "run `notice-search index --rebuild PATH`")
    return ix


def _open_or_create(path: Path, rebuild: bool):
    """The index at `path`; created afresh if missing, or if unusable and `rebuild` is set."""
    path.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(path, indexname=INDEX_NAME):
        try:
            return open_index(path)
        except IndexError_:
            if not rebuild:
                raise
    return whoosh_index.create_in(path, make_schema(), indexname=INDEX_NAME)


def _indexed_files(ix) -> dict[str, tuple[str, str]]:
    """file name -> (root, sha1) of every file in the index.

    Read from the live head records: the lexicon would still list deleted ones.
    """
    with ix.searcher() as searcher:
        states = {}
        for head in searcher.documents(section=""):
            name, root, sha = head["filestate"].split(_STATE_SEP)
            states[name] = (root, sha)
        return states


# --- records ---------------------------------------------------------------

def _doc_fields(doc: Document, state: str) -> dict:
    return {
        "file": doc.file,
        "filestate": state,
        "key": doc.key,
        "number": doc.number or "",
        "number_key": (number_key(doc.number) or "").lower() if doc.number else "",
        "type": doc.type or "",
        "type_key": analysis.folded_key(doc.type or ""),
        "issuer": doc.issuer or "",
        "issuer_f": analysis.folded_key(doc.issuer or ""),
        "signer": doc.signer.name or "",
        "signer_f": analysis.folded_key(doc.signer.name or ""),
        "date": doc.date or "",
        "year": (doc.date or "")[:4],
        "title": doc.title or "",
        "refs": ",".join(number_key(r.number).lower() for r in doc.references),
    }


def _written_numbers(text: str) -> str:
    return ",".join(sorted({number_key(m.number).lower() for m in find_numbers(text)}))


def document_records(doc: Document, state: str) -> list[dict]:
    """The head record and one record per section; content fields are filled later."""
    common = _doc_fields(doc, state)
    records = [{
        **common, "section": "", "order": 0, "path": [], "heading_text": doc.title or "",
        "text": doc.preamble, "doc": _head_doc(doc),
    }]
    for order, section in enumerate(doc.sections, start=1):
        records.append({
            **common, "section": section.id, "order": order, "path": section.path,
            "heading_text": section.heading, "text": section.text,
        })
    for record in records:
        record["srefs"] = _written_numbers(written_text(record))
    return records


def _head_doc(doc: Document) -> dict:
    """The document as `show` needs it, less the texts that section records store."""
    data = doc.to_dict()
    data["sections"] = [{**section, "text": ""} for section in data["sections"]]
    data["preamble"] = ""
    return data


def content_text(record: dict) -> str:
    """The text to segment for a record: its heading and body.

    A head record also carries the metadata a user may type: type, number,
    issuer and signer ("Ton Thi Ngoc Hanh" finds what she signed).
    """
    heading = record["heading_text"]
    body = record["text"]
    if not record["section"]:
        meta = (record["type"], record["number"], record["issuer"], record["signer"])
        body = "\n".join([*(m for m in meta if m), body])
    return f"{heading}\n{body}"


# --- segmentation and writing -------------------------------------------------

class SegmentCache:
    """pyvi's output keyed by the SHA-1 of the raw text, in SQLite, so that a
    rebuild or a changed file does not segment unchanged text again."""

    BATCH = 200

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")  # the sub-writers read while another writes
        self.db.execute("CREATE TABLE IF NOT EXISTS seg (hash TEXT PRIMARY KEY, words TEXT)")
        self.pending: list[tuple[str, str]] = []

    def segment(self, text: str) -> str:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        row = self.db.execute("SELECT words FROM seg WHERE hash = ?", (digest,)).fetchone()
        if row:
            return row[0]
        words = analysis.segment(text)
        self.pending.append((digest, words))
        if len(self.pending) >= self.BATCH:
            self.flush()
        return words

    def flush(self) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO seg VALUES (?, ?)", self.pending)
        self.pending = []

    def close(self) -> None:
        self.flush()
        self.db.close()


def analysed(record: dict, cache: SegmentCache) -> dict:
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


class Codec(W3Codec):
    """Whoosh's codec without per-block length statistics: they serve only Whoosh's
    own top-N scoring, which search/ranking.py replaces, and gathering them costs a
    look-up per posting while the postings are written."""

    length_stats = False


class _AnalysingTask(SubWriterTask):
    """A Whoosh sub-writer process that segments the records it is given."""

    cache_path: Path

    def run(self):
        _die_with_parent()
        self.cache = SegmentCache(self.cache_path)
        try:
            super().run()
        finally:
            self.cache.close()

    def _process_file(self, filename, doc_count):
        tempstorage = self.writer.temp_storage()
        with tempstorage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                _, record = pickle.load(f)
                self.writer.add_document(**analysed(record, self.cache))
        tempstorage.delete_file(filename)


class _AnalysingMpWriter(MpWriter):
    """Whoosh's multi-process writer whose sub-processes segment as well as index:
    both cores run pyvi and Whoosh, each into its own segment."""

    def __init__(self, ix, cache_path: Path, **kwargs):
        super().__init__(ix, procs=WRITER_PROCESSES, multisegment=True, _lk=False, codec=Codec(),
                         subargs={"limitmb": WRITER_MEMORY_MB, "codec": Codec()},
                         limitmb=WRITER_MEMORY_MB, **kwargs)
        self.cache_path = cache_path

    def _new_task(self):
        task = _AnalysingTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                              self.subargs, self.multisegment)
        task.cache_path = self.cache_path
        self.tasks.append(task)
        task.start()
        return task


# --- the build ---------------------------------------------------------------

def _file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _write_lock(ix, index_path: Path):
    """Hold the index's write lock, or raise IndexBusy if another process holds it."""
    lock = ix.lock("WRITELOCK")
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


def _commit(ix, index_path: Path, records: list[dict], deletions: list[str], rebuild: bool,
            progress: Callable[[int, int], None]) -> None:
    """Publish one new generation: drop the deleted files' records, add the new ones.

    Large batches go to sub-writer processes that segment and index in parallel;
    small ones are analysed here. Nothing is visible until the commit renames
    the table of contents.
    """
    cache = None
    if len(records) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
        writer = _AnalysingMpWriter(ix, index_path / SEGMENT_CACHE)
    else:
        writer = ix.writer(_lk=False, limitmb=WRITER_MEMORY_MB, codec=Codec())
        cache = SegmentCache(index_path / SEGMENT_CACHE)
    try:
        for name in deletions:
            writer.delete_by_term("file", name)
        for done, record in enumerate(records, start=1):
            writer.add_document(**(analysed(record, cache) if cache else record))
            progress(done, len(records))
        writer.commit(mergetype=CLEAR) if rebuild else writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        if cache:
            cache.close()


def build(paths: list[str], index_dir: str | os.PathLike, rebuild: bool = False,
          progress: Callable[[int, int], None] | None = None) -> IndexReport:
    """Add files and folders to the index; see the module docstring."""
    started = time.perf_counter()
    if not any(os.path.lexists(p) for p in paths):
        raise IndexError_(f"nothing to index: no such file or folder: {paths[0]}")
    report = IndexReport()
    index_path = Path(index_dir)
    ix = _open_or_create(index_path, rebuild)
    with _write_lock(ix, index_path):
        records, deletions = _scan(ix, paths, rebuild, report)
        _commit(ix, index_path, records, deletions, rebuild, progress or (lambda done, total: None))
    _count_totals(ix, report)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def index_documents(documents: Iterable[Document], index_dir: str | os.PathLike) -> IndexReport:
    """Replace the index's content with already-parsed documents (benchmarks, other sources)."""
    started = time.perf_counter()
    report = IndexReport()
    index_path = Path(index_dir)
    ix = _open_or_create(index_path, rebuild=True)
    with _write_lock(ix, index_path):
        records = [r for doc in documents for r in document_records(doc, _STATE_SEP.join((doc.file, "", "")))]
        _commit(ix, index_path, records, [], True, lambda done, total: None)
    _count_totals(ix, report)
    report.added = report.files
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _scan(ix, paths: list[str], rebuild: bool, report: IndexReport) -> tuple[list[dict], list[str]]:
    """Read what changed under `paths`: the records to add and the files to delete."""
    indexed = {} if rebuild else _indexed_files(ix)
    found, problems = discover(paths)
    report.skipped.extend({"path": p, "error": e} for p, e in problems)
    roots = {str(Path(p).resolve()) if Path(p).is_dir() else str(Path(p).resolve().parent) for p in paths}
    seen, records, deletions = set(), [], []
    for path, name in found:
        seen.add(name)
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            report.skipped.append({"path": repr(str(path)), "error": "file name is not valid UTF-8"})
            continue
        try:
            sha = _file_sha1(path)
            previous = indexed.get(name)
            if previous and previous[1] == sha:
                report.unchanged += 1
                continue
            documents = parse_text(read_text(path), name)
            if not documents:
                raise UnreadableFile("no text to index")
        except (UnreadableFile, OSError) as e:
            report.skipped.append({"path": str(path), "error": _reason(e)})
            continue
        if previous:
            deletions.append(name)
            report.updated += 1
        else:
            report.added += 1
        state = _STATE_SEP.join((name, _root_of(path, name), sha))
        for doc in documents:
            records.extend(document_records(doc, state))
    for name, (root, _) in indexed.items():
        if name not in seen and root in roots:
            deletions.append(name)
            report.removed += 1
    return records, deletions


def _root_of(path: Path, name: str) -> str:
    """The folder `name` is relative to."""
    root = path.resolve()
    for _ in Path(name).parts:
        root = root.parent
    return str(root)


def _reason(error: Exception) -> str:
    if isinstance(error, UnreadableFile):
        return str(error)
    return error.strerror or str(error)


def _count_totals(ix, report: IndexReport) -> None:
    ix = whoosh_index.open_dir(ix.storage.folder, indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        records = searcher.doc_count()
        heads = list(searcher.documents(section=""))
        documents = len(heads)
        report.files = len({head["file"] for head in heads})
    report.documents = documents
    report.sections = records - documents
