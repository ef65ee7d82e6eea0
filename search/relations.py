"""Relations between documents, read from a document's text.

`find_relations(text, title=None, number=None)` returns what the document does to
other documents (it is based on, amends, replaces, repeals, guides, implements,
corrects, consolidates or suspends them, or just cites them) and what the text
says other documents do to each other ("Nghị định số 128/2024/NĐ-CP ... sửa đổi,
bổ sung ... Nghị định số 81/2018/NĐ-CP" in a Căn cứ line is between those two).

How a clause is read:
- the text is cut into clauses (';', sentence ends, ':' before a list, new list items);
- in each clause, documents are found (numbers, via search.numbers, and laws named
  with their name), and relation phrases from the PHRASES table;
- a phrase acts for this document when it opens the clause ("Bãi bỏ ...", a
  "Căn cứ" line before the first article, a title), or follows "<type> này" or
  "ban hành <type>"; it acts for a cited document when it follows that document's
  number, date and issuer ("Nghị định số X ngày ... của Chính phủ sửa đổi ...");
  "X được sửa đổi bởi Y" is Y acting on X; otherwise (an authority or a proposal
  speaks: "Chính phủ quy định chi tiết", "Tờ trình ... về việc bãi bỏ") no relation;
- its objects are the documents that follow it, then the ones joined to them by
  'và' or ','; a heading or ':' opens a list that goes on in the next items, and
  items of an amending list ("a) Bãi bỏ Điều 68.") take the document named above.
Every other document named in the text is cited (a law named without its number
only when its year is written).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass, field

from .normalize import name_key, nfc, unify_tones
from .numbers import DOC_TYPES, find_numbers, number_key

KINDS = ("based_on", "amends", "replaces", "repeals", "guides", "implements",
         "corrects", "consolidates", "suspends", "cites")

# Relation phrases -> kind. Longer phrases win over the shorter ones they contain.
PHRASES = {
    "căn cứ": "based_on",
    "căn cứ vào": "based_on",
    "sửa đổi, bổ sung": "amends",
    "sửa đổi bổ sung": "amends",
    "sửa đổi": "amends",
    "bổ sung": "amends",
    "thay thế cụm từ": "amends",
    "thay thế một số cụm từ": "amends",
    "thay thế từ": "amends",
    "thay cụm từ": "amends",
    "thay thế": "replaces",
    "bãi bỏ": "repeals",
    "hết hiệu lực": "repeals",
    "hướng dẫn": "guides",
    "hướng dẫn thi hành": "guides",
    "hướng dẫn thực hiện": "guides",
    "quy định chi tiết": "guides",
    "biện pháp thi hành": "guides",
    "thực hiện": "implements",
    "triển khai": "implements",
    "triển khai thực hiện": "implements",
    "triển khai thi hành": "implements",
    "đính chính": "corrects",
    "hợp nhất": "consolidates",
    "đình chỉ thi hành": "suspends",
    "đình chỉ việc thi hành": "suspends",
    "tạm đình chỉ thi hành": "suspends",
    "tạm đình chỉ việc thi hành": "suspends",
    "ngưng hiệu lực": "suspends",
    "tạm ngưng hiệu lực": "suspends",
    "tạm ngưng thi hành": "suspends",
}

# Kinds whose phrase reads as passive when 'bởi', 'tại' or 'theo' follows it
# ("(sửa đổi, bổ sung tại Nghị định số Y)"); "thực hiện theo ..." is not.
PASSIVE_BY_PREPOSITION = {"amends", "replaces", "repeals"}

# Kinds whose phrase followed by 'theo' or 'tại' names a document followed, not acted on
# ("thực hiện theo quy định tại Thông tư ...", "theo hướng dẫn tại Công văn ...").
FOLLOWED_NOT_ACTED = {"guides", "implements"}

# Kinds whose list items may name only articles of a document named above them.
AMENDING_KINDS = {"amends", "repeals"}

# How far a phrase reaches for its first object. STRICT kinds take the document
# right after them ("Căn cứ Luật ...", "Thực hiện Công văn số ..."), past only
# article references and a few fillers; the others also reach past a described
# part ("Bãi bỏ cụm từ “…” tại khoản 2 Điều 3 Nghị quyết số ...").
STRICT_KINDS = {"based_on", "implements"}
LOOSE_REACH_WORDS = 45

# Document types whose text proposes or reports rather than acts ("Tờ trình số X
# về việc bãi bỏ ..." does not repeal anything).
PROPOSAL_TYPES = {"Tờ trình", "Báo cáo", "Đề án", "Biên bản"}
PROPOSAL_SYMBOLS = {"TTR", "BC", "ĐA", "BB"}

_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_W = r"[^\W\d_]+"  # one Vietnamese word


@dataclass
class Target:
    """The document a relation points to: a number, or a law's name and year."""

    number: str | None = None
    name: str | None = None
    year: int | None = None
    type: str | None = None

    @property
    def key(self) -> str:
        """Comparison key: every spelling of a number, or of a name and year, gives one key."""
        if self.number:
            return number_key(self.number) or self.number.upper()
        return name_key(self.name or "", self.year)


@dataclass
class Relation:
    kind: str
    target: Target
    subject: str | None = None  # None: this document; else the number of the acting document
    articles: list[str] = field(default_factory=list)
    start: int = 0  # where the relation is first written in the text given
    end: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


# --- text preparation --------------------------------------------------------------


def _working_copy(text: str) -> str:
    """Same length as `text`: markup as spaces, one tone placement, look-alike letters
    replaced, numbers with a space-broken symbol rejoined ('38/2015/TT- BTC' -> '38/2015/TT-BTC ')."""
    w = _WORKING_RE.sub(lambda m: _WORKING_TABLE[m.group(0)], unify_tones(nfc(text)))
    return _BROKEN_SYMBOL_RE.sub(lambda m: m.group(1) + "-" + m.group(3) + " " * (len(m.group(2)) - 1), w)


# Markup becomes spaces; look-alike letters typed into numbers become the Latin ones
# ('NĐ-CР' with a Cyrillic Р, 'Ð' U+00D0).
_WORKING_TABLE = {"*": " ", "|": " ", "#": " ", "\\": " ", "\u00a0": " ", "Ð": "Đ",
                  **dict(zip("АВСЕНКМОРТХ", "ABCEHKMOPTX"))}
