"""Parse Vietnamese official documents (notices, dispatches, laws) into Documents.

The text (already `normalize_text`ed) is read line by line. A document is laid out as

    header   issuer lines, national motto, "Số: …", "<place>, ngày …", then a type
             heading (THÔNG BÁO, LUẬT…) with its title, or a "V/v …" subject
             (a Công văn), and "Kính gửi: …"
    body     preamble, then numbered sections
    closing  "Nơi nhận: - …" and the signature block (KT./TL./TM. lines, the
             position, the signer's name), in either order

One file can hold several documents (a cover letter and the notices it forwards,
a notice and its certified copy): after a body, a new motto, "Số:" line or
(once the previous document is signed) a type heading starts the next document.

Sections
- Notices: `I.` › `1.` › `5.1.` › `a)`. A section's `path` holds one label per
  level (["5", "1"] for `5.1.`, ["3", "a"] for `a)` under `3.`) and its `id` is
  the path joined with dots ("4", "5.1", "3.a", "II.2"). `(1)`, `(i)` and `-`
  items stay in their parent's text. A short first line ending without a full
  stop ("4. Các nhiệm vụ trọng tâm:") is the section's heading.
- Laws: the article (`Điều 5. Phạm vi điều chỉnh`) is the section: id "5",
  heading "Phạm vi điều chỉnh", path ["Chương I", "Mục 1", "5"] (Phần/Chương/
  Mục as present), text the article's clauses.
Text before the first section is the preamble. Lines that start in lower case
continue the previous paragraph (OCR page breaks cut paragraphs).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .ingest import read_text
from .models import Document, Reference, Section, Signer
from .normalize import fold
from .numbers import DATE_RE, DOC_TYPES, NUMBER_RE, find_numbers, iso_date, normalize_number, number_key

_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LOW = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"

# --- line patterns ---------------------------------------------------------------

_RULE_RE = re.compile(r"[-–—*_=~.•]{3,}")
_MOTTO_RE = re.compile(
    r"CONG HOA XA HOI CHU NGHIA VIET NAM\s*(?=$|[-–—*_=~.]|(?i:doc lap))|(?i:doc lap\s*[-–—]\s*tu do)"
)
_NUMBER_LINE_RE = re.compile(
    r"(?:(?i:bộ\s+luật|luật|pháp\s+lệnh|sắc\s+lệnh|lệnh|nghị\s+quyết)\s+)?(?i:số)\s*[:.]?\s*"
)
_NUMBER_LINE_TYPES = {"bo luat": "Bộ luật", "luat": "Luật", "phap lenh": "Pháp lệnh",
                      "sac lenh": "Sắc lệnh", "lenh": "Lệnh", "nghi quyet": "Nghị quyết"}
_MOTTO_HINT_RE = re.compile(r"NGH|\b[Dd][Oo]\b")  # cheap test before folding: NGHĨA, Tự do
_NOI_NHAN_RE = re.compile(r"n[o0]i\s*nh[a-z]{1,2}\s*(?::\s*|$)")  # also OCR "Noi nhậm"
_KINH_GUI_RE = re.compile(r"kinh\s*gui\s*:?\s*")
_SPLIT_SYMBOL_RE = re.compile(r"(?<=[A-Z]) \d{1,2}\b(?![/-])")
_SUBJECT_RE = re.compile(r"[Vv]\s?/\s?[Vv]\b\s*[:.]?\s*")
_PLACE_RE = re.compile(rf"([{_UP}][^\d,;:()/]{{1,40}}?)\s*,\s*(?=(?i:ngày))")
_ADOPTED_RE = re.compile(r"thông qua\s+(?=ngày)", re.IGNORECASE)
_AUTHORITY_RE = re.compile(r"(?:KT|TL|TM|TUQ|Q|K/T|T/L|T/M)\s*[.:]\s*\S")
_NAME_RE = re.compile(rf"[{_UP}][{_LOW}]*(?:\s+[{_UP}][{_LOW}]*){{1,5}}")
_SIGNED_RE = re.compile(r"\(?\s*(?:đã ký|Đã ký|ĐÃ KÝ)\s*\)?|\d{1,4}|\W{1,3}|[A-Za-z]")
_BULLET_RE = re.compile(r"[-+•–]\s*")
_TITLE_OPENER_RE = re.compile(r"(?:Về|VỀ)\s")  # "Về việc …": a title, however long its line

_ROMAN_RE = re.compile(r"(?P<label>[IVX]{1,5})\s*\.\s*(?=\S)")
_NUMBERED_RE = re.compile(r"(?P<label>\d{1,2})\s*[.)](?!\d)\s*(?=\S)")
_SUBNUMBERED_RE = re.compile(r"(?P<parent>\d{1,2})\.(?P<label>\d{1,2})\.?(?!\d)\s*(?=\S)")
_LETTERED_RE = re.compile(r"(?P<label>[a-zđ])\s*\)\s*(?=\S)")
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_ROMANS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
           "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]

_ARTICLE_RE = re.compile(r"Điều\s+(?P<label>\d{1,4}[a-z]?)\s*(?:[.:]\s*(?P<heading>.*)|$)")
_DIVISION_RE = re.compile(
    r"(?P<kind>(?i:phần|chương|mục))\s+(?P<label>thứ\s+[^\W\d_]+|[IVXLC]+|\d{1,3})\b\s*[.:]?\s*(?P<rest>.*)"
)
_BODY_START_RE = re.compile(r"(?:Căn cứ|Xét đề nghị|Theo đề nghị)\b")


def _heading_names() -> dict[str, str]:
    names = {fold(t).upper(): t for t in DOC_TYPES}
    names["SAO Y"] = "Sao y bản chính"
    names["BAN SAO"] = "Sao y bản chính"
    return names


_HEADINGS = _heading_names()
# Types whose heading line may carry the title too: "LUẬT BƯU CHÍNH".
_TITLED_HEADINGS = ("BO LUAT", "LUAT", "PHAP LENH")
# Symbol codes naming the type (the first part of "128/NQ-CP", "25-CT/TW").
_SYMBOL_TYPES = {"TB": "Thông báo", "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị",
                 "CĐ": "Công điện", "NĐ": "Nghị định", "TT": "Thông tư", "KH": "Kế hoạch",
                 "HD": "Hướng dẫn", "TTR": "Tờ trình", "BC": "Báo cáo", "KL": "Kết luận",
                 "SY": "Sao y bản chính", "QC": "Quy chế", "CTR": "Chương trình"}


def _is_upper(line: str) -> bool:
    """No lower-case letter and at least two letters ('PHÓ CHỦ NHIỆM', not 'Q.')."""
    return line.isupper() and sum(map(str.isalpha, line[:12])) >= 2


def _strip_rules(line: str) -> str:
    return _RULE_RE.sub(" ", line).strip(" -–—*_")


def _motto_at(line: str) -> int:
    """Where the national motto starts in `line`, -1 if absent."""
    if len(line) > 150 or not _MOTTO_HINT_RE.search(line):
        return -1
    m = _MOTTO_RE.search(fold(line))
    return m.start() if m else -1


def _heading(line: str) -> tuple[str, str] | None:
    """(type, title on the same line) of a type heading line such as 'THÔNG BÁO'."""
    if len(line) > 150 or not _is_upper(line):
        return None
    key = re.sub(r"[^A-Z ]+", " ", fold(line).upper()).split()
    joined = " ".join(key)
    if joined in _HEADINGS:
        return _HEADINGS[joined], ""
    for name in _TITLED_HEADINGS:
        if joined.startswith(name + " ") and not joined.startswith(name + " SO "):
            words = len(name.split())
            return _HEADINGS[name], line.split(None, words)[-1].strip()
    return None


def _number_line(line: str) -> tuple[str, str, str | None] | None:
    """(number, rest of line, type named by the prefix) of a 'Số: 128/NQ-CP' line."""
    prefix = _NUMBER_LINE_RE.match(line)
    if not prefix:
        return None
    m = NUMBER_RE.match(line, prefix.end())
    if not m:
        return None
    written, end = m.group(0), m.end()
    if split := _SPLIT_SYMBOL_RE.match(line, end):  # OCR spacing: "73/2006/QH 11"
        written, end = written + split.group(0), split.end()
    rest = line[end:].strip()
    if rest and "ngay" not in fold(rest).lower() and not _SUBJECT_RE.match(rest):
        return None
    words = fold(prefix.group(0)).lower().replace(":", " ").split()[:-1]
    return normalize_number(written), rest, _NUMBER_LINE_TYPES.get(" ".join(words))


def _place_date(line: str) -> tuple[str | None, str] | None:
    """(place, ISO date) of a 'Hà Nội, ngày 27 tháng 11 năm 2021' line."""
    place = _PLACE_RE.match(line)
    d = DATE_RE.match(line, place.end() if place else 0)
    if not d or not iso_date(d):
        return None
    return (place.group(1).strip() if place else None), iso_date(d)


def _is_noi_nhan(line: str) -> re.Match | None:
    return _NOI_NHAN_RE.match(fold(line[:16]).lower()) if line[:1] in "Nn" else None


def _is_kinh_gui(line: str) -> re.Match | None:
    return _KINH_GUI_RE.match(fold(line[:16]).lower()) if line[:1] in "Kk" else None


def _is_authority(line: str) -> bool:
    return bool(_AUTHORITY_RE.match(line)) and _is_upper(line)


def _is_name(line: str) -> bool:
    return bool(_NAME_RE.fullmatch(line)) and not _is_upper(line)


def _item_marker(line: str) -> bool:
    return bool(_NUMBERED_RE.match(line) or _ROMAN_RE.match(line) or _ARTICLE_RE.match(line))


def _is_strong_body(line: str) -> bool:
    """A line that can only be body text: it ends the header zone."""
    if _item_marker(line) or _BODY_START_RE.match(line) or _division(line):
        return True
    return (
        len(line) >= 100
        and not _is_upper(line)
        and not _BULLET_RE.match(line)
        and not _SUBJECT_RE.match(line)
        and not _is_kinh_gui(line)
        and _motto_at(line) < 0
        and not _number_line(line)
    )


def _division(line: str) -> tuple[str, str] | None:
    """('Chương', 'Chương I') for a Phần/Chương/Mục line of a law."""
    m = _DIVISION_RE.match(line)
    if not m:
        return None
    kind = m.group("kind").capitalize()
    if kind == "Mục" and not m.group("label")[0].isdigit():
        return None  # "Mục tiêu…" is prose; law sections are "Mục 1"
    if kind == "Phần" and m.group("label")[0].islower() and not m.group("label").startswith("thứ"):
        return None
    return kind, f"{kind} {m.group('label')}"


def _clean_item(line: str) -> str:
    return _BULLET_RE.sub("", line, count=1).strip().rstrip(";,.").strip()


# --- splitting a file into documents ------------------------------------------------


def _starter(line: str) -> str | None:
    if _motto_at(line) >= 0:
        return "motto"
    if _number_line(line):
        return "number"
    if _heading(line):
        return "heading"
    return None


def _split(lines: list[str]) -> list[tuple[int, int]]:
    """[start, end) line ranges of the documents in a file."""
    starts = [0]
    has_body = closed = False
    previous = ""
    for i, line in enumerate(lines):
        if not line:
            continue
        kind = _starter(line)
        if kind and has_body and (closed or kind != "heading"):
            starts.append(_extend_back(lines, i, starts[-1]))
            has_body = closed = False
        elif _is_strong_body(line):
            has_body = True
        elif has_body and (_is_noi_nhan(line) or _is_authority(line)
                           or (_is_name(line) and _is_upper(previous))):
            closed = True
        previous = line
    ends = starts[1:] + [len(lines)]
    return list(zip(starts, ends))


def _extend_back(lines: list[str], i: int, floor: int) -> int:
    """Move a document start up over the issuer lines written above its first header line."""
    start, j = i, i - 1
    while j > floor:
        line = lines[j]
        if line and not _RULE_RE.fullmatch(line):
            if not _is_upper(line) or _is_authority(line) or _heading(line):
                break
            start = j
        j -= 1
    return start


# --- one document ---------------------------------------------------------------------


def _block_after(lines: list[str], i: int, stop) -> int:
    """Index of the last line of the block that starts at i, ending before a blank line or `stop`."""
    j = i
    while j + 1 < len(lines) and lines[j + 1] and not stop(lines[j + 1]):
        j += 1
    return j


def _list_items(lines: list[str], i: int, first: str) -> tuple[list[str], int]:
    """Recipient items after the heading line i ('Nơi nhận:', 'Kính gửi:'), and the last line used."""
    items = [first] if first else []
    last, j, blank = i, i + 1, False
    while j < len(lines):
        line = lines[j]
        if not line:
            blank = True
        elif _BULLET_RE.match(line) and not _RULE_RE.fullmatch(line):
            items.append(line)
            last, blank = j, False
        elif items and not blank and (items[-1].endswith(",") or (
                not items[-1].endswith((";", ".")) and not _is_upper(line) and not _is_authority(line))):
            items[-1] += " " + line  # an item wrapped over several lines
            last = j
        else:
            break
        j += 1
    return [c for c in map(_clean_item, items) if c], last


def _signature(lines: list[str], lo: int, excluded: set[int]) -> tuple[Signer, int | None]:
    """The signer and the first line of the signature block, searched from line lo on."""
    candidates = [i for i in range(lo, len(lines)) if i not in excluded and lines[i]]
    name_at = None
    for k, i in enumerate(candidates):
        if _is_name(lines[i]) and k > 0:
            above = lines[candidates[k - 1]]
            if (_is_upper(above) and len(above) <= 80 and " " in above
                    and not _heading(above) and _motto_at(above) < 0):
                name_at = k
    if name_at is None:
        # an unsigned-position ending such as "Nguyễn Văn An (Đã ký)"
        tail = [k for k in range(len(candidates)) if not _SIGNED_RE.fullmatch(lines[candidates[k]])]
        if tail and _is_name(lines[candidates[tail[-1]]]):
            i = candidates[tail[-1]]
            return Signer(name=lines[i]), i
        return Signer(), None
    block: list[int] = []  # the upper-case lines above the name
    k = name_at - 1
    while k >= 0 and _is_upper(lines[candidates[k]]) and not _heading(lines[candidates[k]]):
        if _motto_at(lines[candidates[k]]) >= 0 or len(block) == 6:
            break
        block.insert(0, candidates[k])
        k -= 1
    texts = [lines[i] for i in block]
    position = None if _is_authority(texts[-1]) else texts[-1]
    rest = texts if position is None else texts[:-1]
    first_authority = next((n for n, t in enumerate(rest) if _is_authority(t)), None)
    on_behalf = " ".join(rest[first_authority:]) if first_authority is not None else None
    start = block[first_authority] if first_authority is not None else block[-1]
    return Signer(name=lines[candidates[name_at]], position=position, on_behalf_of=on_behalf), start


def _parse_document(lines: list[str], file: str, ordinal: int) -> Document:
    doc = Document(file=file, ordinal=ordinal)
    n = len(lines)
    zone_end = next((i for i, line in enumerate(lines) if line and _is_strong_body(line)), n)
    header_ends: list[int] = []
    anchors: list[int] = []
    motto_prefix: tuple[int, str] | None = None
    subject: str | None = None
    number_type: str | None = None

    i = 0
    while i < zone_end:
        line = lines[i]
        if not line:
            i += 1
            continue
        motto = _motto_at(line)
        number = _number_line(line) if doc.number is None else None
        if number is None and doc.number is None and _NUMBER_LINE_RE.fullmatch(line) and i + 1 < n:
            number = _number_line(f"{line} {lines[i + 1]}")  # "Số:" with the number below it
            i += 1 if number else 0
        heading = _heading(line) if doc.type is None else None
        if motto >= 0:
            anchors.append(i)
            header_ends.append(i)
            if motto > 0 and motto_prefix is None:
                motto_prefix = (i, _strip_rules(line[:motto]))
        elif number:
            doc.number, rest, number_type = number
            anchors.append(i)
            header_ends.append(i)
            if rest and doc.date is None and (d := DATE_RE.search(rest)):
                doc.place, doc.date = _place_date(rest) or (None, iso_date(d))
        elif subject is None and (m := _SUBJECT_RE.match(line)):
            end = _block_after(lines, i, lambda s: bool(_place_date(s) or _is_kinh_gui(s) or _starter(s)))
            subject = " ".join([line[m.end():]] + lines[i + 1:end + 1]).strip()
            anchors.append(i)
            header_ends.append(end)
            i = end
        elif doc.date is None and (pd := _place_date(line)):
            doc.place, doc.date = pd
            anchors.append(i)
            header_ends.append(i)
        elif heading and doc.type is None:  # a later "QUYẾT ĐỊNH:" is the enacting formula
            doc.type, title = heading
            anchors.append(i)
            end = i
            if doc.type != "Sao y bản chính":
                title_lines, end = _title(lines, i, title, stop_at_number=doc.number is None)
                doc.title = " ".join(title_lines) or None
            header_ends.append(end)
            i = end
        elif kg := _is_kinh_gui(line):
            items, end = _list_items(lines, i, line[kg.end():].strip() if len(line) > kg.end() else "")
            if not items and end + 1 < n:  # a single recipient on the next line, no dash
                nxt = next((j for j in range(i + 1, min(n, i + 4)) if lines[j]), None)
                if nxt is not None and len(lines[nxt]) < 150 and not _is_strong_body(lines[nxt]):
                    items, end = [_clean_item(lines[nxt])], nxt
            doc.recipients.extend(items)
            header_ends.append(end)
            i = end
        i += 1

    doc.issuer = _issuer(lines, min(anchors) if anchors else 0, motto_prefix)
    if subject is not None:
        doc.type = doc.type or "Công văn"
        doc.title = doc.title or subject or None
    doc.type = doc.type or number_type or _symbol_type(doc.number)

    body_start = max(header_ends) + 1 if header_ends else 0
    closing: set[int] = set()
    noi_nhan = next((i for i in range(n) if lines[i] and _is_noi_nhan(lines[i])), None)
    if noi_nhan is not None:
        m = _is_noi_nhan(lines[noi_nhan])
        items, end = _list_items(lines, noi_nhan, lines[noi_nhan][m.end():].strip())
        doc.recipients.extend(items)
        closing.update(range(noi_nhan, end + 1))
    doc.signer, sig_start = _signature(lines, body_start, closing)
    body_end = n
    for mark in (noi_nhan, sig_start):
        if mark is not None and body_start <= mark < body_end:
            body_end = mark
    if doc.date is None:
        doc.date = _adoption_date(lines)

    body = [lines[i] for i in range(body_start, body_end) if i not in closing]
    doc.preamble, doc.sections = _sections(body)
    doc.references = _references(doc, body)
    return doc


def _title(lines: list[str], i: int, same_line: str, stop_at_number: bool) -> tuple[list[str], int]:
    """The title lines after the heading line i, and the last title line's index."""
    title = [same_line] if same_line else []
    end, j = i, i + 1
    while j < len(lines) and not lines[j]:
        j += 1
    if j == len(lines) or _division(lines[j]) or _is_noi_nhan(lines[j]):
        return title, end
    if _is_strong_body(lines[j]) and not _TITLE_OPENER_RE.match(lines[j]):
        return title, end
    if same_line or _is_upper(lines[j]):  # laws: the upper-case lines
        while j < len(lines) and (not lines[j] or _is_upper(lines[j])):
            if lines[j] and (_division(lines[j]) or _motto_at(lines[j]) >= 0
                             or (stop_at_number and _number_line(lines[j]))):
                break
            if lines[j]:
                title.append(lines[j])
                end = j
            j += 1
        return title, end
    while j < len(lines) and lines[j] and len(title) < 8 and not _item_marker(lines[j]):
        title.append(lines[j])
        end = j
        j += 1
    return title, end


