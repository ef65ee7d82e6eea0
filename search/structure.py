"""The structure of a document's body: preamble, numbered sections, law divisions, appendices.

Sections
- Notices: `I.` › `1.` › `5.1.` › `a)`. A section's `path` holds one label per level
  (["5", "1"] for `5.1.`, ["3", "a"] for `a)` under `3.`) and its `id` is the path joined
  with dots ("4", "5.1", "3.a", "II.2"). `(1)`, `(i)` and `-` items stay in their parent's
  text. A short first line ending without a full stop ("4. Các nhiệm vụ trọng tâm:") is
  the section's heading.
- Laws (two articles or more): the article (`Điều 5. Phạm vi điều chỉnh`) is the section:
  id "5", heading "Phạm vi điều chỉnh", path ["Chương I", "Mục 1", "5"] with the
  divisions (Phần, Chương, Mục, Tiểu mục) it lies in. Each division is kept with its
  title ("Chương I" — "NHỮNG QUY ĐỊNH CHUNG") and the ids of its articles.
- Appendices (everything after the signature: `PHỤ LỤC I`, a form `Mẫu số 01`, a regulation
  attached to a decision, footnotes `[1] …`): a section each, id and path led by their
  label ("Phụ lục I", "Phụ lục I.1", "Chú thích"), their own items as sub-sections.
Text before the first section is the preamble. A section's text keeps one paragraph per line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .layout import is_upper
from .models import Division, Section
from .normalize import fold
from .numbers import DOC_TYPES

_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"

_ROMAN_RE = re.compile(r"(?P<label>[IVX]{1,5})\s*\.\s*(?=\S)")
_NUMBERED_RE = re.compile(r"(?P<label>\d{1,2})\s*[.)](?!\d)\s*(?=\S)")
_SUBNUMBERED_RE = re.compile(r"(?P<parent>\d{1,2})\.(?P<label>\d{1,2})\.?(?!\d)\s*(?=\S)")
_LETTERED_RE = re.compile(r"(?P<label>[a-zđ])\s*\)\s*(?=\S)")
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_ROMANS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
           "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]

# "Điều 2 Nghị quyết số 196/2025/QH15 …" cites an article; it is none.
_TYPE_WORDS = "(?:" + "|".join(re.escape(t) for t in sorted(DOC_TYPES, key=len, reverse=True)) + r")\b"
ARTICLE_RE = re.compile(
    r"Điều\s+(?P<label>\d{1,4}[a-zđ]?)\s*(?:[.:]\s*(?P<heading>.*)"
    rf"|$|\s(?!{_TYPE_WORDS})(?P<bare>[{_UP}][^.;]{{0,150}}$))"  # also "Điều 5 Chính sách …" without its dot
)
_DIVISION_RE = re.compile(
    r"(?P<kind>(?i:phần|chương|tiểu\s+mục|mục))\s+"
    r"(?P<label>(?i:thứ)\s+[^\W\d_]+|[IVXLC]+(?![a-zđ])|\d{1,3}(?:\.\d{1,2})?(?!\d))\s*[.:\-–]?\s*(?P<rest>.*)"
)
_KINDS = {"phan": "Phần", "chuong": "Chương", "muc": "Mục", "tieu muc": "Tiểu mục"}
_LOWER_KINDS = {"Phần": ("Chương", "Mục", "Tiểu mục"), "Chương": ("Mục", "Tiểu mục"), "Mục": ("Tiểu mục",),
                "Tiểu mục": ()}


def division(text: str) -> tuple[str, str, str] | None:
    """(kind, label, title on the same line) of a Phần/Chương/Mục line: ('Chương', 'Chương I', '')."""
    m = _DIVISION_RE.match(text)
    if not m:
        return None
    kind = _KINDS[" ".join(fold(m.group("kind")).lower().split())]
    label = m.group("label")
    if kind in ("Mục", "Tiểu mục") and not label[0].isdigit() and not label.isupper():
        return None  # "Mục tiêu…" is prose; a law's sections are "Mục 1"
    if kind == "Phần" and label[0].islower() and not fold(label).lower().startswith("thu"):
        return None
    if m.group("kind").isupper() and not (label.isupper() or label[0].isdigit()):
        return None
    if label.lower().startswith("thứ"):
        label = label.lower()
    rest = m.group("rest").strip()
    if rest and not (is_upper(rest) or rest[0].isupper()):
        return None  # "Chương II của Luật này quy định…" is a sentence
    return kind, f"{kind} {label}", rest


def join(lines: list[str]) -> str:
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
    label: str = ""


@dataclass
class Body:
    preamble: str = ""
    sections: list[Section] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)


def body_sections(lines: list[str], prefix: list[str] | None = None) -> Body:
    """Preamble, sections and divisions of body lines (logical lines' texts, in order)."""
    prefix = prefix or []
    law = sum(1 for line in lines if ARTICLE_RE.match(line)) >= 2
    divisions: list[Division] = []
    if law:
        preamble, opened = _law_sections(lines, divisions, prefix)
    else:
        preamble, opened = _notice_sections(lines)
    sections = []
    for o in opened:
        path = prefix + o.path
        sid = o.id or ".".join(o.path)
        sections.append(Section(id=".".join(prefix + [sid]) if prefix else sid, path=path,
                                heading=o.heading, text=join(o.lines), label=o.label))
    return Body(join(preamble), sections, divisions)


def _law_sections(body: list[str], divisions: list[Division], prefix: list[str]) -> tuple[list[str], list[_Open]]:
    preamble: list[str] = []
    opened: list[_Open] = []
    current: dict[str, Division] = {}
    titling: Division | None = None  # the division whose title lines are being read
    for line in body:
        article = ARTICLE_RE.match(line)
        found = None if article else division(line)
        if article:
            path = [current[k].label for k in ("Phần", "Chương", "Mục", "Tiểu mục") if k in current]
            label = article.group("label")
            heading = article.group("heading") or article.group("bare") or ""
            opened.append(_Open(path + [label], heading.strip(), [], id=label,
                                label=f"Điều {label}"))
            sid = ".".join(prefix + [label])
            for d in current.values():
                d.sections.append(sid)
            titling = None
        elif found:
            kind, label, title = found
            for lower in _LOWER_KINDS[kind]:
                current.pop(lower, None)
            current.pop(kind, None)
            path = prefix + [current[k].label for k in ("Phần", "Chương", "Mục", "Tiểu mục") if k in current]
            d = Division(kind, label, title, path)
            divisions.append(d)
            current[kind] = d
            titling = d
        elif titling is not None and (is_upper(line) or not titling.title) and len(line) <= 250 \
                and not line.endswith((".", ";")):
            titling.title = f"{titling.title} {line}".strip()  # the title lines of a Chương/Mục
        else:
            titling = None
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
        nxt = body[k + 1] if k + 1 < len(body) else ""
        m = _ROMAN_RE.match(line)
        if m and _next_roman(roman) == m.group("label"):
            roman, top, sub, letter = m.group("label"), 0, 0, ""
            opened.append(_open([roman], line[m.end():], nxt, m.group(0).strip()))
            continue
        m = _SUBNUMBERED_RE.match(line)
        if m and top and int(m.group("parent")) == top and int(m.group("label")) == sub + 1:
            sub, letter = sub + 1, ""
            opened.append(_open(top_path + [str(sub)], line[m.end():], nxt, m.group(0).strip()))
            continue
        m = _NUMBERED_RE.match(line)
        if m and int(m.group("label")) in (top + 1, top + 2) and (top or m.group("label") == "1"):
            top, sub, letter = int(m.group("label")), 0, ""
            top_path = ([roman] if roman else []) + [str(top)]
            opened.append(_open(top_path, line[m.end():], nxt, m.group(0).strip()))
            continue
        m = _LETTERED_RE.match(line)
        if m and top and _next_letter(letter) == m.group("label"):
            letter = m.group("label")
            parent = top_path + ([str(sub)] if sub else [])
            opened.append(_open(parent + [letter], line[m.end():], nxt, m.group(0).strip()))
            continue
        (opened[-1].lines if opened else preamble).append(line)
    return preamble, opened


def _open(path: list[str], first_line: str, next_line: str, label: str) -> _Open:
    """A new section; its first line is the heading when it reads as one."""
    first_line = first_line.strip()
    is_heading = (
        len(first_line) <= 160
        and not first_line.endswith((".", ";", ","))
        and not (next_line[:1].islower() and not _LETTERED_RE.match(next_line))
    )
    if is_heading:
        return _Open(path, first_line.rstrip(":").strip(), [], label=label)
    return _Open(path, "", [first_line], label=label)


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


# --- appendices ------------------------------------------------------------------------------

_APPENDIX_RE = re.compile(
    rf"(?P<kind>PHỤ\s+LỤC|Phụ\s+lục|PHỤ\s+BIỂU|Phụ\s+biểu|MẪU|Mẫu|BIỂU\s+MẪU|Biểu\s+mẫu)"
    rf"(?:\s+(?:(?i:số)\s*)?(?P<label>[IVXLC]+(?![a-zđ])|\d{{1,3}}[a-zđA-Z]?(?:[./-]\d{{1,3}})*|[{_UP}](?![^\W\d_])))?"
    r"(?=$|[\s.:,(–-])"
)
_FORM_HEADER_RE = re.compile(r"CONG HOA XA HOI|DOC LAP|^TEN (?:CO QUAN|DON VI|CO SO|TO CHUC)")
TITLE_LINES = 3
_FORM_RE = re.compile(r"(?:Mẫu|Biểu mẫu)\b")
_FOOTNOTE_RE = re.compile(r"\[\d{1,3}\]|\(\*+\)")
_ATTACHED_RE = re.compile(r"\(?\s*(?:Ban hành |Được ban hành )?(?i:kèm theo)\b")


def appendix_heading(text: str) -> str | None:
    """The label of an appendix heading line: 'Phụ lục I', 'Mẫu số 01'; None otherwise."""
    m = _APPENDIX_RE.match(text)
    if not m:
        return None
    rest = text[m.end():].strip()
    if not m.group("label") and (rest[:1].islower() or "MAU" in fold(m.group("kind")).upper()):
        return None  # "Phụ lục này quy định …" is a sentence; a form is "Mẫu số 01" ("MẪU THẺ …" is a title)
    kind = " ".join(m.group("kind").split()).capitalize()
    kind = {"Mẫu": "Mẫu số"}.get(kind, kind) if m.group("label") and kind == "Mẫu" else kind
    return f"{kind} {m.group('label')}" if m.group("label") else kind


def appendices(lines: list[str], heading_of) -> Body:
    """Sections for what follows the signature: one per appendix, form or note block.

    `heading_of(text)` names other appendix headings (a regulation attached to the decision:
    "QUY ĐỊNH" with "(Ban hành kèm theo …)" under it): returns a label or None.
    """
    units: list[tuple[str, list[str]]] = []
    for k, text in enumerate(lines):
        label = appendix_heading(text)
        if label is None and (named := heading_of(text)) and any(
                _ATTACHED_RE.match(t) for t in lines[k + 1:k + 6]):
            label = named
        if label is None and _FOOTNOTE_RE.match(text) and (not units or units[-1][0] != "Chú thích"):
            label = "Chú thích"
        if label is not None:
            units.append((label, [text]))
        elif units:
            units[-1][1].append(text)
        else:
            units.append(("", [text]))
    out = Body()
    seen: dict[str, int] = {}
    parent: Division | None = None  # the appendix that the forms after it belong to
    for label, texts in units:
        if not label:  # text after the signature under no heading of its own
            label = "Chú thích" if _FOOTNOTE_RE.match(texts[0]) else "Phụ lục" if is_upper(texts[0]) else "Ghi chú"
        form = _FORM_RE.match(label) is not None
        if not form:
            parent = None
        path = [parent.label] if form and parent else []
        full = ".".join(path + [label])
        seen[full] = seen.get(full, 0) + 1
        unit_id = full if seen[full] == 1 else f"{full} ({seen[full]})"
        title, rest = _appendix_title(texts, label)
        inner = body_sections(rest, prefix=[unit_id])
        head = Section(id=unit_id, path=path + [unit_id.rsplit(".", 1)[-1] if path else unit_id],
                       heading=title, text=inner.preamble, label=label)
        ids = [head.id] + [s.id for s in inner.sections]
        out.sections.append(head)
        out.sections.extend(inner.sections)
        division = Division("Phụ lục", unit_id, title, path, ids)
        out.divisions.append(division)
        out.divisions.extend(inner.divisions)
        if path:
            parent.sections.extend(ids)
        elif label not in ("Chú thích", "Ghi chú"):
            parent = division
    return out


def _appendix_title(texts: list[str], label: str) -> tuple[str, list[str]]:
    """The appendix's title (the heading line's rest and the upper-case lines under it), and
    the lines after it."""
    first = texts[0]
    m = _APPENDIX_RE.match(first)
    if label in ("Chú thích", "Ghi chú"):
        return "", texts
    title = [first[m.end():].strip(" .:-–")] if m else [first]
    k = 1
    # the title: upper-case lines under the heading (or one line in sentence case), up to the
    # "(Kèm theo …)" line; a form's own header (its motto, "Số: …") is no part of it
    while k < len(texts) and k <= TITLE_LINES and len(texts[k]) <= 250 and not _ATTACHED_RE.match(texts[k]) \
            and (is_upper(texts[k]) or (k == 1 and not title[0] and not texts[k].endswith((".", ";", ":")))) \
            and not _FORM_HEADER_RE.search(fold(texts[k])):
        title.append(texts[k])
        k += 1
    return " ".join(t for t in title if t), texts[k:]
