"""Highlighted, HTML-safe snippets of a section's text."""
from __future__ import annotations

import re
from html import escape

from .analysis import TOKEN_RE, text_key, token_key

WINDOW = 36  # syllables shown around the best match
SCAN_CHARS = 4000  # a longer text is tokenized only around its densest matches
SEARCH_CHARS = 20_000  # and only its start is searched (the indexer splits longer texts)


def _marks(text: str, highlight: set[str]) -> tuple[list[tuple[int, int]], list[str | None]]:
    """Token spans of `text`, and for each the query term it matches (None if none)."""
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    keyed = text_key(text)
    if len(keyed) == len(text):  # one pass over the text, sliced per token
        keys = ["".join(keyed[a:b].split()) for a, b in spans]
    else:
        keys = [token_key(text[a:b]) for a, b in spans]
    return spans, [k if k in highlight else None for k in keys]


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


def has_match(text: str, highlight: set[str]) -> bool:
    lo, hi = _focus(text, highlight)
    return any(_marks(text[lo:hi], highlight)[1])


def snippet(text: str, highlight: set[str], window: int = WINDOW) -> str:
    """The part of `text` with most distinct query syllables, escaped, matches in <mark>.

    `highlight` holds folded, lowercased syllables; matching on folded forms marks
    "hộ chiếu" for the query "ho chieu" too.
    """
    lo, hi = _focus(text, highlight)
    before, after = lo > 0, hi < len(text)
    text = text[lo:hi]
    spans, hits = _marks(text, highlight)
    if not spans:
        return ("… " if before else "") + escape(text[:200])
    start = _best_window(hits, window)
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
