"""Where document numbers are written, and the numbers a bare figure could mean."""
from __future__ import annotations

import re

from .numbers import find_numbers, number_key
from .records import written_text

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or line) around text[start:end], whitespace collapsed."""
    lo = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        lo = m.end()
    m = _SENTENCE_END.search(text, end)
    hi = m.start() if m else len(text)
    return " ".join(text[lo:hi].split())


def find_mentions(searcher, keys: list[str]) -> list[dict]:
    """Every written form of the numbers with comparison keys `keys`, by document date."""
    found = []
    for docnum in sorted({n for key in keys for n in searcher.document_numbers(srefs=key.lower())}):
        record = searcher.stored_fields(docnum)
        text = written_text(record)
        for match in find_numbers(text):
            if number_key(match.number) not in keys:
                continue
            found.append(({
                "key": record["key"], "number_of_document": record.get("number") or None,
                "date": record.get("date") or None, "section": record.get("section") or None,
                "number": match.number, "text_as_written": match.written,
                "context": _sentence(text, match.start, match.end),
            }, (record.get("order", 0), match.start)))
    found.sort(key=lambda pair: (pair[0]["date"] or "9999", pair[0]["key"], pair[1]))
    return [mention for mention, _ in found]


def number_candidates(searcher, digits: str) -> list[str]:
    """Numbers in the corpus that start with these digits ("128" -> "128/NQ-CP")."""
    keys = set()
    for prefix in (f"{digits}/", f"{digits}-"):
        for term in searcher.reader().expand_prefix("srefs", prefix):
            keys.add(term.decode("utf-8") if isinstance(term, bytes) else term)
    shown = []
    for key in sorted(keys):
        mentions = find_mentions(searcher, [key.upper()])
        shown.append(mentions[0]["number"] if mentions else key.upper())
    return shown
