"""Facet counts over all matching documents.

Records are sections; facets count documents. A `DocTable`, built once per
index generation from Whoosh's sortable columns, maps every record to its
document (and its section) and every document to its facet values as integer
arrays, so counting a result set of any size is a numpy `unique` and a `bincount`.
"""
from __future__ import annotations

import numpy as np

FACETS = ("signer", "issuer", "type", "year")


class DocTable:
    def __init__(self, reader):
        n = reader.doc_count_all()
        keys = _column(reader, "key", n)
        self.keys: list[str] = sorted(set(k for k in keys if k))
        position = {k: i for i, k in enumerate(self.keys)}
        self.doc_of_record = np.full(n, -1, dtype=np.int64)
        live = [i for i in range(n) if keys[i] and not reader.is_deleted(i)]
        self.doc_of_record[live] = [position[keys[i]] for i in live]
        # Every record's section as a number, the same for the parts of a long section.
        sections = _column(reader, "section", n)
        section_ids: dict[tuple[int, str], int] = {}
        self.section_of_record = np.array([section_ids.setdefault((int(self.doc_of_record[i]), sections[i]),
                                                                  len(section_ids)) for i in range(n)], dtype=np.int64)
        dates = _column(reader, "date", n)
        self.date_of_doc = np.zeros(len(self.keys), dtype=np.int64)  # YYYYMMDD, 0 if unknown
        for i in live:
            if dates[i]:
                self.date_of_doc[self.doc_of_record[i]] = int(dates[i].replace("-", ""))
        self.values: dict[str, list[str]] = {}
        self.value_of_doc: dict[str, np.ndarray] = {}
        for facet in FACETS:
            column = _column(reader, facet, n)
            names = sorted({column[i] for i in live if column[i]})
            index = {v: j for j, v in enumerate(names)}
            per_doc = np.full(len(self.keys), -1, dtype=np.int64)
            for i in live:
                if column[i]:
                    per_doc[self.doc_of_record[i]] = index[column[i]]
            self.values[facet] = names
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


def _column(reader, field: str, n: int) -> list[str]:
    if not reader.has_column(field):
        return [""] * n
    column = reader.column_reader(field)
    return [column[i] for i in range(n)]
