"""Parse Vietnamese official documents (notices, dispatches, decisions, laws) into Documents.

A file's text goes through four passes:

1. chrome marks on the source lines (search/chrome.py: gazette page headers, stamps, a
   crawler's Source line);
2. layout (search/layout.py): table cells, wrapped lines joined, markup removed, giving
   logical lines;
3. page furniture (search/chrome.py: a saved page's metadata box, banners, related lists,
   footers) set aside;
4. the remaining lines are split into documents and each is read: its header
   (search/header.py), its closing — recipients and signature — (search/closing.py), and
   between them the body, after the signature the appendices (search/structure.py).

One file can hold several documents (a cover letter and the notices it forwards, a notice
and its certified copy): after a body, a new motto or "Số:" line (of a header that has a
real number or date, not a blank form), or — once the previous document is signed — a type
heading that is not attached to it ("kèm theo") starts the next document.
"""
from __future__ import annotations

import re
from pathlib import Path

from .chrome import furniture, page_marks
from .closing import noi_nhan, read_closing
from .effective import find_effective
from .header import (BODY_START_RE, is_authority, motto_at, number_line, place_date, read_header,
                     strong_body, type_heading)
from .ingest import read_text
from .layout import Line, is_upper, logical_lines
from .models import Document, Link, Reference
from .normalize import fold
from .numbers import DATE_RE, DOC_TYPES, canonical_type, find_numbers, iso_date, issuer_of, normalize_number, number_key
from .relations import find_relations
from .structure import appendices, appendix_heading, body_sections, division

_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"

# Symbol codes naming the type (the first part of "128/NQ-CP", "25-CT/TW").
_SYMBOL_TYPES = {"TB": "Thông báo", "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị",
                 "CĐ": "Công điện", "NĐ": "Nghị định", "TT": "Thông tư", "KH": "Kế hoạch",
                 "HD": "Hướng dẫn", "TTR": "Tờ trình", "BC": "Báo cáo", "KL": "Kết luận",
                 "SY": "Sao y bản chính", "QC": "Quy chế", "CTR": "Chương trình", "VBHN": "Văn bản hợp nhất",
                 "TTLT": "Thông tư liên tịch", "NQLT": "Nghị quyết liên tịch"}
_ATTACHED_RE = re.compile(r"\(?\s*(?:Ban hành |Được ban hành )?(?i:kèm theo)\b")
_HEADER_SPAN = 14  # logical lines in which a header's number or date is looked for


# --- splitting a file into documents -----------------------------------------------------


def _starter(lines: list[Line], i: int) -> str | None:
    text = lines[i].text
    if motto_at(text) >= 0 or (i + 1 < len(lines) and is_upper(text) and lines[i + 1].block == lines[i].block
                               and 0 <= motto_at(f"{text} {lines[i + 1].text}") < len(text)):
        return "motto"
    if number_line(text):
        return "number"
    if type_heading(text):
        return "heading"
    return None


def _near_motto(lines: list[Line], i: int) -> bool:
    return any(motto_at(line.text) >= 0 for line in lines[max(0, i - 4):i + 5])


def _real_header(lines: list[Line], i: int) -> bool:
    """The header starting at line i has a number or a date: it is no blank form of an appendix."""
    for line in lines[i:i + _HEADER_SPAN]:
        numbered = number_line(line.text)
        if numbered and (numbered.number or (numbered.rest and (pd := place_date(numbered.rest)) and pd[1])):
            return True
        if (pd := place_date(line.text)) and pd[1]:
            return True
    return False


def _attached(lines: list[Line], i: int) -> bool:
    """The type heading on line i opens a text attached to the document before it
    ("QUY ĐỊNH" / "(Ban hành kèm theo Quyết định số …)") or an appendix's content."""
    return (any(_ATTACHED_RE.match(line.text) for line in lines[i + 1:i + 7])
            or any(appendix_heading(line.text) for line in lines[max(0, i - 3):i])
            or (i > 0 and division(lines[i - 1].text) is not None))  # "Chương II" / "QUY ĐỊNH CỤ THỂ"