_WORKING_RE = re.compile("[" + re.escape("".join(_WORKING_TABLE)) + "]")
_BROKEN_SYMBOL_RE = re.compile(
    rf"(\d{{1,5}}[ \t]*/[ \t]*(?:\d{{4}}[ \t]*/[ \t]*)?[{_UPPER}][^\W_]*)([ \t]+-[ \t]*|-[ \t]+)([{_UPPER}][^\W_]*)"
)


# --- clauses ---------------------------------------------------------------------

_LIST_MARK = r"(?:\d+(?:\.\d+)*\s*[.)]|[a-zđ]\s*\)|\(\d+\)|\([a-zđ]\)|[ivxIVX]+\s*[.)]|[-–+•])"
_CAPS_TYPES = "|".join(re.escape(t.upper()).replace(r"\ ", r"\s+") for t in sorted(DOC_TYPES, key=len, reverse=True))
# What may come before a phrase that opens a clause: list marks, an article label, a
# document type in capitals ("QUYẾT ĐỊNH:", "KẾ HOẠCH"), "Nay", "Để".
_CLAUSE_OPENING_RE = re.compile(
    rf"(?:\s|{_LIST_MARK}|(?:Điều|ĐIỀU)\s+\d+[a-zđ]?\s*[.:]|(?:{_CAPS_TYPES}|QUYẾT NGHỊ)\s*:?|Nay|Để)*+",
)
_TITLE_OPENING_RE = re.compile(rf"(?i)\s*(?:(?:{_CAPS_TYPES})\s+)?(?:v/v:?\s*|về\s+việc\s+|về\s+)?")
_NEW_LINE_CLAUSE_RE = re.compile(
    rf"\n(?=\s*(?:{_LIST_MARK}\s|(?:Điều|ĐIỀU|Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN)\s+[\dIVXL]|"
    rf"Căn cứ|CĂN CỨ|Theo đề nghị|Xét|Thực hiện|Để |QUYẾT ĐỊNH|QUYẾT NGHỊ|Nơi nhận))"
)
_SENTENCE_END_RE = re.compile(
    rf";|:(?=\s*\n|\s*(?:số\s*)?\d|\s*[-–+•])|\.(?:/\.)?(?=\s+[{_UPPER}\d“\"(-]|\s*$)|\n\s*\n"
)


# A line that ends inside a reference goes on ("... theo khoản 2\nĐiều 5 Luật ...").
_LINE_GOES_ON_RE = re.compile(r"(?i)(?:(?:khoản|điểm|điều|số|ngày|tháng|năm)|(?:khoản|điểm)\s+\w+,?)\s*$")


def _clauses(w: str) -> list[tuple[int, int, str]]:
    """(start, end, how it ends: ';', ':', '.', or '') over the working copy."""
    cuts = []
    for m in _SENTENCE_END_RE.finditer(w):
        if m.group(0) == "." and _is_abbreviation(w, m.start()):
            continue
        cuts.append((m.end(), m.group(0)[0] if m.group(0).strip() else ""))
    for m in _NEW_LINE_CLAUSE_RE.finditer(w):
        if not _LINE_GOES_ON_RE.search(w, max(0, m.start() - 16), m.start()):
            cuts.append((m.start(), ""))
    cuts.sort()
    clauses, start = [], 0
    for end, how in cuts:
        if end > start:
            clauses.append((start, end, how))
            start = end
    if start < len(w):
        clauses.append((start, len(w), ""))
    return clauses


_ABBREVIATION_RE = re.compile(r"(?i)(?<!\S)(?:tp|tt|v\.v|[a-zđ]|\d+)$")


def _is_abbreviation(w: str, dot: int) -> bool:
    """A dot that ends 'TP.', 'v.v.', a single letter or a number, not a sentence."""
    return bool(_ABBREVIATION_RE.search(w, max(0, dot - 8), dot))


# --- mentions ----------------------------------------------------------------------


@dataclass
class _Mention:
    start: int
    end: int
    target: Target
    self_ref: bool = False  # "<type> này": the document itself
    inner: list[Target] = field(default_factory=list)  # laws named inside an amending law's name
    inner_kind: str | None = None


_TYPE_ALTS = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(DOC_TYPES, key=len, reverse=True))
_THIS_RE = re.compile(r"(?i)\bnày\b")
_SELF_BEFORE_RE = re.compile(rf"(?i)(?<![^\W\d_])(?:{_TYPE_ALTS}|văn bản|quy định|quy chế|kế hoạch)\s+$")
_NAMED_START_RE = re.compile(r"(?<![^\W\d_])(?:Hiến pháp|HIẾN PHÁP|Bộ luật|BỘ LUẬT|Luật|LUẬT|Pháp lệnh|PHÁP LỆNH)\s+(?=[^\W\d_])")
# Words that end a law's name (lower-cased, tone-unified); pairs are checked first.
_NAME_STOP_PAIRS = {"quy định", "hướng dẫn", "thực hiện", "triển khai", "ban hành", "sửa đổi", "bổ sung",
                    "có hiệu", "hết hiệu", "thi hành", "đã được", "được sửa", "liên quan"}
_NAME_STOP = {
    "này", "ngày", "năm", "số", "của", "được", "đã", "về", "để", "theo", "tại", "thì", "trên", "hoặc",
    "có", "là", "do", "với", "cho", "khi", "đến", "từ", "trong", "như", "mà", "nhưng", "hiện",
    "thuộc", "gồm", "bằng", "sau", "trước", "đó", "sẽ", "vẫn", "nêu", "những", "nhằm",
}
_NAME_GOES_ON = {"theo phương", "theo hợp"}  # 'Luật Đầu tư theo phương thức đối tác công tư'
_FIRST_WORD_STOP = {"này", "số", "đó", "trên", "và", "của", "hiện", "mới", "về", "được", "đã", "nêu", "quy",
                    "hoặc", "thì", "có", "là", "tại", "theo", "khác", "liên", "chuyên", "năm", "ngày", "các"}
_YEAR_AFTER_RE = re.compile(r"\s*,?\s*(?:năm\s+(\d{4})|(?=ngày)|(\d{4})(?![\d/]))", re.I)
_NAME_TOKEN_RE = re.compile(rf"[ \t]*(\n)?[ \t]*(,|\(|{_W})")
_NUMBER_AFTER_SO_RE = re.compile(r"(?i)số\s*:?\s*\d")


