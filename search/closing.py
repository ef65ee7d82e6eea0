"""The closing of a document: the distribution list ('Nơi nhận') and the signature block.

    Nơi nhận:                      TM. ỦY BAN NHÂN DÂN       (on whose behalf: TM., KT., TL., TUQ., Q.)
    - Như Điều 3;                  KT. CHỦ TỊCH
    - Lưu: VT.                     PHÓ CHỦ TỊCH              (the signer's position)
                                   Nguyễn Văn A              (the name, without rank: "Thượng tướng")

The two sit side by side in a table (read cell after cell: the list, then the signature), or
one after the other, or the list comes last; a law has no list. Party documents write
T/M, K/T, T/L. A table row flattened onto one line ("KT. BỘ TRƯỞNG THỨ TRƯỞNG Nguyễn
Khắc Định") is split where the upper-case position gives way to the name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .header import is_authority, list_items, motto_at, type_heading
from .layout import Line, is_upper
from .models import Signer
from .normalize import fold

_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LOW = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"

_NOI_NHAN_RE = re.compile(r"n[o0]i\s*nh[a-z]{1,2}\s*(?::\s*|$)")  # also OCR "Noi nhậm"
_WORD = rf"[{_UP}][{_LOW}'’]*"
_NAME_RE = re.compile(rf"{_WORD}(?:[ -]{_WORD}){{1,5}}")
# Ranks and titles printed before a signer's name; they are not part of it.
_RANK_RE = re.compile(
    r"(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)|Chuẩn\s+đô\s+đốc|(?:Phó\s+)?Đô\s+đốc"
    r"|(?:GS|PGS|TS|ThS|BS|KS|LS|NGND|NGƯT|TSKH)\.?(?:[ ,]+(?:GS|PGS|TS|ThS|BS|TSKH)\.?)*"
    r"|Đồng\s+chí|Ông|Bà)\s+"
)
NEAR = 6  # lines between a distribution list and the signature it goes with
POSITION_LINES = 2  # a position is written on two lines at most
# Words a position begins with (PHÓ CHỦ TỊCH, THỨ TRƯỞNG, CHÁNH VĂN PHÒNG, GIÁM ĐỐC …); a line
# that begins otherwise under another one continues it ("NHÂN DÂN", "NƯỚC").
_RANK_RE_START = re.compile(
    r"(?:PHÓ|THỨ|CHỦ|TỔNG|GIÁM|CHÁNH|TRƯỞNG|CỤC|VỤ|BỘ|THỦ|BÍ|ỦY|UỶ|KIỂM|THỐNG|VIỆN|HIỆU|TỔ|ĐẠI|KẾ|XÁC)\b")
_NOT_A_NAME_RE = re.compile(r"(?:Điều|Chương|Mục|Phần|Phụ lục|Mẫu|Kính gửi|Nơi nhận|Căn cứ)\b|.*\s[IVXLC]+$")
_SIGNED_RE = re.compile(r"\(?\s*(?:đã ký|Đã ký|ĐÃ KÝ)[^)]*\)?|\(?\s*(?i:ký(?:,| và)? (?:tên|ghi rõ)[^)]*)\)?|\d{1,4}|\W{1,3}")
_SIGNED_IN_LINE_RE = re.compile(r"\s*\((?:đã ký|Đã ký|ĐÃ KÝ)[^)]*\)\s*")
_SECTION_MARK_RE = re.compile(r"(?:[IVX]{1,5}|\d{1,2}|[A-Z])\s*[.)]\s|Điều\s|(?i:chương|mục|phần)\s")
_ADOPTED_RE = re.compile(r"\bthông qua ngày\b", re.IGNORECASE)  # a law's last sentence
_END_MARK_RE = re.compile(r"\./\.?\s*$|\.\s*/\s*\.\s*$")


def noi_nhan(text: str) -> re.Match | None:
    """The 'Nơi nhận:' heading (its match gives where the items written on its line start)."""
    if text[:1] not in "Nn":
        return None
    return _NOI_NHAN_RE.match(fold(text[:16]).lower())


def _ranked_name(text: str) -> tuple[str, str | None] | None:
    """(name, rank) of a signer's name line ('Thượng tướng Võ Minh Lương'), without '(Đã ký)'."""
    text = _SIGNED_IN_LINE_RE.sub(" ", text).strip()
    if _NOT_A_NAME_RE.match(text):
        return None
    rank = _RANK_RE.match(text)
    if rank:
        text = text[rank.end():]
    if not _NAME_RE.fullmatch(text) or is_upper(text):
        return None
    return text, (rank.group(0).strip() if rank else None)