def _split(lines: list[Line]) -> list[tuple[int, int]]:
    """[start, end) line ranges of the documents in a file."""
    starts = [0]
    has_body = closed = False
    for i, line in enumerate(lines):
        text = line.text
        kind = _starter(lines, i)
        if kind and has_body and (closed or kind == "motto" or (kind == "number" and _near_motto(lines, i))):
            real = _real_header(lines, i) if kind != "heading" else not _attached(lines, i)
            if real:
                starts.append(_extend_back(lines, i, starts[-1]))
                has_body = closed = False
                continue
        if strong_body(text):
            has_body = True
        elif has_body and (noi_nhan(text) or is_authority(text)):
            closed = True
    ends = starts[1:] + [len(lines)]
    return list(zip(starts, ends))


def _extend_back(lines: list[Line], i: int, floor: int) -> int:
    """Move a document start up over the issuer lines written above its first header line."""
    start = i
    j = i - 1
    while j > floor and is_upper(lines[j].text) and not is_authority(lines[j].text) \
            and not type_heading(lines[j].text) and len(lines[j].text) <= 120:
        start = j
        j -= 1
    return start


# --- one document ---------------------------------------------------------------------------


def _parse_document(lines: list[Line], lo: int, hi: int, file: str, ordinal: int) -> Document:
    doc = Document(file=file, ordinal=ordinal)
    h = read_header(lines, lo, hi)
    c = read_closing(lines, lo, hi, skip=h.used)
    doc.number, doc.issuer, doc.place, doc.date, doc.motto = h.number, h.issuer, h.place, h.date, h.motto
    doc.recipients = h.recipients + c.recipients
    doc.signer = c.signer

    body_end = c.start if c.start is not None and c.start > h.end else hi
    body_start = h.end + 1 if h.first is not None else lo
    closing_span = range(c.start, c.end + 1) if c.start is not None and c.start > h.end else range(0)
    labels = set(c.labels)
    doc.notes = [lines[i].text for i in [*range(lo, body_start), *closing_span]
                 if i not in h.used and (i not in c.used or i in labels)]
    body = [i for i in range(body_start, body_end) if i not in h.used and i not in c.used]
    if doc.number is None and body:  # a header printed at the foot, above the signature
        foot = _foot_header(lines, body[max(0, len(body) - _FOOT_LINES):])
        if foot is not None:
            doc.number, doc.date, doc.place = foot.number, doc.date or foot.date, doc.place or foot.place
            doc.issuer = doc.issuer or foot.issuer
            doc.notes.extend(lines[i].text for i in body if i in foot.used and not _header_field(lines[i].text))
            body = [i for i in body if i not in foot.used]
    tail = [i for i in range(c.end + 1, hi) if i not in c.used] if c.end is not None and c.end >= body_end else []
    main = body_sections([lines[i].text for i in body])
    extra = appendices([lines[i].text for i in tail], _attachment_label)
    doc.preamble = main.preamble
    doc.sections = main.sections + extra.sections
    doc.divisions = main.divisions + extra.divisions

    doc.type = h.type
    if h.subject is not None or (doc.type is None and h.recipients and not h.number_type):
        doc.type = doc.type or "Công văn"  # a dispatch: a "V/v" subject, or "Kính gửi" and no type heading
        doc.title = h.title or h.subject
    else:
        doc.title = h.title
    doc.type = _number_names_type(doc.number) or doc.type or h.number_type or _symbol_type(doc.number)
    if doc.type in ("Luật", "Bộ luật", "Pháp lệnh") and doc.title:
        doc.title = _law_name(doc.type, doc.title, [lines[i].text for i in body[:40]])
    if doc.date is None:
        doc.date = _adoption_date([lines[i].text for i in range(lo, hi)])
    if doc.number is None:
        titled = _title_number([lines[i].text for i in range(lo, min(hi, lo + _TITLE_LINES))])
        if titled is not None:
            doc.number, doc.date = titled.number, doc.date or titled.date
            doc.type = doc.type or titled.type
    doc.references = _references(doc)
    return doc