def _named_laws(w: str) -> list[_Mention]:
    found = []
    for m in _NAMED_START_RE.finditer(w):
        type_word = re.sub(r"\s+", " ", m.group(0)).strip()
        end = _name_end(w, m.end())
        if end <= m.end():
            continue
        name = " ".join(w[m.start():end].split())
        mention = _Mention(m.start(), end, Target(name=name, type=_canonical(type_word)))
        mention.target.year = _year_after(w, end)
        inner = _inner_names(w, m.end())
        if inner:
            mention.inner = [Target(name=n, type=_canonical(n.split()[0])) for n in inner]
            mention.inner_kind = "amends"
        found.append(mention)
    return found


_AMENDING_PREFIX_RE = re.compile(
    r"(?i)(?:sửa\s+đổi,?\s*bổ\s+sung|sửa\s+đổi|bổ\s+sung)(?:\s+một\s+số\s+điều)?(?:,?\s+bãi\s+bỏ)?"
    r"(?:\s+(?:của|tại))?(?:\s+các)?\s+"
)
_LAW_TYPE_AT_RE = re.compile(r"(?:Hiến pháp|HIẾN PHÁP|Bộ luật|BỘ LUẬT|Luật|LUẬT|Pháp lệnh|PHÁP LỆNH)\s+")
_NEXT_LAW_RE = re.compile(r"\s*(?:,|\bvà\b|\bVÀ\b)\s*(?=(?:Bộ luật|BỘ LUẬT|Luật|LUẬT|Pháp lệnh|PHÁP LỆNH)\s)")


def _name_end(w: str, pos: int) -> int:
    """Where a law's name that starts at `pos` (after its type word) ends.

    'Quản lý, sử dụng tài sản công ngày ...' ends before 'ngày'; an amending law's
    name runs through the laws it amends: 'sửa đổi, bổ sung một số điều của Luật A
    và Luật B ngày ...'."""
    prefix = _AMENDING_PREFIX_RE.match(w, pos)
    if prefix:
        end = at = prefix.end()
        while True:
            law = _LAW_TYPE_AT_RE.match(w, at)
            if not law:
                break
            inner_end = _plain_name_end(w, law.end())
            if inner_end <= law.end():
                break
            end = inner_end
            more = _NEXT_LAW_RE.match(w, end)
            if not more:
                break
            at = more.end()
        return end if end > prefix.end() else _plain_name_end(w, pos)
    return _plain_name_end(w, pos)


def _plain_name_end(w: str, pos: int) -> int:
    end, words, at, caps = pos, 0, pos, False
    while True:
        tok = _NAME_TOKEN_RE.match(w, at)
        if not tok:
            break
        token, start = tok.group(2), tok.start(2)
        if tok.group(1) and _NEW_LINE_CLAUSE_RE.match(w, tok.start(1)):
            break
        low = token.lower()
        nxt = _NAME_TOKEN_RE.match(w, tok.end())
        following = nxt.group(2) if nxt else ""
        starts_new = bool(following) and following[0].isupper() and not caps or \
            bool(re.match(r"(?i)(?:luật|bộ|pháp|hiến|nghị|thông|quyết)$", following))
        if token == "(":
            close = w.find(")", start, start + 40)
            if close < 0 or not re.fullmatch(r"\([A-Z/ ]+\)", w[start:close + 1]):
                break
            end = at = close + 1
            continue
        if token == ",":
            # a comma inside a name is followed by a lower-case word: 'Phòng, chống thiên tai'
            if not following or following.lower() in _NAME_STOP | {"và"} or starts_new:
                break
            at = tok.end()
            continue
        if words == 0:
            old_style = low == "về" and _year_after(w, _plain_name_end(w, tok.end()))  # 'Pháp lệnh về ... năm 1993'
            if (low in _FIRST_WORD_STOP or low in _NAME_STOP) and (token.islower() or token.isupper()) and not old_style:
                break
            caps = token.isupper() and len(token) > 1
        elif low == "số":
            if _NUMBER_AFTER_SO_RE.match(w, start):
                break
        elif low == "và":
            if not following or starts_new or following.lower() in _NAME_STOP:
                break
        elif f"{low} {following.lower()}" in _NAME_GOES_ON:
            pass
        elif (token[0].islower() or caps) and (f"{low} {following.lower()}" in _NAME_STOP_PAIRS or low in _NAME_STOP):
            break
        words += 1
        end = at = start + len(token)
    return end


def _inner_names(w: str, pos: int) -> list[str]:
    """The laws an amending law's name amends: '(Luật) sửa đổi, ... của Luật A và Luật B' -> [Luật A, Luật B]."""
    prefix = _AMENDING_PREFIX_RE.match(w, pos)
    names, at = [], prefix.end() if prefix else pos
    while prefix:
        law = _LAW_TYPE_AT_RE.match(w, at)
        if not law:
            break
        end = _plain_name_end(w, law.end())
        if end <= law.end():
            break
        names.append(" ".join(w[at:end].split()))
        more = _NEXT_LAW_RE.match(w, end)
        if not more:
            break
        at = more.end()
    return names


def _year_after(w: str, end: int) -> int | None:
    m = _YEAR_AFTER_RE.match(w, end)
    if not m:
        return None
    if m.group(1) or m.group(2):
        return int(m.group(1) or m.group(2))
    d = _DATE_ANY_RE.match(w, m.end())
    return int(d.group("y")) if d else None


_DATE_ANY_RE = re.compile(
    r"ngày\s*(?P<d>\d{1,2})\s*(?:tháng\s*(?P<m>\d{1,2})\s*(?:năm|ngày)\s*|[/.-]\s*(?P<m2>\d{1,2})\s*[/.-]\s*)(?P<y>\d{4})",
    re.I,
)


def _canonical(type_word: str) -> str:
    low = type_word.lower()
    return next((t for t in DOC_TYPES if t.lower() == low), type_word)


_FORM_RE = re.compile(r"(?i)(?:mẫu|biểu|mã)(?:\s+số)?\s*:?\s*$")
_TYPE_BEFORE_NUMBER_RE = re.compile(rf"(?i)(?<![^\W\d_])({_TYPE_ALTS})\s+(?=số\b)")
_HEADER_NUMBER_RE = re.compile(r"(?i)(?:^|\n)[ \t]*(?:(?:Bộ\s+)?Luật\s+)?Số\s*:\s*$")


