"""Highlighted, HTML-safe snippets of a section's text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from . import analysis
from .analysis import TOKEN_RE, text_key, token_key
from .normalize import fold

WINDOW = 36  # syllables shown around the best match
SCAN_CHARS = 1500  # a longer text is tokenized only around its densest matches
SEARCH_CHARS = 20_000  # and only its start is searched (the indexer splits longer texts)


_WORD_CHAR_RE = re.compile(r"\w")


@dataclass(frozen=True)
class QueryWords:
    """Which matches a snippet marks: runs of syllables the query writes side by side
    (`pairs`, folded), and syllables that may stand alone (`alone`: the query's
    one-syllable words that are not filler). A syllable of a longer query word found on
    its own ("người" of "người lao động") or a common one-syllable word ("của") is not
    marked. A query typed without diacritics cannot be split into words ("ho tro" is
    any of hộ, hỗ, họ… then trợ, trở…), so its syllables are marked side by side only."""
    pairs: frozenset[tuple[str, str]]
    alone: frozenset[str]


# Vietnamese function words (conjunctions, prepositions, particles) and classifiers that head
# a noun phrase (người lao động, việc làm): closed classes of the grammar, not of any corpus. In a
# query of several words they are not marked on their own, nor as a pair of two of them.
FUNCTION_WORDS = frozenset(text_key(w) for w in """
    của và với hoặc hay thì mà là có được bị cho để do vì nên nhưng tuy nếu khi trong ngoài trên dưới
    theo từ đến tới về tại ở bởi qua sau trước các những mọi mỗi một này đó kia ấy nào gì ai sao
    đã đang sẽ cũng đều vẫn còn rất không chưa chỉ ra vào lên xuống nhau thế như
    người cái con chiếc việc sự cuộc
    """.split())


def query_words(q: str, highlight: set[str]) -> QueryWords:
    """What of query `q` a snippet marks: its syllables written side by side, and those
    that are words by themselves, not function words (all of them if nothing else is left)."""
    syllables = [token_key(s) for s in analysis.field_texts(analysis.segment(q))["syl"].split()]
    pairs = {(a, b) for a, b in zip(syllables, syllables[1:])
             if a in highlight and b in highlight and not (a in FUNCTION_WORDS and b in FUNCTION_WORDS)}
    covered: set[str] = set()
    alone: set[str] = set()
    # Words of a quoted phrase count only together (as pairs).
    unquoted = re.sub(r'"[^"]*"?', " ", q)
    for word in analysis.field_texts(analysis.segment(unquoted))["words"].split():
        parts = [token_key(p) for p in word.split("_")]
        covered.update(parts)
        if len(parts) == 1 and parts[0] in highlight and parts[0] not in FUNCTION_WORDS:
            alone.add(parts[0])
    phrased = {a for pair in pairs for a in pair}
    alone |= highlight - covered - phrased  # what the words do not show (wildcard stems, parts of codes)
    if pairs and fold(q) == q:  # typed without diacritics
        alone = set()
    if not alone and not pairs:
        alone = set(highlight)
    return QueryWords(frozenset(pairs), frozenset(alone))


def _marks(text: str, highlight: set[str]) -> tuple[list[tuple[int, int]], list[str | None]]:
    """Token spans of `text`, and for each the query term it matches (None if none)."""
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    keyed = text_key(text)
    if len(keyed) == len(text):  # one pass over the text, sliced per token
        keys = ["".join(keyed[a:b].split()) for a, b in spans]
    else:
        keys = [token_key(text[a:b]) for a, b in spans]
    return spans, [k if k in highlight else None for k in keys]


def _words_only(text: str, spans: list[tuple[int, int]], hits: list[str | None], words: QueryWords
                ) -> list[str | None]:
    """`hits` without the matches that are neither part of a pair the query writes nor a
    syllable that may stand alone."""
    kept: list[str | None] = [None] * len(hits)
    for i in range(len(hits) - 1):
        if (hits[i] and hits[i + 1] and (hits[i], hits[i + 1]) in words.pairs
                and not _WORD_CHAR_RE.search(text[spans[i][1]:spans[i + 1][0]])):  # "phòng, chống" too
            kept[i], kept[i + 1] = hits[i], hits[i + 1]
    for i, hit in enumerate(hits):
        if hit in words.alone:
            kept[i] = hit
    return kept


def _focus(text: str, highlight: set[str]) -> tuple[int, int]:
    """The span of `text` worth tokenizing: all of a short text; of a long one, SCAN_CHARS
    around the place where most distinct query terms occur close together (found by one
    regular-expression pass over the folded text), so that a snippet's cost is bounded."""
    if len(text) <= SCAN_CHARS:
        return 0, len(text)
    keyed = text_key(text[:SEARCH_CHARS])
    if not highlight or len(keyed) != min(len(text), SEARCH_CHARS):
        return 0, SCAN_CHARS
    terms = re.compile("|".join(re.escape(t) for t in sorted(highlight, key=len, reverse=True)))
    found = [(m.start(), m.group(0)) for m in terms.finditer(keyed)]
    if not found:
        return 0, SCAN_CHARS
    reach = SCAN_CHARS // 4
    best, best_score, j = found[0][0], (0, 0), 0
    for i, (start, _) in enumerate(found):  # windows of `reach` characters opening on a match
        while j < len(found) and found[j][0] < start + reach:
            j += 1
        inside = [term for _, term in found[i:j]]
        score = (len(set(inside)), len(inside))
        if score > best_score:
            best, best_score = start, score
    lo = max(0, best - SCAN_CHARS // 2)
    return lo, min(len(text), lo + SCAN_CHARS)


def hit_snippet(text: str, heading: str, highlight: set[str], words: QueryWords | None = None) -> str:
    """A hit's snippet: from its text, or from its heading when the query's words are in the
    heading alone. The text is tokenized once, and only around its densest matches."""
    lo, hi = _focus(text, highlight)
    spans, matched = _marks(text[lo:hi], highlight)
    if highlight and heading and not any(matched):
        return snippet(heading, highlight, words=words)
    return _render(text, lo, hi, spans, matched, WINDOW, words)


def snippet(text: str, highlight: set[str], window: int = WINDOW, words: QueryWords | None = None) -> str:
    """The part of `text` with most distinct query syllables, escaped, matches in <mark>.

    `highlight` holds folded, lowercased syllables; matching on folded forms marks
    "hộ chiếu" for the query "ho chieu" too. With `words`, only the query's words are
    marked (see QueryWords).
    """
    lo, hi = _focus(text, highlight)
    return _render(text, lo, hi, *_marks(text[lo:hi], highlight), window, words)


def _render(text: str, lo: int, hi: int, spans: list[tuple[int, int]], matched: list[str | None], window: int,
            words: QueryWords | None) -> str:
    """The snippet of text[lo:hi], whose tokens and their matches are `spans` and `matched`."""
    before, after = lo > 0, hi < len(text)
    text = text[lo:hi]
    if not spans:
        return ("… " if before else "") + escape(text[:200])
    hits = _words_only(text, spans, matched, words) if words and (words.pairs or words.alone) else matched
    start = _best_window(hits if any(hits) else matched, window)
    end = min(len(spans), start + window)
    lo = spans[start][0] if start else 0
    hi = spans[end - 1][1] if end < len(spans) else len(text)
    out, cursor = [], lo
    i = start
    while i < end:
        if not hits[i]:
            i += 1
            continue
        j = i  # extend the mark over adjacent hits separated only by spaces
        while j + 1 < end and hits[j + 1] and not text[spans[j][1]:spans[j + 1][0]].strip():
            j += 1
        out.append(escape(text[cursor:spans[i][0]]))
        out.append(f"<mark>{escape(text[spans[i][0]:spans[j][1]])}</mark>")
        cursor = spans[j][1]
        i = j + 1
    out.append(escape(text[cursor:hi]))
    body = " ".join("".join(out).split())
    return ("… " if lo > 0 or before else "") + body + (" …" if hi < len(text) or after else "")


def _best_window(keys: list[str | None], window: int) -> int:
    """Start of the window with the most distinct query terms (then most hits, earliest),
    opened a few tokens before its first hit for context."""
    if not any(keys):
        return 0
    best, best_score = 0, (-1, -1)
    for start in range(len(keys)):
        if not keys[start]:
            continue  # a best window can always start on a hit
        inside = [k for k in keys[start:start + window] if k]
        score = (len(set(inside)), len(inside))
        if score > best_score:
            best, best_score = start, score
    return max(0, best - 4)
