"""PROTOTYPE (issue #14): per-generation tables without a Python loop per record.

`DocTable` and `Statistics` are built today by reading every record's columns and
field lengths one call at a time (about 6 s at 270,000 records). Here:

- field lengths come from each segment's length column as one byte string,
  decoded with a 256-entry table (the same lossy byte encoding Whoosh uses);
- facet and key columns are read per segment into arrays and mapped to
  integer codes with numpy (`np.unique(..., return_inverse=True)`);
- the arrays of each segment are stored beside it (`<segment id>.<name>.npy`, plus
  a small JSON of the segment's distinct strings) and memory-mapped on the
  next open: segments never change, so only deletions are applied per generation.

Not wired into the engine: bench/scale.py --proto patches it in for measurement.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from .facets import FACETS, DocTable
from .ranking import Statistics

_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_STRING_COLUMNS = ("key", "date", *FACETS)


def _segment_lengths(leaf, field: str) -> np.ndarray:
    n = leaf.doc_count_all()
    perdoc = leaf._perdoc
    name = _lenfield(field)
    if not perdoc.has_column(name):
        return np.zeros(n)
    column = perdoc.column_reader(name, LENGTHS_COLUMN)
    raw = np.zeros(n, dtype=np.uint8)
    count = min(column._count, n)
    if count:
        raw[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
    return _LENGTH_OF_BYTE[raw]


def _segment_strings(leaf, field: str) -> tuple[list[str], np.ndarray]:
    """A column as (distinct values, code of each record); "" is a value like any other."""
    n = leaf.doc_count_all()
    values = list(leaf.column_reader(field)) if leaf.has_column(field) else [""] * n
    names, codes = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    return names.tolist(), codes.astype(np.int32)


class SegmentTables:
    """One segment's arrays: field lengths and string-column codes, cached on disk."""

    def __init__(self, leaf, folder: Path | None):
        segment_id = leaf.segment().segment_id()
        fields = leaf.schema.scorable_names()
        stem = folder / f"{segment_id}.tables" if folder else None
        if stem and (stem.with_suffix(".json")).exists():
            meta = json.loads(stem.with_suffix(".json").read_text())
            self.names = meta["names"]
            self.lengths = {f: np.load(f"{stem}.len.{f}.npy", mmap_mode="r") for f in fields}
            self.codes = {c: np.load(f"{stem}.code.{c}.npy", mmap_mode="r") for c in _STRING_COLUMNS}
            return
        self.lengths = {f: _segment_lengths(leaf, f) for f in fields}
        self.names, self.codes = {}, {}
        for column in _STRING_COLUMNS:
            self.names[column], self.codes[column] = _segment_strings(leaf, column)
        if stem:
            try:
                for f, a in self.lengths.items():
                    np.save(f"{stem}.len.{f}.npy", a)
                for c, a in self.codes.items():
                    np.save(f"{stem}.code.{c}.npy", a)
                stem.with_suffix(".json").write_text(json.dumps({"names": self.names}))
            except OSError:  # a read-only index: computed again next time
                pass


def _global_codes(parts: list[SegmentTables], column: str) -> tuple[list[str], np.ndarray]:
    """Every record's value of a column as a code into the sorted distinct values."""
    names = sorted(set().union(*(p.names[column] for p in parts)))
    position = {v: i for i, v in enumerate(names)}
    codes = [np.array([position[v] for v in p.names[column]], dtype=np.int64)[np.asarray(p.codes[column])]
             if len(p.names[column]) else np.zeros(0, dtype=np.int64) for p in parts]
    return names, np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)


def generation_tables(reader, folder: Path | None = None) -> tuple[list[SegmentTables], np.ndarray]:
    """Each segment's tables (cached in `folder`, by default the index's) and the live mask."""
    parts, live = [], []
    for leaf, _ in reader.leaf_readers():
        if folder is None and getattr(leaf._storage, "folder", None):
            folder = Path(leaf._storage.folder)  # a compound segment's storage has none: not cached
        parts.append(SegmentTables(leaf, folder))
        alive = np.ones(leaf.doc_count_all(), dtype=bool)
        deleted = list(leaf.all_doc_ids()) if leaf.has_deletions() else None
        if deleted is not None:
            alive[:] = False
            alive[deleted] = True
        live.append(alive)
    return parts, np.concatenate(live) if live else np.zeros(0, dtype=bool)


class FastStatistics(Statistics):
    def __init__(self, reader, parts=None, live=None):  # noqa: super().__init__ loops per record
        if parts is None:
            parts, live = generation_tables(reader)
        self.size = reader.doc_count_all()
        self.live = live
        count = max(int(live.sum()), 1)
        self.lengths = {}
        for field in reader.schema.scorable_names():
            lengths = np.concatenate([np.asarray(p.lengths[field]) for p in parts]) if parts else np.zeros(0)
            self.lengths[field] = (lengths, (reader.field_length(field) / count) or 1.0)
        self._cache = {}
        self._cached = 0
        self._lock = threading.Lock()


class FastDocTable(DocTable):
    def __init__(self, reader, parts=None, live=None):  # noqa: super().__init__ loops per record
        if parts is None:
            parts, live = generation_tables(reader)
        key_names, key_codes = _global_codes(parts, "key")
        nonempty = np.array([bool(k) for k in key_names], dtype=bool)
        keyed = live & nonempty[key_codes] if len(key_codes) else live
        present = np.flatnonzero(nonempty)  # deleted records' documents included, as DocTable does
        self.keys = [key_names[i] for i in present]
        doc_of_key = np.full(len(key_names), -1, dtype=np.int64)
        doc_of_key[present] = np.arange(len(present))
        self.doc_of_record = np.where(keyed, doc_of_key[key_codes], -1)
        records = np.flatnonzero(keyed)
        docs = self.doc_of_record[records]
        date_names, date_codes = _global_codes(parts, "date")
        date_values = np.array([int(d.replace("-", "")) if d else 0 for d in date_names], dtype=np.int64)
        self.date_of_doc = np.zeros(len(self.keys), dtype=np.int64)
        with_date = date_values[date_codes[records]] != 0
        self.date_of_doc[docs[with_date]] = date_values[date_codes[records[with_date]]]
        self.values, self.value_of_doc = {}, {}
        for facet in FACETS:
            names, codes = _global_codes(parts, facet)
            used = np.unique(codes[records])
            used = used[[bool(names[i]) for i in used]] if len(used) else used
            index = np.full(len(names), -1, dtype=np.int64)
            index[used] = np.arange(len(used))
            per_doc = np.full(len(self.keys), -1, dtype=np.int64)
            values = index[codes[records]]
            per_doc[docs[values >= 0]] = values[values >= 0]
            self.values[facet] = [names[i] for i in used]
            self.value_of_doc[facet] = per_doc