def _own_key(w: str, numbers) -> str | None:
    """The number printed as the document's own ('Số: 84/2025/QĐ-UBND', 'Luật số: 68/2020/QH14')."""
    for nm in numbers[:3]:
        line_start = w.rfind("\n", 0, nm.start) + 1
        digits = re.search(r"\d", w[nm.start:nm.end]).start()
        if _HEADER_NUMBER_RE.search(w[max(0, line_start - 12):nm.start + digits]) and line_start < 2000:
            return number_key(nm.number)
    return None


def _mentions(w: str, own_key: str | None) -> list[_Mention]:
    found_numbers = find_numbers(w)
    own_key = own_key or _own_key(w, found_numbers)
    numbered = []
    for nm in found_numbers:
        number, end = _extend_number(w, nm.number, nm.end)
        key = number_key(number) or number.upper()
        if own_key and key == own_key:
            continue  # the document's own number
        if _FORM_RE.search(w, max(0, nm.start - 12), nm.start) and not nm.type:
            continue  # a form or code, not a document
        start, doc_type = nm.start, nm.type
        nearest = list(_TYPE_BEFORE_NUMBER_RE.finditer(w, nm.start, nm.end))
        if nearest and nearest[-1].start() > nm.start:
            start, doc_type = nearest[-1].start(), _canonical(" ".join(nearest[-1].group(1).split()))
        numbered.append(_Mention(start, end, Target(number=number, type=doc_type)))
    mentions = []
    starts = [n.start for n in numbered]
    for law in _named_laws(w):
        # the number written with the name ("Luật Giá số 16/2023/QH15"), if any
        i = bisect.bisect_right(starts, law.end + 2)
        near = [n for n in numbered[max(0, i - 3):i] if n.start <= law.start < n.end or law.start <= n.start
                and re.fullmatch(r"[\s,]*", w[law.end:max(law.end, n.start)])]
        joined = near[0] if near else None
        if joined:
            joined.start = min(joined.start, law.start)
            joined.target.type = joined.target.type or law.target.type
            if law.inner:
                joined.inner, joined.inner_kind = law.inner, law.inner_kind
            continue
        mentions.append(law)
    mentions += numbered
    for this in _THIS_RE.finditer(w):  # "<type> này": found from its 'này', which is rare
        before = _SELF_BEFORE_RE.search(w, max(0, this.start() - 30), this.start())
        if before:
            mentions.append(_Mention(before.start(), this.end(), Target(), self_ref=True))
    mentions.sort(key=lambda m: (m.start, -m.end))
    kept, last_end = [], -1
    for m in mentions:
        if m.start >= last_end:
            kept.append(m)
            last_end = m.end
    return kept


def _extend_number(w: str, number: str, end: int) -> tuple[str, int]:
    """'1025/PLYK' followed by '/2025' -> '1025/PLYK/2025'; '1890/STP-VB' + '&TDTHPL' likewise."""
    m = _NUMBER_TAIL_RE.match(w, end)
    return (number + m.group(0), m.end()) if m else (number, end)


_NUMBER_TAIL_RE = re.compile(r"(?:/\d{4}|&[^\W_]+)(?![\w/])")


# --- phrases -----------------------------------------------------------------------

_PHRASE_RE = re.compile(  # over lower-cased text
    r"\b(?P<passive>(?:đã\s+)?(?:được|bị|dược)\s+)?(?P<phrase>"
    + "|".join(re.escape(p).replace(r"\ ", r"\s+").replace(",", r",?") for p in sorted(PHRASES, key=len, reverse=True))
    + r")\b"
)
# First words of the phrases (and of 'được', 'bị', 'đã' before them): where to try _PHRASE_RE.
_PHRASE_START_RE = re.compile(
    r"\b(?:" + "|".join(sorted({p.split()[0].rstrip(",") for p in PHRASES} | {"được", "bị", "dược", "đã"})) + r")\b"
)
_PHRASE_KIND = {" ".join(p.replace(",", "").split()): k for p, k in PHRASES.items()}


@dataclass
class _Phrase:
    start: int
    end: int
    kind: str
    passive: str  # "": active; "được": passive by its verb; "bởi": passive by the doer after it
    text: str


_DOER_AFTER_RE = re.compile(r"\s*(?:một số điều\s+)?(?:bởi|tại|theo)\s")


def _phrases(w: str, skip: list[tuple[int, int]]) -> list[_Phrase]:
    """Every relation phrase outside the spans in `skip` (sorted: the documents' own names)."""
    out = []
    starts = [a for a, _ in skip]
    low = w.lower()
    if len(low) != len(w):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in w)
    last_end = -1
    for candidate in _PHRASE_START_RE.finditer(low):
        if candidate.start() < last_end:
            continue
        m = _PHRASE_RE.match(low, candidate.start())
        if not m:
            continue
        last_end = m.end()
        i = bisect.bisect_right(starts, m.start("phrase")) - 1
        if i >= 0 and m.start("phrase") < skip[i][1]:
            continue
        words = " ".join(m.group("phrase").lower().replace(",", " ").split())
        kind = _PHRASE_KIND[words]
        if m.group("passive"):
            passive = "được"  # "(đã) được sửa đổi, bổ sung bởi ..."
        elif kind in PASSIVE_BY_PREPOSITION and _DOER_AFTER_RE.match(w, m.end()):
            passive = "bởi"  # "(sửa đổi, bổ sung tại Nghị định số Y)", unless it opens a clause
        else:
            passive = ""
        out.append(_Phrase(m.start(), m.end(), kind, passive, words))
    return out


# --- reading a clause ----------------------------------------------------------------

_ARTICLE_TOKEN_RE = re.compile(r"(?i)(?<![^\W\d_])(?:điểm|khoản|điều|các điều)(?![^\W\d_])|\d+[a-zđ]?(?![^\W\d_])|(?<![^\W\d_])[a-zđ](?![^\W\d_])|,|;|\bvà\b|\bcủa\b|\btại\b|\bquy định\b")
# What may stand between a STRICT phrase and its object ("Căn cứ vào các quy định tại khoản 2 Điều 3 ...").
_FILLER_PHRASES = ("một số điều", "một số nội dung", "toàn bộ", "một phần", "các điều", "như sau", "sau đây",
                   "thi hành", "thực hiện", "quy định", "nội dung")
