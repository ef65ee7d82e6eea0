"""The service functions that the CLI and the web UI both call.

Each returns plain dicts in the JSON shapes of CONTRACT.md, so the two front
ends only translate arguments and render results.
"""
from __future__ import annotations

import os
import re
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from whoosh import query as wq

from . import analysis, indexer
from .facets import DocTable
from .index_store import IndexBusy, IndexUnavailable, open_index
from .mentions import find_mentions, number_candidates
from .numbers import find_numbers, number_key
from .parse import parse_file
from .query import QueryError, Vocabulary, date_range, field_query, parse_query
from .ranking import Evaluation, Statistics, Weights
from .records import Record, is_head
from .snippets import has_match, snippet
from .tables import GenerationTables

DEFAULT_INDEX = "index_data/index"
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
MAX_FILTER_LENGTH = 300  # characters of a filter value (names and bodies are far shorter)
SORTS = ("relevance", "date", "-date")
FILTERS = ("signer", "issuer", "type", "ref", "year")  # each matches a field of the same name
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def default_index_dir() -> str:
    return os.environ.get("NOTICE_SEARCH_INDEX", DEFAULT_INDEX)


def index_paths(paths: list[str], index_dir: str, rebuild: bool = False, progress=None) -> dict:
    """Add files and folders to the index; the `index --json` summary."""
    return asdict(indexer.build(paths, index_dir, rebuild=rebuild, progress=progress))


def parse_path(path: str) -> dict:
    """What the parser extracts from one file; the `parse --json` shape."""
    file = Path(path)
    return {"file": file.name, "documents": [d.to_dict() for d in parse_file(file, file.name)]}


