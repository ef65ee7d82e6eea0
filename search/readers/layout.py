"""Positioned words → text lines, side-by-side columns → layout cells, page chrome → set aside.

Shared by the PDF reader (words from the text layer) and OCR (words from Tesseract): both hand
over pages of `Word`s with their boxes, and get back text in which side-by-side blocks (the
two-column header "issuer | motto", "number | place and date", the signature row "recipients |
signer", tables) are written as cells, plus the chrome lines that were left out.

Cells follow the convention of saved portal pages, which the parser's layout pass reads: a line
holding only `|` between cells, two consecutive `|` lines between rows, each cell's paragraphs
one per line.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

CELL = "|"
# A horizontal gap this many times the line's height splits a line into side-by-side segments.
GAP_HEIGHTS = 1.5
# E-signature stamp labels (the stamp of the signing software, not the document's text).
STAMP_LABEL = re.compile(r"^\s*(Ký bởi|Người ký|Cơ quan|Ngày ký|Thời gian ký|Email|Ngày giờ ký)\s*:", re.I)
STAMP_KEY = re.compile(r"^\s*(Ký bởi|Người ký|Ngày ký|Thời gian ký|Ngày giờ ký)\s*:", re.I)
PAGE_NUMBER = re.compile(r"^\s*(\d{1,4}|-\s*\d{1,4}\s*-|Trang\s+\d+(\s*/\s*\d+)?)\s*$", re.I)


@dataclass
class Word:
    text: str
    x0: float
    y0: float  # top (y grows downwards)
    x1: float
    y1: float


@dataclass
class Segment:
    """Words of one line that sit together (no wide gap between them)."""
    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Line:
    segments: list[Segment]
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return max(1.0, self.y1 - self.y0)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


@dataclass
class Page:
    lines: list[Line]
    width: float
    height: float
    rotated: list[str] = field(default_factory=list)  # text running up or down the page, in stream order


@dataclass
class Laid:
    """A document's text with its cells, and the chrome lines left out of it."""
    text: str
    chrome: list[str] = field(default_factory=list)