_TITLE_LINES = 4
# A type word, then at most its issuer ("của Thủ tướng Chính phủ"), then "số" and a number.
_TITLE_NUMBER_RE = re.compile(rf"(?P<type>{'|'.join(DOC_TYPES)})(?:\s+của\s[^,.;:]{{1,60}}?)?\s+số\s*(?=\d)",
                              re.IGNORECASE)
_TYPE_WORD_RE = re.compile(rf"\b(?:{'|'.join(DOC_TYPES)})\b", re.IGNORECASE)  # "của Nghị quyết số …" cites


def _title_number(texts: list[str]) -> Reference | None:
    """The number a document's opening title sentence gives, where no number line is printed:
    old Gazette and case-law layouts ('Quyết định của Thủ tướng Chính phủ số 115/2004/QĐ-TTg
    ngày 25 tháng 6 năm 2004 về việc …', 'Án lệ số 17/2018/AL về …'). None unless the title
    opens with a type word, at most its issuer, then 'số' and the number: 'NGHỊ QUYẾT / Sửa đổi
    … của Nghị quyết số 730/…' names the document it amends, not itself."""
    title = []
    for text in texts:
        if BODY_START_RE.match(text):
            break
        title.append(text)
    joined = " ".join(title)
    opening = _TITLE_NUMBER_RE.match(joined)
    found = find_numbers(joined) if opening else []
    if not found or found[0].start > opening.end() or _TYPE_WORD_RE.search(joined, opening.end("type"), opening.end()):
        return None
    return Reference(found[0].number, type=canonical_type(opening.group("type")), date=found[0].date)


_FOOT_LINES = 8


def _foot_header(lines: list[Line], window: list[int]):
    """The number, date and issuer printed above the signature instead of at the top: a
    consolidated text's authentication block ("BỘ Y TẾ" / "Số: 06/VBHN-BYT" / "XÁC THỰC VĂN
    BẢN HỢP NHẤT" / "Hà Nội, ngày …"). None unless it holds a number."""
    at = next((i for i in window if number_line(lines[i].text) and number_line(lines[i].text).number), None)
    if at is None:
        return None
    start = at
    while start - 1 >= window[0] and is_upper(lines[start - 1].text):
        start -= 1  # its issuer
    foot = read_header(lines, start, window[-1] + 1)
    return foot if foot.number else None


def _header_field(text: str) -> bool:
    """A line the header's fields hold (its number, its place and date)."""
    return bool(number_line(text) or place_date(text))


def _attachment_label(text: str) -> str | None:
    """'Quy định' for a 'QUY ĐỊNH' heading of a text attached to a decision."""
    heading = type_heading(text)
    return heading[0] if heading else None


def _number_names_type(number: str | None) -> str | None:
    """A type the number's symbol alone establishes whatever the heading says: a consolidated
    text ('92/VBHN-BQP') reprints the heading of the document it consolidates."""
    return "Văn bản hợp nhất" if number and re.search(r"/VBHN\b", number, re.IGNORECASE) else None


def _symbol_type(number: str | None) -> str | None:
    if not number:
        return None
    m = re.search(rf"[{_UP}][^\W_]*", number)
    return _SYMBOL_TYPES.get(m.group(0).upper()) if m else None


_ADOPTED_RE = re.compile(r"thông qua\s+(?=ngày)", re.IGNORECASE)
_DATE_WORDS_RE = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.IGNORECASE)


def _adoption_date(texts: list[str]) -> str | None:
    """A law's or resolution's 'được … thông qua ngày …' date (closing lines first), for
    those whose header carries no date."""
    for text in list(reversed(texts[-60:])) + texts[:60]:
        m = _ADOPTED_RE.search(text)
        if m and (pd := place_date(text[m.end():])) and pd[1]:
            return pd[1]
    return None