def _name(text: str) -> str | None:
    """The signer's name written on this line, without rank or '(Đã ký)'; None if it is no name."""
    ranked = _ranked_name(text)
    return ranked[0] if ranked else None


def _split_flattened(text: str) -> tuple[list[str], str] | None:
    """'KT. BỘ TRƯỞNG THỨ TRƯỞNG Nguyễn Khắc Định' -> (['KT. BỘ TRƯỞNG', 'THỨ TRƯỞNG'], name)."""
    words = text.split()
    if len(words) < 4 or not is_upper(words[0] + words[1]):
        return None
    for k in range(len(words) - 2, 0, -1):
        head, tail = " ".join(words[:k]), " ".join(words[k:])
        if is_upper(head) and (name := _name(tail)):
            return _split_ranks(head), name
    return None


_DEPUTY_RE = re.compile(r"\s(?=(?:PHÓ|THỨ)\s)")
_MARKS_RE = re.compile(r"\s(?=(?:KT|TL|TM|TUQ|Q|K/T|T/L|T/M)\s*[.:/]\s*\S)")


def _split_ranks(head: str) -> list[str]:
    """Upper-case signature lines run together: split before each authority mark, and the
    deputy's position ('PHÓ …', 'THỨ TRƯỞNG') off the last one."""
    parts = _MARKS_RE.split(head)
    last = _DEPUTY_RE.split(parts[-1], maxsplit=1)
    return parts[:-1] + last


@dataclass
class _Block:
    start: int  # first line of the signature block
    end: int  # its last line (the name's)
    signer: Signer
    first_authority: int = -1  # the line its signature proper starts at (below labels such as XÁC THỰC …)


def _signature_at(lines: list[Line], k: int, lo: int) -> _Block | None:
    """The signature block whose name is on line k, if line k holds a name under a position."""
    text = lines[k].text
    if len(text) > 120 or not text[:1].isupper() or text.isupper():
        return None
    name = _name(text) if len(text) <= 60 else None
    above: list[str] = []
    flat = None
    if name is None:
        flat = _split_flattened(text)
        if flat is None:
            return None
        above, name = flat
    start = k
    if not above:
        if (k + 1 < len(lines) and lines[k + 1].block == lines[k].block and (more := _name(lines[k + 1].text))
                and len((name + " " + more).split()) <= 5 and len(name.split()) <= 3):
            return None  # the first half of a name written over two lines: read from its end
        j = k - 1
        while j >= lo and _SIGNED_RE.fullmatch(lines[j].text):
            j -= 1
        if j >= lo and (half := _name(lines[j].text)) and len((half + " " + name).split()) <= 5 \
                and lines[j].block == lines[k].block and len(half.split()) <= 3:
            name, j = f"{half} {name}", j - 1  # a name written over two lines
            while j >= lo and _SIGNED_RE.fullmatch(lines[j].text):
                j -= 1
        while j >= lo and len(above) < 6:
            line = lines[j].text
            if not is_upper(line) or len(line) > 90 or motto_at(line) >= 0 or type_heading(line) \
                    or _SECTION_MARK_RE.match(line) or noi_nhan(line):
                break
            above.insert(0, line)
            start = j
            j -= 1
        if not above:
            return None
    # the position: the last line, with the line above when it was wrapped ("TỔNG KIỂM TOÁN
    # NHÀ" / "NƯỚC", "THỨ" / "TRƯỞNG": a position starts with a rank and has two syllables or
    # more); the authority: from the first mark down to the position
    position_from = len(above)
    if not is_authority(above[-1]):
        position_from -= 1
        while (position_from > 0 and len(above) - position_from < POSITION_LINES
               and not is_authority(above[position_from - 1])
               and (len(above[position_from].split()) < 2 or not _RANK_RE_START.match(above[position_from]))):
            position_from -= 1
    if position_from == len(above) - 1 and position_from and is_authority(above[-2]) \
            and len(above[-1].split()) < 2:
        position_from = len(above)  # "T/M BỘ CHÍNH" / "TRỊ": the authority wrapped, no position
    position = " ".join(above[position_from:]) or None
    marks = [n for n, t in enumerate(above[:position_from]) if is_authority(t)]
    first_authority = marks[0] if marks else None
    on_behalf = " ".join(above[first_authority:position_from]) if marks else None
    ranked = _ranked_name(text)
    rank = ranked[1] if ranked else None
    signer = Signer(name=name, position=position, on_behalf_of=on_behalf, rank=rank)
    proper = start + (first_authority if first_authority is not None else position_from) if not flat else start
    return _Block(start, k, signer, proper)