_FILLER_WORDS = {"vào", "các", "của", "tại", "điểm", "khoản", "điều", "và", "sau"}
_DIRECTION_RE = re.compile(r"(?i)^\s*(?:ý kiến\s+)?(?:chỉ đạo|kết luận|yêu cầu)\b")
_COORD_RE = re.compile(r"(?i)(?:,|;|\bvà\b|\bhoặc\b|\bcùng\b)\s*(?:(?:các|số)\s+)?$")
_DOER_INTRO_RE = re.compile(r"(?i)^\s*(?:một số (?:điều|nội dung)\s+)?(?:bởi|tại|theo|bằng)\s")
_ISSUED_RE = re.compile(rf"(?i)(?<!chưa )(?<!không )(?<!sẽ )ban hành\s+(?:{_TYPE_ALTS})\s*$")


def _gap_is_description(gap: str) -> bool:
    """Text between a document and a phrase that only describes the document:
    its date, issuer, a parenthesis, 'về (việc)', 'ban hành <few words>'."""
    if _PHRASE_RE.search(gap.lower()):
        return False
    g = re.sub(r"\([^()]*\)", " ", gap)
    g = _DATE_ANY_RE.sub(" ", g)
    g = re.sub(r"(?i)\bnăm\s+\d{4}\b", " ", g)
    g = " ".join(g.replace(",", " , ").split())
    if not g:
        return True
    if re.search(r"(?i)\b(?:theo|thì|là|nhưng|nếu|khi|để|nhằm|tham mưu|đề nghị|đề xuất|kiến nghị|trình|chưa|sẽ|nhận được)\b", g):
        return False
    g = re.sub(r"(?i)\s*(?:về việc|về|v/v|quy định về|ban hành(?: kèm theo)?(?: \S+){0,3})$", "", g)
    if not g:
        return True
    m = re.fullmatch(r"(?i)(?:,\s*)?(?:của|do)\s+(.*)", g)
    return bool(m) and len(m.group(1).split()) <= 14 and not re.search(r"(?i)\bvề\b", m.group(1))


_PART_START_RE = re.compile(
    r"(?i)^(?:toàn bộ\s+|một phần\s+|một số\s+|các\s+|phần\s+|\d+\s+)?"
    r"(?:điều|khoản|điểm|tiết|cụm từ|từ|nội dung|quy định|danh mục|phụ lục|mục|biểu|bảng|ghi chú|tên|chương|định mức|thủ tục)"
)
_PART_END_RE = re.compile(r"(?i)(?:của|tại|kèm theo)$")


def _bridge_ok(kind: str, bridge: str) -> bool:
    """May the phrase take the document after `bridge` as its object?"""
    b = " ".join(re.sub(r"“[^”]{0,200}”|\"[^\"]{0,200}\"", " ", bridge).split())
    b = b[:_articles_start(b, len(b))].strip()
    if _is_filler(b):
        return True
    if kind in STRICT_KINDS:
        return kind == "implements" and bool(_DIRECTION_RE.match(b))
    if re.search(r"(?i)(?<!kèm )\btheo\b|\bthì\b|\bnếu\b|\bđể\b|\bnhằm\b", b):
        return False
    words = b.split()
    if len(words) <= 6:
        return True
    # a part of the document: "cụm từ “…” tại", "một số điều của Quy định ... ban hành kèm theo"
    return len(words) <= LOOSE_REACH_WORDS and bool(_PART_START_RE.match(b)) and bool(_PART_END_RE.search(b))


