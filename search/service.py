"""The service functions that the CLI and the web UI both call.

Each returns plain dicts in the JSON shapes of CONTRACT.md, so the two front
ends only translate arguments and render results.
"""
from __future__ import annotations

import bisect
import copy
import os
import re
import threading
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from whoosh import query as wq

from . import analysis
from .corpus import CorpusTable
from .facets import DocTable, distinct
from .index_store import IndexBusy, IndexUnavailable, open_index
from .mentions import find_mentions, number_candidates
from .numbers import find_numbers, number_key
from .originals import NoOriginal, Original, original_file
from .query import QueryError, Vocabulary, date_range, field_query, number_keys, parse_query
from .ranking import Evaluation, Statistics
from .records import Record, is_head
from .snippets import QueryWords, hit_snippet, query_words
from .tables import GenerationTables
from .validity import CODE, STATUSES as STATUS_NAMES, as_of_date, status_alone, statuses_of, take_filters
from .weights import Weights

DEFAULT_INDEX = "index_data/index"
MAX_LIMIT = 1000
MAX_OFFSET = 100_000
MAX_FILTER_LENGTH = 300  # characters of a filter value (names and bodies are far shorter)
SORTS = ("relevance", "date", "-date")
RELATED_TEXT = 20_000  # characters of a document read for its distinctive word pairs
RELATED_TERMS = 12     # word pairs looked for in other documents
RELATED_KEPT = 256     # documents whose related list is kept (for the index's current generation)
RELATED_CANDIDATES = 300  # its most frequent word pairs, among which the distinctive ones are chosen
FILTERS = ("signer", "issuer", "type", "ref", "year")  # each matches a field of the same name
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def default_index_dir() -> str:
    return os.environ.get("NOTICE_SEARCH_INDEX", DEFAULT_INDEX)


def index_paths(paths: list[str], index_dir: str, rebuild: bool = False, progress=None) -> dict:
    """Add files and folders to the index; the `index --json` summary."""
    from . import indexer  # the readers and the parser: not loaded by commands that only search

    return asdict(indexer.build(paths, index_dir, rebuild=rebuild, progress=progress))


def parse_path(path: str) -> dict:
    """What the parser extracts from one file; the `parse --json` shape."""
    from .parse import parse_file

    file = Path(path)
    today = as_of_date(None)
    documents = []
    for doc in parse_file(file, file.name):
        data = doc.to_dict()
        data.update(status=status_alone(doc.effective_date, doc.expiry_date, today), status_as_of=today)
        documents.append(data)
    return {"file": file.name, "documents": documents}


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
    status: str | None = None     # a validity status or group (search.validity)
    asof: str | None = None       # the date the status is taken on (default: today)
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    sections: bool = False

    # Parameter names where they differ from the field names (Python keywords).
    PARAMETERS = {"from": "date_from", "to": "date_to"}

    def __post_init__(self):
        for name in ("q", *FILTERS, "date_from", "date_to", "status", "asof"):
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
        options): `q`, the filters, `from`, `to`, `status`, `asof`, `limit`, `offset`, `sort`, `sections`.
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


def _one(name: str, given: str | None, in_query: str | None) -> str | None:
    """A filter given as a parameter, in the query text, or both alike."""
    if given and in_query and given.strip() != in_query.strip():
        raise QueryError(f"'{name}' is given twice with different values ({given}, {in_query}).")
    return given or in_query


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


def best_first(records: np.ndarray, scores: np.ndarray, group_of: np.ndarray) -> np.ndarray:
    """The best of `records` (ascending) in each group (`group_of`: a record's document or
    section, numbered from 0), groups in rank order: higher score first, then lower record
    number, as Whoosh breaks ties. Linear in the records: only each group's best are sorted."""
    if not len(records):
        return records
    groups = group_of[records]
    record_scores = scores[records]
    top = np.full(int(groups.max()) + 1, -np.inf)
    np.maximum.at(top, groups, record_scores)
    best = record_scores == top[groups]
    records, groups, record_scores = records[best], groups[best], record_scores[best]
    _, first = np.unique(groups, return_index=True)  # of equal scores, the lowest record
    records, record_scores = records[first], record_scores[first]
    return records[np.lexsort((records, -record_scores))]


