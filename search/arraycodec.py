"""PROTOTYPE (issue #14): a Whoosh codec whose posting blocks load as arrays.

Whoosh's W3 codec stores each block of 128 postings as a zlib-compressed pickle
of delta-encoded tuples, with a pickled info tuple in front: reading a posting
list costs a pickle load, a zlib pass and a Python delta-decoding loop per block.
This codec keeps Whoosh's block framing (so Whoosh's own matchers, phrases
included, still work) but writes each block as a small struct header and raw
little-endian arrays:

    header  <iIIfB  payload length (negative: last block), count, last id,
                    max weight, flags (1: weights stored; else all 1.0)
    payload ids uint32[count] (absolute), [weights float32[count]],
            values: fixed-size formats count*size bytes; variable-size formats
            uint32 offsets[count + 1] and the concatenated value bytes

`ArrayLeafMatcher.arrays()` reads a whole posting list with one read and one
`numpy.frombuffer` per block; `ArrayPositions` stores a posting's positions as
raw uint32 so that they too load without Python-level unpacking.

Not wired into the engine: bench/scale.py --proto patches it in for measurement.
"""
from __future__ import annotations

import struct
from array import array
from bisect import bisect_left

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ReadTooFar

from .schema import TermPositions

_HEADER = struct.Struct("<iIIfB")
_WEIGHTS = 1


class ArrayPositions(TermPositions):
    """Positions as raw uint32 (no count prefix, no pickle)."""

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


class ArrayPostingsWriter(W3PostingsWriter):
    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids, weights = self._ids, self._weights
        count = len(ids)
        parts = [ids.tobytes()]
        flags = 0
        if any(w != 1.0 for w in weights):
            flags |= _WEIGHTS
            parts.append(weights.tobytes())
        fixed = self._format.fixed_value_size()
        if fixed is None or fixed < 0:
            offsets = array("I", [0])
            total = 0
            for v in self._values:
                total += len(v)
                offsets.append(total)
            parts.append(offsets.tobytes())
            parts.append(b"".join(self._values))
        elif fixed > 0:
            parts.append(b"".join(self._values))
        payload = b"".join(parts)
        self._postfile.write(_HEADER.pack(-len(payload) if last else len(payload), count, ids[-1],
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
        n = self._blocklength
        start = 4 * n * (2 if self._flags & _WEIGHTS else 1)
        fixed = self._fixedsize
        data = self._data
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

    def arrays(self, positions: bool = False):
        """The whole posting list from its start: ids (int64), weights (float64), and
        with `positions` the record of each position and the positions (int64)."""
        length = self._length[0] if isinstance(self._length, tuple) else self._length  # Whoosh reads it back as a 1-tuple
        data = self._postfile.get(self._baseoffset, self._startoffset + length - self._baseoffset)
        view = memoryview(data)
        at, ids, weights, pos_ids, pos = 0, [], [], [], []
        variable = self._fixedsize is None or self._fixedsize < 0
        while True:
            length, count, _, _, flags = _HEADER.unpack_from(view, at)
            at += _HEADER.size
            block_ids = np.frombuffer(view, "<u4", count, at)
            ids.append(block_ids)
            if flags & _WEIGHTS:
                weights.append(np.frombuffer(view, "<f4", count, at + 4 * count))
                values_at = at + 8 * count
            else:
                weights.append(np.ones(count, dtype=np.float32))
                values_at = at + 4 * count
            if positions and variable:
                offsets = np.frombuffer(view, "<u4", count + 1, values_at)
                base = values_at + 4 * (count + 1)
                pos.append(np.frombuffer(view, "<u4", int(offsets[-1]) // 4, base))
                pos_ids.append(np.repeat(block_ids, np.diff(offsets) // 4))
            at += abs(length)
            if length < 0:
                break
        result = (np.concatenate(ids).astype(np.int64), np.concatenate(weights).astype(np.float64))
        if positions:
            result += (np.concatenate(pos_ids).astype(np.int64), np.concatenate(pos).astype(np.int64))
        return result


class ArrayCodec(W3Codec):
    """The engine's codec settings (no length statistics) with array blocks."""

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