def _law_name(kind: str, title: str, body: list[str]) -> str:
    """A law's name as written in running text ('Bộ luật Tố tụng hình sự', 'Luật Đầu tư'),
    for the upper-case title under its heading ('TỐ TỤNG HÌNH SỰ').

    The enacting formula and the articles write the name ("Quốc hội ban hành Bộ luật tố tụng
    hình sự"); its first word after the type is capitalised as a name is. Without such a
    mention the title is put in sentence case.
    """
    if not is_upper(title):
        return title if fold(title).lower().startswith(fold(kind).lower()) else f"{kind} {title}"
    words = title.split()
    wanted = fold(f"{kind} {title}").lower().split()
    for text in body:
        folded = fold(text).lower()
        at = folded.find(" ".join(wanted))
        if at >= 0 and (at == 0 or not folded[at - 1].isalnum()):
            written = text[at:at + len(" ".join(wanted))].split()[len(kind.split()):]
            if len(written) == len(words):
                return f"{kind} {_capitalise(' '.join(written))}"
    return f"{kind} {_capitalise(title.lower())}"


_AMENDING_RE = re.compile(r"(?:sửa đổi|bổ sung|bãi bỏ|thay thế)\b", re.IGNORECASE)


def _capitalise(name: str) -> str:
    """A law's name is capitalised ('Đầu tư'); an amending law's is not ('sửa đổi, bổ sung …')."""
    if _AMENDING_RE.match(name):
        return name[:1].lower() + name[1:]
    return name[:1].upper() + name[1:]


# --- references --------------------------------------------------------------------------------


def _references(doc: Document) -> list[Reference]:
    own = number_key(doc.number) if doc.number else None
    texts = [doc.title or "", doc.preamble] + [f"{s.heading}\n{s.text}" for s in doc.sections]
    refs: dict[str, Reference] = {}
    for m in find_numbers("\n".join(texts)):
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
    marks = page_marks(text.split("\n"))
    all_lines = logical_lines(text, skip=marks)
    chrome = furniture(all_lines)
    lines = [line for i, line in enumerate(all_lines) if i not in chrome]
    documents = [_parse_document(lines, start, end, file, k)
                 for k, (start, end) in enumerate(_split(lines), start=1)]
    _number_forwarded(documents)
    if len(documents) == 1 and documents[0].number is None:
        _fill_from_attributes(documents[0], all_lines)
    for doc in documents:
        doc.issuer = doc.issuer or issuer_of(doc.number)
        _read_validity(doc)
    return documents


def _read_validity(doc: Document) -> None:
    """Fill the document's effective and expiry dates and its own relations from its text."""
    body = "\n".join([doc.preamble, *(f"{s.heading}\n{s.text}" for s in doc.sections)])
    effective = find_effective(f"{doc.title}\n{body}" if doc.title else body, issue_date=doc.date)
    doc.effective_date = effective.date if effective else None
    doc.expiry_date = effective.expiry if effective else None
    doc.relations = [Link(r.kind, r.target.number, r.target.name, r.target.year, r.target.type, r.articles)
                     for r in find_relations(body, title=doc.title, number=doc.number) if r.subject is None]


# A portal's attribute table ("thuộc tính": label cells beside value cells), by its labels.
_ATTRIBUTE_LABELS = {
    "so ky hieu": "number", "so hieu": "number", "so van ban": "number", "so an le": "number",
    "ngay ban hanh": "date", "ngay thong qua": "date", "loai van ban": "type", "co quan ban hanh": "issuer",
}
_DAY_RE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{4}$")


def _fill_from_attributes(doc: Document, lines: list[Line]) -> None:
    """Fill a document that printed no number from a page's attribute table: a saved
    attribute page holds the number, date, type and issuer only there."""
    cells = {line.cell: line.text for line in lines if line.cell}
    for (table, row, column), label in cells.items():
        field = _ATTRIBUTE_LABELS.get(" ".join(fold(label).lower().split()))
        value = cells.get((table, row, column + 1), "").strip()
        if field is None or not value:
            continue
        if field == "number" and doc.number is None:
            doc.number = normalize_number(value)
        elif field == "date" and doc.date is None and (m := _DAY_RE.match(value)):
            doc.date = iso_date(DATE_RE.match(f"ngày {m.group(0)}"))
        elif field == "type" and doc.type is None:
            doc.type = canonical_type(value)
        elif field == "issuer" and doc.issuer is None:
            doc.issuer = value


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
