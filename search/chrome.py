"""Chrome: what a publisher or a saved web page adds around a document, recognised explicitly.

Nothing here is text of the document, and everything here is named (`find_chrome` gives each
chrome line's kind), so that the rest of a file can be checked to end up in some document.

Marks inside the text, found on the source lines before the layout pass (they cut
paragraphs in the middle, which the layout pass then joins again):
- "page": the Official Gazette's page header (`CÔNG BÁO/Số 447 + 448/Ngày 25-6-2022`), the page
  number next to it, and the gazette's section label (`VĂN BẢN QUY PHẠM PHÁP LUẬT`,
  `VĂN BẢN HỢP NHẤT - BỘ Y TẾ`);
- "stamp": the e-signature stamp of the publishing portal (`Người ký:` / `Ký bởi:`, `Email:`,
  `Cơ quan:`, `Thời gian ký:` / `Ngày ký:`), and a registry's incoming stamp (`ĐẾN Giờ: …`);
- "source": a crawler's `Source: <url>` line and the title heading right above it.

Page furniture, found on the logical lines: a saved page wraps the document in a portal's
metadata box, banners, guidance, a teaser, the document's catalogue title, notices, related
documents, a footer and customer notices. A region of furniture opens at a line recognised
as such ("box", "banner", "guide", "catalogue", "notice", "related", "attachment",
"teaser", "translation": a site's English translation) and runs until the next document header (a motto or a number line, with the issuer
lines above it): there is no document text between a portal's furniture and the next header.
"""
from __future__ import annotations

import re

from .header import is_anchor, kinh_gui, type_heading
from .layout import Line, is_upper, logical_lines
from .numbers import DOC_TYPES, NUMBER_RE

# --- marks on source lines -------------------------------------------------------------

_MARKUP_RE = re.compile(r"[*_#|>`]+")
_GAZETTE_PAGE_RE = re.compile(r"CÔNG BÁO\s*/\s*Số\s*\d+(?:\s*\+\s*\d+)*\s*/\s*Ngày\s*\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{4}")
_PAGE_NUMBER_RE = re.compile(r"\d{1,4}")
_GAZETTE_SECTION_RE = re.compile(r"VĂN BẢN (?:QUY PHẠM PHÁP LUẬT|PHÁP LUẬT KHÁC|KHÁC|HỢP NHẤT\s*[-–]\s*\S.*)")
_STAMP_LABEL_RE = re.compile(r"(?P<label>Ký bởi|Người ký|Email|E-mail|Cơ quan|Chức vụ|Thời gian ký|Ngày ký)\s*:")
_INCOMING_RE = re.compile(r"(?:CÔNG VĂN\s+)?ĐẾN\b\s*(?:Giờ|Số|Ngày|$)")
_SOURCE_RE = re.compile(r"(?i:source|url)\s*:\s*https?://\S+")


def _plain(line: str) -> str:
    if "*" in line or "|" in line or "#" in line or "_" in line or ">" in line or "`" in line:
        line = _MARKUP_RE.sub("", line)
    return line.strip()


def page_marks(source: list[str]) -> dict[int, str]:
    """Chrome among the source lines: {line index: kind}."""
    plain = [_plain(line) if len(line) <= 160 else "" for line in source]  # marks are short lines
    marks: dict[int, str] = {}
    for i, text in enumerate(plain):
        if _GAZETTE_PAGE_RE.fullmatch(text):
            marks[i] = "page"
            for j in _neighbours(plain, i, 2):
                if _PAGE_NUMBER_RE.fullmatch(plain[j]):
                    marks[j] = "page"
            for j in _neighbours(plain, i, 6, before=False):
                if _GAZETTE_SECTION_RE.fullmatch(plain[j]):
                    marks[j] = "page"
            _group_heading(plain, i, marks)
        elif _SOURCE_RE.match(text):
            marks[i] = "source"
            above = next((j for j in range(i - 1, max(-1, i - 3), -1) if plain[j]), None)
            if above is not None and source[above].lstrip().startswith("#"):
                marks[above] = "source"
    _stamps(plain, marks)
    return marks


