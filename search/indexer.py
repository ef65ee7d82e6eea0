"""Build and update the index from files: the incremental scan and its report.

Every record carries its file's name, root and SHA-1 (records.FileState); a run
re-reads only files whose hash changed, and drops files that disappeared under the
paths it was given. search/writer.py writes the result as one new generation.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import tables, writer
from .index_store import IndexUnavailable, mark_complete, open_or_create, reopen, write_lock
from .ingest import UnreadableFile, discover, read_text
from .models import Document
from .parse import parse_text
from .records import FileState, Record, document_records


@dataclass
class IndexReport:
    """The `index --json` summary."""

    files: int = 0
    documents: int = 0
    sections: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Change:
    """A file to read and index: new, or replacing the records of the same name."""

    path: Path
    state: FileState
    replaces: bool
    size: int


def build(paths: list[str], index_dir: str | os.PathLike, rebuild: bool = False,
          progress: Callable[[int, int], None] | None = None) -> IndexReport:
    """Add files and folders to the index; see the module docstring. `progress(done, total)`
    counts the changed files read."""
    started = time.perf_counter()
    if not any(os.path.lexists(p) for p in paths):
        raise IndexUnavailable(f"nothing to index: no such file or folder: {paths[0]}")
    report = IndexReport()
    index_path = Path(index_dir)
    with write_lock(index_path):
        ix = open_or_create(index_path, rebuild)
        changes, deletions = _scan(ix, index_path, paths, rebuild, report)
        parallel = sum(change.size for change in changes) >= writer.PARALLEL_BYTES
        writer.commit(ix, index_path, _read(changes, report), deletions, rebuild, parallel,
                      lambda done: progress and progress(done, len(changes)))
        _count_generation(ix, index_path, report)
        mark_complete(index_path)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def index_documents(documents: Iterable[Document], index_dir: str | os.PathLike) -> IndexReport:
    """Replace the index's content with already-parsed documents (benchmarks, other sources)."""
    started = time.perf_counter()
    report = IndexReport()
    index_path = Path(index_dir)
    with write_lock(index_path):
        ix = open_or_create(index_path, rebuild=True)
        files = ((None, document_records(doc, FileState(doc.file, "", ""))) for doc in documents)
        writer.commit(ix, index_path, files, [], rebuild=True, parallel=True, progress=lambda done: None)
        _count_generation(ix, index_path, report)
        mark_complete(index_path)
    report.added = report.files
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _indexed_files(ix, index_path: Path) -> dict[str, FileState]:
    """file name -> state of every file in the index, from its live documents' summaries
    (search.tables), not from every head record's stored document."""
    with ix.reader() as reader:
        states = (FileState.decode(head["filestate"]) for _, head in tables.GenerationTables(reader, index_path).heads)
        return {state.name: state for state in states}


def _scan(ix, index_path: Path, paths: list[str], rebuild: bool,
          report: IndexReport) -> tuple[list[_Change], list[str]]:
    """What changed under `paths` (by each file's SHA-1): the files to read, and the files
    that disappeared, to delete."""
    indexed = {} if rebuild else _indexed_files(ix, index_path)
    found, problems = discover(paths)
    report.skipped.extend({"path": p, "error": e} for p, e in problems)
    given = [Path(p).resolve() for p in paths]
    seen, changes, deletions = set(), [], []
    for path, name in found:
        seen.add(name)
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            report.skipped.append({"path": repr(str(path)), "error": "file name is not valid UTF-8"})
            continue
        try:
            sha, size = _file_sha1(path), path.stat().st_size
        except OSError as e:
            report.skipped.append({"path": str(path), "error": _reason(e)})
            continue
        previous = indexed.get(name)
        if previous and previous.sha1 == sha:
            report.unchanged += 1
            continue
        changes.append(_Change(path, FileState(name, _root_of(path, name), sha), previous is not None, size))
    for name, state in indexed.items():
        if name not in seen and _under(Path(state.root) / name, given):
            deletions.append(name)
            report.removed += 1
    return changes, deletions


def _read(changes: list[_Change], report: IndexReport) -> Iterator[tuple[str | None, list[Record]]]:
    """Each changed file's records, read and parsed one file at a time (with the name whose
    old records they replace); an unreadable file is reported and keeps its old records."""
    for change in changes:
        try:
            documents = parse_text(read_text(change.path), change.state.name)
            if not documents:
                raise UnreadableFile("no text to index")
        except (UnreadableFile, OSError) as e:
            report.skipped.append({"path": str(change.path), "error": _reason(e)})
            yield None, []
            continue
        if change.replaces:
            report.updated += 1
        else:
            report.added += 1
        yield (change.state.name if change.replaces else None), [
            r for doc in documents for r in document_records(doc, change.state)]


def _under(path: Path, given: list[Path]) -> bool:
    """Whether `path` is one of the given paths or inside one of them: a file that
    disappeared from there is dropped; files outside them stay in the index."""
    return any(path == p or p in path.parents for p in given)


def _file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _count_generation(ix, index_path: Path, report: IndexReport) -> None:
    """The new generation's totals, from its tables: reading them writes the tables of its new
    segments beside them (search.tables), so that opening the generation is fast."""
    with reopen(ix).reader() as reader:
        records = reader.doc_count()
        heads = [head for _, head in tables.GenerationTables(reader, index_path).heads]
    report.documents = len(heads)
    report.files = len({FileState.decode(head["filestate"]).name for head in heads})
    report.sections = records - report.documents