def _issuer(lines: list[str], first_anchor: int, motto_prefix: tuple[int, str] | None) -> str | None:
    """The upper-case lines above the first header line (or before the motto on its line)."""
    parts: list[str] = []
    j = first_anchor - 1
    if motto_prefix and motto_prefix[0] == first_anchor and motto_prefix[1]:
        parts.append(motto_prefix[1])
        while j >= 0 and lines[j] and _is_upper(lines[j]):
            parts.insert(0, _strip_rules(lines[j]))
            j -= 1
    else:
        while j >= 0 and (not lines[j] or _RULE_RE.fullmatch(lines[j])):
            j -= 1
        while j >= 0 and (_RULE_RE.fullmatch(lines[j]) or (lines[j] and _is_upper(lines[j]))):
            if not _RULE_RE.fullmatch(lines[j]):
                parts.insert(0, _strip_rules(lines[j]))
            j -= 1
    issuer = " ".join(p for p in parts if p)
    return issuer or None


def _symbol_type(number: str | None) -> str | None:
    if not number:
        return None
    m = re.search(rf"[{_UP}][^\W_]*", number)
    return _SYMBOL_TYPES.get(m.group(0).upper()) if m else None


def _adoption_date(lines: list[str]) -> str | None:
    """A law's 'thông qua ngày …' date (closing lines first), for laws whose header carries none."""
    for line in list(reversed(lines[-40:])) + lines[:40]:
        m = _ADOPTED_RE.search(line)
        d = DATE_RE.match(line, m.end()) if m else None
        if d and iso_date(d):
            return iso_date(d)
    return None


