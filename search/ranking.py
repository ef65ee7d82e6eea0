"""Evaluate a query into numpy arrays: which records match, and their BM25F scores.

Whoosh answers an OR of many words by walking a tree of matchers in Python one
posting at a time; on the 18,000 law articles a question full of common words
("của", "có thể") took seconds. Here each term's postings are read as arrays (the
index's posting blocks are raw arrays: search/whoosh_internals.py) and scored with
Whoosh's own BM25F formula, so a query costs a few array operations per term, and the ranking, the totals and the facets all
come from one pass. Phrases are checked on position arrays too (a record holds
the phrase where the k-th syllable's positions, shifted back by k, meet the
first one's), only on the records that the rest of the query already admits.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh import query as wq

from .tables import GenerationTables
from .whoosh_internals import position_arrays, posting_arrays

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
MAX_EXPANSION = 1000  # terms a prefix or range may expand to
CACHED_MIN_POSTINGS = 512  # shorter posting lists decode fast enough
CACHE_MAX_POSTINGS = 5_000_000  # about 80 MB


@dataclass(frozen=True)
class Weights:
    """How much a match counts, by where it is: configuration handed to the Engine.

    The content fields' BM25F weights were chosen on the development queries and
    ALQAC (README, "Design notes"; `python bench/alqac.py --weights ...`).
    """

    words: float = 0.5     # pyvi words
    syl: float = 1.0       # syllables: robust to segmentation differences
    bigram: float = 1.0    # adjacent syllable pairs: phrase-like precision, cheap
    heading: float = 0.3   # section heading (article title) or document title
    # A syllable typed without diacritics, in a query that has them elsewhere, matches
    # its accented forms ("ho" ~ "hộ") at this weight, below the typed form.
    folded: float = 0.4
    own_number: float = 20.0  # the document whose own number is typed

    def field(self, name: str) -> float:
        return getattr(self, name)


class Statistics:
    """Per index generation: live records and field lengths, for scoring (from the
    generation's tables, search/tables.py; read from `reader` when not given)."""

    def __init__(self, reader, tables: GenerationTables | None = None):
        tables = tables or GenerationTables(reader)
        self.size = tables.size
        self.live = tables.live
        # Each record's length in every scorable field, and the field's average as Whoosh
        # takes it: over all records, deleted ones included (they are in the total length too).
        self.lengths: dict[str, tuple[np.ndarray, float]] = {
            field: (lengths, (reader.field_length(field) / max(self.size, 1)) or 1.0)
            for field, lengths in tables.lengths.items()}
        # Decoded postings of long lists ("của" is in most sections): decoding them
        # is most of a query's cost, and the same common terms recur in queries.
        self._cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._cached = 0
        self._lock = threading.Lock()
        self._frequencies: dict[tuple[str, str], int] = {}

    def doc_frequency(self, reader, field: str, text: str) -> int:
        """The term's document frequency as Whoosh counts it (deleted records included)."""
        found = self._frequencies.get((field, text))
        if found is None:
            found = self._frequencies[(field, text)] = reader.doc_frequency(field, text)
        return found

    def postings(self, reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        found = self._cache.get((field, text))
        if found is None:
            found = postings(reader, field, text)
            if len(found[0]) >= CACHED_MIN_POSTINGS:
                with self._lock:
                    if self._cached + len(found[0]) <= CACHE_MAX_POSTINGS:
                        self._cache[(field, text)] = found
                        self._cached += len(found[0])
        return found


def postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Record numbers and term frequencies of one term, across all segments.

    Deleted records may be included (not all of them); callers mask them with
    Statistics.live.
    """
    ids, tfs = [], []
    for leaf, offset in reader.leaf_readers():
        leaf_ids, leaf_tfs = posting_arrays(leaf, field, text)
        if len(leaf_ids):
            ids.append(leaf_ids + offset)
            tfs.append(leaf_tfs)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(tfs)


def positions(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(record of each position, position) of one term across all segments, sorted by
    record then position; deleted records may be included."""
    records, found = [], []
    for leaf, offset in reader.leaf_readers():
        leaf_records, leaf_positions = position_arrays(leaf, field, text)
        if len(leaf_records):
            records.append(leaf_records + offset)
            found.append(leaf_positions)
    if not records:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(records), np.concatenate(found)


def phrase_records(reader, phrase: wq.Phrase, allowed: np.ndarray) -> np.ndarray:
    """The records among `allowed` (a mask) where the phrase's words stand one after another."""
    keys = None
    for k, word in enumerate(phrase.words):
        records, at = positions(reader, phrase.fieldname, word)
        keep = allowed[records] & (at >= k)
        # record << 32 | where the phrase would start: sorted and unique, as the postings are
        word_keys = (records[keep] << 32) | (at[keep] - k)
        keys = word_keys if keys is None else np.intersect1d(keys, word_keys, assume_unique=True)
        if not len(keys):
            break
    return np.unique(keys >> 32) if keys is not None else np.zeros(0, dtype=np.int64)


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
        if isinstance(query, wq.MultiTerm):  # prefixes, date ranges
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

    def _terms(self, terms: list[wq.Term]) -> tuple[np.ndarray, np.ndarray]:
        """An OR of terms, scored straight into one array."""
        mask, scores = self._empty()
        for term in terms:
            self._add_term(term, mask, scores)
        return mask, scores

    def _add_term(self, term: wq.Term, mask: np.ndarray, scores: np.ndarray) -> None:
        ids, tfs = self.stats.postings(self.reader, term.fieldname, term.text)
        if not len(ids):
            return
        mask[ids] = True
        if not self.reader.schema[term.fieldname].scorable:
            scores[ids] += term.boost  # a match in an unscored field (an ID) counts its boost
            return
        lengths, average = self.stats.lengths[term.fieldname]
        # Whoosh's idf counts deleted records too; so does the term index, but not `ids`:
        # Whoosh's matcher has already skipped the deleted records a list starts with.
        idf = log(self.stats.size / (self.stats.doc_frequency(self.reader, term.fieldname, term.text) + 1)) + 1
        norm = K1 * ((1 - B) + B * lengths[ids] / average)
        scores[ids] += term.boost * idf * (tfs * (K1 + 1)) / (tfs + norm)

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


def _positional(query: wq.Query) -> bool:
    """A phrase, or an OR of phrases (of adjacent words): needs positions, so it is checked last."""
    if isinstance(query, wq.Or):
        return bool(query.subqueries) and all(_adjacent(q) for q in query.subqueries)
    return _adjacent(query)


def _adjacent(query: wq.Query) -> bool:
    return isinstance(query, wq.Phrase) and query.slop == 1
