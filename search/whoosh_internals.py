"""Every use of Whoosh's private internals, in one module.

The engine goes below Whoosh's public API in a few places, each for a measured
reason. They are all here, so that a Whoosh upgrade that changes them fails in
tests/test_whoosh_internals.py (which compares them with Whoosh's public
answers) rather than in production ranking; no other module names a private
Whoosh attribute (a test checks that too).

- `ArrayCodec`: Whoosh's W3 codec with posting blocks that load as arrays. W3
  stores each block as a zlib-compressed pickle of delta-encoded tuples:
  reading a posting list cost a pickle load, a zlib pass and a Python loop per
  block. `ArrayCodec` keeps W3's framing (term index, block skipping, so Whoosh's
  own matchers, phrases included, still work) but writes each block as a
  struct header and raw little-endian arrays (`ArrayPostingsWriter._write_block`,
  `ArrayLeafMatcher._goto/_read_*`), without per-block length statistics
  (they serve only Whoosh's own scoring, which search/ranking.py replaces).
  `written_with_codec` tells an index of another format (it needs a rebuild).
- `posting_arrays`, `position_arrays`: a term's whole posting list (record
  numbers, frequencies; or each position and its record) with one look-up in the
  segment's term index (`_terms.matcher`, `_text_to_bytes`), no copy of the
  mapped file (`_file_view`: the compound file's `SubFile._file/_offset`) and a
  `numpy.frombuffer` per block; for phrases, only the blocks holding records
  that may still match.
- `length_bytes`: a segment's field lengths as the raw byte column Whoosh
  stores (`_perdoc`, the column reader's `_dbfile/_basepos/_count`), one read
  instead of a `doc_field_length` call per record; `LENGTH_OF_BYTE` decodes it.
- `column_values`: a segment's text column, its data read at once and cut by the
  column reader's `_offsets/_lengths` (the public iteration reads the file once
  per record).
- `TermFrequencies`, `TermPositions`: formats whose `word_values` count terms
  prepared as space-separated text in one pass; `TermPositions` stores a
  posting's positions as raw uint32, so they too load without unpacking.
- `ArrayWriter`: Whoosh's `SegmentWriter` whose `TermFrequencies` and
  `TermPositions` fields (nearly every posting) skip Whoosh's posting pool, a
  Python tuple per posting: their terms are gathered and sorted as arrays
  (search/postings.py) and each chunk of posting lists is written at once in
  the bytes `W3FieldWriter` and `ArrayPostingsWriter` would write
  (`_fieldid`, `_postfile`, the term index's `dbfile/index/buckets/hashfn/
  lastkey`); merging a segment reads its lists as arrays
  (`add_postings_to_pool`).
- `unlocked_writer`, `ProcessWriter`, `RecordTask`: writers for a caller that
  holds the index's write lock itself (`_lk=False`), and Whoosh's
  multi-process writer whose sub-processes write with `ArrayWriter` and run
  code of ours on each record (`SubWriterTask._process_file`,
  `MpWriter._new_task`). Whoosh's own commit
  ignores a sub-process that died (`MpWriter._commit` skips a missing result)
  and waits for ever on a queue nobody reads; `ProcessWriter` fails instead
  (`WriterFailed`), before anything is published.
- `SharedMapStorage`: Whoosh's file storage with each segment file mapped once
  per process and read by every thread's reader from that one mapping
  (`CompoundStorage` reads it through `SubFile`). Whoosh's own mmap mode copies
  each part of a segment into a `BytesIO` per reader (~200 MB per thread on the
  laws); reading without it makes every small read a system call that releases
  the GIL, and under load each thread then waits for the GIL again after every
  read (a 0.25 s document page took 9 s with 8 server threads busy).
"""
from __future__ import annotations

import mmap
import os
import pickle
import queue
import struct
import sys
import threading
import weakref
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter,
                                  _lenfield)
from whoosh.columns import VarBytesColumn
from whoosh.filedb.compound import SubFile
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Frequency, Positions
from whoosh.matching import ReadTooFar
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from .postings import TermPool

# --- reading -------------------------------------------------------------------------

_EMPTY = np.zeros(0, dtype=np.int64)