# --- body ------------------------------------------------------------------------------


def _join(lines: list[str]) -> str:
    """Paragraph lines joined by newlines; a line starting in lower case continues the last one."""
    out = ""
    for line in lines:
        if not line:
            continue
        if out and (line[0].islower() or out.endswith(("-", ","))):
            out += " " + line
        elif out:
            out += "\n" + line
        else:
            out = line
    return out


@dataclass
class _Open:
    path: list[str]
    heading: str
    lines: list[str]
    id: str = ""


def _sections(body: list[str]) -> tuple[str, list[Section]]:
    law = sum(1 for line in body if _ARTICLE_RE.match(line)) >= 2
    preamble, opened = (_law_sections if law else _notice_sections)(body)
    sections = [Section(id=o.id or ".".join(o.path), path=o.path, heading=o.heading, text=_join(o.lines))
                for o in opened]
    return _join(preamble), sections


def _law_sections(body: list[str]) -> tuple[list[str], list[_Open]]:
    preamble: list[str] = []
    opened: list[_Open] = []
    divisions: dict[str, str] = {}
    in_division_title = False
    for line in body:
        article = _ARTICLE_RE.match(line)
        division = None if article else _division(line)
        if article:
            path = [divisions[k] for k in ("Phần", "Chương", "Mục") if k in divisions]
            label = article.group("label")
            opened.append(_Open(path + [label], (article.group("heading") or "").strip(), [], id=label))
            in_division_title = False
        elif division:
            kind, label = division
            divisions[kind] = label
            for lower in {"Phần": ("Chương", "Mục"), "Chương": ("Mục",), "Mục": ()}[kind]:
                divisions.pop(lower, None)
            in_division_title = True
        elif in_division_title and line and _is_upper(line):
            continue  # the title line of a Chương/Mục
        else:
            in_division_title = False
            (opened[-1].lines if opened else preamble).append(line)
    return preamble, opened


