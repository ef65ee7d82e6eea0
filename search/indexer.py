"""Build and update the index: incremental, parallel, crash-safe.

- Incremental: every record carries "<file>\\t<root>\\t<sha1>" in `filestate`; a
  run re-reads only files whose hash changed and drops files that disappeared
  under the folders it was given.
- Parallel: pyvi segmentation, the dominant cost, runs in a process pool while
  the main process feeds the writer; results are cached by content in
  `segments.sqlite` so a rebuild does not segment again.
- Crash-safe: Whoosh publishes a commit by renaming its table of contents, so a
  killed build leaves the previous generation readable; the next writer
  removes the orphaned files. The write lock makes a second writer fail fast
  with a clear message.
"""
from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import signal
import sqlite3
import time
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import CLEAR, LockError

from . import analysis
from .ingest import UnreadableFile, discover, read_text
from .models import Document
from .numbers import find_numbers, number_key
from .parse import parse_text
from .schema import make_schema

INDEX_NAME = "sections"
SEGMENT_CACHE = "segments.sqlite"
POOL_THRESHOLD = 200  # below this many texts to segment, a pool costs more than it saves


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
    if ix is None or set(ix.schema.names()) != set(make_schema().names()):
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
    """file name -> (root, sha1) of every file in the index."""
    with ix.reader() as reader:
        states = {}
        for term in reader.lexicon("filestate"):
            name, root, sha = term.decode("utf-8").split("\t")
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
        "srefs": _written_numbers(f"{doc.title or ''}\n{doc.preamble}"),
    }]
    for order, section in enumerate(doc.sections, start=1):
        records.append({
            **common, "section": section.id, "order": order, "path": section.path,
            "heading_text": section.heading, "text": section.text,
            "srefs": _written_numbers(f"{section.heading}\n{section.text}"),
        })
    return records


def _head_doc(doc: Document) -> dict:
    """The document as `show` needs it, less the texts that section records store."""
    data = doc.to_dict()
    data["sections"] = [{**section, "text": ""} for section in data["sections"]]
    data["preamble"] = ""
    return data


def _content_of(record: dict) -> tuple[str, str]:
    """The texts to segment for a record: heading + body, and heading alone.

    A head record also carries the metadata a user may type: type, number,
    issuer and signer ("Ton Thi Ngoc Hanh" finds what she signed).
    """
    heading = record["heading_text"]
    body = record["text"]
    if not record["section"]:
        meta = (record["type"], record["number"], record["issuer"], record["signer"])
        body = "\n".join([*(m for m in meta if m), body])
    return f"{heading}\n{body}", heading


# --- segmentation ------------------------------------------------------------

class SegmentCache:
    """Segmented text keyed by the SHA-1 of the raw text, in SQLite."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS seg (hash TEXT PRIMARY KEY, words TEXT)")

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def get_many(self, digests: Iterable[str]) -> dict[str, str]:
        found = {}
        digests = list(digests)
        for i in range(0, len(digests), 500):
            chunk = digests[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT hash, words FROM seg WHERE hash IN ({marks})", chunk))
        return found

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO seg VALUES (?, ?)", items)

    def close(self) -> None:
        self.db.close()


def _die_with_parent() -> None:
    """Pool worker initializer: exit if the building process is killed."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _segment_texts(texts: list[str]) -> Iterator[str]:
    if len(texts) < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        yield from map(analysis.segment, texts)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes=os.cpu_count(), initializer=_die_with_parent) as pool:
        yield from pool.imap(analysis.segment, texts, chunksize=8)


# --- the build ---------------------------------------------------------------

def _file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _writer(ix, index_path: Path):
    """The index's writer, or IndexBusy if another process holds it; cancelled on error."""
    try:
        writer = ix.writer(timeout=2.0)
    except LockError:
        raise IndexBusy(f"the index at {index_path} is being written by another process; "
                        "try again when it finishes") from None
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise


