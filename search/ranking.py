"""Evaluate a query into numpy arrays: which records match, and their BM25F scores.

Whoosh answers an OR of many words by walking a tree of matchers in Python one
posting at a time; on the 18,000 law articles a question full of common words
("của", "có thể") took seconds. Here each term's postings are read as arrays (the
index's posting blocks are raw arrays: search/whoosh_internals.py) and scored
with Whoosh's BM25F formula (with Lucene's idf, `idf_of`;
tests/test_whoosh_internals.py pins the two), so a query costs a few array
operations per term, and the ranking, the totals and the facets all come from
one pass; the best records are then scored again (`Rerank`). Phrases are checked
on position arrays too (a record holds the phrase where the k-th syllable's
positions, shifted back by k, meet the first one's), only on the records that
the rest of the query already admits.
"""
from __future__ import annotations

import re
import threading
from math import log

import numpy as np
from whoosh import query as wq

from . import analysis
from .facets import distinct
from .numbers import day_number
from .query import Prefer, Rerank
from .tables import GenerationTables
from .weights import Weights
from .whoosh_internals import position_arrays, posting_arrays

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
MAX_EXPANSION = 1000  # terms a prefix or range may expand to
CACHED_MIN_POSTINGS = 512  # shorter posting lists decode fast enough
CACHE_MAX_POSTINGS = 5_000_000  # about 80 MB


