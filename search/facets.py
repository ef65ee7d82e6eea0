"""Facet counts over all matching documents.

Records are sections; facets count documents. A `DocTable`, built once per
index generation from its tables (search/tables.py), maps every record to its
document (and its section) and every document to its facet values as integer
arrays, so counting a result set of any size is a numpy `unique` and a `bincount`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tables import GenerationTables

FACETS = ("signer", "issuer", "type", "year")


def distinct(ids: np.ndarray) -> np.ndarray:
    """The distinct values of non-negative integers, sorted, by counting them: what np.unique
    gives, without the 16 ms import of numpy.ma that np.unique makes on first use (a sixth of
    a one-query process's own work)."""
    return np.flatnonzero(np.bincount(ids))


class DocTable:
    def __init__(self, tables: GenerationTables):
        live = tables.live
        key_names, key_codes = tables.column("key")
        # Documents are the keys of every record (deleted ones' too); records map to live ones.
        named = np.array([bool(k) for k in key_names], dtype=bool)
        self.keys: list[str] = [k for k in key_names if k]
        doc_of_key = np.cumsum(named) - 1
        keyed = live & named[key_codes] if len(key_codes) else live
        self.doc_of_record = np.where(keyed, doc_of_key[key_codes], -1) if len(key_codes) else \
            np.zeros(0, dtype=np.int64)
        # Every record's section as a number, the same for the parts of a long section.
        section_names, section_codes = tables.column("section")
        pairs = (self.doc_of_record + 1) * (len(section_names) + 1) + section_codes
        self.section_of_record = np.unique(pairs, return_inverse=True)[1].astype(np.int64).reshape(-1)
        records = np.flatnonzero(keyed)
        docs = self.doc_of_record[records]
        self.date_of_doc = np.zeros(len(self.keys), dtype=np.int64)  # YYYYMMDD, 0 if unknown
        dated = tables.days[records]
        self.date_of_doc[docs[dated != 0]] = dated[dated != 0]
        self.values: dict[str, list[str]] = {}
        self.value_of_doc: dict[str, np.ndarray] = {}
        for facet in FACETS:
            names, codes = tables.column(facet)
            used = distinct(codes[records])
            used = used[[bool(names[i]) for i in used]] if len(used) else used
            index = np.full(len(names), -1, dtype=np.int64)
            index[used] = np.arange(len(used))
            values = index[codes[records]]
            per_doc = np.full(len(self.keys), -1, dtype=np.int64)
            per_doc[docs[values >= 0]] = values[values >= 0]
            self.values[facet] = [names[i] for i in used]
            self.value_of_doc[facet] = per_doc

    def counts(self, docs: np.ndarray) -> dict[str, dict[str, int]]:
        """{facet: {value: documents}}, most frequent first."""
        result = {}
        for facet in FACETS:
            ids = self.value_of_doc[facet][docs]
            ids = ids[ids >= 0]
            tally = np.bincount(ids, minlength=len(self.values[facet])) if len(ids) else []
            pairs = [(self.values[facet][j], int(c)) for j, c in enumerate(tally) if c]
            pairs.sort(key=lambda p: (-p[1], p[0]))
            result[facet] = dict(pairs)
        return result

