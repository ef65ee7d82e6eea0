"""Dates and numbers as Vietnamese write them, for what people read (the CLI's text, the web
pages); JSON keeps ISO dates and plain numbers."""
from __future__ import annotations


def vn_date(iso) -> str:
    """`2021-11-27` -> `27/11/2021`; partial or missing dates are shown as they are."""
    if not iso:
        return ""
    parts = str(iso).split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else str(iso)


def vn_number(n) -> str:
    """Thousands separated by dots, as written in Vietnamese: 12.345."""
    return f"{n:,}".replace(",", ".")


def vn_decimal(x: float) -> str:
    """4.1 -> "4,1": a decimal comma."""
    return str(x).replace(".", ",")
