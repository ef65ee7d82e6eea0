"""Posting lists built as arrays: the terms of each record's prepared fields in, each
field's posting lists out in term order, without a Python step per posting.

A record's field is its terms as space-separated text (search.analysis.field_texts).
`TermPool.add` turns them into term numbers in one C-level pass; the numbers wait in
one array per field until sorting them would take `limit_bytes`, when they are sorted
(numpy) into a run of posting lists (record numbers, frequencies and, for a field with
positions, each occurrence's position) written to a file beside the index. `chunks`
merges the runs into the field's posting lists in term order, a slice of terms at a
time, so memory stays bounded however large the build. search/whoosh_internals.py
(`ArrayWriter`) writes them into Whoosh's segment.
"""
from __future__ import annotations

import os
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK_POSTINGS = 1 << 20  # posting lists handed out at a time (a term with more comes whole)
_BYTES_PER_TERM = 48  # a buffered term's share of memory while its run is sorted


@dataclass
class Chunk:
    """Consecutive posting lists of one field, in term order. Term t owns postings
    `starts[t]:starts[t + 1]`; with positions, posting p owns `positions[at[p]:at[p + 1]]`."""

    terms: list[str]
    starts: np.ndarray  # int64, len(terms) + 1
    records: np.ndarray  # uint32, ascending within a term
    freqs: np.ndarray  # uint32
    positions: np.ndarray | None = None  # uint32
    at: np.ndarray | None = None  # int64, len(records) + 1


class _OnDisk:
    """A saved run's array in a raw file, read a slice at a time (the pages of a mapped file
    would stay in the process's memory once read)."""

    def __init__(self, path: Path, values: np.ndarray):
        values.tofile(path)
        self.path, self.dtype = path, values.dtype

    def __getitem__(self, part: slice) -> np.ndarray:
        return np.fromfile(self.path, self.dtype, part.stop - part.start, offset=part.start * self.dtype.itemsize)


@dataclass
class _Run:
    """Posting lists of one field over a range of records, sorted by term then record:
    term `ids` (in term order) own postings `starts[i]:starts[i + 1]` and positions
    `pos_starts[i]:pos_starts[i + 1]`. The per-term arrays stay in memory; those per
    posting and position go to files when the run is saved."""

    ids: np.ndarray
    starts: np.ndarray
    records: np.ndarray | _OnDisk
    freqs: np.ndarray | _OnDisk
    positions: np.ndarray | _OnDisk | None
    pos_starts: np.ndarray | None

    def save(self, stem: Path, files: list[Path]) -> _Run:
        """The run with its per-posting arrays written to files named from `stem` (added to `files`)."""
        saved = {}
        for name in ("records", "freqs", "positions"):
            values = getattr(self, name)
            saved[name] = None
            if values is not None:
                files.append(stem.with_name(f"{stem.name}.{name}"))
                saved[name] = _OnDisk(files[-1], values)
        return _Run(ids=self.ids, starts=self.starts, pos_starts=self.pos_starts, **saved)