def build(paths: list[str], index_dir: str | os.PathLike, rebuild: bool = False,
          progress: Callable[[int, int], None] | None = None) -> IndexReport:
    """Add files and folders to the index; see the module docstring."""
    started = time.perf_counter()
    report = IndexReport()
    index_path = Path(index_dir)
    ix = _open_or_create(index_path, rebuild)
    with _writer(ix, index_path) as writer:
        _build_with(writer, ix, paths, index_path, rebuild, report, progress or (lambda done, total: None))
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def index_documents(documents: Iterable[Document], index_dir: str | os.PathLike) -> IndexReport:
    """Replace the index's content with already-parsed documents (benchmarks, other sources)."""
    started = time.perf_counter()
    report = IndexReport()
    index_path = Path(index_dir)
    ix = _open_or_create(index_path, rebuild=True)
    with _writer(ix, index_path) as writer:
        records = [r for doc in documents for r in document_records(doc, f"{doc.file}\t\t")]
        _write_records(writer, records, index_path, lambda done, total: None)
        writer.commit(mergetype=CLEAR)
    _count_totals(ix, report)
    report.added = report.files
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _build_with(writer, ix, paths, index_path, rebuild, report, progress) -> None:
    indexed = {} if rebuild else _indexed_files(ix)
    found, problems = discover(paths)
    report.skipped.extend({"path": p, "error": e} for p, e in problems)
    roots = {str(Path(p).resolve()) if Path(p).is_dir() else str(Path(p).resolve().parent) for p in paths}

    seen, to_add = set(), []
    for path, name in found:
        root = _root_of(path, name)
        seen.add(name)
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
            writer.delete_by_term("file", name)
            report.updated += 1
        else:
            report.added += 1
        state = f"{name}\t{root}\t{sha}"
        for doc in documents:
            to_add.extend(document_records(doc, state))

    for name, (root, _) in indexed.items():
        if name not in seen and root in roots:
            writer.delete_by_term("file", name)
            report.removed += 1

    _write_records(writer, to_add, index_path, progress)
    writer.commit(mergetype=CLEAR) if rebuild else writer.commit()
    _count_totals(ix, report)


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


def _write_records(writer, records: list[dict], index_path: Path, progress) -> None:
    """Segment each record's texts (cache first, pool otherwise) and add it to the writer.

    Records are added as their segmentation arrives, so writing overlaps the pool.
    """
    texts = [_content_of(record) for record in records]
    cache = SegmentCache(index_path / SEGMENT_CACHE)
    try:
        known = cache.get_many({SegmentCache.digest(t) for pair in texts for t in pair})
        missing, queued = [], set()
        for pair in texts:
            for text in pair:
                digest = SegmentCache.digest(text)
                if digest not in known and digest not in queued:
                    queued.add(digest)
                    missing.append(text)
        results = _segment_texts(missing)
        fresh = []
        for done, (record, pair) in enumerate(zip(records, texts), start=1):
            segmented = []
            for text in pair:
                digest = SegmentCache.digest(text)
                if digest not in known:
                    # `missing` is in first-use order, so the next result is this text's
                    known[digest] = next(results)
                    fresh.append((digest, known[digest]))
                segmented.append(known[digest])
            content, heading = segmented
            writer.add_document(**record, **analysis.field_texts(content),
                                heading=analysis.field_texts(heading)["syl"])
            progress(done, len(records))
            if len(fresh) >= 500:
                cache.put_many(fresh)
                fresh = []
        cache.put_many(fresh)
        results.close()
    finally:
        cache.close()


def _count_totals(ix, report: IndexReport) -> None:
    ix = whoosh_index.open_dir(ix.storage.folder, indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        records = searcher.doc_count()
        documents = len(list(searcher.document_numbers(section="")))
        report.files = len(list(searcher.lexicon("file")))
    report.documents = documents
    report.sections = records - documents
