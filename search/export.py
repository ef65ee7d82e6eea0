"""A whole result list, every page of it, as JSON or CSV (`search --format`, the web's download link)."""
from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import replace

from .service import MAX_LIMIT, MAX_OFFSET, Engine, SearchRequest

# The CSV's columns: a hit's keys, in this order (`path` joined by " > ").
COLUMNS = ("rank", "number", "type", "date", "title", "issuer", "signer", "section", "heading", "path", "score",
           "key", "snippet")


def whole_list(engine: Engine, request: SearchRequest) -> dict:
    """`engine.run(request)` with every hit from the first on, whatever the request's page
    (up to the engine's furthest offset): the `search --json` shape."""
    first = engine.run(replace(request, offset=0, limit=MAX_LIMIT))
    hits, took_ms = first["hits"], first["took_ms"]
    while len(hits) < first["total"] and len(hits) < MAX_OFFSET:
        page = engine.run(replace(request, offset=len(hits), limit=MAX_LIMIT))
        if not page["hits"]:
            break
        hits.extend(page["hits"])
        took_ms += page["took_ms"]
    return {**first, "hits": hits, "took_ms": round(took_ms, 1)}


def plain(snippet: str) -> str:
    """A snippet without its <mark> tags, entities decoded."""
    return html.unescape(re.sub(r"</?mark>", "", snippet or ""))


def as_csv(result: dict) -> str:
    """The hits as CSV (RFC 4180, a header row), snippets as plain text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for rank, hit in enumerate(result["hits"], start=result["offset"] + 1):
        row = {**hit, "rank": rank, "path": " > ".join(hit.get("path") or []), "snippet": plain(hit["snippet"])}
        writer.writerow(["" if row.get(name) is None else row[name] for name in COLUMNS])
    return out.getvalue()