class _Field:
    """One field's terms: a number per distinct term, the numbers of the records not yet
    in a run, and the runs."""

    def __init__(self, positions: bool):
        self.positions = positions
        self.numbers: defaultdict[str, int] = defaultdict()
        self.numbers.default_factory = self.numbers.__len__  # a new term gets the next number
        self.term_ids = array("I")
        self.records = array("I")
        self.counts = array("I")
        self.runs: list[_Run] = []

    def add(self, record: int, terms: list[str]) -> None:
        self.term_ids.extend(map(self.numbers.__getitem__, terms))
        self.records.append(record)
        self.counts.append(len(terms))

    def cut_run(self) -> _Run | None:
        """The buffered terms sorted into a run (None if there are none); the buffer emptied."""
        ids = np.frombuffer(self.term_ids, dtype=np.uint32)
        if not len(ids):
            return None
        counts = np.frombuffer(self.counts, dtype=np.uint32)
        present = np.unique(ids)
        texts = self.texts()
        by_text = present[_text_order([texts[i] for i in present.tolist()])]
        rank = np.zeros(len(texts), dtype=np.uint64)
        rank[by_text] = np.arange(len(by_text), dtype=np.uint64)
        key = rank[ids]  # term order, then record:
        key <<= np.uint64(32)
        key |= np.repeat(np.frombuffer(self.records, dtype=np.uint32), counts)
        positions = None
        if self.positions:
            order = np.argsort(key, kind="stable")  # stable: a record's positions stay in order
            key = key[order]
            positions = np.arange(len(ids), dtype=np.uint32)
            positions -= np.repeat((np.cumsum(counts, dtype=np.uint32) - counts), counts)
            positions = positions[order]
            del order
        else:
            key.sort()
        self.term_ids, self.records, self.counts = array("I"), array("I"), array("I")
        new_posting = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        posting_rank = (key[new_posting] >> np.uint64(32)).astype(np.int64)
        new_term = np.flatnonzero(np.r_[True, posting_rank[1:] != posting_rank[:-1]])
        return _Run(ids=by_text[posting_rank[new_term]].astype(np.uint32),
                    starts=np.r_[new_term, len(new_posting)].astype(np.int64),
                    records=(key[new_posting] & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                    freqs=np.diff(np.r_[new_posting, len(key)]).astype(np.uint32),
                    positions=positions,
                    pos_starts=np.r_[new_posting[new_term], len(key)].astype(np.int64) if self.positions else None)

    def texts(self) -> list[str]:
        """The terms in number order."""
        return list(self.numbers)


def _text_order(texts: list[str]) -> np.ndarray:
    """Indices sorting `texts` as Whoosh orders terms (by UTF-8 bytes, which is code point order)."""
    return np.array(sorted(range(len(texts)), key=texts.__getitem__), dtype=np.int64)


class TermPool:
    """Every record's terms of the given fields (name -> whether positions are kept),
    buffered up to `limit_bytes` and sorted into runs saved in `folder`."""

    def __init__(self, fields: dict[str, bool], folder: Path, limit_bytes: int):
        self.fields = {name: _Field(positions) for name, positions in fields.items()}
        self.folder, self.limit_terms = folder, max(1, limit_bytes // _BYTES_PER_TERM)
        self.buffered = 0
        self.files: list[Path] = []

    def add(self, field: str, record: int, text: str) -> int:
        """Add a record's terms (space-separated) in `field`; returns how many there are."""
        terms = text.split()
        self.fields[field].add(record, terms)
        self.buffered += len(terms)
        if self.buffered > self.limit_terms:
            self._save_runs()
        return len(terms)

    def add_lists(self, name: str, lists: Iterable[tuple[str, np.ndarray, np.ndarray, np.ndarray | None]]) -> None:
        """Add a field's posting lists read from elsewhere (a segment being merged): (term,
        records, frequencies, positions or None) in term order, each list non-empty and every
        record after those the pool holds already."""
        field = self.fields[name]
        self._save(field, field.cut_run())
        ids, records, freqs, positions = array("I"), [], [], []
        for term, term_records, term_freqs, term_positions in lists:
            ids.append(field.numbers[term])
            records.append(term_records)
            freqs.append(term_freqs)
            positions.append(term_positions)
        if not ids:
            return
        starts = np.r_[0, np.cumsum([len(r) for r in records])].astype(np.int64)
        self._save(field, _Run(
            ids=np.frombuffer(ids, dtype=np.uint32), starts=starts,
            records=np.concatenate(records).astype(np.uint32), freqs=np.concatenate(freqs).astype(np.uint32),
            positions=np.concatenate(positions).astype(np.uint32) if field.positions else None,
            pos_starts=np.r_[0, np.cumsum([len(p) for p in positions])].astype(np.int64) if field.positions else None))

    def _save_runs(self) -> None:
        for field in self.fields.values():
            self._save(field, field.cut_run())
        self.buffered = 0

    def _save(self, field: _Field, run: _Run | None) -> None:
        if run is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            field.runs.append(run.save(self.folder / f"{os.getpid()}-{id(self)}-{len(self.files)}", self.files))

    def close(self) -> None:
        """Drop the runs and delete their files."""
        for field in self.fields.values():
            field.runs = []
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files = []

    def field_names(self) -> list[str]:
        """The fields that hold any term."""
        return [name for name, field in self.fields.items() if field.runs or len(field.term_ids)]

    def chunks(self, name: str) -> Iterator[Chunk]:
        """The field's posting lists in term order, merged from its runs."""
        field = self.fields[name]
        last = field.cut_run()
        runs = field.runs + ([last] if last is not None else [])
        texts = field.texts()
        by_text = _text_order(texts)
        sorted_texts = [texts[i] for i in by_text.tolist()]
        rank = np.empty(len(texts), dtype=np.int64)
        rank[by_text] = np.arange(len(texts))
        run_ranks = [rank[run.ids] for run in runs]  # ascending: each run is in term order
        per_term = np.zeros(len(texts), dtype=np.int64)
        for run, ranks in zip(runs, run_ranks):
            per_term[ranks] += np.diff(run.starts)
        total = np.cumsum(per_term)
        cuts = np.searchsorted(total, np.arange(CHUNK_POSTINGS, int(total[-1]), CHUNK_POSTINGS), side="right")
        bounds = np.unique(np.r_[0, cuts, len(texts)])
        for low, high in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            yield _merged(runs, run_ranks, low, high, sorted_texts, field.positions)


def _merged(runs: list[_Run], run_ranks: list[np.ndarray], low: int, high: int,
            sorted_texts: list[str], positions: bool) -> Chunk:
    """The posting lists of the terms ranked `low:high`, each run's in record order after the
    previous run's (a later run holds later records)."""
    ranks, records, freqs, found = [], [], [], []
    for run, run_rank in zip(runs, run_ranks):
        first, end = np.searchsorted(run_rank, [low, high]).tolist()
        if first == end:
            continue
        ranks.append(np.repeat(run_rank[first:end], np.diff(run.starts[first:end + 1])))
        postings = slice(int(run.starts[first]), int(run.starts[end]))
        records.append(run.records[postings])
        freqs.append(run.freqs[postings])
        if positions:
            found.append(run.positions[int(run.pos_starts[first]):int(run.pos_starts[end])])
    ranks, records, freqs = np.concatenate(ranks), np.concatenate(records), np.concatenate(freqs)
    kept = np.concatenate(found) if positions else None
    if len(runs) > 1:
        order = np.argsort(ranks, kind="stable")
        if positions:
            firsts = np.cumsum(freqs, dtype=np.int64) - freqs
            moved = freqs[order]
            kept = kept[np.repeat(firsts[order] - (np.cumsum(moved, dtype=np.int64) - moved), moved)
                        + np.arange(len(kept))]
        ranks, records, freqs = ranks[order], records[order], freqs[order]
    new_term = np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]])
    return Chunk(terms=[sorted_texts[r] for r in ranks[new_term].tolist()],
                 starts=np.r_[new_term, len(ranks)].astype(np.int64),
                 records=np.ascontiguousarray(records), freqs=np.ascontiguousarray(freqs), positions=kept,
                 at=np.r_[0, np.cumsum(freqs, dtype=np.int64)] if positions else None)

