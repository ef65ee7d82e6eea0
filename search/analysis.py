"""Vietnamese analysis: word segmentation with pyvi, then Whoosh token filters.

Text is analysed in two steps so that one pyvi pass feeds every field:

1. `segment(text)` turns raw text into a space-separated string of words whose
   syllables are joined by "_" ("Thủ_tướng Chính_phủ 128/NQ-CP"). Document
   numbers, dates and codes are swapped for placeholders around pyvi, which
   would otherwise split them ("128 / NQ - CP").
2. The schema's analyzers (built here) read that string: words, syllables,
   syllable bigrams, and the same without diacritics. Documents and queries go
   through the very same chain.
"""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import Filter, SpaceSeparatedTokenizer

from .normalize import fold, nfc, unify_tones
from .numbers import NUMBER_RE

# Codes kept whole besides document numbers: dates (20/11/2021), decimals and
# thousands (1.000.000, 12,5), versions and names with digits (COVID-19, SARS-CoV-2).
_CODE_RE = re.compile(r"[^\W_]+(?:[-/.,][^\W_]+)+|[^\W_]*\d[^\W_]*")
# What a reader sees as one token in running text, for marking matches in snippets.
TOKEN_RE = re.compile(f"(?:{NUMBER_RE.pattern})|{_CODE_RE.pattern}|\\w+")
_PLACEHOLDER = "ǂ{}ǂ"
_PLACEHOLDER_RE = re.compile(r"ǂ(\d+)ǂ")


@lru_cache(maxsize=1)
def _pyvi_tokenize():
    # Imported lazily: pyvi pulls in scikit-learn (~1 s), which commands that
    # never segment (parse, --help) should not pay for.
    from pyvi import ViTokenizer

    return ViTokenizer.tokenize


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def warm_up() -> None:
    """Load pyvi now rather than on the first query (for long-running services)."""
    _pyvi_tokenize()


def _protect(text: str) -> tuple[str, list[str]]:
    """Replace numbers and codes by placeholders; return the text and the originals."""
    kept: list[str] = []

    def swap(match: re.Match) -> str:
        kept.append(re.sub(r"\s+", "", match.group(0)))
        return f" {_PLACEHOLDER.format(len(kept) - 1)} "

    def swap_code(match: re.Match) -> str:
        code = match.group(0)
        if not _has_digit(code) or _PLACEHOLDER_RE.fullmatch(code):
            return code
        return swap(match)

    text = NUMBER_RE.sub(swap, text)
    text = _CODE_RE.sub(swap_code, text)
    return text, kept


def segment(text: str) -> str:
    """Segment text into words; syllables of a word are joined by "_"."""
    text = unify_tones(nfc(text))
    protected, kept = _protect(text)
    words = []
    for token in _pyvi_tokenize()(protected).split():
        if "ǂ" not in token:
            words.append(token)
            continue
        # pyvi may glue a placeholder to a neighbour ("ǂ0ǂ_dịch"): split it off.
        for part in token.split("_"):
            match = _PLACEHOLDER_RE.fullmatch(part)
            words.append(kept[int(match.group(1))] if match else part)
    return " ".join(words)


class ContentFilter(Filter):
    """Drop punctuation tokens; lowercase and unify tone placement."""

    def __call__(self, tokens):
        for t in tokens:
            if any(c.isalnum() for c in t.text):
                t.text = unify_tones(t.text.lower())
                yield t


class SyllableFilter(Filter):
    """Split segmented words into syllables ("thủ_tướng" -> "thủ", "tướng")."""

    def __call__(self, tokens):
        pos = 0
        for t in tokens:
            for syllable in t.text.split("_"):
                if syllable:
                    t.text = syllable
                    t.pos = pos
                    pos += 1
                    yield t


class FoldFilter(Filter):
    """Remove diacritics so that "ho chieu" matches "hộ chiếu"."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


class BigramFilter(Filter):
    """Emit each pair of adjacent syllables as one term ("hộ chiếu").

    Pairs span punctuation, so "phòng, chống" and "phòng chống" meet; a query's
    bigrams in order approximate a phrase at the cost of single-term look-ups.
    """

    def __call__(self, tokens):
        previous = None
        for t in tokens:
            if previous is not None:
                current = t.text
                t.text = f"{previous} {current}"
                yield t
                previous = current
            else:
                previous = t.text


def words_analyzer():
    return SpaceSeparatedTokenizer() | ContentFilter()


def syllables_analyzer():
    return words_analyzer() | SyllableFilter()


def folded_analyzer():
    return syllables_analyzer() | FoldFilter()


def bigrams_analyzer():
    return syllables_analyzer() | BigramFilter()


def folded_bigrams_analyzer():
    return folded_analyzer() | BigramFilter()


def token_key(token: str) -> str:
    """A written token as the highlight set holds it: no spaces, lowercased, folded."""
    return fold(unify_tones("".join(token.split()).lower()))


def folded_key(text: str) -> str:
    """A name or phrase reduced for loose comparison: folded, lowercased, single-spaced."""
    return " ".join(fold(unify_tones(nfc(text))).lower().split())
