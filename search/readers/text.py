"""Plain text (.txt, .md): UTF-8 or UTF-16 with a byte-order mark, or an 8-bit legacy encoding."""
from __future__ import annotations

import codecs
from pathlib import Path

from . import Context, Extract, UnreadableFile, legacy


def read(path: Path, context: Context) -> Extract:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableFile(e.strerror or str(e)) from None
    return Extract(decode(data))


def decode(data: bytes) -> str:
    """Bytes of a text file as text; UnreadableFile if they are not text."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data:
        raise UnreadableFile(_nul_reason(data))
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = _eight_bit(data) if encoding == "utf-8" else None
        if text is None:
            raise UnreadableFile("not UTF-8 or UTF-16 text") from None
    if "\x00" in text or _control_share(text) > 0.01:
        raise UnreadableFile("binary file")
    return text


def _latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start:error.end].decode("latin-1"), error.end


_LATIN1_FALLBACK = "notice-search-latin-1"  # the 5 bytes Windows-1252 leaves undefined
codecs.register_error(_LATIN1_FALLBACK, _latin1)


def _eight_bit(data: bytes) -> str | None:
    """Text saved in an 8-bit legacy Vietnamese encoding (TCVN3, VNI) read through Windows-1252,
    the code page those fonts were typed in; None when it is not that."""
    text = data.decode("cp1252", errors=_LATIN1_FALLBACK)
    return text if legacy.to_unicode(text.replace("\r\n", "\n"))[1] else None  # converted by readers.read


def _nul_reason(data: bytes) -> str:
    sample = data[:4096]
    odd_nuls = sample[1::2].count(0)
    even_nuls = sample[0::2].count(0)
    if max(odd_nuls, even_nuls) > len(sample) // 4 and min(odd_nuls, even_nuls) * 10 < max(odd_nuls, even_nuls):
        return "not UTF-8 or UTF-16 text (UTF-16 without a byte-order mark)"
    return "binary file"


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r\f\v")
    return controls / max(1, len(sample))
