"""How much a match counts: the ranking's configuration, handed to the Engine.

Read by search/query.py (term boosts, the factors of a named law or article, the
rerank's settings carried by its query node) and so by search/ranking.py; the
values were chosen on the development queries and ALQAC (README, "Design notes";
`python bench/alqac.py --weights ...`).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    # The content fields' BM25F weights.
    words: float = 0.5     # pyvi words
    syl: float = 1.0       # syllables: robust to segmentation differences
    bigram: float = 1.0    # adjacent syllable pairs: phrase-like precision, cheap
    heading: float = 0.3   # section heading (article title) or document title
    own_number: float = 20.0  # the document whose own number is typed
    # Score factors of the sections of a law the query names ("Theo Bộ luật Dân sự
    # 2015") and of the article it names ("Điều 8").
    named_document: float = 2.0
    named_article: float = 3.0
    # The rerank of the best `rerank_depth` records: score factor 1 + `title` for a
    # title the query holds whole, plus `clause` times the BM25 of the best clause.
    title: float = 0.25
    clause: float = 1.0
    rerank_depth: int = 40
