"""PROTOTYPE (issue #14): long questions that do not pay full price for common words,
and results ranked without sorting every matching record.

`PrunedEvaluation.top()` answers a ranked OR of many terms (a question) exactly for the
page asked for:
1. every term's record numbers make the match mask (totals and facets stay exact);
2. the rarer terms are scored fully; each common term (in more than COMMON_SHARE of
   the records) can add at most boost * idf * (K1 + 1) to a record, U in all;
3. theta = the k-th best document (or section) score so far, k = offset + limit; a
   record whose partial score + U < theta cannot reach the page, so only the others
   (candidates) get their exact score: every term, in query order, with the same
   arithmetic as ranking.Evaluation, so their scores are bit-identical.
`FastEngine.search` evaluates the filters and NOT terms first (they bound theta), and
picks the best record per document and the page with O(n) numpy steps plus a sort of
the documents (or of the k best sections), instead of a lexsort of every record.

Not wired into the engine: bench/scale.py --proto prune patches it in for measurement.
"""
from __future__ import annotations

import time
from math import log

import numpy as np
from whoosh import query as wq

from . import ranking
from .query import QueryError, date_range, field_query, parse_query
from .service import MAX_LIMIT, MAX_OFFSET, SORTS, Engine

COMMON_SHARE = 0.02  # a term in more than this share of the records is scored lazily
MIN_TERMS = 6  # shorter ORs are scored in full


class PrunedEvaluation(ranking.Evaluation):
    def _contribution(self, term: wq.Term, ids, tfs, df: int):
        """What the term adds to the records `ids` (ranking.Evaluation._add_term's arithmetic)."""
        if not self.reader.schema[term.fieldname].scorable:
            return np.full(len(ids), term.boost)
        lengths, average = self.stats.lengths[term.fieldname]
        idf = log(self.stats.size / (df + 1)) + 1
        norm = ranking.K1 * ((1 - ranking.B) + ranking.B * lengths[ids] / average)
        return term.boost * idf * (tfs * (ranking.K1 + 1)) / (tfs + norm)

    def _bound(self, term: wq.Term, df: int) -> float:
        if not self.reader.schema[term.fieldname].scorable:
            return term.boost
        return term.boost * (log(self.stats.size / (df + 1)) + 1) * (ranking.K1 + 1)

    def top(self, query, allowed: np.ndarray, k: int, doc_of_record: np.ndarray | None):
        terms = query.subqueries if isinstance(query, wq.Or) else []
        if k <= 0 or len(terms) < MIN_TERMS or not all(isinstance(t, wq.Term) for t in terms):
            mask, scores = self(query)
            return mask & allowed, scores
        lists = [self.stats.postings(self.reader, t.fieldname, t.text) for t in terms]
        mask, scores = self._empty()
        common, bound = [], 0.0
        for i, (term, (ids, tfs)) in enumerate(zip(terms, lists)):
            if not len(ids):
                continue
            mask[ids] = True
            if len(ids) > COMMON_SHARE * self.stats.size:
                common.append(i)
                bound += self._bound(term, len(ids))
            else:
                scores[ids] += self._contribution(term, ids, tfs, len(ids))
        mask &= self.stats.live & allowed
        if not common:
            return mask, scores
        eligible = np.flatnonzero(mask)
        partial = scores[eligible]
        if doc_of_record is not None:
            docs = doc_of_record[eligible]
            best = np.full(int(docs.max()) + 1 if len(docs) else 0, -np.inf)
            np.maximum.at(best, docs, partial)
            ranked = best[best > -np.inf]
        else:
            ranked = partial
        theta = -np.inf if len(ranked) <= k else np.partition(ranked, len(ranked) - k)[len(ranked) - k]
        candidates = eligible[partial + bound >= theta]
        exact = np.zeros(len(candidates))
        for term, (ids, tfs) in zip(terms, lists):  # query order: the same sums as Evaluation
            if not len(ids):
                continue
            at = np.searchsorted(ids, candidates)
            hit = at < len(ids)
            hit[hit] = ids[at[hit]] == candidates[hit]
            exact[hit] += self._contribution(term, candidates[hit], tfs[at[hit]], len(ids))
        scores[candidates] = exact
        return mask, scores


