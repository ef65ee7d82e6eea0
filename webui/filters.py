"""Template filters: a duration with a decimal comma, escaped text to HTML, the names of
validity statuses and relation kinds (dates and numbers: search/display.py)."""
from __future__ import annotations

from markupsafe import Markup, escape

from search.validity import KIND_LABELS, STATUS_LABELS


def vn_ms(ms) -> str:
    """A duration in milliseconds with a decimal comma: 4,1 ms."""
    return f"{ms:.1f}".replace(".", ",") + " ms"


def paragraphs(text) -> Markup:
    """Plain text as escaped <p> paragraphs, one per non-empty line."""
    lines = (line.strip() for line in str(text or "").splitlines())
    return Markup("\n").join(Markup("<p>{}</p>").format(line) for line in lines if line)


def mark_within(context, phrase) -> Markup:
    """`context` escaped, with every occurrence of `phrase` wrapped in <mark>."""
    context, phrase = str(context or ""), str(phrase or "")
    if not phrase:
        return escape(context)
    return Markup("<mark>{}</mark>").format(phrase).join(escape(part) for part in context.split(phrase))


# search.corpus.CorpusTable.timeline events.
EVENT_LABELS = {"issued": "Ban hành", "in_force": "Có hiệu lực", "expires": "Hết hiệu lực theo thời hạn",
                **{kind: labels[1] for kind, labels in KIND_LABELS.items()}}


def status_label(status) -> str:
    return STATUS_LABELS.get(status, status or "")


def kind_label(kind, direction="out") -> str:
    labels = KIND_LABELS.get(kind)
    return labels[direction == "in"] if labels else str(kind)


def event_label(event) -> str:
    return EVENT_LABELS.get(event, str(event))