@dataclass(frozen=True)
class SearchRequest:
    """One search, as the CLI, `--batch` and the web UI all state it.

    Constructing one checks every value's type and range (QueryError with one
    sentence otherwise); the query's syntax is checked when it runs.
    """

    q: str = ""
    signer: str | None = None
    issuer: str | None = None
    type: str | None = None
    ref: str | None = None
    year: str | None = None
    date_from: str | None = None  # "from" in a request's parameters
    date_to: str | None = None    # "to"
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    sections: bool = False

    # Parameter names where they differ from the field names (Python keywords).
    PARAMETERS = {"from": "date_from", "to": "date_to"}

    def __post_init__(self):
        for name in ("q", *FILTERS, "date_from", "date_to"):
            value = getattr(self, name)
            if value is None and name != "q":
                continue
            if not isinstance(value, str):
                raise QueryError(f"'{_parameter(name)}' must be text, not {_kind(value)}.")
            if name != "q" and len(value) > MAX_FILTER_LENGTH:
                raise QueryError(f"'{_parameter(name)}' is too long ({len(value)} characters; "
                                 f"the limit is {MAX_FILTER_LENGTH}).")
        for name in ("limit", "offset"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise QueryError(f"'{name}' must be a whole number, 0 or more.")
        if self.sort not in SORTS:
            raise QueryError(f"Unknown sort '{self.sort}': use one of {', '.join(SORTS)}.")
        if not isinstance(self.sections, bool):
            raise QueryError("'sections' must be true or false.")

    @classmethod
    def from_params(cls, params: Mapping) -> SearchRequest:
        """A request from named parameters (a JSON object, URL arguments, command-line
        options): `q`, the filters, `from`, `to`, `limit`, `offset`, `sort`, `sections`.
        Numbers and flags may be given as text ("10", "true"); empty values are absent."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(k for k in params if cls.PARAMETERS.get(k, k) not in names or k in cls.PARAMETERS.values())
        if unknown:
            raise QueryError(f"Unknown parameter{'s' if len(unknown) > 1 else ''}: {', '.join(map(str, unknown))}.")
        values = {}
        for key, value in params.items():
            name = cls.PARAMETERS.get(key, key)
            if value is None or value == "":
                continue
            if name in ("limit", "offset") and isinstance(value, str):
                if not re.fullmatch(r"\s*\d{1,9}\s*", value):
                    raise QueryError(f"'{name}' must be a whole number, 0 or more.")
                value = int(value)
            elif name == "sections" and isinstance(value, str):
                if value.strip().lower() not in _TRUE + _FALSE:
                    raise QueryError("'sections' must be true or false.")
                value = value.strip().lower() in _TRUE
            values[name] = value
        return cls(**values)


def _parameter(name: str) -> str:
    return {v: k for k, v in SearchRequest.PARAMETERS.items()}.get(name, name)


def _kind(value) -> str:
    names = {dict: "an object", list: "a list", bool: "true or false", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def _close_all(searchers: list, lock: threading.Lock) -> None:
    with lock:
        for searcher in searchers:
            searcher.close()
        searchers.clear()


class Engine:
    """Searches one index; safe to share between threads (one searcher per thread).

    `weights` (ranking.Weights) says how much a match counts in each field.
    """

    def __init__(self, index_dir: str | os.PathLike | None = None, weights: Weights = Weights()):
        self.index_dir = Path(index_dir or default_index_dir())
        self.weights = weights
        self.ix = open_index(self.index_dir)
        self._local = threading.local()
        # Every searcher this engine opened (one per thread): they hold open files, so they
        # are closed with the engine, by close() or when it is garbage-collected.
        self._searchers: list = []
        self._searchers_lock = threading.Lock()
        self._close = weakref.finalize(self, _close_all, self._searchers, self._searchers_lock)
        self._generation_tables: tuple[int, DocTable, Vocabulary, Statistics] | None = None
        self._tables_lock = threading.Lock()
        analysis.warm_up()  # start-up costs, not the first query's
        self._tables(self._searcher())

    # --- plumbing -----------------------------------------------------------

    def _searcher(self):
        """This thread's searcher, refreshed when a build has committed since."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or not searcher.up_to_date():
            # A fresh searcher, not refresh(): refresh() reuses segment readers by
            # segment id and so misses deletions recorded in existing segments.
            fresh = self.ix.searcher()
            with self._searchers_lock:
                if searcher is not None:
                    self._searchers.remove(searcher)
                    searcher.close()
                self._searchers.append(fresh)
            searcher = fresh
        self._local.searcher = searcher
        return searcher

    def close(self) -> None:
        """Close the files this engine has open (also done when it is garbage-collected)."""
        self._close()

    def _tables(self, searcher) -> tuple[DocTable, Vocabulary, Statistics]:
        """Per-generation look-up tables, rebuilt after each commit."""
        generation = searcher.reader().generation()
        with self._tables_lock:
            if self._generation_tables is None or self._generation_tables[0] != generation:
                reader = searcher.reader()
                tables = GenerationTables(reader, self.index_dir)
                self._generation_tables = (generation, DocTable(tables), Vocabulary(reader), Statistics(reader, tables))
            return self._generation_tables[1:]

    # --- search -------------------------------------------------------------

    def search(self, q: str = "", **options) -> dict:
        """`run(SearchRequest(q, **options))`: for callers in Python."""
        return self.run(SearchRequest(q, **options))

    def run(self, request: SearchRequest) -> dict:
        """Ranked documents (or sections) with facets; raises QueryError on bad input."""
        started = time.perf_counter()
        q, sort, sections = request.q, request.sort, request.sections
        limit, offset = min(request.limit, MAX_LIMIT), min(request.offset, MAX_OFFSET)
        searcher = self._searcher()
        table, vocabulary, stats = self._tables(searcher)
        parsed = parse_query(q, vocabulary, searcher.reader(), self.weights)
        filters = [field_query(name, getattr(request, name)) for name in FILTERS if getattr(request, name)]
        if request.date_from or request.date_to:
            filters.append(date_range(request.date_from, request.date_to))
        if not parsed.query and sort == "relevance":
            sort = "-date"  # nothing to rank by: list documents, newest first
        query = parsed.query or wq.Every()
        if not sections and not parsed.query:
            query = wq.Term("section", "")  # listing documents: one record each
        filter_query = wq.And(filters) if filters else None

        # All matching records, best first; one pass gives ranking, totals and facets.
        evaluate = Evaluation(searcher, stats)
        mask, scores = evaluate(query)
        if filter_query is not None:
            mask &= evaluate(filter_query)[0]
        records = np.flatnonzero(mask)
        order = np.lexsort((records, -scores[records]))  # ties: index order, like Whoosh
        records = records[order]
        scores = scores[records]
        docs_of = table.doc_of_record[records]
        if not sections and parsed.excluded is not None:
            excluded_docs = table.doc_of_record[evaluate(parsed.excluded)[0]]
            keep = ~np.isin(docs_of, excluded_docs)
            records, scores, docs_of = records[keep], scores[keep], docs_of[keep]
        # A document (a section, of which a long one has several records) ranks by its best record.
        _, first = np.unique(table.section_of_record[records] if sections else docs_of, return_index=True)
        best = np.sort(first)
        records, scores, docs_of = records[best], scores[best], docs_of[best]
        if sort != "relevance":  # stable: equal dates keep their relevance order
            dates = table.date_of_doc[docs_of]
            order = np.argsort(-dates if sort == "-date" else dates, kind="stable")
            records, scores = records[order], scores[order]
        scored = sort == "relevance"
        hits = [self._hit(searcher.stored_fields(int(n)), float(score) if scored else None, parsed.highlight)
                for n, score in zip(records[offset:offset + limit], scores[offset:offset + limit])]
        return {
            "query": q, "total": len(records), "offset": offset,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "hits": hits, "facets": table.counts(np.unique(docs_of)),
        }

    @staticmethod
    def _hit(fields: Record, score: float | None, highlight: set[str]) -> dict:
        text = fields.get("text") or ""
        heading = fields.get("heading_text") or ""
        shown = text if not highlight or has_match(text, highlight) or not heading else heading
        return {
            "key": fields["key"], "number": fields.get("number") or None,
            "type": fields.get("type") or None, "title": fields.get("title") or None,
            "date": fields.get("date") or None, "signer": fields.get("signer") or None,
            "issuer": fields.get("issuer") or None, "section": fields.get("section") or None,
            "heading": heading or None, "path": fields.get("path") or [],
            "score": round(score, 3) if score is not None else None,  # sorted by date: no score
            "snippet": snippet(shown, highlight),
        }

    # --- documents ------------------------------------------------------------

    def _head(self, searcher, key: str) -> Record | None:
        """The head record of a document given by `file#ordinal` key or number."""
        if "#" in key:
            found = searcher.documents(key=key, section="")
        else:
            number = number_key(key)
            found = searcher.documents(number_key=number.lower(), section="") if number else []
        return next((record for record in found if is_head(record)), None)

    def show(self, key: str) -> dict | None:
        """A document with its sections, what it cites and what cites it; None if unknown."""
        searcher = self._searcher()
        head = self._head(searcher, key)
        if head is None:
            return None
        doc = dict(head["doc"])
        records = sorted(searcher.documents(key=head["key"]), key=lambda r: r["order"])
        doc["preamble"] = "".join(r.get("text") or "" for r in records if not r["section"])
        doc["sections"] = []
        for record, previous in zip(records, [None, *records]):  # a long section's parts join up
            if not record["section"]:
                continue
            if previous is not None and previous["section"] == record["section"]:
                doc["sections"][-1]["text"] += record["text"]
            else:
                doc["sections"].append({"id": record["section"], "path": record["path"],
                                        "heading": record["heading_text"], "text": record["text"]})
        for reference in doc["references"]:
            cited = self._head(searcher, reference["number"])
            reference["key"] = cited["key"] if cited else None
        doc["cited_by"] = []
        if doc.get("number"):
            citing_heads = (r for r in searcher.documents(refs=number_key(doc["number"]).lower(), section="")
                            if is_head(r))
            for citing in citing_heads:
                doc["cited_by"].append({k: citing.get(k) or None for k in
                                        ("key", "number", "type", "date", "title")})
            doc["cited_by"].sort(key=lambda d: (d["date"] or "", d["key"]))
        return doc

    def mentions(self, number: str) -> dict:
        """Every place a document number is written, ordered by document date."""
        searcher = self._searcher()
        key = number_key(number)
        if key is None:  # written with its type ("Nghị quyết số 128/NQ-CP")?
            written = find_numbers(number or "")
            key = number_key(written[0].number) if len(written) == 1 else None
        if key is None:
            if not re.fullmatch(r"\s*\d+\s*", number or ""):
                raise QueryError(f"'{number}' is not a document number such as 128/NQ-CP.")
            return {"number": number.strip(), "total": 0, "documents": 0, "mentions": [],
                    "candidates": number_candidates(searcher, number.strip())}
        mentions = find_mentions(searcher, key)
        return {"number": mentions[0]["number"] if mentions else number.strip(),
                "total": len(mentions), "documents": len({m["key"] for m in mentions}),
                "mentions": mentions}


__all__ = ["Engine", "IndexBusy", "IndexUnavailable", "QueryError", "SearchRequest", "Weights", "index_paths",
           "parse_path", "default_index_dir"]