def _notice_sections(body: list[str]) -> tuple[list[str], list[_Open]]:
    preamble: list[str] = []
    opened: list[_Open] = []
    roman: str | None = None
    top = sub = 0
    letter = ""
    top_path: list[str] = []
    for k, line in enumerate(body):
        nxt = next((s for s in body[k + 1:] if s), "")
        m = _ROMAN_RE.match(line)
        if m and _next_roman(roman) == m.group("label"):
            roman, top, sub, letter = m.group("label"), 0, 0, ""
            opened.append(_open([roman], line[m.end():], nxt))
            continue
        m = _SUBNUMBERED_RE.match(line)
        if m and top and int(m.group("parent")) == top and int(m.group("label")) == sub + 1:
            sub, letter = sub + 1, ""
            opened.append(_open(top_path + [str(sub)], line[m.end():], nxt))
            continue
        m = _NUMBERED_RE.match(line)
        if m and int(m.group("label")) in (top + 1, top + 2) and (top or m.group("label") == "1"):
            top, sub, letter = int(m.group("label")), 0, ""
            top_path = ([roman] if roman else []) + [str(top)]
            opened.append(_open(top_path, line[m.end():], nxt))
            continue
        m = _LETTERED_RE.match(line)
        if m and top and _next_letter(letter) == m.group("label"):
            letter = m.group("label")
            parent = top_path + ([str(sub)] if sub else [])
            opened.append(_open(parent + [letter], line[m.end():], nxt))
            continue
        (opened[-1].lines if opened else preamble).append(line)
    return preamble, opened


