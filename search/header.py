"""The header of an official document: who issued it, its number, place, date, type and title.

A header is laid out (Decree 30/2020, and older practice alike) as

    issuer (parent body first)        national motto
    Số: 128/NQ-CP                     <place>, ngày … tháng … năm …
    [V/v <subject>  — a Công văn]
    TYPE HEADING (THÔNG BÁO, QUYẾT ĐỊNH, LUẬT …) and its title
    [Kính gửi: …]

in two table columns (read cell after cell), in one column (gazette text: issuer, number,
motto, date), or on shared lines ("VĂN PHÒNG CHÍNH PHỦ CỘNG HÒA XÃ HỘI …"). The reader
works on logical lines (search/layout.py): it finds the anchors (motto, number line,
place-and-date line, type heading, subject, Kính gửi) in the header zone, and takes the
issuer from the upper-case lines above the first anchor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .layout import Line, is_upper
from .normalize import fold
from .numbers import DATE_RE, DOC_TYPES, NUMBER_RE, iso_date, normalize_number

_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"

# --- single lines ------------------------------------------------------------------------

# "QUỐC HỘI NƯỚC CỘNG HÒA XÃ HỘI …" names the state: no motto.
_MOTTO_RE = re.compile(
    r"(?<!NUOC )CONG\s*HOA\s+XA\s+HOI\s+CHU\s+NGHIA\s+VIET\s+NAM\s*(?=$|[-–—*_=~.|]|(?i:doc\s*lap))"
    r"|(?i:doc\s*lap\s*[-–—]\s*tu\s*do)"
    r"|^DANG\s+CONG\s+SAN\s+VIET\s+NAM\s*$"  # Party documents: the Party's name is their motto
)
_MOTTO_HINT_RE = re.compile(r"NGH|N\s*A\s*M|\b[Dd][Oo]\b")  # cheap test before folding


def motto_at(text: str) -> int:
    """Where the national motto (or the Party's) starts in `text`, -1 if absent."""
    if len(text) > 160 or not _MOTTO_HINT_RE.search(text):
        return -1
    m = _MOTTO_RE.search(fold(text))
    return m.start() if m else -1


_NUMBER_PREFIX_RE = re.compile(
    r"(?:(?P<type>Bộ\s+luật|Luật|Pháp\s+lệnh|Sắc\s+lệnh|Lệnh|Nghị\s+quyết)\s+(?i:số)\s*:"
    r"|(?P<upper>BỘ\s+LUẬT|LUẬT|PHÁP\s+LỆNH|SẮC\s+LỆNH|LỆNH|NGHỊ\s+QUYẾT)\s+SỐ\s*:?|Số\s*[:.]?|SỐ\s*[:.]?)\s*"
)
_NUMBER_TYPES = {"bo luat": "Bộ luật", "luat": "Luật", "phap lenh": "Pháp lệnh", "sac lenh": "Sắc lệnh",
                 "lenh": "Lệnh", "nghi quyet": "Nghị quyết"}
# A number left blank in a draft or a form: "Số: /KH-SCT", "Số: ……/QĐ-UBND", "Số: Không số".
_BLANK_NUMBER_RE = re.compile(rf"(?:[._…\s]*(?:/\s*(?:\d{{4}}\s*/\s*)?[{_UP}][^\s,;]*)?|(?i:không số))(?=\s|$)")
_SPLIT_SYMBOL_RE = re.compile(r"(?<=[A-Z]) \d{1,2}\b(?![/-])")  # OCR spacing: "73/2006/QH 11"
SUBJECT_RE = re.compile(r"[Vv]\s?/\s?[Vv]\b\s*[:.]?\s*")


@dataclass
class NumberLine:
    number: str | None  # None when the number is left blank
    rest: str  # what follows the number on the line: a V/v subject or a place and date
    type: str | None  # the type named by the prefix ("Luật số:")


def number_line(text: str) -> NumberLine | None:
    """A 'Số: 128/NQ-CP' line (also 'Luật số:', 'Số 384-QĐ/TW', a blank 'Số: /KH-SCT')."""
    prefix = _NUMBER_PREFIX_RE.match(text)
    if not prefix:
        return None
    m = NUMBER_RE.match(text, prefix.end())
    if m:
        written, end = m.group(0), m.end()
        if split := _SPLIT_SYMBOL_RE.match(text, end):
            written, end = written + split.group(0), split.end()
        number = normalize_number(written)
    elif (blank := _BLANK_NUMBER_RE.match(text, prefix.end())) and (
            "/" in blank.group(0) or "ố" in blank.group(0) or not text[blank.end():].strip()):
        if prefix.group(0).strip() == text.strip() and prefix.group("type") is None:
            return None  # "Số:" alone: its number may be on the next line
        number, end = None, blank.end()
    else:
        return None
    rest = text[end:].strip(" ,;")
    if rest and not (SUBJECT_RE.match(rest) or _is_place_date(rest)
                     or (is_upper(text) and place_date(rest))):  # "LUẬT SỐ 102-SL/L-004 NGÀY 20-5-1957 …"
        return None  # "Nghị quyết số 128/NQ-CP ngày … của Chính phủ …" is a sentence
    kind = prefix.group("type") or prefix.group("upper")
    return NumberLine(number, rest, _NUMBER_TYPES.get(" ".join(fold(kind).lower().split())) if kind else None)


_PLACE_DATE_RE = re.compile(
    rf"(?:(?P<place>[{_UP}][^\d,;:()/]{{0,40}}?)\s*,?\s*)?(?i:ngày)\s*(?P<d>\d{{1,2}})?\s*"
    r"(?:(?i:tháng)\s*(?P<m>\d{1,2})?\s*(?i:năm)\s*(?P<y>\d{4})"
    r"|(?P<sep>[/.-])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<y2>\d{4}))"
)
_PLACE_SLASH_DATE_RE = re.compile(rf"(?P<place>[{_UP}][^\d,;:()/]{{1,40}}?)\s*,\s*(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>\d{{4}})$")


def _is_place_date(text: str) -> bool:
    """The whole of `text` is a place and date (what may follow a number in a one-line row)."""
    m = _PLACE_DATE_RE.match(text) or _PLACE_SLASH_DATE_RE.match(text)
    return bool(m) and len(text) - m.end() <= 3


def place_date(text: str) -> tuple[str | None, str | None] | None:
    """(place, ISO date) of a 'Hà Nội, ngày 27 tháng 11 năm 2021' line; date None when left blank."""
    m = _PLACE_DATE_RE.match(text) or _PLACE_SLASH_DATE_RE.match(text)
    if not m:
        return None
    groups = m.groupdict()
    day, month, year = groups["d"], groups.get("m") or groups.get("m2"), groups.get("y") or groups.get("y2")
    place = groups["place"].strip() if groups["place"] else None
    if place is None and text[:1].isupper() and not text.startswith(("Ngày", "NGÀY")):
        return None
    date = None
    if day and month and year:
        d = DATE_RE.match(f"ngày {day} tháng {month} năm {year}")
        date = iso_date(d) if d else None
    return place, date


def _heading_names() -> dict[str, str]:
    names = {fold(t).upper(): t for t in DOC_TYPES}
    names.update({"SAO Y": "Sao y bản chính", "BAN SAO": "Sao y bản chính", "SAO LUC": "Sao y bản chính",
                  "TRICH SAO": "Sao y bản chính"})
    return names


_HEADINGS = _heading_names()
_TITLED_HEADINGS = ("BO LUAT", "LUAT", "PHAP LENH")  # the heading line may carry the title: "LUẬT BƯU CHÍNH"


def type_heading(text: str) -> tuple[str, str] | None:
    """(type, title on the same line) of a type heading such as 'THÔNG BÁO' or 'LUẬT BƯU CHÍNH'."""
    if len(text) > 150 or not is_upper(text):
        return None
    key = " ".join(re.sub(r"[^A-Z ]+", " ", fold(text).upper()).split())
    if key in _HEADINGS:
        return _HEADINGS[key], ""
    for name in _TITLED_HEADINGS:
        if key.startswith(name + " ") and not key.startswith(name + " SO "):
            words = len(name.split())
            return _HEADINGS[name], text.split(None, words)[-1].strip()
    return None


_KINH_GUI_RE = re.compile(r"kinh\s*gui\s*:?\s*")
_AUTHORITY_RE = re.compile(r"(?:(?:KT|TL|TM|TUQ|Q)\s*[.:]|(?:KT|TL|TM|TUQ)\s(?=\s*\S)|[KT]\s*/\s*[TLM]\b)(?:\s*\S|\s*$)")
BODY_START_RE = re.compile(r"(?:Căn cứ|Xét đề nghị|Theo đề nghị|Thực hiện|Trên cơ sở|Sau khi)\b")


def kinh_gui(text: str) -> re.Match | None:
    return _KINH_GUI_RE.match(fold(text[:16]).lower()) if text[:1] in "Kk" else None


def is_authority(text: str) -> bool:
    """A 'KT. BỘ TRƯỞNG' / 'TM. ỦY BAN NHÂN DÂN' / 'T/M …' line of a signature."""
    return bool(_AUTHORITY_RE.match(text)) and is_upper(text)


def is_anchor(text: str) -> bool:
    """A line that can only be the header of a document: the motto or a number line."""
    return motto_at(text) >= 0 or number_line(text) is not None


# --- the header zone -------------------------------------------------------------------


@dataclass
class Header:
    number: str | None = None
    type: str | None = None  # from the heading, else from the number line's prefix
    number_type: str | None = None
    issuer: str | None = None
    place: str | None = None
    date: str | None = None
    title: str | None = None
    subject: str | None = None  # the "V/v …" line of a Công văn
    motto: str | None = None
    recipients: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # indexes of the lines read as header
    anchors: list[int] = field(default_factory=list)
    first: int | None = None  # first line of the header (its issuer), None without a header
    end: int = -1  # last line of the header zone


_ITEM_RE = re.compile(r"(?:\d{1,2}|[IVX]{1,5})\s*[.)]\s*\S|Điều\s+\d")
_DIVISION_RE = re.compile(rf"(?i:phần|chương|mục)\s+(?:thứ\s+\w+|[IVXLC]+|\d{{1,3}})\b|(?:PHẦN|CHƯƠNG)\s+[{_UP}]")
_BULLET_RE = re.compile(r"[-+•–]\s*")
_TITLE_OPENER_RE = re.compile(r"(?:Về|VỀ)\s")
_TERMINAL_RE = re.compile(r"[.;:!?…][\"”’)\]]*$")


def strong_body(text: str) -> bool:
    """A line that can only be body text: it ends the header zone."""
    if _ITEM_RE.match(text) or BODY_START_RE.match(text) or _DIVISION_RE.match(text):
        return True
    return (len(text) >= 100 and not is_upper(text) and not _BULLET_RE.match(text)
            and not SUBJECT_RE.match(text) and not kinh_gui(text) and not _TITLE_OPENER_RE.match(text)
            and motto_at(text) < 0 and number_line(text) is None)


def _clean_item(text: str) -> str:
    bullet = _BULLET_RE.match(text)
    return text[bullet.end() if bullet else 0:].strip().rstrip(";,.").strip()


def list_items(lines: list[Line], i: int, first: str, stop) -> tuple[list[str], int]:
    """The items of a list whose heading is line i ('Kính gửi:', 'Nơi nhận:'), the last line used.

    Items are the bullet lines after it ("- Như trên;"), or a list written on the heading
    line itself ("Nơi nhận: - Như trên; - Lưu: VT."). A line that is not a bullet continues
    the item before it, or is an item of its own after one that ended with ';' — as long
    as it follows without a blank line. An upper-case line (a signature) ends the list.
    """
    items = [p for p in re.split(r"(?:^|(?<=[;,.:]))\s*[-+•]\s+", first) if p.strip()] if first else []
    last, j = i, i + 1
    bullets = 0
    while j < len(lines) and not stop(j):
        text = lines[j].text
        joined = lines[j].block == lines[j - 1].block and j - 1 == last
        if _BULLET_RE.match(text) and not is_authority(text):
            if items and not joined and items[-1].rstrip().endswith("."):
                break  # a complete list, then other bullets after a blank line
            items.append(text)
            bullets += 1
        elif is_authority(text) or len(text) >= 200 or place_date(text) or (
                is_upper(text) and not (items and joined and (items[-1].rstrip().endswith((",", ":", "-"))
                                                            or text.rstrip().endswith((";", ".", ","))))):
            break  # an upper-case title: the signature (codes such as "KTNN;" continue an item)
        elif items and joined and (items[-1].count("(") > items[-1].count(")") or text.startswith("(")):
            items[-1] += " " + text  # "(Địa chỉ: …;" / "Số ĐT: …)"
        elif items and joined and bullets and not items[-1].rstrip().endswith((";", ".")):
            items[-1] += " " + text  # an item wrapped over several lines
        elif joined and bullets >= 2:
            items.append(text)  # an item that lost its dash in a list of dashed items
        elif not items and j == i + 1:
            items.append(text)  # a single recipient on the next line, without a dash
        else:
            break
        last = j
        j += 1
    return [c for c in map(_clean_item, items) if c], last


def read_header(lines: list[Line], lo: int, hi: int) -> Header:
    """The header of the document in lines[lo:hi]."""
    h = Header()
    zone_end = next((i for i in range(lo, hi) if strong_body(lines[i].text)), hi)
    motto_prefix: tuple[int, str] | None = None
    number_seen = False
    number_at = -1
    named = ""
    i = lo
    while i < zone_end:
        text = lines[i].text
        pair = _motto(lines, i, zone_end) if h.motto is None else None
        numbered = number_line(text) if not number_seen else None
        if numbered is None and not number_seen and _NUMBER_PREFIX_RE.fullmatch(text) and i + 1 < zone_end:
            numbered = number_line(f"{text} {lines[i + 1].text}")  # "Số:" with the number below it
            if numbered:
                h.used.add(i)
                i += 1
        heading = type_heading(text) if h.type is None else None
        if pair is not None:
            h.motto, before, span = pair
            h.anchors.append(i)
            h.used.update(range(i, i + span))
            if before:
                motto_prefix = (i, before)
            i += span
            continue
        if numbered is not None:
            h.number, h.number_type = numbered.number, numbered.type
            number_seen = True
            h.anchors.append(i)
            h.used.add(i)
            rest = numbered.rest
            if rest and SUBJECT_RE.match(rest) and h.subject is None:
                h.subject = rest[SUBJECT_RE.match(rest).end():].strip() or None
            elif rest and h.date is None and (pd := place_date(rest)):
                h.place, h.date = pd
                m = _PLACE_DATE_RE.match(rest)
                named = rest[m.end():].strip(" .,") if m else ""  # "LUẬT SỐ … NGÀY 20-5-1957 QUY ĐỊNH …"
            number_at = i
        elif h.subject is None and (m := SUBJECT_RE.match(text) or _subject_under_number(lines, i, number_at)):
            end = _block_end(lines, i, zone_end)
            first = text[m.end():] if SUBJECT_RE.match(text) else text  # "V/v" is no part of the subject
            h.subject = " ".join([first] + [lines[k].text for k in range(i + 1, end + 1)]).strip() or None
            h.anchors.append(i)
            h.used.update(range(i, end + 1))
            i = end
        elif h.date is None and h.place is None and (pd := place_date(text)):
            h.place, h.date = pd
            h.anchors.append(i)
            h.used.add(i)
        elif heading is not None:
            h.type, same_line = heading
            h.anchors.append(i)
            h.used.add(i)
            if h.type != "Sao y bản chính":
                title, end = _title(lines, i, same_line, hi, stop_at_number=h.number is None)
                h.title = title or None
                h.used.update(range(i + 1, end + 1))
                i = end
                zone_end = next((k for k in range(end + 1, hi) if strong_body(lines[k].text)), hi)
        elif kg := kinh_gui(text):
            rest = text[kg.end():].strip() if len(text) > kg.end() else ""
            items, end = list_items(lines, i, rest, lambda j: j >= zone_end or _ends_list(lines[j].text))
            h.recipients.extend(items)
            h.used.update(range(i, end + 1))
            i = end
        i += 1

    h.end = max(h.used) if h.used else lo - 1
    if h.anchors:
        first_anchor = min(h.anchors)
        h.issuer, h.first = _issuer(lines, lo, first_anchor, motto_prefix)
        h.used.update(range(h.first, first_anchor))
        if h.issuer is None and number_at > first_anchor:  # the motto's column read first
            h.issuer, start = _issuer(lines, first_anchor + 1, number_at, None)
            h.used.update(range(start, number_at))
    if h.subject is not None:
        h.subject = h.subject.strip() or None
    h.title = h.title or named or None
    return h


def _subject_under_number(lines: list[Line], i: int, number_at: int) -> re.Match | None:
    """A dispatch's subject written without 'V/v' under its number, in the same cell ("Về …")."""
    if number_at < 0 or i != number_at + 1 or lines[i].block != lines[number_at].block:
        return None
    return _TITLE_OPENER_RE.match(lines[i].text)


def _ends_list(text: str) -> bool:
    return bool(place_date(text) or strong_body(text) or is_anchor(text) or type_heading(text))


def _motto(lines: list[Line], i: int, end: int) -> tuple[str, str, int] | None:
    """(the motto, the issuer text printed before it on its lines, lines it spans) when the
    motto starts on line i.

    The motto may be wrapped over two upper-case lines ("CỘNG HÒA XÃ" / "HỘI CHỦ NGHĨA VIỆT
    NAM"); its second part ("Độc lập - Tự do - Hạnh phúc") is a line of its own, which two
    columns read as one may prefix with the issuer's next line ("SỞ Y TẾ Độc lập - …").
    """
    text = lines[i].text
    at = motto_at(text)
    span = 1
    if at < 0 and i + 1 < end and is_upper(text) and lines[i + 1].block == lines[i].block:
        text = f"{text} {lines[i + 1].text}"
        at = motto_at(text)
        span = 2
        if at >= len(lines[i].text):
            return None  # the motto starts on the next line
    if at < 0:
        return None
    motto, before = text[at:].strip(), text[:at].strip(" -–—|")
    if i + span < end and "DOC LAP" not in fold(motto).upper():
        second = lines[i + span].text
        at2 = motto_at(second)
        if at2 >= 0 and "doc" in fold(second[at2:at2 + 4]).lower() and (at2 == 0 or is_upper(second[:at2])):
            motto = f"{motto} {second[at2:].strip()}"  # "Độc lập - Tự do - Hạnh phúc"
            before = f"{before} {second[:at2].strip(' -–—|')}".strip()
            span += 1
    return motto, before, span


def _block_end(lines: list[Line], i: int, end: int) -> int:
    """The last line of the subject block that starts at line i."""
    j = i
    while (j + 1 < end and lines[j + 1].block == lines[i].block and not lines[j + 1].gap
           and not place_date(lines[j + 1].text) and not kinh_gui(lines[j + 1].text)
           and not is_anchor(lines[j + 1].text) and not type_heading(lines[j + 1].text)):
        j += 1
    return j


def _title(lines: list[Line], i: int, same_line: str, end: int, stop_at_number: bool) -> tuple[str, int]:
    """The title after the type heading on line i, and the last line it takes."""
    title = [same_line] if same_line else []
    last = i
    j = i + 1
    if j >= end or _DIVISION_RE.match(lines[j].text) or lines[j].text.startswith(("Nơi nhận", "Kính gửi")):
        return " ".join(title), last
    first = lines[j]
    if _ITEM_RE.match(first.text) or BODY_START_RE.match(first.text) or kinh_gui(first.text):
        return " ".join(title), last
    if same_line or is_upper(first.text):  # upper-case title lines (a law's name)
        while j < end and is_upper(lines[j].text):
            line = lines[j]
            heading = type_heading(line.text)
            if (_DIVISION_RE.match(line.text) or motto_at(line.text) >= 0 or (heading and not heading[1])
                    or (stop_at_number and number_line(line.text)) or is_authority(line.text)):
                break
            if j > i + 1 and (line.gap or line.style != first.style) and title:
                break  # the enacting body after the title ("ỦY BAN NHÂN DÂN TỈNH …")
            if j > i + 1 and j + 1 < end and BODY_START_RE.match(lines[j + 1].text) and len(title) >= 1 \
                    and _names_a_body(line.text):
                break
            title.append(line.text)
            last = j
            j += 1
        return " ".join(title), last
    if len(first.text) <= 400 and not _TERMINAL_RE.search(first.text):
        title.append(first.text)
        last = j
        # a title wrapped before a capitalised word: "Kết luận của Thủ tướng" / "Chính phủ …"
        while (last + 1 < end and lines[last + 1].block == first.block and not lines[last + 1].gap
               and lines[last + 1].style == first.style and first.style
               and not is_upper(lines[last + 1].text) and not BODY_START_RE.match(lines[last + 1].text)
               and len(" ".join(title)) < 400):
            last += 1
            title.append(lines[last].text)
    return " ".join(title), last


_BODY_WORDS_RE = re.compile(
    r"(?:CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG|THỐNG ĐỐC|TỔNG|CỤC TRƯỞNG|GIÁM ĐỐC|CHÁNH|TRƯỞNG|ỦY BAN|UỶ BAN"
    r"|HỘI ĐỒNG|CHÍNH PHỦ|QUỐC HỘI|BAN |BỘ |VIỆN|TÒA|KIỂM TOÁN|NGÂN HÀNG)"
)


def _names_a_body(text: str) -> bool:
    """'BỘ TRƯỞNG BỘ Y TẾ', 'ỦY BAN NHÂN DÂN TỈNH …': the body that enacts, written above 'Căn cứ'."""
    return bool(_BODY_WORDS_RE.match(text)) and not text.startswith(("VỀ ", "V/V"))


def _issuer(lines: list[Line], lo: int, first_anchor: int, motto_prefix: tuple[int, str] | None
            ) -> tuple[str | None, int]:
    """The issuer (parent body first) and its first line: the upper-case lines above the
    first anchor, and the text before the motto on the motto's own line."""
    parts: list[str] = []
    prefixed = bool(motto_prefix and motto_prefix[1] and motto_prefix[0] == first_anchor)
    j = first_anchor - 1
    start = first_anchor
    while j >= lo and is_upper(lines[j].text) and not is_authority(lines[j].text) \
            and not type_heading(lines[j].text) and len(lines[j].text) <= 120:
        if lines[j + 1].gap and (parts or prefixed) and len(lines[j].text.split()) < 2:
            break  # a mark above the header ("TTĐ", "KHẨN"), not a body's name
        parts.insert(0, lines[j].text)
        start = j
        j -= 1
    if motto_prefix and motto_prefix[1] and is_upper(motto_prefix[1]):
        parts.append(motto_prefix[1])
    parts = _dedupe(parts)
    issuer = " ".join(p.strip(" -–—|") for p in parts).strip()
    return (issuer or None), start


def _dedupe(parts: list[str]) -> list[str]:
    """Drop a heading that the issuer lines repeat: a gazette groups documents under their
    issuer ("CHÍNH PHỦ" / "CHÍNH PHỦ"; "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" / "BỘ LAO ĐỘNG -
    THƯƠNG BINH" / "VÀ XÃ HỘI")."""
    for k in range(1, len(parts)):
        if " ".join(parts[:k]).split() == " ".join(parts[k:]).split():
            return parts[k:]
    return parts
