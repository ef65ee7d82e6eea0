"""Text normalization for Vietnamese documents.

`fold` and `unify_tones` are length-preserving on NFC text, so offsets found in
their output are valid in the input. `normalize_text` is what every file goes
through before parsing; it keeps the original tone placement for display.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --- tone placement -------------------------------------------------------------


def _split_tone(ch: str) -> tuple[str, str]:
    """'à' -> ('a', '\u0300'); 'ố' -> ('ô', '\u0301'); 'a' -> ('a', '')."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in decomposed if c in _TONE_MARKS)
    base = "".join(c for c in decomposed if c not in _TONE_MARKS)
    return nfc(base), tone


def _toned(vowels: str) -> str:
    return "".join(nfc(v + t) for v in vowels for t in sorted(_TONE_MARKS))


# The old style marks the second vowel of the open nuclei oa, oe, uy
# (hoà, khoẻ, thuỷ); the new style marks the first (hòa, khỏe, thủy). Only a
# nucleus that ends the syllable qualifies ("hoàn", "thuyền" are the same in both
# styles), and "qu" + y is the consonant qu before y ("quý" stays).
_OLD_TONE_RE = re.compile(
    rf"(?:[oO][{_toned('aeAE')}]|(?<![qQ])[uU][{_toned('yY')}])(?![^\W\d_])"
)


def _move_tone(match: re.Match) -> str:
    pair = match.group(0)
    start = match.start()
    text = match.string
    # The nucleus must be the whole vowel group: no vowel right before it.
    if start > 0 and _is_vowel(text[start - 1]):
        return pair
    base, tone = _split_tone(pair[1])
    return nfc(pair[0] + tone) + base


@lru_cache(maxsize=None)
def _is_vowel(ch: str) -> bool:
    return fold(ch).lower() in "aeiouy" and ch.isalpha()


def unify_tones(s: str) -> str:
    """Old tone placement (hoà, uỷ, thuý, khoẻ) -> new (hòa, ủy, thúy, khỏe)."""
    return _OLD_TONE_RE.sub(_move_tone, nfc(s))


# --- diacritics -------------------------------------------------------------------


def _fold_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x1EFF + 1):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            table[code] = base
    return table


_FOLD = _fold_table()


def fold(s: str) -> str:
    """Remove diacritics ('Đắk Nông' -> 'Dak Nong'); one character per character."""
    return s.translate(_FOLD)


# --- markup -----------------------------------------------------------------------

_RULE_LINE_RE = re.compile(r"[ \t]*[-–—*_=~.•]{3,}[ \t]*")
_HEADING_RE = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M)
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BOLD_RE = re.compile(r"\*\*|__")
_ITALIC_OPEN_RE = re.compile(r"(?<![^\s(\"“])\*(?=[^\W_])")
_ITALIC_CLOSE_RE = re.compile(r"(?<=[^\s*(\\])\*(?=[\s.,;:)\"”]|$)")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")


def _clean_line(line: str) -> str:
    if _RULE_LINE_RE.fullmatch(line):
        return line  # a rule such as ***** or -----: layout, not markup
    line = _BOLD_RE.sub("", line)
    if "*" in line:
        line = _ITALIC_CLOSE_RE.sub("", _ITALIC_OPEN_RE.sub("", line))
    return _ESCAPE_RE.sub(r"\1", line) if "\\" in line else line


def clean_markup(s: str) -> str:
    """Drop markdown/HTML noise (**bold**, *italic*, # headings, <sup>, \\-escapes)."""
    if "#" in s:
        s = _HEADING_RE.sub("", s)
    s = _TAG_RE.sub("", s)
    return "\n".join(_clean_line(line) if ("*" in line or "_" in line or "\\" in line) else line
                     for line in s.split("\n"))


# --- whole files -----------------------------------------------------------------

_SPACES_RE = re.compile(r"(?: *[\t\u00a0\u2000-\u200a\u202f\u205f\u3000])+ *| {2,}")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")


def normalize_text(s: str) -> str:
    """NFC, markup removed, spaces unified, line breaks kept (tones untouched)."""
    s = nfc(s).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    s = _INVISIBLE_RE.sub("", s)
    s = clean_markup(_SPACES_RE.sub(" ", s))
    return "\n".join(line.strip() for line in s.split("\n"))
