"""Per-generation tables: live records, field lengths and the string columns that
facets, dates and collapsing need, as numpy arrays over every record; the index's
syllables (query.Vocabulary) and its documents' summaries (records.head_summary:
search.corpus, query.Names).

Reading them record by record from Whoosh took seconds per generation at scale
(a `doc_field_length` and a column look-up per record and field, every head
record's stored document, the merged lexicon). Segments never
change, so each segment's part is computed once, by the build that wrote the
segment, and stored beside it in the index folder (`<segment id>.tables`: a
JSON header, then raw arrays), memory-mapped when an engine opens the index.
Whoosh deletes the file with its segment (it matches the segment's file names).
A generation then only combines its segments' parts and applies its deletions,
with a few numpy operations. A segment without its file (an index built before
these files existed, or a read-only folder) is read from Whoosh, and the file is
written if the folder allows.
"""
from __future__ import annotations

import json
import os
import struct
from functools import cached_property
from pathlib import Path

import numpy as np

from .facets import FACETS
from .numbers import day_number
from .records import head_summary, is_head
from .whoosh_internals import LENGTH_OF_BYTE, column_values, length_bytes

COLUMNS = ("key", "section", "date", *FACETS)  # string columns kept as codes
FORMAT = 4  # of the .tables files; another value is computed again
_PREFIX = struct.Struct("<Q")  # the JSON header's length


class SegmentTables:
    """One segment's field-length codes and string columns (distinct values + a code per record),
    its syllables, and its documents' summaries as [record, summary] pairs."""

    def __init__(self, records: int, lengths: dict[str, np.ndarray], values: dict[str, list[str]],
                 codes: dict[str, np.ndarray], syllables: list[str], heads: list[list]):
        self.records, self.lengths, self.values, self.codes = records, lengths, values, codes
        self.syllables, self.heads = syllables, heads

    @classmethod
    def read(cls, leaf) -> SegmentTables:
        """From Whoosh: the segment's length columns and sortable columns."""
        count = leaf.doc_count_all()
        lengths = {field: length_bytes(leaf, field) for field in leaf.schema.scorable_names()}
        values, codes = {}, {}
        for column in COLUMNS:
            names, inverse = np.unique(np.array(column_values(leaf, column), dtype=str), return_inverse=True)
            values[column], codes[column] = names.tolist(), inverse.astype(np.int32)
        syllables = [t.decode("utf-8") for t in leaf.lexicon("syl")]
        heads = []
        if "" in values["section"]:
            for record in np.flatnonzero(codes["section"] == values["section"].index("")).tolist():
                fields = leaf.stored_fields(record)
                if is_head(fields):
                    heads.append([record, head_summary(fields)])
        return cls(count, lengths, values, codes, syllables, heads)

    def save(self, path: Path) -> None:
        """Write the file atomically (a reader never sees half of it)."""
        arrays = {f"len:{f}": a for f, a in self.lengths.items()} | {f"code:{c}": a for c, a in self.codes.items()}
        layout, offset = {}, 0
        for name, array in arrays.items():
            layout[name] = [array.dtype.str, offset, len(array)]
            offset += -(-array.nbytes // 8) * 8
        header = json.dumps({"format": FORMAT, "records": self.records, "values": self.values,
                             "syllables": self.syllables, "heads": self.heads, "arrays": layout},
                            ensure_ascii=False).encode("utf-8")
        start = -(-(_PREFIX.size + len(header)) // 8) * 8
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(temporary, "wb") as f:
            f.write(_PREFIX.pack(len(header)) + header)
            for name, array in arrays.items():
                f.seek(start + layout[name][1])
                f.write(np.ascontiguousarray(array).tobytes())
            f.truncate(start + offset)
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path, records: int) -> SegmentTables | None:
        """The file memory-mapped, or None if it is missing, of another format or size."""
        try:
            data = np.memmap(path, dtype=np.uint8, mode="r")
            size = _PREFIX.unpack(data[:_PREFIX.size].tobytes())[0]
            header = json.loads(data[_PREFIX.size:_PREFIX.size + size].tobytes())
        except (OSError, ValueError, struct.error):
            return None
        if header.get("format") != FORMAT or header.get("records") != records:
            return None
        start = -(-(_PREFIX.size + size) // 8) * 8
        arrays = {}
        for name, (dtype, offset, count) in header["arrays"].items():
            at = start + offset
            arrays[name] = data[at:at + count * np.dtype(dtype).itemsize].view(dtype)
        lengths = {n[4:]: a for n, a in arrays.items() if n.startswith("len:")}
        codes = {n[5:]: a for n, a in arrays.items() if n.startswith("code:")}
        return cls(records, lengths, header["values"], codes, header["syllables"], header["heads"])


def tables_path(folder: Path, leaf) -> Path:
    return Path(folder) / f"{leaf.segment().segment_id()}.tables"


def segment_tables(leaf, folder: Path | None) -> SegmentTables:
    """A segment's tables: from its file in `folder`, else from Whoosh (then saved if possible)."""
    if folder is None:
        return SegmentTables.read(leaf)
    path = tables_path(folder, leaf)
    found = SegmentTables.load(path, leaf.doc_count_all())
    if found is None:
        found = SegmentTables.read(leaf)
        try:
            found.save(path)
        except OSError:  # a read-only index: read from Whoosh again next time
            pass
    return found


def _segments(reader) -> list:
    """(segment reader, first record number) of each segment; none in an index without any yet
    (Whoosh's reader of it is one leaf with no segment)."""
    return [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.segment() is not None]


class GenerationTables:
    """Every record of one generation: live mask, field lengths, string columns as codes; the
    syllables of the index (of deleted records too, as Whoosh's lexicon); and the summary of
    each live document, with its head record's number, in record order."""

    def __init__(self, reader, folder: Path | None = None):
        parts, live = [], []
        self.syllables: set[str] = set()
        self.heads: list[tuple[int, dict]] = []
        for leaf, offset in _segments(reader):
            part = segment_tables(leaf, folder)
            parts.append(part)
            alive = np.ones(part.records, dtype=bool)
            deleted = list(leaf.segment().deleted_docs()) if leaf.has_deletions() else []
            alive[deleted] = False
            live.append(alive)
            self.syllables.update(part.syllables)
            self.heads += [(offset + record, summary) for record, summary in part.heads if alive[record]]
        self.size = reader.doc_count_all()
        self.live = np.concatenate(live) if live else np.zeros(0, dtype=bool)
        self.lengths = {field: (np.concatenate([LENGTH_OF_BYTE[p.lengths[field]] for p in parts])
                                if parts else np.zeros(0))
                        for field in reader.schema.scorable_names()}
        self.columns = {column: _combined(parts, column) for column in COLUMNS}

    def column(self, name: str) -> tuple[list[str], np.ndarray]:
        """A column's distinct values (sorted, "" included if present) and each record's code."""
        return self.columns[name]

    @cached_property
    def days(self) -> np.ndarray:
        """Each record's date as the integer YYYYMMDD; 0 where it has none."""
        names, codes = self.columns["date"]
        return np.array([day_number(d) for d in names], dtype=np.int64)[codes]


def _combined(parts: list[SegmentTables], column: str) -> tuple[list[str], np.ndarray]:
    names = sorted(set().union(*(p.values[column] for p in parts)))
    position = {v: i for i, v in enumerate(names)}
    codes = [np.array([position[v] for v in p.values[column]], dtype=np.int64)[np.asarray(p.codes[column])]
             for p in parts if p.records]
    return names, np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
