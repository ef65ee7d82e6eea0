"""Highlighted, HTML-safe snippets of a section's text."""
from __future__ import annotations

from html import escape

from .analysis import TOKEN_RE, text_key, token_key

WINDOW = 36  # syllables shown around the best match


def _marks(text: str, highlight: set[str]) -> tuple[list[tuple[int, int]], list[str | None]]:
    """Token spans of `text`, and for each the query term it matches (None if none)."""
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    keyed = text_key(text)
    if len(keyed) == len(text):  # one pass over the text, sliced per token
        keys = ["".join(keyed[a:b].split()) for a, b in spans]
    else:
        keys = [token_key(text[a:b]) for a, b in spans]
    return spans, [k if k in highlight else None for k in keys]


def has_match(text: str, highlight: set[str]) -> bool:
    return any(_marks(text, highlight)[1])


def snippet(text: str, highlight: set[str], window: int = WINDOW) -> str:
    """The part of `text` with most distinct query syllables, escaped, matches in <mark>.

    `highlight` holds folded, lowercased syllables; matching on folded forms marks
    "hộ chiếu" for the query "ho chieu" too.
    """
    spans, hits = _marks(text, highlight)
    if not spans:
        return escape(text[:200])
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
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")


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
