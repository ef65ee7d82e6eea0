"""Document numbers (`128/NQ-CP`, `30/2021/QH15`, `25-CT/TW`) and dates in running text.

A document number is a serial, an optional year, and a symbol with at least one
letter-bearing part, joined by `/` (spaces tolerated around it: `248 /SY`) or
`-`. Dates (`20/11/2021`, `7/2021`), `COVID-19` and ratios have no letter part
after a digit serial, so they never match.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import nfc, unify_tones

DOC_TYPES = [
    "Hiến pháp", "Bộ luật", "Luật", "Pháp lệnh", "Lệnh", "Sắc lệnh",
    "Nghị quyết liên tịch", "Nghị quyết", "Nghị định", "Quyết định",
    "Chỉ thị", "Thông tư liên tịch", "Thông tư", "Thông báo", "Công văn",
    "Công điện", "Kế hoạch", "Hướng dẫn", "Tờ trình", "Báo cáo", "Kết luận",
    "Quy định", "Quy chế", "Chương trình", "Đề án", "Văn bản hợp nhất",
    "Biên bản", "Thông cáo", "Giấy mời", "Sao y bản chính", "Án lệ",
]

_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_SLASH = r"[ \t]*//?[ \t]*"  # a slash typed twice is one ("24/2026//NQ-CP")
# A symbol part is a code: all capitals and digits (NQ, UBTVQH15, HĐND) or with at least
# two capitals (TTg, TTr); a word such as "Ngày" is not one ("CÔNG BÁO/Số 287/Ngày 08-4-2022").
_PART = rf"[{_UP}](?:[{_UP}\d]*(?![^\W_])|[^\W_]*?[{_UP}][^\W_]*)"
# NQ-CP, VBHN-VPQH, L-004, L.003, VPCP-V.I; "TT- BTC" (a space after the hyphen) too
_SYMBOL = rf"{_PART}(?:-(?:[ \t](?=[{_UP}]{{2}}))?[^\W_]+|\.[{_UP}\d]{{1,3}}(?![^\W_]))*"
# The serial (128, 20251022, 66.4): its first digit, then what stands before that digit: not a
# letter, digit or / . - ("a128"), or else "số" ("số347/TTr-CP"). Checked after the digit, so a
# search skips from digit to digit instead of trying the look-behind at every character.
_SERIAL = r"\d(?:(?<![\w/.-]\d)|(?<=[Ss]ố\d))\d{0,7}(?:\.\d{1,3})?"

_NUMBER = (
    rf"{_SERIAL}"
    rf"(?:(?:{_SLASH}\d{{4}})?{_SLASH}{_SYMBOL}(?:{_SLASH}{_SYMBOL})*"  # 128/NQ-CP, 30/2021/QH15
    rf"|-{_SYMBOL}{_SLASH}{_SYMBOL})"  # 25-CT/TW, 21-LCT/HĐNN8
    rf"(?![\w])"
)
NUMBER_RE = re.compile(_NUMBER)

_MARKUP_RE = re.compile(r"[\s*_\\]+")


def normalize_number(s: str) -> str | None:
    """'128 / nq-cp' -> '128/NQ-CP'; 'Số: **6325**/UBND-KGVX' cleaned likewise; None if not a number."""
    s = _MARKUP_RE.sub("", nfc(s)).replace("//", "/")
    if not s[:1].isdecimal():  # every number starts with its serial; most words need no more
        return None
    if s == s.lower():
        s = s.upper()
    return s if _number_anycase_re().fullmatch(s) else None


@lru_cache(maxsize=1)
def _number_anycase_re() -> re.Pattern:
    """Compiled on first use (9 ms): a query without digits never needs it."""
    return re.compile(_NUMBER, re.IGNORECASE)


def number_key(s: str) -> str | None:
    """The comparison key: every spelling of a number gives the same key."""
    number = normalize_number(s)
    return number.upper() if number else None


# --- dates ------------------------------------------------------------------------

DATE_RE = re.compile(
    r"ngày[ \t]*(\d{1,2})[ \t]+tháng[ \t]+(\d{1,2})[ \t]+năm[ \t]+(\d{4})"
    r"|ngày[ \t]*(\d{1,2})[ \t]*([/.-])[ \t]*(\d{1,2})[ \t]*\5[ \t]*(\d{4})",
    re.IGNORECASE,
)


def day_number(iso: str | None) -> int:
    """An ISO date (YYYY-MM-DD) as the integer YYYYMMDD, for comparing dates as numbers; 0 for none."""
    return int(iso.replace("-", "")) if iso and len(iso) == 10 else 0


def iso_date(match: re.Match) -> str | None:
    """The ISO date of a DATE_RE match, None if it is no calendar date."""
    groups = match.groups()
    day, month, year = groups[0:3] if groups[0] else (groups[3], groups[5], groups[6])
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


# --- mentions ---------------------------------------------------------------------


@dataclass
class NumberMatch:
    number: str
    start: int
    end: int
    written: str
    type: str | None = None
    date: str | None = None


def _type_alternatives() -> str:
    names = sorted(DOC_TYPES, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)


# Type word and 'số' right before a number: "Nghị quyết số 128/NQ-CP",
# "Thông báo 285/TB-VPCP", "Luật Tài nguyên nước số 17/2012/QH13" (a law's name on the same line).
_BEFORE_RE = re.compile(
    rf"(?:(?<![^\W\d_])(?P<type>(?i:{_type_alternatives()}))"
    rf"(?:[^\S\n]+[{_UP}][^\W\d_]*(?:[^\S\n]+[^\W\d_]+){{0,8}}?(?=[^\S\n]+(?i:số)))?\s+)?"
    rf"(?P<so>(?<![^\W\d_])(?i:số)\s*:?\s*)?$"
)
_LIST_GAP_RE = re.compile(r"\s*(?:,|;|và|hoặc|,\s*và)?\s*", re.IGNORECASE)
_DATE_AFTER_RE = re.compile(r"[ \t]*,?[ \t]*(?:ban hành[ \t]+)?(?=ngày)", re.IGNORECASE)
_CANONICAL_TYPE = {unify_tones(t).lower(): t for t in DOC_TYPES}


def canonical_type(word: str) -> str | None:
    return _CANONICAL_TYPE.get(re.sub(r"\s+", " ", unify_tones(word)).lower())


_PART_RE = re.compile(_PART)


def _same_kind(a: str, b: str) -> bool:
    """Same first symbol part ('CT' in 15/CT-TTg and 16/CT-TTg)."""
    return _PART_RE.search(a).group(0).upper() == _PART_RE.search(b).group(0).upper()


def find_numbers(text: str) -> list[NumberMatch]:
    """Every document number written in `text`, with its type word, 'số' and date."""
    found: list[NumberMatch] = []
    for m in NUMBER_RE.finditer(text):
        number = normalize_number(m.group(0))
        if number is None:
            continue
        window_start = max(0, m.start() - 120)
        before = _BEFORE_RE.search(text, window_start, m.start())
        start, doc_type = m.start(), None
        if before and before.group(0):
            start = before.start()
            if before.group("type"):
                doc_type = canonical_type(before.group("type"))
        if doc_type is None and found and _same_kind(found[-1].number, number):
            if _LIST_GAP_RE.fullmatch(text, found[-1].end, start):
                doc_type = found[-1].type  # "Chỉ thị số 15/CT-TTg và số 16/CT-TTg"
        date = None
        gap = _DATE_AFTER_RE.match(text, m.end())
        if gap:
            d = DATE_RE.match(text, gap.end())
            date = iso_date(d) if d else None
        found.append(NumberMatch(number, start, m.end(), text[start:m.end()], doc_type, date))
    return found


# --- who a number names ---------------------------------------------------------------

# Codes of the central bodies in document numbers (Decree 30/2020, appendix VI, and the
# codes of ministries before their 2025 mergers); a province's "UBND" names no province.
ISSUER_CODES = {
    "QH": "QUỐC HỘI", "UBTVQH": "ỦY BAN THƯỜNG VỤ QUỐC HỘI", "VPQH": "VĂN PHÒNG QUỐC HỘI",
    "CTN": "CHỦ TỊCH NƯỚC", "CP": "CHÍNH PHỦ", "TTG": "THỦ TƯỚNG CHÍNH PHỦ", "VPCP": "VĂN PHÒNG CHÍNH PHỦ",
    "TW": "BAN CHẤP HÀNH TRUNG ƯƠNG", "VPTW": "VĂN PHÒNG TRUNG ƯƠNG ĐẢNG",
    "BTC": "BỘ TÀI CHÍNH", "BYT": "BỘ Y TẾ", "BCA": "BỘ CÔNG AN", "BQP": "BỘ QUỐC PHÒNG",
    "BNG": "BỘ NGOẠI GIAO", "BTP": "BỘ TƯ PHÁP", "BNV": "BỘ NỘI VỤ", "BCT": "BỘ CÔNG THƯƠNG",
    "BXD": "BỘ XÂY DỰNG", "BGDĐT": "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "BKHCN": "BỘ KHOA HỌC VÀ CÔNG NGHỆ",
    "BVHTTDL": "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "BNNMT": "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    "BDTTG": "BỘ DÂN TỘC VÀ TÔN GIÁO", "BGTVT": "BỘ GIAO THÔNG VẬN TẢI", "BKHĐT": "BỘ KẾ HOẠCH VÀ ĐẦU TƯ",
    "BLĐTBXH": "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "BTNMT": "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "BNNPTNT": "BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "BTTTT": "BỘ THÔNG TIN VÀ TRUYỀN THÔNG",
    "NHNN": "NGÂN HÀNG NHÀ NƯỚC VIỆT NAM", "TTCP": "THANH TRA CHÍNH PHỦ", "KTNN": "KIỂM TOÁN NHÀ NƯỚC",
    "TANDTC": "TÒA ÁN NHÂN DÂN TỐI CAO", "VKSNDTC": "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO",
}
_TYPE_CODES = {"TB", "NQ", "QĐ", "CT", "CĐ", "NĐ", "TT", "KH", "HD", "TTR", "BC", "KL", "SY", "QC", "CTR",
               "VBHN", "TTLT", "NQLT", "L", "PL", "SL", "LCT"}
_CODE_PART_RE = re.compile(r"[^\W\d_]+(?:\d+)?")


def issuer_of(number: str | None) -> str | None:
    """The central body a document number names by its code ('121/TB-VPCP' -> VĂN PHÒNG CHÍNH
    PHỦ, '51/2024/QH15' -> QUỐC HỘI); None when the code names no such body."""
    if not number:
        return None
    symbol = number.split("/", 1)[1] if "/" in number else number
    parts = [p for p in re.split(r"[/-]", symbol) if p and not p.isdigit()]
    parts = [re.sub(r"\d+$", "", p).upper() for p in parts]
    if parts and parts[0] in _TYPE_CODES and len(parts) > 1:
        parts = parts[1:]
    return ISSUER_CODES.get(parts[0]) if parts else None