def _group_heading(plain: list[str], page: int, marks: dict[int, str]) -> None:
    """The Gazette prints the issuer above the documents it groups, at the top of a page
    (under its section label); the document's own header repeats it ("CHÍNH PHỦ" / "CHÍNH PHỦ", or wrapped over
    two lines). That first copy is the Gazette's."""
    after = [k for k in _neighbours(plain, page, 6, before=False) if k not in marks][:4]
    if len(after) < 2 or not is_upper(plain[after[0]]):
        return
    group, rest = plain[after[0]], after[1:]
    for n in range(1, len(rest) + 1):
        if " ".join(plain[k] for k in rest[:n]).split() == group.split():
            marks[after[0]] = "page"
            return


def _neighbours(plain: list[str], i: int, count: int, before: bool = True) -> list[int]:
    """The indexes of up to `count` non-blank lines on each side of line i (after it only)."""
    out = []
    for step in ((-1, 1) if before else (1,)):
        j, seen = i + step, 0
        while 0 <= j < len(plain) and seen < count:
            if plain[j]:
                out.append(j)
                seen += 1
            j += step
    return out


def _stamps(plain: list[str], marks: dict[int, str]) -> None:
    """E-signature stamps (a run of labelled lines naming a signer and a signing time) and
    incoming-mail stamps (ĐẾN with its time, number and date, under the receiving office)."""
    i = 0
    while i < len(plain):
        run = []
        j = i
        while j < len(plain) and (m := _STAMP_LABEL_RE.match(plain[j])):
            run.append(m.group("label"))
            j += 1
        if len(run) >= 2 and {"Ký bởi", "Người ký"} & set(run) and {"Thời gian ký", "Ngày ký", "Email",
                                                                    "E-mail", "Cơ quan"} & set(run):
            marks.update({k: "stamp" for k in range(i, j)})
            i = j
            continue
        if _INCOMING_RE.match(plain[i]) and is_upper(plain[i][:3]):
            marks[i] = "stamp"
            if i > 0 and is_upper(plain[i - 1]) and len(plain[i - 1]) <= 60:
                marks[i - 1] = "stamp"  # the receiving office
            k = i + 1
            while k < len(plain) and k <= i + 3 and re.match(r"(?:Giờ|Số|Ngày|Chuyển)\s*:", plain[k]):
                marks[k] = "stamp"
                k += 1
        i += 1


# --- page furniture on logical lines ------------------------------------------------------

_BOX_LABELS = ("số hiệu", "số ký hiệu", "loại văn bản", "nơi ban hành", "cơ quan ban hành", "người ký",
               "ngày ban hành", "ngày hiệu lực", "ngày có hiệu lực", "ngày hết hiệu lực", "ngày công báo",
               "ngày đăng công báo", "số công báo", "tình trạng", "tình trạng hiệu lực", "lĩnh vực",
               "nguồn thu thập", "ban hành", "hiệu lực", "cập nhật")