class FastEngine(Engine):
    def search(self, q: str = "", *, signer=None, issuer=None, type=None, ref=None, date_from=None,
               date_to=None, limit: int = 10, offset: int = 0, sort: str = "relevance",
               sections: bool = False) -> dict:
        started = time.perf_counter()
        if sort not in SORTS:
            raise QueryError(f"Unknown sort '{sort}': use one of {', '.join(SORTS)}.")
        if not isinstance(limit, int) or not isinstance(offset, int) or limit < 0 or offset < 0:
            raise QueryError("limit and offset must be whole numbers, 0 or more.")
        limit, offset = min(limit, MAX_LIMIT), min(offset, MAX_OFFSET)
        searcher = self._searcher()
        table, vocabulary, stats = self._tables(searcher)
        parsed = parse_query(q, vocabulary, searcher.reader())
        filters = [field_query(name, value) for name, value in
                   (("signer", signer), ("issuer", issuer), ("type", type), ("ref", ref)) if value]
        if date_from or date_to:
            filters.append(date_range(date_from, date_to))
        if not parsed.query and sort == "relevance":
            sort = "-date"
        query = parsed.query or wq.Every()
        if not sections and not parsed.query:
            query = wq.Term("section", "")

        evaluate = PrunedEvaluation(searcher, stats)
        allowed = stats.live.copy()
        if filters:
            allowed &= evaluate(wq.And(filters))[0]
        if not sections and parsed.excluded is not None:
            excluded_docs = np.unique(table.doc_of_record[evaluate(parsed.excluded)[0]])
            allowed &= ~np.isin(table.doc_of_record, excluded_docs)
        page_end = offset + limit if sort == "relevance" else 0
        mask, scores = evaluate.top(query, allowed, page_end, None if sections else table.doc_of_record)
        records = np.flatnonzero(mask)
        docs_of = table.doc_of_record[records]
        if not sections:  # a document ranks by its best record (ties: the first record)
            records, docs_of = _best_per_document(records, scores[records], docs_of)
        total = len(records)
        if sort == "relevance":
            page = _top(records, scores[records], page_end)
        else:  # by date; equal dates keep their relevance order
            order = np.lexsort((records, -scores[records]))
            records_sorted = records[order]
            dates = table.date_of_doc[table.doc_of_record[records_sorted]]
            page = records_sorted[np.argsort(-dates if sort == "-date" else dates, kind="stable")]
        page = page[offset:offset + limit]
        scored = sort == "relevance"
        hits = [self._hit(searcher.stored_fields(int(n)), float(scores[n]) if scored else None, parsed.highlight)
                for n in page]
        present = np.zeros(len(table.keys), dtype=bool)
        present[docs_of[docs_of >= 0]] = True
        return {
            "query": q, "total": total, "offset": offset,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "hits": hits, "facets": table.counts(np.flatnonzero(present)),
        }


def _best_per_document(records, scores, docs):
    """Each document's best record (highest score, then lowest record number)."""
    if not len(records):
        return records, docs
    best = np.full(int(docs.max()) + 2, -np.inf)
    slot = docs + 1  # doc -1 (no key) gets a slot of its own
    np.maximum.at(best, slot, scores)
    is_best = scores == best[slot]
    candidates, candidate_docs = records[is_best], docs[is_best]
    _, first = np.unique(candidate_docs, return_index=True)  # records ascend: first = lowest
    return candidates[first], candidate_docs[first]


def _top(records, scores, k):
    """The k best records, by score then record number."""
    if k <= 0:
        return records[:0]
    if k < len(records):
        kth = np.partition(-scores, k - 1)[k - 1]
        keep = -scores <= kth
        records, scores = records[keep], scores[keep]
    order = np.lexsort((records, -scores))
    return records[order][:k]