@dataclass
class Closing:
    recipients: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)
    used: set[int] = field(default_factory=set)  # the lines read as closing
    labels: list[int] = field(default_factory=list)  # lines above the signature proper: no field holds them
    start: int | None = None  # its first line, None when the document has no closing
    end: int | None = None  # its last line: what follows is appended (appendices, notes)


def read_closing(lines: list[Line], lo: int, hi: int, skip: set[int]) -> Closing:
    """The distribution list and the signature of the document in lines[lo:hi].

    `skip`: lines already read (the header). The signature is the block next to the
    'Nơi nhận' list when there is one; otherwise the first after the body's end mark
    ('./.'), else the first after the header.
    """
    c = Closing()
    list_at = next((i for i in range(lo, hi) if i not in skip and noi_nhan(lines[i].text)), None)
    list_end = None
    if list_at is not None:
        m = noi_nhan(lines[list_at].text)
        first = lines[list_at].text[m.end():].strip() if m else ""
        items, list_end = list_items(lines, list_at, first, lambda j: j >= hi or _ends_recipients(lines, j, list_at))
        c.recipients = items
        c.used.update(range(list_at, list_end + 1))
    blocks = [b for k in range(lo, hi) if k not in skip and k not in c.used
              and (b := _signature_at(lines, k, lo)) is not None and not (set(range(b.start, b.end + 1)) & skip)]
    chosen = None
    if list_at is not None:
        near = [b for b in blocks if list_end < b.start <= list_end + 3] or \
               [b for b in blocks if list_at - 3 <= b.end < list_at]
        chosen = near[0] if near else None
    if chosen is None and blocks:
        end_mark = next((i for i in range(hi - 1, lo - 1, -1) if i not in skip and (
            _END_MARK_RE.search(lines[i].text[-8:]) or _ADOPTED_RE.search(lines[i].text))), None)
        after = [b for b in blocks if end_mark is None or b.start > end_mark]
        chosen = (after or blocks)[0]
    if list_at is not None and chosen is not None and not (
            list_end - NEAR <= chosen.start and chosen.end <= list_at + NEAR + (list_end - list_at)):
        # a list far from the signature is an appendix form's ("Nơi nhận: - Lưu: VT, …")
        c.recipients = []
        c.used.difference_update(range(list_at, list_end + 1))
        list_end = None
    if chosen is None:
        chosen = _unsigned_name(lines, lo, hi, skip | c.used, list_end)
    if chosen is not None:
        c.signer = chosen.signer
        c.used.update(range(chosen.start, chosen.end + 1))
    if chosen is not None:
        c.labels = [i for i in range(chosen.start, chosen.first_authority)]  # "XÁC THỰC VĂN BẢN HỢP NHẤT"
    if c.used:
        c.start, c.end = min(c.used), max(c.used)
    return c


def _ends_recipients(lines: list[Line], j: int, list_at: int) -> bool:
    return bool(_name(lines[j].text)) and lines[j].block != lines[list_at].block


def _unsigned_name(lines: list[Line], lo: int, hi: int, skip: set[int], after: int | None) -> _Block | None:
    """A name alone at the end, with no position above it ('Nguyễn Văn An (Đã ký)')."""
    tail = [k for k in range(max(lo, (after or lo - 1) + 1), hi)
            if k not in skip and not _SIGNED_RE.fullmatch(lines[k].text)]
    if tail and (ranked := _ranked_name(lines[tail[-1]].text)) and (after is not None or len(tail) > 1):
        return _Block(tail[-1], tail[-1], Signer(name=ranked[0], rank=ranked[1]))
    return None