_BOX_LABEL_RE = re.compile(r"(?P<label>[^\W\d_][^:]{1,24}?)\s*:(?:\s*(?P<value>.{0,60}))?$")
_BANNER_RE = re.compile(r".{0,40}(?i:bản dịch này thuộc quyền sở hữu|has the copyright on this translation)")
_GUIDE_RE = re.compile(
    r"Đang tải văn bản|Click (?:vào|trái|phải)|Double click|Rà chuột|Tắt so sánh|(?:CÁC )?NỘI DUNG (?:ĐƯỢC )?SỬA ĐỔI, HƯỚNG DẪN"
)
_NOTICE_RE = re.compile(r"Văn bản này (?:chưa|đang) cập nhật|Thưa Quý khách|Cảm ơn đã dùng|Quý Thành viên")
_RELATED_RE = re.compile(r"Văn bản (?:liên quan|gốc|được hướng dẫn|hướng dẫn|được hợp nhất|hợp nhất)(?: cùng nội dung)?\s*\d*")
_ATTACHMENT_RE = re.compile(r"FILE (?:ĐƯỢC ĐÍNH KÈM THEO VĂN BẢN|ATTACHED TO DOCUMENT)")
# A site's English translation of the document (its own work, not the document): its motto.
_TRANSLATION_RE = re.compile(r"(?i:socialist republic of viet\s?nam|independence\s*[-–]\s*freedom\s*[-–]\s*happiness)")
_TEASER_END_RE = re.compile(r"Xem (?:thêm|chi tiết)\b")
_CATALOGUE_RE = re.compile(
    r"(?P<type>(?i:" + "|".join(re.escape(t) for t in sorted(DOC_TYPES, key=len, reverse=True)) + r"))"
    r"(?:\s+[^\W\d_]+){0,2}\s+(?P<number>\S+)\s+(?:năm\s+\d{4}|ngày\s+\d{1,2}/\d{1,2}/\d{4})\b"
    r".*?\sdo\s.+?\s(?:ban hành|điện|ký)\b"
)
BOX_MINIMUM = 3  # distinct labels that make a metadata box


def _box_label(text: str) -> str | None:
    m = _BOX_LABEL_RE.match(text)
    if not m:
        return None
    label = " ".join(m.group("label").split()).lower()
    return label if label in _BOX_LABELS else None


def _opener(lines: list[Line], i: int) -> str | None:
    """The kind of page furniture line i is, if it opens a region of it."""
    text = lines[i].text
    if _BANNER_RE.match(text):
        return "banner"
    if _GUIDE_RE.match(text):
        return "guide"
    if _NOTICE_RE.match(text):
        return "notice"
    if _ATTACHMENT_RE.match(text):
        return "attachment"
    if _RELATED_RE.fullmatch(text):
        return "related"
    if _TRANSLATION_RE.match(text):
        return "translation"
    if (m := _CATALOGUE_RE.match(text)) and NUMBER_RE.fullmatch(m.group("number")):
        return "catalogue"
    if _box_label(text):
        labels = {label for k in range(i, min(len(lines), i + 16)) if (label := _box_label(lines[k].text))}
        if len(labels) >= BOX_MINIMUM:
            return "box"
    if lines[i].heading and any(_TEASER_END_RE.match(lines[k].text) for k in range(i + 1, min(len(lines), i + 40))):
        return "teaser"
    return None


def furniture(lines: list[Line]) -> dict[int, str]:
    """Page furniture among logical lines: {line index: kind}."""
    marks: dict[int, str] = {}
    seen_document = False
    i = 0
    while i < len(lines):
        kind = _opener(lines, i)
        if kind is None:
            if not is_upper(lines[i].text):
                seen_document = True
            i += 1
            continue
        end = _region_end(lines, i, in_head=not seen_document)
        for k in range(i, end):  # each line by its own kind where it has one
            marks[k] = (_opener(lines, k) if k > i else None) or kind
        i = max(end, i + 1)
    return marks


def _region_end(lines: list[Line], i: int, in_head: bool) -> int:
    """Where the region opened at line i ends: at the next document header's first line.

    Before any document text, a list of recipients or a type heading also begins the
    document (a page may hold a document saved without its header table).
    """
    j = i + 1
    while j < len(lines):
        text = lines[j].text
        if is_anchor(text) or (in_head and (kinh_gui(text) or type_heading(text)) and not _opener(lines, j)):
            break
        j += 1
    k = j
    while k - 1 > i and is_upper(lines[k - 1].text) and len(lines[k - 1].text) <= 120 \
            and not _opener(lines, k - 1):
        k -= 1  # the issuer lines above the document's first anchor
    return k


def find_chrome(text: str) -> dict[int, str]:
    """Chrome in a (normalized) file text: {source line index: kind}."""
    source = text.split("\n")
    marks = page_marks(source)
    lines = logical_lines(text, skip=marks)
    for i, kind in furniture(lines).items():
        for k in range(lines[i].first, lines[i].last + 1):
            marks.setdefault(k, kind)
    return marks
