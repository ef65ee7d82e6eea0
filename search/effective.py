"""When a document takes effect, and until when, read from its own text.

`find_effective(text, issue_date=None)` finds the clause in which the document
says it takes effect ("Quyết định này có hiệu lực thi hành kể từ ngày ký",
"Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2021", "Nghị quyết này ...
thông qua ngày ... và có hiệu lực từ ngày ...") and resolves the date: a written
date as is; the signing or issue date from `issue_date`; "ngày thông qua" from the
adoption date the text prints; "sau N ngày kể từ ngày ký" by adding N days.
Clauses about other documents ("Nghị định số X có hiệu lực từ ...", "kể từ ngày
Luật này có hiệu lực", "Luật số Y hết hiệu lực ...") are not this document's.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from .normalize import nfc, unify_tones
from .numbers import DOC_TYPES, find_numbers

# How the effective date is written -> how it is resolved.
FORMS = {
    "date": "a date written in the clause",
    "signing": "the signing or issue date ('kể từ ngày ký', 'từ ngày ban hành')",
    "adoption": "the adoption date printed in the text ('từ ngày được thông qua')",
    "after_signing": "a number of days after the signing date",
    "after_publication": "a number of days after publication (not in the text: no date)",
    "budget_year": "the first day of a budget year ('từ năm ngân sách 2017')",
    "with_document": "when another document does ('kể từ ngày Nghị định số X có hiệu lực', "
                     "'có hiệu lực theo Quyết định số X'): see `depends_on`",
}


@dataclass
class Effective:
    date: str | None  # ISO date; None when the form cannot be resolved from the text
    form: str  # a key of FORMS
    expiry: str | None = None  # ISO date the document says it stops applying
    depends_on: str | None = None  # the number of the document it takes effect with
    start: int = 0  # the clause, in the text given
    end: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


_TYPES = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(DOC_TYPES, key=len, reverse=True))
_SELF = rf"(?:{_TYPES}|văn bản|quy định|quy chế|kế hoạch)\s+này"
_DATE = r"(?P<d>\d{1,2})\s*(?:tháng\s*(?P<m>\d{1,2})\s*(?:năm|ngày)\s*|[/.-]\s*(?P<m2>\d{1,2})\s*[/.-]\s*)(?P<y>\d{4})"
_DATE_RE = re.compile(r"(?:ngày\s*)?" + _DATE, re.I)

_EFFECT_RE = re.compile(r"(?i)(?<![^\W\d_])có\s+hiệu\s+lực(?:\s+thi\s+hành)?")
_WHEN_RE = re.compile(
    r"(?i)\s*,?\s*(?:"
    r"(?P<after>sau\s+(?P<days>\d+)\s+ngày\s*,?\s*(?:kể\s+)?từ\s+ngày\s+(?P<after_what>ký|ban\s+hành|đăng|công\s+bố))"
    r"|(?:kể\s+)?từ\s+(?:"
    r"(?P<budget>năm\s+ngân\s+sách\s+(?P<budget_year>\d{4}))"
    r"|ngày\s+(?P<signing>ký|ban\s+hành)"
    r"|(?:ngày\s+)?(?P<adopted>(?:được\s+)?thông\s+qua)"
    r"|ngày\s+[^.;]{0,60}?\bthông\s+qua"
    r"|(?P<date>(?:ngày\s*)?" + _DATE + r")"
    rf"|ngày\s+(?P<with_effect>(?:{_TYPES})\s+(?:số\s+)?\d))"
    rf"|theo\s+(?P<with_text>(?:{_TYPES})\s+(?:số\s+)?\d))"
)
_UNTIL_RE = re.compile(r"(?i)[^.;]{0,40}?\bđến\s+(?:hết\s+)?ngày\s*" + _DATE)
_EXPIRY_RE = re.compile(
    rf"(?i)(?<![^\W\d_])(?P<self>{_SELF})\s+(?:hết\s+hiệu\s+lực(?:\s+thi\s+hành)?\s*(?:kể\s+)?(?:từ|vào)?\s*ngày"
    r"|(?:được\s+)?áp\s+dụng\s+đến\s+(?:hết\s+)?ngày|có\s+hiệu\s+lực\s+đến\s+(?:hết\s+)?ngày)\s*" + _DATE
)
_ADOPTED_RE = re.compile(r"(?i)thông\s+qua\s+(?:ngày\s*)?" + _DATE)
_CLAUSE_START_RE = re.compile(r"[;.:]\s|\n\s*(?:\d+\s*[.)]|[a-zđ]\)|-|Điều\s+\d)")
_REFERENCE_RE = re.compile(rf"(?i)(?:ngày|khi|thời\s+điểm|tại|theo|của)\s+{_SELF}\s*$")
_SELF_BEFORE_RE = re.compile(rf"(?i)(?<![^\W\d_]){_SELF}(?![^\W\d_])")
_BARE_TYPE_RE = re.compile(rf"(?i)(?:^|\s)(?P<type>{_TYPES})\s*$")


def _iso(m: re.Match) -> str | None:
    try:
        return dt.date(int(m.group("y")), int(m.group("m") or m.group("m2")), int(m.group("d"))).isoformat()
    except (TypeError, ValueError):
        return None


def _speaks_of_itself(w: str, at: int) -> bool:
    """Is the 'có hiệu lực' at `at` said of this document?"""
    lo = max(0, at - 400)
    starts = [m.end() for m in _CLAUSE_START_RE.finditer(w, lo, at)]
    clause = w[starts[-1] if starts else lo:at]
    if _REFERENCE_RE.search(clause):
        return False  # "kể từ ngày Luật này có hiệu lực": a date referred to, not declared
    if re.search(r"(?i)(?:Điều|khoản|điểm|Chương|Mục)\s+[\dIVX]+[a-z]?\s*(?:của\s+\S+\s+này\s*)?$", clause):
        return False  # a part of the document takes effect at another date
    selfs = list(_SELF_BEFORE_RE.finditer(clause))
    if selfs:
        before = clause[:selfs[-1].start()]
        return not re.search(r"(?i)(?:tại|theo|của|ngày)\s*$", before)
    bare = _BARE_TYPE_RE.search(clause)
    if bare:
        # "Nghị quyết có hiệu lực ...": this document, unless a numbered document of
        # that type was just named ("... Nghị định số 175/2025/NĐ-CP ... Nghị định có hiệu lực ...")
        recent = [n for n in find_numbers(w[max(0, at - 300):at]) if n.type and n.type.lower() == bare.group("type").lower()]
        return not recent
    return bool(re.fullmatch(r"(?i)[\s\d.)\-]*", clause))


def find_effective(text: str, issue_date: str | None = None) -> Effective | None:
    """This document's effective date (and expiry), or None if it states none."""
    w = unify_tones(nfc(text)).replace("*", " ")
    for m in _EFFECT_RE.finditer(w):
        if not _speaks_of_itself(w, m.start()):
            continue
        when = _WHEN_RE.match(w, m.end())
        if not when:
            continue
        found = _resolve(w, when, issue_date)
        if found is None:
            continue
        date, form = found
        until = _UNTIL_RE.match(w, when.end())
        expiry = _iso(until) if until else None
        if expiry is None:
            expiry = _expiry_after(w, when.end())
        depends_on = None
        if form == "with_document":
            other = find_numbers(w[when.start():when.end() + 80])
            depends_on = other[0].number if other else None
        return Effective(date, form, expiry, depends_on, m.start(), when.end())
    return None


