"""Pre-Unicode Vietnamese (TCVN3 / ABC `.VnTime`, VNI, VISCII, VPS) → Unicode.

Text typed in the legacy fonts reaches us as Latin-1 look-alikes (`céng hoµ x· héi`,
`COÄNG HOØA XAÕ HOÄI`). viparse (MIT) scores such text against a Vietnamese character model,
names the encoding and converts it with the matching table, leaving Unicode and
non-Vietnamese text alone; it is used through its two public functions, here only.

A line is a legacy candidate when it holds Latin-1 letters and none of the letters only Unicode
Vietnamese has (ă, đ, ơ, ư, ạ …): the encoding is detected once over all candidate lines (more
reliable than on short pieces), then each candidate line is converted with it, so Unicode lines
in a mixed document are never touched.
"""
from __future__ import annotations

import re

_LATIN1 = re.compile(r"[\u00a1-\u00ff\u2212\u2219]")
_UNICODE_VIETNAMESE = re.compile(r"[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1"
                                 r"\u01af\u01b0\u1ea0-\u1ef9]")
# Below this many Latin-1 letters a text is not worth a detection pass.
MIN_LEGACY_LETTERS = 20


def _candidate(line: str) -> bool:
    return bool(_LATIN1.search(line)) and not _UNICODE_VIETNAMESE.search(line)


def to_unicode(text: str) -> tuple[str, str | None]:
    """The text in Unicode, and the legacy encoding it was in (None when nothing was converted)."""
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if _candidate(line)]
    sample = "\n".join(lines[i] for i in candidates)
    if len(_LATIN1.findall(sample)) < MIN_LEGACY_LETTERS:
        return text, None
    import viparse  # about a second to import: only for text that may need it

    encoding = viparse.detect_text_encoding(sample)
    if not encoding:
        return text, None
    for i in candidates:
        lines[i] = viparse.fix(lines[i], encoding=encoding)
    return "\n".join(lines), encoding