class Engine:
    """Searches one index; safe to share between threads (one searcher per thread).

    `weights` (weights.Weights) says how much a match counts, by where it is.
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
        self._generation_tables: tuple[int, DocTable, Vocabulary, Statistics, CorpusTable] | None = None
        self._tables_lock = threading.Lock()
        self._related: OrderedDict = OrderedDict()  # (generation, key, limit) -> related(key, limit)
        self._related_lock = threading.Lock()
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

    def _tables(self, searcher) -> tuple[DocTable, Vocabulary, Statistics, CorpusTable]:
        """Per-generation look-up tables, rebuilt after each commit."""
        generation = searcher.reader().generation()
        with self._tables_lock:
            if self._generation_tables is None or self._generation_tables[0] != generation:
                reader = searcher.reader()
                tables = GenerationTables(reader, self.index_dir)
                table = DocTable(tables)
                self._generation_tables = (generation, table, Vocabulary(tables), Statistics(reader, tables),
                                           CorpusTable(tables.heads, table.keys))
            return self._generation_tables[1:]

    # --- search -------------------------------------------------------------

    def search(self, q: str = "", **options) -> dict:
        """`run(SearchRequest(q, **options))`: for callers in Python."""
        return self.run(SearchRequest(q, **options))

    def run(self, request: SearchRequest, within: str | None = None) -> dict:
        """Ranked documents (or sections) with facets; raises QueryError on bad input.
        `within`: only the records of the document with that key."""
        started = time.perf_counter()
        q, sort, sections = request.q, request.sort, request.sections
        limit, offset = min(request.limit, MAX_LIMIT), min(request.offset, MAX_OFFSET)
        searcher = self._searcher()
        table, vocabulary, stats, corpus = self._tables(searcher)
        text, validity = take_filters(q)
        as_of = as_of_date(_one("asof", request.asof, validity.get("asof")))
        status = _one("status", request.status, validity.get("status"))
        parsed = parse_query(text, vocabulary, searcher.reader(), self.weights)
        filters = [field_query(name, getattr(request, name)) for name in FILTERS if getattr(request, name)]
        if request.date_from or request.date_to:
            filters.append(date_range(request.date_from, request.date_to))
        if within is not None:
            filters.append(wq.Term("key", within))
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
        statuses = corpus.statuses(as_of)
        if status:
            wanted = np.isin(statuses, [CODE[s] for s in statuses_of(status)])
            docs = table.doc_of_record
            mask &= (docs >= 0) & wanted[docs]
        records = np.flatnonzero(mask & (table.doc_of_record >= 0))  # records of a live document
        if not sections and parsed.excluded is not None:
            excluded_docs = table.doc_of_record[evaluate(parsed.excluded)[0]]
            records = records[~np.isin(table.doc_of_record[records], excluded_docs)]
        # A document (a section, of which a long one has several records) ranks by its best record.
        records = best_first(records, scores, table.section_of_record if sections else table.doc_of_record)
        scores = scores[records]
        docs_of = table.doc_of_record[records]
        if sort != "relevance":  # stable: equal dates keep their relevance order
            dates = table.date_of_doc[docs_of]
            order = np.argsort(-dates if sort == "-date" else dates, kind="stable")
            records, scores = records[order], scores[order]
        scored = sort == "relevance"
        words = query_words(q, parsed.highlight) if parsed.highlight else None
        hits = []
        for n, score in zip(records[offset:offset + limit], scores[offset:offset + limit]):
            fields = searcher.stored_fields(int(n))
            doc = int(table.doc_of_record[n])
            hits.append({**self._hit(fields, float(score) if scored else None, parsed.highlight, words),
                         "label": corpus.label(doc, fields.get("section") or ""),
                         "status": STATUS_NAMES[statuses[doc]]})
        matching = distinct(docs_of)
        return {
            "query": q, "total": len(records), "offset": offset,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "hits": hits, "facets": {**table.counts(matching), "status": corpus.counts(matching, as_of)},
            "notice": parsed.notice,  # what was searched differently from what was typed, else None
            "as_of": as_of,
        }

    @staticmethod
    def _hit(fields: Record, score: float | None, highlight: set[str], words: QueryWords | None = None) -> dict:
        text = fields.get("text") or ""
        heading = fields.get("heading_text") or ""
        return {
            "key": fields["key"], "number": fields.get("number") or None,
            "type": fields.get("type") or None, "title": fields.get("title") or None,
            "date": fields.get("date") or None, "signer": fields.get("signer") or None,
            "issuer": fields.get("issuer") or None, "section": fields.get("section") or None,
            "heading": heading or None, "path": fields.get("path") or [],
            "score": round(score, 3) if score is not None else None,  # sorted by date: no score
            "snippet": hit_snippet(text, heading, highlight, words),
        }

    # --- documents ------------------------------------------------------------

    def _head(self, searcher, key: str) -> Record | None:
        """The head record of a document given by `file#ordinal` key or number."""
        if "#" in key:
            found = searcher.documents(key=key, section="")
        else:
            found = (record for number in number_keys(key)  # 4800/QD-BYT: 4800/QĐ-BYT typed without Đ
                     for record in searcher.documents(number_key=number.lower(), section=""))
        return next((record for record in found if is_head(record)), None)

    def show(self, key: str, asof: str | None = None) -> dict | None:
        """A document with its sections, what it cites and what cites it, its relations both
        ways, its status on `asof` (default today) and its history; None if unknown."""
        searcher = self._searcher()
        head = self._head(searcher, key)
        if head is None:
            return None
        as_of = as_of_date(asof)
        table, _, _, corpus = self._tables(searcher)
        doc = dict(head["doc"])
        i = bisect.bisect_left(table.keys, head["key"])
        doc.setdefault("effective_date", None)
        doc.setdefault("expiry_date", None)
        doc["relations"] = corpus.relations(i, as_of)
        doc.update(corpus.status(i, as_of))
        doc["cites_not_in_force"] = corpus.leans_on_invalid(i, as_of)
        doc["timeline"] = corpus.timeline(i)
        records = sorted(searcher.documents(key=head["key"]), key=lambda r: r["order"])
        doc["preamble"] = "".join(r.get("text") or "" for r in records if not r["section"])
        labels = iter([section.get("label", "") for section in doc["sections"]])
        doc["sections"] = []
        for record, previous in zip(records, [None, *records]):  # a long section's parts join up
            if not record["section"]:
                continue
            if previous is not None and previous["section"] == record["section"]:
                doc["sections"][-1]["text"] += record["text"]
            else:
                doc["sections"].append({"id": record["section"], "path": record["path"],
                                        "heading": record["heading_text"], "text": record["text"],
                                        "label": next(labels, "")})
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

    def related(self, key: str, limit: int = 5) -> list[dict]:
        """Documents related to document `key`, best first: those citing the same numbers
        (a number few documents cite counts more), then those sharing its most distinctive
        word pairs. Each: key, number, type, date, title and `shared` (the numbers both cite).
        Kept for the most recently shown documents: it is a document page's largest cost."""
        searcher = self._searcher()
        kept = (searcher.reader().generation(), key, limit)
        with self._related_lock:
            if kept in self._related:
                self._related.move_to_end(kept)
                return copy.deepcopy(self._related[kept])
        found = self._find_related(searcher, key, limit)
        with self._related_lock:
            self._related[kept] = copy.deepcopy(found)
            while len(self._related) > RELATED_KEPT:
                self._related.popitem(last=False)
        return found

    def _find_related(self, searcher, key: str, limit: int) -> list[dict]:
        head = self._head(searcher, key)
        if head is None:
            return []
        key = head["key"]
        scores: dict[str, float] = {}
        shared: dict[str, list[str]] = {}
        for reference in head["doc"]["references"]:
            cited = number_key(reference["number"])
            citing = [r["key"] for r in searcher.documents(refs=cited.lower(), section="") if is_head(r)] if cited else []
            for other in citing:
                if other != key:
                    scores[other] = scores.get(other, 0.0) + 1.0 + 1.0 / len(citing)
                    shared.setdefault(other, []).append(reference["number"])
        if len(scores) < limit:  # then by the words: its most distinctive syllable pairs, any of them
            text = " ".join(r.get("text") or "" for r in searcher.documents(key=key))[:RELATED_TEXT]
            pairs = _most_frequent(analysis.field_texts(analysis.syllables(f"{head.get('title') or ''} {text}"))["bigram"])
            terms = [t for t, _ in searcher.key_terms_from_text("bigram", pairs, numterms=RELATED_TERMS)]
            if terms:
                q = " OR ".join(f'"{t.replace("_", " ")}"' for t in terms)
                found = self.run(SearchRequest(q=q, limit=limit + 1))["hits"]
                for rank, hit in enumerate(h for h in found if h["key"] != key and h["key"] not in scores):
                    scores[hit["key"]] = 1.0 / (rank + 2)  # below any shared citation
        best = sorted(scores, key=lambda k: -scores[k])[:limit]
        heads = {k: self._head(searcher, k) for k in best}
        return [{"key": k, **{f: heads[k].get(f) or None for f in ("number", "type", "date", "title")},
                 "shared": shared.get(k, [])} for k in best if heads[k] is not None]

    def original(self, key: str) -> Original:
        """The file a document was indexed from (search.originals); raises NoOriginal."""
        return original_file(self._searcher(), key)

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
        # 4800/QD-BYT may be 4800/QĐ-BYT typed without diacritics, as in search.
        mentions = find_mentions(searcher, number_keys(key))
        return {"number": mentions[0]["number"] if mentions else number.strip(),
                "total": len(mentions), "documents": len({m["key"] for m in mentions}),
                "mentions": mentions}


def _most_frequent(terms: str) -> str:
    """`terms` (space-separated) kept to its RELATED_CANDIDATES most frequent, each as often as it
    occurs: looking up every distinct pair's collection frequency cost 0.5 s on a long law."""
    counts = Counter(terms.split())
    return " ".join(" ".join([t] * n) for t, n in counts.most_common(RELATED_CANDIDATES))


__all__ = ["Engine", "IndexBusy", "IndexUnavailable", "NoOriginal", "QueryError", "SearchRequest", "Weights",
           "index_paths", "parse_path", "default_index_dir"]