def _expiry_after(w: str, pos: int) -> str | None:
    """'Quyết định này hết hiệu lực kể từ ngày ...' said after the effective clause (not
    'kể từ ngày Luật này có hiệu lực đến ngày ...', a period that starts on that day)."""
    for m in _EXPIRY_RE.finditer(w, pos):
        if not _REFERENCE_RE.search(w, max(0, m.start() - 20), m.start() + len(m.group("self"))):
            return _iso(m)
    return None


def _resolve(w: str, when: re.Match, issue_date: str | None) -> tuple[str | None, str] | None:
    if when.group("date"):
        return _iso(when), "date"
    if when.group("with_effect") or when.group("with_text"):
        return None, "with_document"
    if when.group("budget"):
        return f"{when.group('budget_year')}-01-01", "budget_year"
    if when.group("after"):
        if re.match(r"(?i)ký|ban", when.group("after_what")) and issue_date:
            days = int(when.group("days"))
            return (dt.date.fromisoformat(issue_date) + dt.timedelta(days=days)).isoformat(), "after_signing"
        return None, "after_publication" if not re.match(r"(?i)ký|ban", when.group("after_what")) else "after_signing"
    if when.group("signing"):
        return issue_date, "signing"
    adopted = _ADOPTED_RE.search(w)
    return (_iso(adopted) if adopted else issue_date), "adoption"
