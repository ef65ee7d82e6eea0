"""PROTOTYPE (issue #14): postings and phrase checks at array speed.

- `postings`: a term's record numbers and frequencies for every segment, read
  with `ArrayLeafMatcher.arrays()` (one read and a `numpy.frombuffer` per block)
  when the index uses the array codec, else as search/ranking.py does.
- `FastEvaluation`: checks phrases on the candidate records with position arrays:
  the positions of the phrase's k-th syllable, shifted back by k, must meet those of
  the first syllable in the same record (`numpy.intersect1d` on record<<32|position),
  instead of walking Whoosh's span matchers record by record.

Not wired into the engine: bench/scale.py --proto patches it in for measurement.
"""
from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher

from . import ranking
from .arraycodec import ArrayLeafMatcher

_original_postings = ranking.postings


def _leaf_matcher(leaf, field: str, text: str):
    matcher = leaf.postings(field, text)
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def postings(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    ids, tfs = [], []
    for leaf, offset in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        matcher = _leaf_matcher(leaf, field, text)
        if not isinstance(matcher, ArrayLeafMatcher):
            return _original_postings(reader, field, text)
        leaf_ids, leaf_tfs = matcher.arrays()
        ids.append(leaf_ids + offset)
        tfs.append(leaf_tfs)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(tfs)


def positions(reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(record of each position, position) of a term, or None without the array codec."""
    records, found = [], []
    for leaf, offset in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        matcher = _leaf_matcher(leaf, field, text)
        if not isinstance(matcher, ArrayLeafMatcher):
            return None
        _, _, leaf_records, leaf_positions = matcher.arrays(positions=True)
        records.append(leaf_records + offset)
        found.append(leaf_positions)
    if not records:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(records), np.concatenate(found)


def phrase_records(reader, phrase: wq.Phrase, candidates: np.ndarray) -> np.ndarray | None:
    """Sorted records among `candidates` (a bool mask) holding the phrase; None: not supported."""
    keys = None
    for k, word in enumerate(phrase.words):
        found = positions(reader, phrase.fieldname, word)
        if found is None:
            return None
        records, at = found
        keep = candidates[records] & (at >= k)
        word_keys = (records[keep] << 32) | (at[keep] - k)
        keys = np.unique(word_keys) if keys is None else np.intersect1d(keys, word_keys)
        if not len(keys):
            break
    return np.unique(keys >> 32)


class FastEvaluation(ranking.Evaluation):
    def _matches_among(self, query, candidates):
        phrases = query.subqueries if isinstance(query, wq.Or) else [query]
        if all(isinstance(p, wq.Phrase) and p.slop == 1 for p in phrases):
            mask = np.zeros(self.stats.size, dtype=bool)
            allowed = np.zeros(self.stats.size, dtype=bool)
            allowed[candidates] = True
            for phrase in phrases:
                found = phrase_records(self.reader, phrase, allowed)
                if found is None:
                    return super()._matches_among(query, candidates)
                mask[found] = True
            return mask
        return super()._matches_among(query, candidates)