def _leaf_matcher(leaf, field: str, text: str):
    """The segment's own matcher of a term (deleted records included), or None. One look-up in
    the term index (`in` then `SegmentReader.postings` made two) and no wrapper skipping the
    deleted records (the callers mask them)."""
    if field not in leaf.schema or not hasattr(leaf, "_terms"):  # an empty index's reader has no terms
        return None
    try:
        return leaf._terms.matcher(field, leaf._text_to_bytes(field, text), leaf.schema[field].format)
    except TermNotFound:
        return None


def posting_arrays(leaf, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(record numbers int64, term frequencies float64) of one term in one segment;
    numbers are the segment's own, deleted records included."""
    matcher = _leaf_matcher(leaf, field, text)
    if matcher is None:
        return _EMPTY, np.zeros(0)
    if isinstance(matcher, ArrayLeafMatcher):
        return matcher.arrays()[:2]
    # Postings inlined in the term index (a term in one record): through the public matcher.
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight()))
        matcher.next()
    block = np.array(found, dtype=np.float64).reshape(-1, 2)
    return block[:, 0].astype(np.int64), block[:, 1]


def position_arrays(leaf, field: str, text: str, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(record of each position, position), both int64, of one term in one segment
    (a field with `TermPositions`); deleted records included. With `among` (a mask over the
    segment's records), the positions of other records may be left out."""
    matcher = _leaf_matcher(leaf, field, text)
    if matcher is None:
        return _EMPTY, _EMPTY
    if isinstance(matcher, ArrayLeafMatcher):
        return matcher.arrays(positions=True, among=among)[2:]
    records, positions = [], []
    while matcher.is_active():
        found = matcher.value_as("positions")
        records += [matcher.id()] * len(found)
        positions += found
        matcher.next()
    return np.array(records, dtype=np.int64), np.array(positions, dtype=np.int64)


LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def length_bytes(leaf, field: str) -> np.ndarray:
    """Every record's length in `field` in one segment, as Whoosh's one-byte codes (uint8);
    records past the column's end have length 0."""
    count = leaf.doc_count_all()
    codes = np.zeros(count, dtype=np.uint8)
    name = _lenfield(field)
    if leaf._perdoc.has_column(name):
        column = leaf._perdoc.column_reader(name, LENGTHS_COLUMN)
        stored = min(column._count, count)
        if stored:
            codes[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
    return codes


def column_values(leaf, field: str) -> list[str]:
    """Every record's value in the sortable text column `field` of one segment ("" where
    none), as `list(leaf.column_reader(field))` gives them, with one read."""
    count = leaf.doc_count_all()
    if not leaf.has_column(field):
        return [""] * count
    column = leaf.column_reader(field, translate=False)
    if not isinstance(column, VarBytesColumn.Reader):
        return [v.decode("utf-8") if isinstance(v, bytes) else (v or "") for v in column]
    data = column._dbfile.get(column._basepos, sum(column._lengths))
    return [data[start:start + length].decode("utf-8") for start, length in zip(column._offsets, column._lengths)]


# --- formats and codec ---------------------------------------------------------------


class TermFrequencies(Frequency):
    """Frequencies of space-separated terms prepared beforehand, counted in one
    C-level pass instead of a Python loop over Token objects."""

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        return ((term, n, n * boost, pack_uint(n)) for term, n in Counter(value.split()).items())


class TermPositions(Positions):
    """Positions of space-separated terms prepared beforehand, stored as raw uint32
    (no count prefix, no pickle)."""

    def word_values(self, value, analyzer, **kwargs):
        positions = defaultdict(list)
        for position, term in enumerate(value.split()):
            positions[term].append(position)
        boost = self.field_boost
        return ((term, len(found), len(found) * boost, self.encode(found)) for term, found in positions.items())

    def encode(self, poslist):
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring):
        positions = array("I")
        positions.frombytes(valuestring)
        return positions.tolist()

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


# A block: header  <iIIfB  payload length (negative: the last block), count, last record,
#                          max weight, flags (_WEIGHTS: weights stored; else all 1.0)
#          payload record numbers uint32[count] (absolute), [weights float32[count]], values:
#                  fixed-size formats count*size bytes; variable-size formats (positions)
#                  uint32 offsets[count + 1] and the values' bytes one after another
_HEADER = struct.Struct("<iIIfB")
_WEIGHTS = 1
_KEY_VALUE_LENGTHS = struct.Struct("!ii")  # before each key and value in the term index (filetables._lengths)
# W3TermInfo.to_bytes of a term not inlined, without lengths: its `_struct`, then offset and length
_TERM_INFO = struct.Struct("!BfIBBfII" "qi")


class ArrayPostingsWriter(W3PostingsWriter):
    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids, weights = self._ids, self._weights
        parts = [ids.tobytes()]
        flags = 0
        if any(w != 1.0 for w in weights):
            flags |= _WEIGHTS
            parts.append(weights.tobytes())
        fixed = self._format.fixed_value_size()
        if fixed is None or fixed < 0:
            offsets = array("I", [0])
            total = 0
            for value in self._values:
                total += len(value)
                offsets.append(total)
            parts += [offsets.tobytes(), b"".join(self._values)]
        elif fixed > 0:
            parts.append(b"".join(self._values))
        payload = b"".join(parts)
        self._postfile.write(_HEADER.pack(-len(payload) if last else len(payload), len(ids), ids[-1],
                                          self._maxweight, flags))
        self._postfile.write(payload)
        self._blockcount += 1
        self._new_block()


class ArrayLeafMatcher(W3LeafMatcher):
    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        length, count, maxid, maxweight, flags = _HEADER.unpack(self._postfile.get(position, _HEADER.size))
        if length < 0:
            self._lastblock = True
            length = -length
        self._dataoffset = position + _HEADER.size
        self._nextoffset = self._dataoffset + length
        self._blocklength, self._maxid, self._maxweight = count, maxid, maxweight
        self._flags = flags
        self._compression = 0
        self._minlength = self._maxlength = 0

    def _read_data(self):
        self._data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        ids = array("I")
        ids.frombytes(self._data[:4 * self._blocklength])
        self._ids = ids

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        n = self._blocklength
        if self._flags & _WEIGHTS:
            weights = array("f")
            weights.frombytes(self._data[4 * n:8 * n])
            self._weights = weights
        else:
            self._weights = array("f", [1.0]) * n

    def _read_values(self):
        if self._data is None:
            self._read_data()
        n, fixed, data = self._blocklength, self._fixedsize, self._data
        start = 4 * n * (2 if self._flags & _WEIGHTS else 1)
        if fixed is None or fixed < 0:
            offsets = array("I")
            offsets.frombytes(data[start:start + 4 * (n + 1)])
            base = start + 4 * (n + 1)
            self._values = [data[base + offsets[i]:base + offsets[i + 1]] for i in range(n)]
        elif fixed == 0:
            self._values = (None,) * n
        else:
            self._values = [data[start + i * fixed:start + (i + 1) * fixed] for i in range(n)]

    def skip_to(self, targetid):
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            self._skip_to_block(lambda: targetid > self._maxid)
        if self.is_active():
            if self._ids is None:
                self._read_ids()
            self._i = bisect_left(self._ids, targetid, self._i)

    def arrays(self, positions: bool = False, among: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """The whole posting list from its start, with one read: record numbers (int64) and
        weights (float64); with `positions`, also each position's record and the positions.
        `among` (a mask over the segment's records): only the blocks holding one of those records
        are decoded, so that other records may be missing from the answer."""
        length = self._length[0] if isinstance(self._length, tuple) else self._length  # read back as a 1-tuple
        view = _file_view(self._postfile, self._baseoffset, self._startoffset + length - self._baseoffset)
        # records of `among` up to each record number (exclusive): a block holds one of them if
        # the count grows between the last record of the block before and its own
        wanted_before = None if among is None else np.concatenate(([0], np.cumsum(among)))
        at, previous_last, ids, weights, pos_ids, pos = 0, -1, [], [], [], []
        while True:
            length, count, last, _, flags = _HEADER.unpack_from(view, at)
            at += _HEADER.size
            if wanted_before is None or wanted_before[last + 1] > wanted_before[previous_last + 1]:
                block_ids = np.frombuffer(view, "<u4", count, at)
                ids.append(block_ids)
                if flags & _WEIGHTS:
                    weights.append(np.frombuffer(view, "<f4", count, at + 4 * count))
                    values_at = at + 8 * count
                else:
                    weights.append(np.ones(count, dtype=np.float32))
                    values_at = at + 4 * count
                if positions:
                    offsets = np.frombuffer(view, "<u4", count + 1, values_at)
                    base = values_at + 4 * (count + 1)
                    pos.append(np.frombuffer(view, "<u4", int(offsets[-1]) // 4, base))
                    pos_ids.append(np.repeat(block_ids, np.diff(offsets) // 4))
            at += abs(length)
            previous_last = last
            if length < 0:
                break
        if not ids:
            return (_EMPTY, np.zeros(0)) + ((_EMPTY, _EMPTY) if positions else ())
        # New arrays, each filled in one pass (the views into the file go with this frame)
        result = (np.concatenate(ids, dtype=np.int64), np.concatenate(weights, dtype=np.float64))
        if positions:
            result += (np.concatenate(pos_ids, dtype=np.int64), np.concatenate(pos, dtype=np.int64))
        return result


def _file_view(f: StructFile, offset: int, size: int) -> memoryview:
    """`size` bytes of a segment file from `offset`: without a copy where the segment is mapped
    (a `_MapReader` under the compound file's `SubFile`), else read. A posting list's blocks hold
    its positions too, most of its bytes, which scoring never reads."""
    sub = f.file
    if isinstance(sub, SubFile) and isinstance(sub._file, _MapReader):
        start = sub._offset + offset
        return memoryview(sub._file.data)[start:start + size]
    return memoryview(f.get(offset, size))


class ArrayCodec(W3Codec):
    """The engine's codec: W3 with array blocks, uncompressed, no length statistics."""

    length_stats = False

    def __init__(self, blocklimit=1024, compression=0, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                   compression=0, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def written_with_codec(ix) -> bool:
    """Whether every segment of the index was written with ArrayCodec."""
    return all(isinstance(segment.codec(), ArrayCodec) for segment in ix._segments())


# --- writing -------------------------------------------------------------------------


class ArrayWriter(SegmentWriter):
    """Whoosh's segment writer (with `ArrayCodec`) whose fields in `TermFrequencies` and
    `TermPositions` formats, nearly every posting, bypass Whoosh's posting pool: a tuple per
    posting, sorted, then handed to the codec one at a time cost more than segmenting the
    text. Their terms go to a `search.postings.TermPool` and come out sorted as arrays;
    `_write_lists` writes each term's blocks and term-index entry exactly as Whoosh's
    `W3FieldWriter` and `ArrayPostingsWriter` would (a test compares the files). Other
    fields, and the stored fields, lengths and columns, go through Whoosh's own code."""

    def __init__(self, ix, limitmb: float = 128, **kwargs):
        # Whoosh's pool keeps a quarter of the memory: it holds only the other fields' few postings
        super().__init__(ix, limitmb=limitmb / 4, codec=ArrayCodec(), **kwargs)
        pooled = {name: isinstance(field.format, TermPositions) for name, field in self.schema.items()
                  if isinstance(field.format, (TermFrequencies, TermPositions))}
        self.terms = TermPool(pooled, Path(self._tempstorage.folder), int(limitmb * 3 / 4 * 1024 * 1024))

    def add_document(self, **fields):
        """SegmentWriter.add_document for the engine's records (no boosts, spelling or vectors)."""
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name in self.terms.fields:
                    count = self.terms.add(name, docnum, value)
                    length = count if field.scorable else 0
                elif field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        self.pool.add((name, tbytes, docnum, weight, vbytes))
                perdocwriter.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdocwriter.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """A segment being merged: its pooled fields' posting lists go to the term pool as
        arrays, the rest to Whoosh's pool posting by posting."""
        renumbered = np.arange(startdoc, startdoc + reader.doc_count_all())
        if docmap is not None:  # deleted records are left out
            renumbered[:] = -1
            renumbered[list(docmap)] = list(docmap.values())
        for name in reader.indexed_field_names():
            if name not in self.schema:
                continue
            if name in self.terms.fields:
                self.terms.add_lists(name, _renumbered_lists(reader, name, renumbered,
                                                             self.terms.fields[name].positions))
                continue
            for tbytes in reader.lexicon(name):
                matcher = reader.postings(name, tbytes)
                while matcher.is_active():
                    if renumbered[matcher.id()] >= 0:
                        self.pool.add((name, tbytes, int(renumbered[matcher.id()]), matcher.weight(),
                                       matcher.value()))
                    matcher.next()

    def _flush_segment(self):
        self.perdocwriter.close()
        pooled = groupby(self.pool.iter_postings(), key=itemgetter(0))  # fields in name order
        listed = set(self.terms.field_names())
        for name in sorted(listed | self.pool.fieldnames):
            if name in listed:
                _write_lists(self.fieldwriter, name, self.schema[name], self.terms.chunks(name))
            else:
                _, postings = next(pooled)
                self.fieldwriter.add_postings(self.schema, None, postings)
        self.fieldwriter.close()

    def _close_segment(self):
        super()._close_segment()
        self.terms.close()


def _renumbered_lists(leaf, name: str, renumbered: np.ndarray, positions: bool):
    """(term, records, frequencies, positions or None) of each term of a field in one segment,
    records renumbered and deleted ones (-1) left out."""
    boost = leaf.schema[name].format.field_boost
    for tbytes in leaf.lexicon(name):
        term = tbytes.decode("utf-8")
        records, weights = posting_arrays(leaf, name, term)
        kept = renumbered[records] >= 0
        if not kept.any():
            continue
        found = None
        if positions:
            position_records, found = position_arrays(leaf, name, term)
            found = found[renumbered[position_records] >= 0]
            freqs = np.diff(np.searchsorted(position_records, np.r_[records, records[-1] + 1]))
        else:
            freqs = np.rint(weights / boost)
        yield term, renumbered[records[kept]], freqs[kept], found


def _write_lists(fieldwriter, name: str, field, chunks) -> None:
    """A field's posting lists (`search.postings.Chunk`s, in term order) into the segment,
    byte for byte as `W3FieldWriter.add_postings` with `ArrayPostingsWriter` writes them
    (`ArrayCodec`'s block limit; no lengths, `ArrayCodec.length_stats` being off), each
    chunk's blocks written at once and its terms added to the term index at once."""
    fieldwriter.start_field(name, field)
    prefix = pack_ushort(fieldwriter._fieldid)
    postfile = fieldwriter._postfile
    limit = ArrayCodec()._blocklimit
    boost = field.format.field_boost
    for chunk in chunks:
        weights = (chunk.freqs * boost).astype("<f4")
        records = chunk.records.astype("<u4", copy=False)
        if chunk.positions is not None:
            values = memoryview(chunk.positions.astype("<u4", copy=False)).cast("B")
        else:
            values = memoryview(chunk.freqs.astype(">u4")).cast("B")  # Frequency's pack_uint
        record_bytes, weight_bytes = memoryview(records).cast("B"), memoryview(weights).cast("B")
        # blocks of at most `limit` postings, a term's first block at the term's first posting
        per_term = (np.diff(chunk.starts) + limit - 1) // limit
        first_block = np.r_[0, np.cumsum(per_term)]
        starts = (np.repeat(chunk.starts[:-1], per_term)
                  + limit * (np.arange(first_block[-1]) - np.repeat(first_block[:-1], per_term)))
        ends = np.minimum(starts + limit, np.repeat(chunk.starts[1:], per_term))
        if chunk.at is not None:  # each block's position offsets (bytes, from its first posting's), one run
            sizes = ends - starts + 1
            ranges = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
            offsets = memoryview(((chunk.at[ranges] - np.repeat(chunk.at[starts], sizes)) * 4).astype("<u4")).cast("B")
            offsets_at = np.r_[0, np.cumsum(sizes)].tolist()
        block_max = np.maximum.reduceat(weights, starts).tolist()
        weighted = np.maximum.reduceat((weights != 1.0).view(np.uint8), starts).tolist()
        term_weight = np.add.reduceat(weights.astype(np.float64), chunk.starts[:-1]).tolist()
        term_max = np.maximum.reduceat(weights, chunk.starts[:-1]).tolist()
        starts, ends, first_block = starts.tolist(), ends.tolist(), first_block.tolist()
        records_list, term_starts = records.tolist(), chunk.starts.tolist()
        at = None if chunk.at is None else chunk.at.tolist()
        out, entries = [], []
        offset = postfile.tell()
        for t, term in enumerate(chunk.terms):
            term_offset = offset
            out.append(WHOOSH3_HEADER_MAGIC)
            offset += len(WHOOSH3_HEADER_MAGIC)
            last_block = first_block[t + 1] - 1
            for b in range(first_block[t], last_block + 1):
                first, end = starts[b], ends[b]
                parts = [record_bytes[4 * first:4 * end]]
                if weighted[b]:
                    parts.append(weight_bytes[4 * first:4 * end])
                if at is None:
                    parts.append(values[4 * first:4 * end])
                else:
                    parts += [offsets[4 * offsets_at[b]:4 * offsets_at[b + 1]], values[4 * at[first]:4 * at[end]]]
                size = sum(map(len, parts))
                out.append(_HEADER.pack(-size if b == last_block else size, end - first, records_list[end - 1],
                                        block_max[b], _WEIGHTS if weighted[b] else 0))
                out += parts
                offset += _HEADER.size + size
            first, end = term_starts[t], term_starts[t + 1]
            info = _TERM_INFO.pack(False, term_weight[t], end - first, 0, 0, term_max[t], records_list[first],
                                   records_list[end - 1], term_offset, offset - term_offset)
            entries.append((prefix + term.encode("utf-8"), info))
        postfile.write(b"".join(out))
        _add_terms(fieldwriter._tindex, entries)
    fieldwriter.finish_field()


def _add_terms(tindex, entries: list[tuple[bytes, bytes]]) -> None:
    """`OrderedHashWriter.add` of each (key, value), in order, with one write."""
    dbfile, index, buckets, hashfn = tindex.dbfile, tindex.index, tindex.buckets, tindex.hashfn
    if entries[0][0] <= tindex.lastkey:
        raise ValueError("Keys must increase")
    position = dbfile.tell()
    out = []
    for key, value in entries:
        index.append(position)
        out += [_KEY_VALUE_LENGTHS.pack(len(key), len(value)), key, value]
        h = hashfn(key)
        buckets[h & 255].append((h, position))
        position += _KEY_VALUE_LENGTHS.size + len(key) + len(value)
    dbfile.write(b"".join(out))
    tindex.lastkey = entries[-1][0]


def unlocked_writer(ix, **kwargs) -> ArrayWriter:
    """A writer for a caller that already holds the index's write lock."""
    return ArrayWriter(ix, _lk=False, **kwargs)


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
                self._write_segment()
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

    def _write_segment(self) -> None:
        """SubWriterTask.run writing a segment of its own (multisegment), with `ArrayWriter`:
        every job's records, then the segment handed to the parent."""
        self.writer = ArrayWriter(self.storage.open_index(self.indexname), _lk=False, **self.kwargs)
        while (job := self.jobqueue.get()) is not None:
            self._process_file(*job)
        self.resultqueue.put((None, self.writer.pool.fieldnames, self.writer._finalize_segment()), timeout=5)

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

    def __init__(self, ix, task: type[RecordTask], options: Any, procs: int, limitmb: int):
        super().__init__(ix, procs=procs, multisegment=True, _lk=False, codec=ArrayCodec(),
                         subargs={"limitmb": limitmb}, limitmb=limitmb)
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


class SharedMapStorage(FileStorage):
    """A folder's index files, segment files read from one mapping per process (see the module)."""

    def __init__(self, path: str):
        super().__init__(path, supports_mmap=False)

    def open_file(self, name, **kwargs):
        if not name.endswith(".seg"):
            return super().open_file(name, **kwargs)
        return StructFile(_MapReader(_shared_map(os.path.join(self.folder, name))), name=name)


class _Map:
    """A read-only mapping of a whole file."""

    def __init__(self, path: str):
        with open(path, "rb") as f:
            self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(f.fileno()).st_size else b""


_maps: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # (path, inode) -> _Map while read
_maps_lock = threading.Lock()


def _shared_map(path: str) -> _Map:
    """The process's mapping of `path`, made on first use and dropped when no reader holds it.
    Segment files are written once under a fresh name, so the inode tells a file apart."""
    key = (path, os.stat(path).st_ino)
    with _maps_lock:
        shared = _maps.get(key)
        if shared is None:
            shared = _maps[key] = _Map(path)
        return shared


class _MapReader:
    """A file over a shared `_Map`: its own position; a read copies only the bytes it returns."""

    def __init__(self, shared: _Map):
        self.shared, self.data, self.pos = shared, shared.data, 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self.data) if size is None or size < 0 else self.pos + size
        chunk = self.data[self.pos:end]
        self.pos += len(chunk)
        return chunk

    def readline(self) -> bytes:
        end = self.data.find(b"\n", self.pos)
        return self.read(-1 if end < 0 else end + 1 - self.pos)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self.pos = offset + (0, self.pos, len(self.data))[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:
        self.shared = self.data = None