def lines_from_words(words: list[Word]) -> list[Line]:
    """Group words into lines (vertical overlap), each line split into segments at wide gaps."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0)):
        if rows:
            row = rows[-1]
            top, bottom = min(w.y0 for w in row), max(w.y1 for w in row)
            middle = (word.y0 + word.y1) / 2
            if top <= middle <= bottom:
                row.append(word)
                continue
        rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        height = statistics.median(w.y1 - w.y0 for w in row) or 1.0
        segments = [Segment([row[0]])]
        for word in row[1:]:
            if word.x0 - segments[-1].x1 > GAP_HEIGHTS * height:
                segments.append(Segment([word]))
            else:
                segments[-1].words.append(word)
        lines.append(Line(segments, min(w.y0 for w in row), max(w.y1 for w in row)))
    return lines


def lay_out(pages: list[Page]) -> Laid:
    """The pages' text: chrome (running headers/footers, page numbers, signing stamps) set aside,
    side-by-side blocks written as cells."""
    chrome_ids = _running_lines(pages)
    out: list[str] = []
    chrome: list[str] = []
    for p, page in enumerate(pages):
        kept = []
        for i, line in enumerate(page.lines):
            if (p, i) in chrome_ids:
                chrome.append(line.text)
            else:
                kept.append(line)
        kept, stamps = _drop_stamps(kept)
        chrome.extend(stamps)
        out.extend(_page_text(kept, page.width))
        out.extend(page.rotated)
    return Laid("\n".join(out), chrome)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split())).casefold()


def _running_lines(pages: list[Page]) -> set[tuple[int, int]]:
    """Lines at the top or bottom of pages that repeat on other pages (digits aside), and bare page
    numbers there: running headers and footers."""
    edge = 3
    candidates: dict[str, list[tuple[int, int]]] = {}
    found = set()
    for p, page in enumerate(pages):
        n = len(page.lines)
        for i in list(range(min(edge, n))) + list(range(max(edge, n - edge), n)):
            text = page.lines[i].text
            if PAGE_NUMBER.match(text):
                found.add((p, i))
            candidates.setdefault(_shape(text), []).append((p, i))
    if len(pages) > 1:
        for shape, places in candidates.items():
            if len({p for p, _ in places}) >= max(2, len(pages) // 3) and len(shape) > 3:
                found.update(places)
    return found


def _drop_stamps(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """A run of two or more stamp-label lines (`Ký bởi:`, `Cơ quan:`, `Ngày ký:` …) is chrome."""
    kept: list[Line] = []
    dropped: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and STAMP_LABEL.match(lines[j].text):
            j += 1
        if j - i >= 2 and any(STAMP_KEY.match(lines[k].text) for k in range(i, j)):
            dropped.extend(line.text for line in lines[i:j])
            i = j
        else:
            kept.append(lines[i])
            i += 1
    return kept, dropped


def _page_text(lines: list[Line], width: float) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        block = _column_block(lines, i, width)
        if block:
            start, end, cut = block
            out.extend(_cells(lines[start:end], cut))
            i = end
        else:
            out.append(lines[i].text)
            i += 1
    return out


def _column_block(lines: list[Line], i: int, width: float) -> tuple[int, int, float] | None:
    """The side-by-side block starting at line i: (start, end, x of the gap between the columns).

    It starts at a line of two segments; the lines below join it while each of their segments
    sits in one of the two columns (nearer that column's centre than the page's centre, not
    across the gap) and no wide vertical gap comes between."""
    line = lines[i]
    if len(line.segments) != 2:
        return None
    left_col, right_col = line.segments
    cut_from, cut_to = left_col.x1, right_col.x0
    centres = ((left_col.x0 + left_col.x1) / 2, (right_col.x0 + right_col.x1) / 2)
    middle = width / 2
    end = i + 1
    while end < len(lines):
        nxt = lines[end]
        if len(nxt.segments) > 2 or nxt.y0 - lines[end - 1].y1 > 2.5 * nxt.height:
            break
        sides = [_side(s, cut_from, cut_to, centres, middle) for s in nxt.segments]
        if None in sides or len(set(sides)) < len(sides):
            break
        for s, side in zip(nxt.segments, sides):
            if side == 0:
                cut_from = max(cut_from, s.x1)
            else:
                cut_to = min(cut_to, s.x0)
        if cut_from >= cut_to:
            break
        end += 1
    return i, end, (cut_from + cut_to) / 2


def _side(segment: Segment, cut_from: float, cut_to: float, centres, middle: float) -> int | None:
    centre = (segment.x0 + segment.x1) / 2
    if segment.x1 <= cut_to + 1 and abs(centre - centres[0]) < abs(centre - middle):
        return 0
    if segment.x0 >= cut_from - 1 and abs(centre - centres[1]) < abs(centre - middle):
        return 1
    return None


def _cells(lines: list[Line], cut: float) -> list[str]:
    """A two-column block as rows of cells; a new row starts at a line with text in both columns
    after a clearly wider vertical gap than the block's closest line spacing (the "Số: … | Hà
    Nội, ngày …" row under the issuer and motto)."""
    rows: list[list[list[str]]] = []
    gaps = [max(0.0, b.y0 - a.y1) for a, b in zip(lines, lines[1:])]
    closest = min(gaps) if gaps else 0.0
    for n, line in enumerate(lines):
        left = " ".join(s.text for s in line.segments if s.x1 <= cut)
        right = " ".join(s.text for s in line.segments if s.x1 > cut)
        if not rows or (left and right and gaps[n - 1] > max(1.5 * closest, closest + 0.3 * line.height)):
            rows.append([[], []])
        if left:
            rows[-1][0].append(left)
        if right:
            rows[-1][1].append(right)
    return table_lines(rows)


def table_lines(rows: list[list[list[str]]]) -> list[str]:
    """Rows of cells (each a list of paragraphs) in the `|` convention, closed by a blank line so
    that the text after a table is not read as one more cell. Empty cells are left out; a row with
    a single cell is written as plain lines."""
    out: list[str] = []
    for row in rows:
        cells = [[p.strip() for p in cell if p.strip() and p.strip() != CELL] for cell in row]
        cells = [cell for cell in cells if cell]
        if len(cells) == 1:
            if out and out[-1] == CELL:
                out.append("")
            out.extend(cells[0])
        elif cells:
            out.append(CELL)
            for cell in cells:
                out.extend(cell)
                out.append(CELL)
    if out and out[-1] == CELL:
        out.append("")
    return out