def _open(path: list[str], first_line: str, next_line: str) -> _Open:
    """A new section; its first line is the heading when it reads as one."""
    first_line = first_line.strip()
    is_heading = (
        len(first_line) <= 160
        and not first_line.endswith((".", ";", ","))
        and not (next_line[:1].islower() and not _LETTERED_RE.match(next_line))
    )
    if is_heading:
        return _Open(path, first_line.rstrip(":").strip(), [])
    return _Open(path, "", [first_line])


def _next_roman(current: str | None) -> str:
    if current is None:
        return "I"
    k = _ROMANS.index(current)
    return _ROMANS[k + 1] if k + 1 < len(_ROMANS) else ""


def _next_letter(current: str) -> str:
    if not current:
        return "a"
    k = _LETTERS.index(current)
    return _LETTERS[k + 1] if k + 1 < len(_LETTERS) else ""


# --- references ---------------------------------------------------------------------------


def _references(doc: Document, body: list[str]) -> list[Reference]:
    own = number_key(doc.number) if doc.number else None
    refs: dict[str, Reference] = {}
    for m in find_numbers("\n".join([doc.title or ""] + body)):
        key = number_key(m.number)
        if key == own:
            continue
        ref = refs.get(key)
        if ref is None:
            refs[key] = Reference(m.number, m.type, m.date, 1)
        else:
            ref.count += 1
            ref.type = ref.type or m.type
            ref.date = ref.date or m.date
    return list(refs.values())


