"""Vietnamese analysis: word segmentation with pyvi, then every content field's terms.

Text is analysed in two steps so that one pyvi pass feeds every field:

1. `segment(text)` turns raw text into a space-separated string of words whose
   syllables are joined by "_" ("Thủ_tướng Chính_phủ 128/NQ-CP"). Document
   numbers, dates and codes are swapped for placeholders around pyvi, which
   would otherwise split them ("128 / NQ - CP").
2. `field_texts(segmented)` derives every content field's terms from that
   string: words, syllables and syllable pairs (diacritics are folded at query
   time, see query.Vocabulary). The indexer and the query builder both call these two functions, so
   documents and queries cannot drift apart.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import SpaceSeparatedTokenizer

from . import segmenter
from .normalize import fold, nfc, normalize_query, unify_tones
from .numbers import NUMBER_RE, number_key

# Codes kept whole besides document numbers: dates (20/11/2021), decimals and
# thousands (1.000.000, 12,5), versions and names with digits (COVID-19, SARS-CoV-2).
_CODE_RE = re.compile(r"[^\W_]+(?:[-/.,][^\W_]+)+|[^\W_]*\d[^\W_]*")
# What a reader sees as one token in running text, for marking matches in snippets.
TOKEN_RE = re.compile(f"(?:{NUMBER_RE.pattern})|{_CODE_RE.pattern}|\\w+")
_PLACEHOLDER = "ǂ{}ǂ"
_PLACEHOLDER_RE = re.compile(r"ǂ(\d+)ǂ")


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def warm_up() -> None:
    """Load the segmentation model now rather than on the first query (for long-running services)."""
    segmenter.load()


@lru_cache(maxsize=1)
def version() -> str:
    """What a segmentation depends on: pyvi's version and the source of this module and
    of the segmenter, normalization and number rules it applies. Cached segmentations made under
    another version are not reused (search/segment_cache.py)."""
    from importlib.metadata import version as package_version  # only a build needs it: 7 ms of importing

    digest = hashlib.sha1(package_version("pyvi").encode())
    here = Path(__file__).resolve().parent
    for name in ("analysis.py", "segmenter.py", "normalize.py", "numbers.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


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
    for token in segmenter.tokenize(protected).split():
        if "ǂ" not in token:
            words.append(token)
            continue
        # pyvi may glue a placeholder to a neighbour ("ǂ0ǂ_dịch"): split it off.
        for part in token.split("_"):
            match = _PLACEHOLDER_RE.fullmatch(part)
            words.append(kept[int(match.group(1))] if match else part)
    return " ".join(words)


_CONTENT_TOKEN_RE = re.compile(r"\S*[^\W_]\S*")  # a token with at least one letter or digit


def field_texts(segmented: str) -> dict[str, str]:
    """The text of every content field, from `segment()`'s output.

    Terms are separated by spaces, so each field's Whoosh analyzer only splits
    on spaces: the per-token work happens here, in a few string operations,
    rather than in a chain of Python filters per field and token.

    - words: pyvi words, lowercased ("thủ_tướng", "128/nq-cp", "covid-19")
    - syl: syllables ("thủ", "tướng"); document numbers stay whole, other
      codes also give their parts ("covid-19" -> "covid", "19") so that
      "covid" finds "COVID-19"; the field with positions, for phrases
    - bigram: adjacent syllable pairs ("thủ_tướng", "tướng_chính"), spanning
      punctuation so "phòng, chống" and "phòng chống" meet

    Diacritics are folded at query time instead (see query.Vocabulary): a
    folded field would double the postings, which dominate the build.
    """
    words = _CONTENT_TOKEN_RE.findall(segmented.lower())
    syllables = _CODE_PARTS_RE.sub(_code_parts, " ".join(words).replace("_", " ")).split()
    return {"words": " ".join(words), "syl": " ".join(syllables), "bigram": _pairs(syllables)}


def syllables(text: str) -> str:
    """The `syl` terms of a text, without pyvi: syllables need no word segmentation
    (used for headings, which would otherwise cost a second pyvi pass)."""
    tokens = ("".join(t.split()) for t in TOKEN_RE.findall(unify_tones(nfc(text))))
    return field_texts(" ".join(tokens))["syl"]


_CODE_PARTS_RE = re.compile(r"\S*[-/.,]\S*")


def _code_parts(match: re.Match) -> str:
    code = match.group(0)
    return code if number_key(code) else " ".join(re.findall(r"[^\W_]+", code))


def _pairs(syllables: list[str]) -> str:
    return " ".join(f"{a}_{b}" for a, b in zip(syllables, syllables[1:]))


def terms_analyzer():
    """Every text field's analyzer: the terms were prepared by `field_texts`."""
    return SpaceSeparatedTokenizer()


def text_key(text: str) -> str:
    """Lowercased, tone-unified and folded; the same length as `text` (for NFC
    Vietnamese), so a span of the text is the same span of its key."""
    return fold(unify_tones(text.lower()))


def token_key(token: str) -> str:
    """A written token as the highlight set holds it: no spaces, lowercased, folded."""
    return "".join(text_key(token).split())


def folded_key(text: str) -> str:
    """A name or phrase reduced for loose comparison: folded, lowercased, single-spaced."""
    return " ".join(fold(unify_tones(normalize_query(text))).lower().split())