class Statistics:
    """Per index generation: live records and length normalisations, for scoring (from the
    generation's tables, search/tables.py; read from `reader` when not given)."""

    def __init__(self, reader, tables: GenerationTables | None = None):
        tables = tables or GenerationTables(reader)
        self.size = tables.size
        self.live = tables.live
        self.days = tables.days  # each record's date, YYYYMMDD (0: none), for date ranges
        # BM25's length normalisation of each record in every scorable field, the field's
        # average length taken as Whoosh takes it: over all records, deleted ones included
        # (they are in the total length too).
        self.norms: dict[str, np.ndarray] = {}
        for field, lengths in tables.lengths.items():
            average = (reader.field_length(field) / max(self.size, 1)) or 1.0
            self.norms[field] = K1 * ((1 - B) + B * lengths / average)
        # Weighted postings of long lists ("của" is in most sections): decoding and weighing
        # them is most of a query's cost, and the same common terms recur in queries.
        self._cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._cached = 0
        self._lock = threading.Lock()
        self._idf: dict[tuple[str, str], float] = {}

    def idf(self, reader, field: str, text: str) -> float:
        """The term's idf (`idf_of`), its records counted as Whoosh counts them:
        all records and the term index's document frequency, deleted ones included."""
        found = self._idf.get((field, text))
        if found is None:
            found = self._idf[(field, text)] = idf_of(self.size, reader.doc_frequency(field, text))
        return found

    def weighted(self, reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's records and what it adds to each one's score, before the query's boost: its
        BM25 weight (Whoosh's BM25F, with `idf_of`) in a scored field, 1 in an unscored one.
        Whoosh's idf counts deleted records too; so does the term index, but not the records
        found: Whoosh's matcher has already skipped the deleted records a list starts with."""
        found = self._cache.get((field, text))
        if found is None:
            ids, tfs = postings(reader, field, text)
            if reader.schema[field].scorable:
                weights = self.idf(reader, field, text) * (tfs * (K1 + 1)) / (tfs + self.norms[field][ids])
            else:
                weights = np.ones(len(ids))
            found = ids, weights
            if len(ids) >= CACHED_MIN_POSTINGS:
                with self._lock:
                    if self._cached + len(ids) <= CACHE_MAX_POSTINGS:
                        self._cache[(field, text)] = found
                        self._cached += len(ids)
        return found


def postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Record numbers and term frequencies of one term, across all segments.

    Deleted records may be included (not all of them); callers mask them with
    Statistics.live.
    """
    return _across_segments(reader, posting_arrays, field, text, np.float64)


def _across_segments(reader, read, field: str, text: str, dtype, among: np.ndarray | None = None,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """`read(leaf, field, text[, among])` -> (records, values) of every segment, records offset to
    the whole index, concatenated in segment order; `among`, a mask over the whole index, is
    passed on as each segment's part."""
    records, values = [], []
    for leaf, offset in reader.leaf_readers():
        if among is None:
            leaf_records, leaf_values = read(leaf, field, text)  # new arrays: offset in place
        else:
            leaf_records, leaf_values = read(leaf, field, text, among[offset:offset + leaf.doc_count_all()])
        if len(leaf_records):
            leaf_records += offset
            records.append(leaf_records)
            values.append(leaf_values)
    if not records:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=dtype)
    if len(records) == 1:
        return records[0], values[0]
    return np.concatenate(records), np.concatenate(values)


def idf_of(count: int, frequency: int) -> float:
    """BM25's inverse document frequency (Lucene's form, always positive): near 0
    for a term in most records, so that common words cannot outweigh a rare one.
    (Whoosh's own, log(count / (frequency + 1)) + 1, is about 1 even for a term in every record.)"""
    return log(1 + (count - frequency + 0.5) / (frequency + 0.5))


def positions(reader, field: str, text: str, among: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(record of each position, position) of one term across all segments, sorted by
    record then position; deleted records may be included. With `among` (a mask), the
    positions of other records may be left out (whole blocks of the posting list are skipped)."""
    return _across_segments(reader, position_arrays, field, text, np.int64, among)


def phrase_records(reader, phrase: wq.Phrase, allowed: np.ndarray) -> np.ndarray:
    """The records among `allowed` (a mask) where the phrase's words stand one after another."""
    keys = None
    for k, word in enumerate(phrase.words):
        records, at = positions(reader, phrase.fieldname, word, among=allowed)
        keep = allowed[records] & (at >= k)
        # record << 32 | where the phrase would start: sorted and unique, as the postings are
        word_keys = (records[keep] << 32) | (at[keep] - k)
        keys = word_keys if keys is None else np.intersect1d(keys, word_keys, assume_unique=True)
        if not len(keys):
            break
        allowed = np.zeros_like(allowed)  # the next words are read only where the phrase may still be
        allowed[keys >> 32] = True
    return distinct(keys >> 32) if keys is not None else np.zeros(0, dtype=np.int64)


class Evaluation:
    """Match mask and scores of one query over every record of a generation."""

    def __init__(self, searcher, stats: Statistics):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.stats = stats

    def __call__(self, query: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._eval(query)
        return mask & self.stats.live, scores

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.stats.size, dtype=bool), np.zeros(self.stats.size)

    def _eval(self, query: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(query, wq.Term):
            return self._terms([query])
        if isinstance(query, wq.Or):
            return self._or(query)
        if isinstance(query, wq.And):
            return self._and(query.subqueries)
        if isinstance(query, Rerank):
            mask, scores = self._eval(query.child)
            return mask, self._rerank(mask, scores, query.slots, query.weights)
        if isinstance(query, Prefer):
            mask, scores = self._eval(query.child)
            preferred, _ = self._eval(query.preferred)
            if query.admit:  # what the query names exactly ("Điều 173 Bộ luật …"): first, matched or not
                top = float(scores[mask].max()) if mask.any() else 0.0
                return mask | preferred, np.where(preferred, scores * query.factor + top + 1.0, scores)
            return mask, np.where(preferred, scores * query.factor, scores)
        if isinstance(query, wq.AndMaybe):
            mask, scores = self._eval(query.a)
            _, extra = self._eval(query.b)
            return mask, scores + extra * mask
        if isinstance(query, wq.AndNot):
            mask, scores = self._eval(query.a)
            excluded, _ = self._eval(query.b)
            return mask & ~excluded, scores
        if isinstance(query, wq.Every):
            return self.stats.live.copy(), np.zeros(self.stats.size)
        if isinstance(query, wq.TermRange) and query.fieldname == "date":
            return self._dates(query)
        if isinstance(query, wq.MultiTerm):  # prefixes
            terms = [wq.Term(f, t, boost=query.boost) for f, t in query.expanded_terms(self.reader)]
            return self._terms(terms[:MAX_EXPANSION])
        if query is wq.NullQuery:
            return self._empty()
        if _positional(query):
            return self._positional(query, self.stats.live), np.zeros(self.stats.size)
        # Anything else: its matching records from Whoosh.
        mask, scores = self._empty()
        mask[list(self.searcher.docs_for_query(query))] = True
        return mask, scores

    def _dates(self, query: wq.TermRange) -> tuple[np.ndarray, np.ndarray]:
        """A date range, by comparing every record's date: what the OR of each date term in the
        range gives (an unscored field: each match counts the boost), without reading the postings
        of every date in it (hundreds over a few years of an archive)."""
        days = self.stats.days
        mask = days > 0
        if query.start:
            start = day_number(query.start)
            mask &= (days > start) if query.startexcl else (days >= start)
        if query.end:
            end = day_number(query.end)
            mask &= (days < end) if query.endexcl else (days <= end)
        return mask, np.where(mask, float(query.boost), 0.0)

    def _rerank(self, mask: np.ndarray, scores: np.ndarray, slots, weights: Weights) -> np.ndarray:
        """Score the best records again: times how much of their title (an
        article's "Điều kiện kết hôn") the query holds, plus their best clause (a
        line of their text, read under the title), so that a long article is
        judged by the clause that answers, not diluted by the others."""
        candidates = np.flatnonzero(mask & (scores > 0))
        depth = weights.rerank_depth
        if len(candidates) > depth:
            candidates = candidates[np.argpartition(-scores[candidates], depth)[:depth]]
        if not len(candidates):
            return scores
        shape = _Shape(slots, self.stats, self.reader, weights)
        scores = scores.copy()
        clauses = {}
        for record in candidates:
            fields = self.searcher.stored_fields(int(record))
            title = analysis.syllables(fields.get("heading_text") or "").split()
            scores[record] *= 1 + weights.title * shape.title_coverage(title)
            lines = (_SYLLABLE_RE.findall(line) for line in analysis.unify_tones(
                (fields.get("text") or "").lower()).split("\n"))
            clauses[record] = [title + line for line in lines if line]
        best = shape.best_clauses(list(clauses.values()))
        for record, score in zip(clauses, best):
            scores[record] += weights.clause * score
        return scores

    def _terms(self, terms: list[wq.Term]) -> tuple[np.ndarray, np.ndarray]:
        """An OR of terms, scored straight into one array."""
        mask, scores = self._empty()
        for term in terms:
            self._add_term(term, mask, scores)
        return mask, scores

    def _add_term(self, term: wq.Term, mask: np.ndarray, scores: np.ndarray) -> None:
        ids, weights = self.stats.weighted(self.reader, term.fieldname, term.text)
        if len(ids):
            mask[ids] = True
            scores[ids] += term.boost * weights

    def _or(self, query: wq.Or) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._empty()
        for sub in query.subqueries:
            if isinstance(sub, wq.Term):
                self._add_term(sub, mask, scores)
            else:
                sub_mask, sub_scores = self._eval(sub)
                mask |= sub_mask
                scores += sub_scores
        return mask, scores

    def _and(self, subqueries: list[wq.Query]) -> tuple[np.ndarray, np.ndarray]:
        """All must match; positional checks run last, on the records still admitted."""
        positional = [q for q in subqueries if _positional(q)]
        mask, scores = self.stats.live.copy(), np.zeros(self.stats.size)
        for sub in subqueries:
            if any(sub is p for p in positional):
                continue
            sub_mask, sub_scores = self._eval(sub)
            mask &= sub_mask
            scores += sub_scores
        for phrase in positional:
            mask &= self._positional(phrase, mask)
        return mask, scores * mask

    def _positional(self, query: wq.Query, allowed: np.ndarray) -> np.ndarray:
        """The records among `allowed` that a phrase (or an OR of phrases) matches."""
        found = self._empty()[0]
        for phrase in query.subqueries if isinstance(query, wq.Or) else [query]:
            found[phrase_records(self.reader, phrase, allowed)] = True
        return found


_SYLLABLE_RE = re.compile(r"[^\W_]+")  # a clause's syllables, near enough to the `syl` field's


class _Shape:
    """A query's syllables and adjacent pairs, indexed for scoring texts read at
    query time (titles, clauses) with the index's idf."""

    def __init__(self, slots, stats: Statistics, reader, weights: Weights):
        distinct = list(dict.fromkeys(s for s in slots if s))
        self.slot_of = {form: i for i, slot in enumerate(distinct) for form in slot}
        self.slot_idf = [max(stats.idf(reader, "syl", f) for f in slot) for slot in distinct]
        pairs = list(dict.fromkeys((x, y) for x, y in zip(slots, slots[1:]) if x and y))
        self.pair_of = {(a, b): i for i, (x, y) in enumerate(pairs) for a in x for b in y}
        # The same as arrays, each form numbered: its slot, and the pair (or -1) of two forms
        self.form_index = {form: i for i, form in enumerate(self.slot_of)}
        self.form_slot = np.array(list(self.slot_of.values()), dtype=np.int64)
        self.form_pair = np.full((len(self.form_index),) * 2, -1, dtype=np.int64)
        for (a, b), i in self.pair_of.items():
            self.form_pair[self.form_index[a], self.form_index[b]] = i
        self.pair_idf = [max(stats.idf(reader, "bigram", f"{a}_{b}") for a in x for b in y) for x, y in pairs]
        self.stats, self.reader, self.weights = stats, reader, weights

    def title_coverage(self, title: list[str]) -> float:
        """How much of a title the query holds, 0..1: the idf-weighted share of its
        syllables that the query has, times the share of its adjacent pairs that
        the query has adjacent too (so scattered common words count little)."""
        if not title:
            return 0.0
        weights = [self.stats.idf(self.reader, "syl", s) for s in title]
        share = sum(w for s, w in zip(title, weights) if s in self.slot_of) / (sum(weights) or 1.0)
        if len(title) == 1:
            return share
        return share * sum(1 for p in zip(title, title[1:]) if p in self.pair_of) / (len(title) - 1)

    def best_clauses(self, records: list[list[list[str]]]) -> list[float]:
        """Each record's best clause: the BM25 of a clause (a list of syllables) for the query's
        syllables and pairs (fields syl and bigram), its length against the average clause of
        all; 0 for a record without clauses. All clauses are counted at once in arrays."""
        clauses = [clause for found in records for clause in found]
        if not clauses:
            return [0.0] * len(records)
        lengths = np.array([len(c) for c in clauses])
        average = sum(lengths.tolist()) / len(clauses)
        # Each syllable as the number of the query form it is, or -1
        forms = np.array([self.form_index.get(s, -1) for clause in clauses for s in clause], dtype=np.int64)
        clause_of = np.repeat(np.arange(len(clauses)), lengths)
        known = forms >= 0
        slot_tf = np.bincount(clause_of[known] * len(self.slot_idf) + self.form_slot[forms[known]],
                              minlength=len(clauses) * len(self.slot_idf)).reshape(len(clauses), -1)
        first, second = forms[:-1], forms[1:]
        adjacent = (clause_of[:-1] == clause_of[1:]) & (first >= 0) & (second >= 0)
        pairs = self.form_pair[first[adjacent], second[adjacent]]
        in_pairs = pairs >= 0
        pair_tf = np.bincount(clause_of[:-1][adjacent][in_pairs] * len(self.pair_idf) + pairs[in_pairs],
                              minlength=len(clauses) * len(self.pair_idf)).reshape(len(clauses), -1)
        norm = K1 * ((1 - B) + B * lengths / average)

        def bm25(tfs: np.ndarray, idfs: list[float]) -> np.ndarray:
            total = np.zeros(len(clauses))
            for tf, idf in zip(tfs.T, idfs):  # term by term, as a sum in Python adds them
                total = total + np.where(tf > 0, idf * (tf * (K1 + 1) / (tf + norm)), 0.0)
            return total

        score = self.weights.syl * bm25(slot_tf, self.slot_idf) + self.weights.bigram * bm25(pair_tf, self.pair_idf)
        best, at = [], 0
        for found in records:
            best.append(float(score[at:at + len(found)].max()) if found else 0.0)
            at += len(found)
        return best


def _positional(query: wq.Query) -> bool:
    """A phrase, or an OR of phrases (of adjacent words): needs positions, so it is checked last."""
    if isinstance(query, wq.Or):
        return bool(query.subqueries) and all(_adjacent(q) for q in query.subqueries)
    return _adjacent(query)


def _adjacent(query: wq.Query) -> bool:
    return isinstance(query, wq.Phrase) and query.slop == 1
