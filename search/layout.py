"""Layout: a file's text becomes the logical lines a reader sees, before anything is read from it.

The input convention (the interface: the saved portal pages follow it, and the PDF, DOCX and
HTML readers write their text in it too):

- Text comes one paragraph or one printed line per line; a blank line separates blocks.
- A table is written cell after cell. A line holding only `|` separates two cells; two such
  lines in a row separate two rows (the first closes the row's last cell, the second opens the
  next row's first cell); the table opens and closes with a `|` line. Each cell's paragraphs
  are one per line between the separators:

      |
      BỘ TÀI CHÍNH
      CỤC THUẾ
      |
      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
      Độc lập - Tự do - Hạnh phúc
      |
      |
      Số: 5331/CT-CS
      |
      Hà Nội, ngày 19 tháng 11 năm 2025
      |

- Markdown tables mean the same: a row on one line (`| Số: 12/UBND | Hà Nội, ngày … |`, also
  with its outer bars missing: `Số: 12/UBND | Hà Nội, ngày … |`), a delimiter row (`|---|---|`)
  only marks rows, and `<br>` inside a cell is a line break.
- Markdown markup is layout, not text: emphasis (`**`, `__`, `*`, also inside a word:
  `C****ÔNG`, `**Điều 1. **Phê`), `#` heading marks, backslash escapes, inline HTML tags, link
  targets; a rule (`-------`, `______`) separates blocks.

`logical_lines` keeps cells apart and joins what the source wrapped mid-phrase: a line that
starts in lower case or with closing punctuation continues the one before (also across a
blank line, as OCR page breaks cut paragraphs); so does a line after one that ends with a
comma, a hyphen or a word that cannot end a phrase ("của", "và", "ngày"); an emphasis span
left open (`*Hà Nội, ngày 18` / `tháng 11 năm 2025*`) runs on to its close; a place name cut
before its date (`Thành phố Hồ Chí` / `Minh, ngày …`) is put back together. Upper-case lines
are never joined to each other: issuer, motto, title and signature lines keep their breaks.
Each logical line remembers the source lines it came from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LOW = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"


@dataclass
class Line:
    """One logical line: a paragraph, a heading, or one line of a table cell."""

    text: str
    first: int  # index of its first source line
    last: int  # index of its last source line
    block: int  # running number of its block: a table cell, or text between blank lines and rules
    cell: tuple[int, int, int] | None = None  # (table, row, column), counted from 0
    gap: bool = False  # it opens its block
    heading: int = 0  # markdown heading level (#) of its first source line
    style: str = ""  # "b" when the whole line is bold, "i" italic, "bi" both, "" otherwise


# --- markup -----------------------------------------------------------------------

_ESCAPES = {"\\*": "\ue000", "\\_": "\ue001", "\\|": "\ue002"}
_UNESCAPE = str.maketrans({"\ue000": "*", "\ue001": "_", "\ue002": "|"})
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
_HEADING_RE = re.compile(r"#{1,6}(?=\s|$)\s*")
# Two lines glued by a converter: an upper-case word runs into a capitalised one
# ("VIỆT NAMĐộc lập", "THÔNG TƯ****Quy định"); codes such as "TTg", "PTTgCP", "PCTrg" (no
# syllable: a syllable has a vowel) stay whole.
_VOWELS = "aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_GLUED_RE = re.compile(rf"(?<=[{_UP}]{{2}})(?:\*\*)*(?=[{_UP}][{_LOW}]*[{_VOWELS}][{_LOW}]*(?<=[{_LOW}]{{2}}))")
_GLUED_HINT_RE = re.compile(rf"[{_UP}]{{2}}(?:\*\*)*[{_UP}][{_LOW}]")
_BREAK_TAG_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_LINK_RE = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))+\)")
_MARK_RE = re.compile(r"\*+|(?<!_)__(?!_)")
_RULE_RE = re.compile(r"[-–—_=~•·]{3,}|(?<!\S)\*{3,}(?!\S)")
_RULE_HINT_RE = re.compile(r"[-–—_=~•·]{3}|\*{3}")
_MARKUP_HINT_RE = re.compile(r"[*_<\\\ue000-\ue002]|[-–—=~•·]{3}")
_PRIVATE_RE = re.compile("[\ue000-\ue002]")
_ONLY_MARKUP_RE = re.compile(r"[\s*_|#>`~]*")
_SPACES_RE = re.compile(r"\s{2,}")


def _protect_escapes(raw: str) -> str:
    """Escaped markup characters (\\*, \\_, \\|) become placeholders that no marker or cell
    separator matches; strip_markup turns them back."""
    for escaped, placeholder in _ESCAPES.items():
        raw = raw.replace(escaped, placeholder)
    return raw


def _markers(raw: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the emphasis markers in `raw`: 'b' for ** and __, 'i' for *.

    A run of stars is split into bold pairs and an italic star ("***" = bold + italic);
    literal stars are left: "(*)", "2*3", a star between spaces.
    """
    found = []
    for m in _MARK_RE.finditer(raw):
        run, start, end = m.group(0), m.start(), m.end()
        if run == "__":
            found.append((start, end, "b"))
            continue
        before = raw[start - 1] if start else ""
        after = raw[end] if end < len(raw) else ""
        if len(run) >= 3 and not before.strip() and not after.strip():
            continue  # a rule of stars: "QUỐC HỘI *****"
        if len(run) == 1 and ((before == "(" and after == ")") or (before.isdigit() and after.isdigit())
                              or (before == " " and after == " ")):
            continue
        pos = start
        for _ in range(len(run) // 2):
            found.append((pos, pos + 2, "b"))
            pos += 2
        if len(run) % 2:
            found.append((pos, pos + 1, "i"))
    return found


class _Emphasis:
    """Which emphasis spans are open at the end of the text fed so far."""

    def __init__(self):
        self.open = {"b": False, "i": False}
        self.chars = {"b": 0, "i": 0, "all": 0}

    def feed(self, raw: str) -> None:
        if "*" not in raw and "__" not in raw and not self.spanning:
            self.chars["all"] += len(raw)  # plain text: nothing opens or closes
            return
        markers = _markers(raw)
        pos = 0
        for start, end, kind in markers:
            self._count(raw[pos:start])
            before = raw[start - 1] if start else " "
            after = raw[end] if end < len(raw) else " "
            closer_shape = not before.isspace() and (after.isspace() or after in ".,;:)]”\"'!?")
            if self.open[kind]:
                self.open[kind] = False
            elif not closer_shape:  # a closer with nothing open closed a span of an earlier line
                self.open[kind] = True
            pos = end
        self._count(raw[pos:])

    def _count(self, text: str) -> None:
        n = len(text)
        self.chars["all"] += n
        for kind in ("b", "i"):
            if self.open[kind]:
                self.chars[kind] += n

    @property
    def spanning(self) -> bool:
        return self.open["b"] or self.open["i"]

    def style(self) -> str:
        total = self.chars["all"]
        return "".join(k for k in ("b", "i") if total and self.chars[k] >= 0.9 * total)



_SYLLABLE_RE = re.compile(rf"[^{_VOWELS}\W\d_]*[{_VOWELS}]+[^{_VOWELS}\W\d_]*")
_WORD_BEFORE_RE = re.compile(r"[^\W_]*$")
_WORD_AFTER_RE = re.compile(r"[^\W_]*")


def _separates(raw: str, start: int, end: int) -> bool:
    """A marker between two letters or digits separated two words, not parts of one.

    "số**347**" (a word and a number) and "LUẬT****CÁN BỘ" (two syllables that make no one
    syllable) were two words; "C****ÔNG", "t**ỉ**nh", "T****N****CN" are one.
    """
    left = _WORD_BEFORE_RE.search(raw, 0, start).group(0).replace("*", "")
    right = _WORD_AFTER_RE.match(raw, end).group(0)
    if not left or not right:
        return False
    if left[-1].isdigit() != right[0].isdigit():
        return True
    lower = (left + right).lower()
    return (any(c in _VOWELS for c in left.lower()) and any(c in _VOWELS for c in right.lower())
            and not _SYLLABLE_RE.fullmatch(lower))


def strip_markup(raw: str) -> str:
    """The text of one logical line without emphasis markers, escapes, tags and rules."""
    if not _MARKUP_HINT_RE.search(raw):
        return raw.strip()
    if "\\" in raw:
        raw = _protect_escapes(raw)
    out, pos = [], 0
    for start, end, _kind in _markers(raw):
        out.append(raw[pos:start])
        run_start = len(raw[:start].rstrip("*"))  # "****": a close and an open marker in a row
        before = raw[run_start - 1] if run_start else ""
        after = raw[end] if end < len(raw) else ""
        if before.isalnum() and after.isalnum() and _separates(raw, run_start, end):
            out.append(" ")
        pos = end
    out.append(raw[pos:])
    text = "".join(out)
    text = _TAG_RE.sub("", text) if "<" in text else text
    text = _ESCAPE_RE.sub(r"\1", text) if "\\" in text else text
    text = _RULE_RE.sub(" ", text) if _RULE_HINT_RE.search(text) else text
    text = text.translate(_UNESCAPE) if _PRIVATE_RE.search(text) else text
    return _SPACES_RE.sub(" ", text).strip() if "  " in text or text[:1] == " " or text[-1:] == " " else text


# --- joining wrapped lines ------------------------------------------------------------

_TERMINAL_RE = re.compile(r"[.;:!?…][\"”’)\]*]*$")
_LOWER_ITEM_RE = re.compile(r"(?:[a-zđ]|[ivx]{1,4})\s*\)")
_STRUCTURAL_RE = re.compile(
    rf"(?:[-+•–—]\s|\d{{1,3}}(?:\.\d{{1,3}})*[.)]\s|[IVXLC]{{1,6}}[.)]\s|[a-zđ]\)|\(\d{{1,3}}\)|\[\d{{1,3}}\]"
    rf"|Điều\s+\d|(?i:chương|mục|phần|phụ lục)\s+[\dIVXLC{_UP}]"
    r"|(?:Nơi nhận|Kính gửi|Căn cứ|Xét|Theo đề nghị)\b|Số\s*[:\d]|[Vv]\s?/\s?[Vv]\b|(?:KT|TM|TL|TUQ|Q|K/T|T/M|T/L)\s*[./:]\s*[A-ZĐ])"
)
# Words after which a phrase cannot end: the line was wrapped inside the phrase.
_OPEN_WORDS = frozenset(
    "của và với về theo tại cho các những số ngày tháng năm trong từ đến để được bị là có hoặc hay "
    "nhưng mà thì khi nếu do bởi vì như trên dưới giữa sau trước đã sẽ đang cũng còn nhằm gồm thuộc "
    "đối tới qua bằng từng mỗi mọi phải cần này đó ở nơi".split()
)
_LABEL_AND_WORD_RE = re.compile(r"(?:Điều\s+\d+[a-zđ]?|\d{1,2}|[IVX]{1,4})[.:]\s+\S+")
_DATE_END_RE = re.compile(r"(?:năm\s*|/)\d{4}\W*$")  # a date line is complete: "…, ngày 22 tháng 11 năm 2002"
_ARTICLE_HEAD_RE = re.compile(r"Điều\s+\d+[a-zđ]?\s*(?:[.:]|$)")
_DIVISION_START_RE = re.compile(r"Điều\s+\d|(?i:chương|mục|phần|phụ lục)\s")
_PLACE_WRAP_RE = re.compile(rf"[{_UP}][^\s,]*(?:\s[{_UP}][^\s,]*)?\s*,\s*(?i:ngày)\b")
_TITLE_WORDS_RE = re.compile(rf"[{_UP}][^\s\d]*(?:\s[^\s\d]+){{0,4}}")
_BULLET_RE = re.compile(r"[-+•–—]\s")
WRAPPED_MAX = 120  # sources wrap at most this wide (portal HTML ~80, gazette PDF ~78)
SPAN_LIMIT = 12
GLUED_MAX = 300  # glued lines are headings and header cells: short  # source lines an emphasis span may run over


def is_upper(text: str) -> bool:
    """No lower-case letter and at least two letters ('PHÓ CHỦ NHIỆM', not 'Q.')."""
    return text.isupper() and sum(map(str.isalpha, text[:12])) >= 2


def _last_word(text: str) -> str:
    space = text.rfind(" ")
    return text[space + 1:]


def _continues(prev: str, text: str) -> bool:
    """`text` continues the phrase that `prev` left open (both already cleaned)."""
    first = text[0]
    if first.islower() and not _LOWER_ITEM_RE.match(text):
        return True
    return first in ",;.:)]»”" and not text.startswith("...")


def _wrapped(prev: str, text: str, full: bool) -> bool:
    """`prev` was cut inside a phrase that `text` completes (same block, no blank between).

    `full`: the last source line of `prev` is as long as the file's wrapped lines.
    """
    if _continues(prev, text):
        return True
    if (_last_word(prev) in _OPEN_WORDS and not is_upper(prev) and not _BULLET_RE.match(text)
            and not _DIVISION_START_RE.match(prev) and not _ARTICLE_HEAD_RE.match(text)):
        return True  # "… quy định tại" / "Điều 5 của Luật này" (an article's heading may end so)
    if _STRUCTURAL_RE.match(text):
        return False
    if prev.endswith((",", "-", " –", "(")) and not (is_upper(prev) and not is_upper(text)):
        return True
    if _LABEL_AND_WORD_RE.fullmatch(prev) and not is_upper(text):
        return True  # "Điều 2. Sở" / "Công Thương có trách nhiệm …": no title has one syllable
    if (full and text[0].isupper() and not _TERMINAL_RE.search(prev)
            and not _DIVISION_START_RE.match(prev) and not is_upper(prev) and not is_upper(text)):
        return True  # a full line that does not end a sentence goes on
    # "Thành phố Hồ Chí" / "Minh, ngày 20 tháng 11 năm 2025"
    return (len(prev) <= 40 and not is_upper(prev) and not _TERMINAL_RE.search(prev) and "/" not in prev
            and bool(_TITLE_WORDS_RE.fullmatch(prev)) and _last_word(prev)[:1].isupper()
            and bool(_PLACE_WRAP_RE.match(text)))


# --- the pass --------------------------------------------------------------------------


@dataclass
class _Fragment:
    kind: str  # "text", "sep" (a cell separator), "blank", "rule", "break" (<br> inside a cell)
    source: int
    raw: str = ""
    heading: int = 0


def _fragments(text: str, skip) -> list[_Fragment]:
    source = text.split("\n")
    bridged = _bridged(source, skip) if skip else set()
    out: list[_Fragment] = []
    for i, line in enumerate(source):
        if i in bridged:
            continue
        line = _protect_escapes(line).strip() if "\\" in line else line.strip()
        heading = 0
        if line.startswith("#") and (m := _HEADING_RE.match(line)):
            heading, line = len(m.group(0).rstrip()), line[m.end():]
        if not line:
            out.append(_Fragment("blank", i))
            continue
        if "|" in line and (line[0] == "|" or line[-1] == "|"):
            if set(line) <= set("|-: "):  # a delimiter row "|---|:---:|", or bars alone
                out.extend(_Fragment("sep", i) for _ in range(line.count("|")) if "-" not in line)
                continue
            parts = line.split("|")
            for k, part in enumerate(parts):
                if k:
                    out.append(_Fragment("sep", i))
                _text_fragments(out, part.strip(), i, heading)
            continue
        _text_fragments(out, line, i, heading)
    return out


def _bridged(source: list[str], skip) -> set[int]:
    """The skipped lines and the blank lines around them: the text on both sides of a page
    break (a page header, a stamp) is read as if the break were not there."""
    out = set(skip)
    for i in skip:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(source) and (j in skip or not source[j].strip()):
                out.add(j)
                j += step
    return out


def _text_fragments(out: list[_Fragment], line: str, i: int, heading: int) -> None:
    if not line:
        return
    if "<" in line:
        line = _BREAK_TAG_RE.sub("\n", line)
    if len(line) <= GLUED_MAX and _GLUED_HINT_RE.search(line):
        line = _GLUED_RE.sub("\n", line)
    for k, piece in enumerate(line.split("\n")):
        if k:
            out.append(_Fragment("break", i))
        piece = _LINK_RE.sub(r"\1", piece) if "](" in piece else piece
        if _ONLY_MARKUP_RE.fullmatch(piece):
            continue
        if _RULE_HINT_RE.search(piece) and _RULE_RE.fullmatch(_ONLY_MARKUP_RE.sub("", piece)):
            out.append(_Fragment("rule", i))
        else:
            out.append(_Fragment("text", i, piece, heading))


def _wrap_width(fragments: list[_Fragment]) -> tuple[int, int]:
    """The lengths of a full line in this file, when its source wrapped paragraphs.

    A wrapped file's long lines end near one width (the 80th percentile of the lengths of
    lines of 40 characters or more, at most WRAPPED_MAX, with few lines far beyond it); a
    file with one paragraph per line has no such width, and no line is full.
    """
    lengths = sorted(len(f.raw) for f in fragments if f.kind == "text" and len(f.raw) >= 40)
    if len(lengths) < 8:
        return 0, -1
    width = lengths[int(0.8 * (len(lengths) - 1))]
    beyond = sum(1 for n in lengths if n > 1.3 * width)
    if width > WRAPPED_MAX or beyond > 0.08 * len(lengths):
        return 0, -1
    return int(0.85 * width), int(1.15 * width)


def logical_lines(text: str, skip=frozenset()) -> list[Line]:
    """The logical lines of a (normalized) file text, in reading order.

    `skip`: indexes of source lines that are not text (chrome found on the source lines).
    """
    fragments = _fragments(text, skip)
    low, high = _wrap_width(fragments)
    lines: list[Line] = []
    emphasis = _Emphasis()
    block, table, row, col = 0, -1, 0, 0
    in_table = False
    boundary = "start"  # what separates the next text from the line before: "", "blank", "cell"
    last_kind = ""
    last_length = 0  # of the last source line of the last logical line
    for frag in fragments:
        kind = frag.kind
        if kind == "sep":
            if not in_table:
                in_table, table, row, col = True, table + 1, 0, 0
            elif last_kind == "sep":
                row, col = row + 1, 0
            else:
                col += 1
            boundary = "cell"
        elif kind == "blank":
            if last_kind == "sep":
                in_table = False  # a table ends at the blank line after its closing bar
            boundary = boundary or "blank"
        elif kind in ("rule", "break"):
            boundary = "cell" if kind == "rule" else "break"
        else:
            clean = strip_markup(frag.raw)
            if not clean:
                last_kind = kind
                continue
            prev = lines[-1] if lines else None
            join = False
            if prev is not None and boundary == "":
                spanning = emphasis.spanning and prev.last - prev.first < SPAN_LIMIT
                join = (spanning and not (is_upper(prev.text) and is_upper(clean))) or _wrapped(prev.text, clean, low <= last_length <= high)
            elif prev is not None and boundary == "blank":
                join = (not _TERMINAL_RE.search(prev.text) and not is_upper(prev.text)
                        and not _DATE_END_RE.search(prev.text) and _continues(prev.text, clean))
            if join:
                emphasis.feed(" " + frag.raw)
                prev.text = f"{prev.text} {clean}"
                prev.last = frag.source
            else:
                if prev is not None:
                    prev.style = emphasis.style()
                if boundary != "break" and boundary:
                    block += 1
                emphasis = _Emphasis()
                emphasis.feed(frag.raw)
                lines.append(Line(clean, frag.source, frag.source, block,
                                  (table, row, col) if in_table else None,
                                  gap=boundary not in ("", "break"), heading=frag.heading))
            boundary = ""
            last_length = len(frag.raw)
        last_kind = kind
    if lines:
        lines[-1].style = emphasis.style()
    return lines
