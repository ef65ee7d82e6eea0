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
# styles), and "qu" + y is the consonant qu before y ("quý" stays). Both branches start
# with their vowel (the "qu" look-behind after it), so the search skips to an o or a u.
_OLD_TONE_RE = re.compile(
    rf"(?:[oO][{_toned('aeAE')}]|[uU](?<![qQ][uU])[{_toned('yY')}])(?![^\W\d_])"
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


# --- whole files -----------------------------------------------------------------

# Letters that look like Vietnamese ones but are other code points: Icelandic eth (Ð/ð,
# U+00D0/U+00F0) is typed for Đ/đ in many real files ("Ðiều 5").
_LOOKALIKES = {"\u00d0": "\u0110", "\u00f0": "\u0111"}
# What is not one space: other spaces, and the zero-width characters (U+200B-U+200D, U+2060,
# U+FEFF), which glue words on screen ("cách\u200bly") where a space was meant.
_SPACES_RE = re.compile(r"(?: *[\t\u00a0\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff])+ *| {2,}")
_LINE_ENDS_RE = re.compile(r" ?\n ?")
_SOFT_HYPHEN = "\u00ad"  # a hyphenation point inside a word: it vanishes
_BREAKS_RE = re.compile(r"\r\n?|[\f\v\x85\u2028\u2029]")


def normalize_text(s: str) -> str:
    """NFC, look-alike letters unified, spaces unified, line breaks kept (tones untouched).

    Zero-width characters (spaces, joiners, the byte-order mark) and NBSP separate words like
    a space ("cách\u200bly" -> "cách ly"): queries go through the same rule (`normalize_query`),
    so text is found whichever of them it holds. Soft hyphens vanish. Markup is left to the
    layout pass (search/layout.py), which reads emphasis and table cells before removing them.
    """
    s = _BREAKS_RE.sub("\n", nfc(s)).replace(_SOFT_HYPHEN, "")
    for lookalike, letter in _LOOKALIKES.items():
        s = s.replace(lookalike, letter)
    return _LINE_ENDS_RE.sub("\n", _SPACES_RE.sub(" ", s)).strip(" ")


def normalize_query(s: str) -> str:
    """What a user typed, read as text is: normalize_text, then any control character is a space."""
    return "".join(c if c.isprintable() else " " for c in normalize_text(s))


def name_key(name: str, year: int | None) -> str:
    """'Luật Quản lý, sử dụng tài sản công' 2017 -> 'luat quan ly, su dung tai san cong|2017'."""
    folded = " ".join(fold(unify_tones(nfc(name))).lower().split())
    return f"{folded}|{year or ''}"