def _gaps(spans: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """The parts of [lo, hi) outside the sorted `spans`."""
    out, at = [], lo
    for a, b in spans:
        if b <= at or a >= hi:
            continue
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < hi:
        out.append((at, hi))
    return out


def _is_filler(bridge: str) -> bool:
    b = bridge.lower()
    for phrase in _FILLER_PHRASES:
        b = b.replace(phrase, " ")
    return all(t in _FILLER_WORDS or re.fullmatch(r"\d+[a-zđ]?|[a-zđ]", t) for t in re.findall(r"[^\s,:]+", b))


_ARTICLE_WORDS = {"điểm", "khoản", "điều", "các điều"}
_ARTICLE_GLUE = {",", ";", "và", "của", "tại", "quy định"}


def _article_tokens(w: str, at: int, lo: int = 0) -> list[tuple[str, int]]:
    """The article-reference tokens that end right at `at` ('điểm', 'c', 'khoản', '4', 'và', ...)."""
    base = max(lo, at - 250)
    tokens = [(m.group(0).lower(), m.start()) for m in _ARTICLE_TOKEN_RE.finditer(w, base, at)]
    seq, expect_end = [], at
    for tok, pos in reversed(tokens):
        if w[pos + len(tok):expect_end].strip():
            break
        seq.append((tok, pos))
        expect_end = pos
    seq.reverse()
    while seq and seq[0][0] not in _ARTICLE_WORDS:
        seq.pop(0)
    return seq


def _articles_start(w: str, at: int, lo: int = 0) -> int:
    """Where the article references written right before `at` begin (`at` if there are none)."""
    seq = _article_tokens(w, at, lo)
    return seq[0][1] if seq else at


def _article_refs(w: str, lo: int, at: int) -> list[str]:
    """Articles written right before a document: 'điểm c khoản 4 và khoản 5 Điều 30, khoản 4 Điều 51'."""
    return _parse_articles([tok for tok, _ in _article_tokens(w, at, lo)])


def _articles_in(w: str, lo: int, hi: int) -> list[str]:
    """Every article reference written in w[lo:hi] ('Sửa đổi, bổ sung khoản 3 Điều 1 như sau')."""
    found, run, end = [], [], None
    for m in _ARTICLE_TOKEN_RE.finditer(w, lo, hi):
        if run and w[end:m.start()].strip():
            found += _parse_articles(run)
            run = []
        run.append(m.group(0).lower())
        end = m.end()
    return _dedupe(found + _parse_articles(run))


def _parse_articles(seq: list[str]) -> list[str]:
    while seq and seq[0] not in _ARTICLE_WORDS:
        seq = seq[1:]
    while seq and seq[-1] in _ARTICLE_GLUE:
        seq = seq[:-1]
    if not seq:
        return []
    out, groups, points, mode, closed = [], [], [], None, False
    for tok in seq:
        if tok in _ARTICLE_WORDS:
            if closed:
                groups, points, closed = [], [], False
            mode = {"điểm": "p", "khoản": "k"}.get(tok, "d")
        elif tok in _ARTICLE_GLUE:
            continue
        elif mode == "p":
            points.append(tok)
        elif mode == "k":
            groups.append((tok, points))
            points = []
        elif mode == "d":
            if groups:
                for k, ps in groups:
                    out += [f"Điều {tok} khoản {k} điểm {p}" for p in ps] or [f"Điều {tok} khoản {k}"]
            else:
                out += [f"Điều {tok} điểm {p}" for p in points] or [f"Điều {tok}"]
            closed = True
    if mode == "k":
        out += [f"khoản {k}" for k, _ in groups]
    return _dedupe(out)


def _dedupe(items: list) -> list:
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


@dataclass
class _Frame:
    kind: str
    subject: object  # "self", a _Mention (a cited document acts), or None (passive: see doers_of)
    objects: list = field(default_factory=list)
    doers_of: object = None  # passive "X được sửa đổi bởi Y": X; the objects are the doers
    phrase: object = None
    heading: bool = False  # opened with no object ("Bãi bỏ các quyết định sau:"): its items follow


def _sort_of(m: _Mention) -> str:
    """What a list item must share with the one before it: the symbol of a number
    ('NĐ' in 78/2025/NĐ-CP), else the type word ('Luật')."""
    if m.target.number:
        after_serial = re.sub(r"^\d+(?:/\d{4})?[/-]", "", m.target.number)
        return re.split(r"[-/.]", after_serial)[0].upper().rstrip("0123456789")
    return (m.target.type or "").lower()


def _same_sort(a: _Mention, b: _Mention) -> bool:
    """'NĐ' and 'NĐCP' (a symbol written without its hyphen) are one sort."""
    x, y = _sort_of(a), _sort_of(b)
    return x == y or len(x) >= 2 and len(y) >= 2 and (x.startswith(y) or y.startswith(x))


def _is_proposal(m: _Mention) -> bool:
    if m.target.type in PROPOSAL_TYPES:
        return True
    return _sort_of(m) in PROPOSAL_SYMBOLS


_LIST_ITEM_GAP_RE = re.compile(r"(?i)[\s,]*(?:các\s+)?")
_ARTICLE_HEADING_RE = re.compile(r"\s*(?:Điều|ĐIỀU|Chương|CHƯƠNG)\s+[\dIVXL]+")
_FIRST_ARTICLE_RE = re.compile(r"(?m)^[ \t]*(?:Điều|ĐIỀU)\s+1\s*[.:]")


class _Reader:
    """Reads clause after clause, collecting (subject, kind, target mention, articles) links."""

    def __init__(self, w: str, mentions: list[_Mention], title_span: tuple[int, int] | None):
        self.w = w
        self.mentions = mentions
        self.title_span = title_span
        self.quotes = [(m.start(), m.end()) for m in re.finditer(r"“[^“”]{0,4000}”", w)]
        self.links: list[tuple[object, str, _Mention, list[str]]] = []
        self.same_as: dict[int, _Mention] = {}  # a named law that is the numbered one before it
        self.amending: _Mention | None = None  # the document a list of amendments is about
        first = _FIRST_ARTICLE_RE.search(w)
        self.first_article = first.start() if first else len(w)
        self.cut_by_semicolon: _Mention | None = None  # last document of a clause that ended with ';'
        self.starts = [m.start for m in mentions]
        spans = [(m.start, m.end) for m in mentions if not m.self_ref]
        self.phrases = [p for p in _phrases(w, spans) if not self.in_quote(p.start)]
        self.phrase_starts = [p.start for p in self.phrases]

    def read(self):
        carry: _Frame | None = None
        for lo, hi, how in _clauses(self.w):
            carry = self.read_clause(lo, hi, how, carry)
            docs = self.mentions[bisect.bisect_left(self.starts, lo):bisect.bisect_left(self.starts, hi)]
            docs = [m for m in docs if not m.self_ref]
            self.cut_by_semicolon = docs[-1] if how == ";" and docs else None

    def in_quote(self, pos: int) -> bool:
        i = bisect.bisect_left(self.quotes, (pos,)) - 1
        return i >= 0 and self.quotes[i][0] < pos < self.quotes[i][1]

    def link(self, subject, kind: str, target: _Mention, lo: int):
        self.links.append((subject, kind, target, _article_refs(self.w, lo, target.start)))

    # -- one clause --

    def read_clause(self, lo: int, hi: int, how: str, carry: _Frame | None) -> _Frame | None:
        w = self.w
        ms = self.mentions[bisect.bisect_left(self.starts, lo):bisect.bisect_left(self.starts, hi)]
        phrases = self.phrases[bisect.bisect_left(self.phrase_starts, lo):bisect.bisect_left(self.phrase_starts, hi)]
        opens = _CLAUSE_OPENING_RE.match(w, lo).end()
        if not ms and not phrases:  # most clauses of a long text
            if _ARTICLE_HEADING_RE.match(w, lo, opens + 1) and not self.in_quote(lo + 1):
                self.amending = None
            return carry if carry and (how in {";", ":"} or carry.heading) else None
        docs = [m for m in ms if not m.self_ref]
        if self.title_span and self.title_span[0] <= lo < self.title_span[1]:
            opens = _TITLE_OPENING_RE.match(w, lo).end()

        self.inner_links(docs)
        links_before = len(self.links)
        frames: list[_Frame] = []
        by_phrase: dict[int, _Frame] = {}
        for p in phrases:
            frame = self.open_frame(p, lo, opens, ms, phrases, by_phrase)
            if frame:
                frame.phrase = p
                by_phrase[p.start] = frame
                frames.append(frame)

        rest = docs
        if carry and docs and self.continues(lo, opens, docs[0], phrases):
            carry = _Frame(carry.kind, carry.subject, heading=carry.heading)
            frames.insert(0, carry)
            self.attach(carry, docs[0], lo)
            rest = docs[1:]
        else:
            carry = None
        prev_end, prev = (docs[0].end, docs[0]) if rest is not docs else (lo, None)
        for m in rest:
            if id(m) in self.same_as:
                prev_end, prev = m.end, m
                continue
            between = [p for p in phrases if prev_end <= p.start < m.start]
            if between:
                self.place_after_phrase(m, between, by_phrase, lo)
            elif prev is not None and any(prev in f.objects for f in frames) and \
                    _COORD_RE.search(w[max(prev_end, _articles_start(w, m.start, prev_end) - 12):_articles_start(w, m.start, prev_end)]):
                frame = self.coordinate(frames, m, phrases, ms)
                if frame:
                    self.attach(frame, m, lo)
            prev_end, prev = m.end, m

        # "A (được sửa đổi bởi B)" in a Căn cứ line: based on B too
        bases = [o for f in frames if f.kind == "based_on" and f.subject == "self" for o in f.objects]
        for f in frames:
            if f.doers_of is not None and f.doers_of in bases:
                for doer in f.objects:
                    self.link("self", "based_on", doer, lo)
        # "Luật X số A ... hết hiệu lực kể từ ngày Luật này có hiệu lực": repealed by this document
        doers = {id(a) for f in frames if f.doers_of is not None for a in f.objects}
        for p in phrases:
            if p.text == "hết hiệu lực" and not p.passive and re.search(r"(?i)\bnày\b", w[p.end:p.end + 80]):
                for m in docs:
                    if m.end <= p.start and id(m) not in doers and id(m) not in self.same_as:
                        self.link("self", "repeals", m, lo)

        self.amendment_items(lo, hi, opens, phrases, ms, links_before)

        # what carries into the next clause: a list this document opened and left open
        open_frames = [f for f in frames if f.subject == "self" and f.doers_of is None]
        if open_frames and not open_frames[-1].objects:
            if open_frames[-1].phrase.start > opens:
                return None  # only a heading or an opening phrase announces a list
            open_frames[-1].heading = True
            return open_frames[-1]
        if open_frames and how in {";", ":"}:
            return open_frames[-1]
        if carry and (how in {";", ":"} or carry.heading):
            return carry
        return None

    def amendment_items(self, lo: int, hi: int, opens: int, phrases, ms, links_before: int):
        """Items of an amending list name only articles; the document is named above them:
        '1. Sửa đổi, bổ sung một số điều của Luật X như sau: a) Sửa đổi Điều 54 ...; b) Bãi bỏ Điều 68.'"""
        if self.in_quote(lo + 1):
            return
        own = [t for s, k, t, _ in self.links[links_before:] if s == "self" and k in AMENDING_KINDS]
        if own:
            self.amending = own[-1]
            return
        opening = phrases[0] if phrases and phrases[0].start <= opens else None
        if opening and opening.kind in AMENDING_KINDS and self.amending is not None and not ms:
            outside = [(a, b) for a, b in _gaps(self.quotes, opening.end, hi)]
            articles = _dedupe([x for a, b in outside for x in _articles_in(self.w, a, b)])
            if articles:
                self.links.append(("self", opening.kind, self.amending, articles))
                return
        if _ARTICLE_HEADING_RE.match(self.w, lo, opens + 1) or opening and opening.kind not in AMENDING_KINDS:
            self.amending = None

    def continues(self, lo: int, opens: int, m: _Mention, phrases) -> bool:
        """Does the clause open with a document (maybe after article references), so
        that it continues the list of the clause before?"""
        if any(opens <= p.start < m.start for p in phrases) or self.in_quote(m.start):
            return False
        gap = self.w[opens:_articles_start(self.w, m.start, opens)]
        return bool(_LIST_ITEM_GAP_RE.fullmatch(gap))

    def place_after_phrase(self, m: _Mention, between: list, by_phrase: dict, lo: int):
        w = self.w
        for i, p in enumerate(reversed(between)):
            frame = by_phrase.get(p.start)
            if frame is None or i and not (frame.kind == "implements" and _DIRECTION_RE.match(w[p.end:m.start])):
                continue
            bridge = w[p.end:m.start]
            if frame.doers_of is not None:
                if _DOER_INTRO_RE.match(bridge) or len(bridge.split()) <= 3:
                    self.attach(frame, m, lo)
                return
            if _bridge_ok(frame.kind, bridge):
                self.attach(frame, m, lo)
            return

    def open_frame(self, p: _Phrase, lo: int, opens: int, ms, phrases, by_phrase) -> _Frame | None:
        w = self.w
        before = [m for m in ms if m.end <= p.start]
        docs_before = [m for m in before if not m.self_ref]
        if p.kind == "based_on":
            # the document's bases come before its articles; "Căn cứ vào ..., Ủy ban ... quy định"
            # inside an article is someone else's
            return _Frame("based_on", "self") if p.start <= opens and not p.passive and p.start < self.first_article else None
        if p.text == "hết hiệu lực":
            return None  # read once the clause's lists are known
        if p.passive == "bởi" and (p.start <= opens or not docs_before):
            p.passive = ""  # "Thay thế một số cụm từ tại ... Luật X": active, opening its clause
        if p.passive:
            if not docs_before and self.cut_by_semicolon is not None:
                docs_before = [self.cut_by_semicolon]  # "... Nghị quyết số X ...; bảng lương ... đã được sửa đổi theo ..."
            if not docs_before:
                return None
            patient = docs_before[-1]
            doers = [m for m in ms if m.start >= p.end and not m.self_ref]
            if doers and not _same_sort(patient, doers[0]):
                same = [m for m in reversed(docs_before) if _same_sort(m, doers[0])]
                if same and len(w[same[0].end:p.start].split()) <= 40:
                    patient = same[0]
            return _Frame(p.kind, None, doers_of=patient)
        if p.kind in FOLLOWED_NOT_ACTED and re.match(r"(?i)\s*(?:theo|tại)\s", w[p.end:p.end + 8]):
            return None  # "thực hiện theo ...", "hướng dẫn tại ...": the document is followed, not acted on
        if p.start <= opens:
            return _Frame(p.kind, "self")
        if _ISSUED_RE.search(w[max(lo, p.start - 60):p.start]):
            return _Frame(p.kind, "self")  # "Bộ trưởng ... ban hành Thông tư sửa đổi ..."
        if before:
            m = before[-1]
            gap = w[m.end:p.start]
            if gap.count(")") > gap.count("("):  # "Nghị định số X (được sửa đổi ... số Y) quy định ..."
                opening = w.rfind("(", lo, m.start)
                outer = [o for o in before if o.end <= opening]
                if outer:
                    m, gap = outer[-1], re.sub(r"\([^()]*\)?", " ", w[outer[-1].end:p.start])
            parens = [(a.start(), a.end()) for a in re.finditer(r"\([^()]*\)", w[m.end:p.start])]
            later = [q for q in phrases if m.end <= q.start < p.start
                     and not any(a <= q.start - m.end < b for a, b in parens)]
            if m.self_ref and not any(q.kind != p.kind for q in later if by_phrase.get(q.start)) and \
                    (len(gap.split()) <= 12 or re.search(r"(?i)có\s+hiệu\s+lực", gap)):
                return _Frame(p.kind, "self")  # "Quyết định này thay thế ...", "... có hiệu lực ... và thay thế ..."
            if not m.self_ref and not later and not _is_proposal(m) and _gap_is_description(gap):
                return _Frame(p.kind, self.same_as.get(id(m), m))
        # "... quy định chi tiết ... và biện pháp ..., hướng dẫn thi hành ...", "sửa đổi ... và bãi bỏ ..."
        earlier = [by_phrase[q.start] for q in phrases if q.start < p.start and q.start in by_phrase]
        earlier = [f for f in earlier if f.subject is not None and f.doers_of is None]
        if earlier:
            f = earlier[-1]
            between_docs = [m for m in ms if f.phrase.end <= m.start < p.start]
            if f.kind == p.kind and not between_docs or re.search(r"(?i)\bvà\s*$", w[lo:p.start]):
                return _Frame(p.kind, f.subject)
        return None

    def inner_links(self, docs: list[_Mention]):
        """Laws named inside an amending law's name ('Luật sửa đổi, bổ sung ... của Luật A và Luật B
        số 57/2024/QH15') are amended by that law, when it has a number."""
        w = self.w
        for i, m in enumerate(docs):
            if not m.inner or self.in_quote(m.start):
                continue
            actor = m if m.target.number else None
            if actor is None and i and docs[i - 1].target.number:
                prev = docs[i - 1]
                if re.search(r"(?i)ban hành\s*$", w[prev.end:m.start]) and _gap_is_description(w[prev.end:m.start]):
                    actor = prev  # "Luật số 57/2024/QH15 ... ban hành Luật sửa đổi, bổ sung ..."
                    self.same_as[id(m)] = prev
            if actor is not None:
                for t in m.inner:
                    self.links.append((actor, m.inner_kind, _Mention(m.start, m.end, t), []))

    def attach(self, frame: _Frame, m: _Mention, lo: int):
        frame.objects.append(m)
        if frame.doers_of is not None:
            self.links.append((m, frame.kind, frame.doers_of, []))
        else:
            self.link(frame.subject, frame.kind, m, lo)

    def coordinate(self, frames: list[_Frame], m: _Mention, phrases, ms) -> _Frame | None:
        """The list a document joined by 'và' or ',' belongs to."""
        listing = [f for f in frames if f.objects]
        if not listing:
            return None
        main = listing[0] if listing[0].subject == "self" else None
        if self.acts(m, phrases, ms):
            return main  # an item with its own description is an item of the main list
        fresh = [f for f in listing if all(o.target.key != m.target.key for o in f.objects)]
        for f in reversed(fresh):
            if _same_sort(f.objects[-1], m):
                return f
        return fresh[-1] if fresh else None

    def acts(self, m: _Mention, phrases, ms) -> bool:
        """Is `m` followed by its own relation phrase ('Quyết định số X ... sửa đổi ...')?"""
        nxt = [p for p in phrases if p.start >= m.end and p.text != "hết hiệu lực"]
        if not nxt or any(m.end <= o.start < nxt[0].start for o in ms):
            return False
        return nxt[0].passive and len(self.w[m.end:nxt[0].start].split()) <= 3 or \
            _gap_is_description(self.w[m.end:nxt[0].start])


# --- the result ----------------------------------------------------------------------


def find_relations(text: str, title: str | None = None, number: str | None = None) -> list[Relation]:
    """Relations written in a document's text (NFC, as search.ingest reads files).

    `text` is the document's body (preamble and sections, in order; a whole file
    works too: its own number is taken from the "Số:" line); `title`, when given,
    is read as the title (its first words act for the document: "Bãi bỏ Quyết định
    số ...", "Kế hoạch triển khai thực hiện Chỉ thị số ..."); `number` is the
    document's own number, which is never a target.

    The document's own relations come first (`subject` None, one per kind and
    target, `articles` the union of the articles written for it), then relations
    between cited documents (`subject` the acting document's number). `start`/`end`
    are offsets of the target where first written, in `title + "\\n" + text` when a
    title is given, else in `text`.
    """
    full = f"{title}\n{text}" if title else text
    w = _working_copy(full)
    own = number_key(number) if number else None
    mentions = _mentions(w, own)
    reader = _Reader(w, mentions, (0, len(title) + 1) if title else None)
    reader.read()
    return _collect(reader, mentions)


def _collect(reader: _Reader, mentions: list[_Mention]) -> list[Relation]:
    own: dict[tuple[str, str], Relation] = {}
    between: dict[tuple[str, str, str], Relation] = {}
    for subject, kind, m, arts in reader.links:
        target = m.target
        if not (target.number or target.name) or id(m) in reader.same_as:
            continue
        if subject == "self":
            rel = own.setdefault((kind, target.key), Relation(kind, target, None, [], m.start, m.end))
            rel.articles = _dedupe(rel.articles + arts)
        elif isinstance(subject, _Mention) and subject.target.number and subject.target.key != target.key:
            key = (subject.target.key, kind, target.key)
            if key not in between:
                between[key] = Relation(kind, target, subject.target.number, arts, m.start, m.end)
    acted_on = {key for (_kind, key) in own}
    for m in mentions:
        t = m.target
        if m.self_ref or not (t.number or t.year) or t.key in acted_on or id(m) in reader.same_as:
            continue  # a law named without number or year is too vague to cite
        rel = own.setdefault(("cites", t.key), Relation("cites", t, None, [], m.start, m.end))
        rel.articles = _dedupe(rel.articles + _article_refs(reader.w, 0, m.start))
    return sorted(own.values(), key=lambda r: r.start) + sorted(between.values(), key=lambda r: r.start)
