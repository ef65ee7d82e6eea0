"""A document's validity: when it takes effect, what it does to other documents, and its
status as of a date.

The parser reads the effective date (search.effective) and the document's own relations
(search.relations) from its text into the Document. A status is computed from
the document's own dates and from what other documents of the corpus do to it
(search.corpus builds the tables once per index generation); `status_alone` is the
status a document gives itself, for a file parsed without an index.

Statuses (STATUSES, from the weakest to the strongest: the strongest in force on the date
wins): unknown (no effective date and nothing acts on it), in_force, not_yet_in_force,
amended (in part), repealed_in_part, suspended, expired (its own end date has passed),
replaced, repealed.
"""
from __future__ import annotations

import datetime as dt
import re

from .query import QueryError, parse_date

# Status keys in order of precedence: a document replaced and also amended is "replaced".
STATUSES = ("unknown", "in_force", "not_yet_in_force", "amended", "repealed_in_part", "suspended",
            "expired", "replaced", "repealed")
CODE = {status: i for i, status in enumerate(STATUSES)}
# STATUSES and the groups as a Vietnamese reader names them (the web pages, the CLI's text).
STATUS_LABELS = {
    "in_force": "Còn hiệu lực",
    "not_yet_in_force": "Chưa có hiệu lực",
    "amended": "Còn hiệu lực, đã sửa đổi",
    "repealed_in_part": "Hết hiệu lực một phần",
    "suspended": "Tạm ngưng hiệu lực",
    "expired": "Hết hiệu lực",
    "replaced": "Hết hiệu lực: bị thay thế",
    "repealed": "Hết hiệu lực: bị bãi bỏ",
    "unknown": "Chưa rõ hiệu lực",
    "valid": "Còn hiệu lực (cả khi đã sửa đổi)",
    "invalid": "Hết hiệu lực (toàn bộ)",
}
# relations.KINDS: (what this document does, what another document does to it).
KIND_LABELS = {
    "based_on": ("Căn cứ", "Được làm căn cứ cho"),
    "amends": ("Sửa đổi, bổ sung", "Được sửa đổi, bổ sung bởi"),
    "replaces": ("Thay thế", "Bị thay thế bởi"),
    "repeals": ("Bãi bỏ", "Bị bãi bỏ bởi"),
    "guides": ("Hướng dẫn, quy định chi tiết", "Được hướng dẫn, quy định chi tiết bởi"),
    "implements": ("Triển khai thực hiện", "Được triển khai thực hiện bởi"),
    "corrects": ("Đính chính", "Được đính chính bởi"),
    "consolidates": ("Hợp nhất", "Được hợp nhất bởi"),
    "suspends": ("Đình chỉ thi hành", "Bị đình chỉ thi hành bởi"),
    "cites": ("Dẫn chiếu", "Được dẫn chiếu bởi"),
}
# Filter values that stand for several statuses.
GROUPS = {"valid": ("in_force", "amended", "repealed_in_part"),
          "invalid": ("expired", "replaced", "repealed")}
NOT_IN_FORCE = set(GROUPS["invalid"])

# Relation kinds that change the target's status: (status when whole, status when only articles are named).
ACTS = {"replaces": ("replaced", "amended"), "repeals": ("repealed", "repealed_in_part"),
        "amends": ("amended", "amended"), "suspends": ("suspended", "suspended")}


def status_alone(effective_date: str | None, expiry_date: str | None, as_of: str) -> str:
    """The status a document's own dates give it on `as_of` (ISO dates)."""
    if expiry_date and expiry_date < as_of:
        return "expired"
    if not effective_date:
        return "unknown"
    return "not_yet_in_force" if effective_date > as_of else "in_force"


def today() -> str:
    return dt.date.today().isoformat()


def as_of_date(value: str | None) -> str:
    """An "as of" date as the user typed it (YYYY, YYYY-MM or YYYY-MM-DD; a partial date
    means its last day), or today."""
    return parse_date(value, end=True) if value else today()


def statuses_of(value: str) -> tuple[str, ...]:
    """The statuses a `status` filter value stands for; QueryError if it names none."""
    key = value.strip().lower().replace("-", "_")
    if key in GROUPS:
        return GROUPS[key]
    if key in CODE:
        return (key,)
    raise QueryError(f"Unknown status '{value}': use one of {', '.join(STATUSES[1:])}, "
                     f"or {' / '.join(GROUPS)}.")


# `status:` and `asof:` in a query: filters over the whole query, taken out before it is parsed.
_FILTER_RE = re.compile(r'"[^"]*"?|(?<![^\s(])(?P<name>status|asof):(?P<value>"[^"]*"|[^\s()"]*)')


def take_filters(q: str) -> tuple[str, dict[str, str]]:
    """`q` without its `status:`/`asof:` terms, and their values ({"status": "valid"})."""
    found: dict[str, str] = {}

    def take(m: re.Match) -> str:
        if not m.group("name"):
            return m.group(0)  # a quoted phrase stays as it is
        name, value = m.group("name"), m.group("value").strip('"').strip()
        if not value:
            raise QueryError(f"'{name}:' needs a value after the colon, e.g. "
                             + ("status:in_force." if name == "status" else "asof:2021-06-01."))
        if name in found and found[name] != value:
            raise QueryError(f"'{name}:' is given twice with different values.")
        found[name] = value
        return " "

    return _FILTER_RE.sub(take, q or ""), found