# --- entry points ----------------------------------------------------------------------------


def parse_text(text: str, file: str) -> list[Document]:
    """The documents in one file's (normalized) text, in order."""
    lines = [line.strip() for line in text.split("\n")]
    documents = [_parse_document(lines[start:end], file, k)
                 for k, (start, end) in enumerate(_split(lines), start=1)]
    _number_forwarded(documents)
    return documents


def _number_forwarded(documents: list[Document]) -> None:
    """Forwarded documents printed without their number line take it from the cover letter.

    A cover letter that forwards two notices cites them ("Thông báo số 121/TB-VPCP ngày
    25/5/2021 … và số 129/TB-VPCP …"); when the unnumbered documents of a type after it are
    exactly as many as its references of that type, they are those, in order. Anything
    less certain leaves the number unknown.
    """
    if len(documents) < 2 or documents[0].number is None:
        return
    unnumbered = [d for d in documents[1:] if d.number is None and d.type]
    for doc_type in {d.type for d in unnumbered}:
        forwarded = [d for d in unnumbered if d.type == doc_type]
        cited = [r for r in documents[0].references if r.type == doc_type]
        if len(forwarded) != len(cited):
            continue
        for doc, reference in zip(forwarded, cited):
            doc.number = reference.number
            doc.date = doc.date or reference.date
            doc.references = [r for r in doc.references if number_key(r.number) != number_key(doc.number)]


def parse_file(path: str | Path, file_key: str) -> list[Document]:
    return parse_text(read_text(path), file_key)
