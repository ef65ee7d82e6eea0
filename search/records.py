"""The index record: one per document head and one per section, and how a Document
becomes records.

`Record` is the one definition of a record's keys: the schema has a field for each
(a test checks that they agree), the writer fills them, and the service, mentions
and the tests read them. A searcher returns the stored keys only.

A text longer than MAX_RECORD_CHARS (a 1 MB line from a bad conversion) is split
over several records of the same section, so that no record makes a query's
per-hit work (snippets, positional checks) large; the parts, in `order`, join
back into the text exactly.
"""
from __future__ import annotations

import re
from typing import NamedTuple, TypedDict

from . import analysis
from .models import Document
from .normalize import name_key
from .numbers import find_numbers, number_key

MAX_RECORD_CHARS = 10_000  # of a record's text; 6 of the 18,000 law articles are longer


class Record(TypedDict, total=False):
    # identity and incremental state (stored)
    file: str            # the file's name as given to `index`, relative to its folder
    filestate: str       # FileState.encode(): the file's name, root and SHA-1
    key: str             # "<file>#<ordinal>"
    section: str         # the section's id; "" on a document's head record
    order: int           # position of the record within its document (the head: 0)
    # the document's metadata, on every record (stored unless noted)
    number: str          # normalized document number, or ""
    number_key: str      # number_key(number).lower(), for look-ups (indexed only)
    type: str
    type_key: str        # folded type (indexed only)
    issuer: str
    issuer_f: str        # folded issuer words (indexed only)
    signer: str          # the signer's name
    signer_f: str        # folded signer words (indexed only)
    date: str            # ISO YYYY-MM-DD, or ""
    year: str            # YYYY, or ""
    title: str
    refs: str            # comma-separated number keys the document cites (indexed only)
    # this record's own text (stored)
    path: list[str]      # the section's place in the document's structure
    heading_text: str    # the section's heading; the document's title on a head record
    text: str            # the section's body; the preamble on a head record
    doc: dict            # head records only: the parsed document for `show`, less its texts
    srefs: str           # comma-separated number keys written in this record (indexed only)
    # content fields, filled by analysis from one segmentation (indexed only)
    words: str
    syl: str
    bigram: str
    heading: str


class FileState(NamedTuple):
    """What the next build needs to know of an indexed file: has it changed, is it
    under the folders it was given?"""

    name: str  # the file's name as recorded in `file`
    root: str  # the folder `name` is relative to, resolved
    sha1: str

    SEPARATOR = "\0"  # no path can contain it

    def encode(self) -> str:
        return self.SEPARATOR.join(self)

    @classmethod
    def decode(cls, text: str) -> FileState:
        return cls(*text.split(cls.SEPARATOR))


def document_records(doc: Document, state: FileState) -> list[Record]:
    """The head record and one record per section (per part of a long one); content
    fields are filled later."""
    common = _doc_fields(doc, state)
    records: list[Record] = []
    parts = [("", [], doc.title or "", doc.preamble), *((s.id, s.path, s.heading, s.text) for s in doc.sections)]
    for section, path, heading, text in parts:
        for part in split_text(text):
            records.append({**common, "section": section, "order": len(records), "path": path,
                            "heading_text": heading, "text": part})
    records[0]["doc"] = _head_doc(doc)
    for record in records:
        record["srefs"] = ",".join(sorted({number_key(m.number).lower() for m in find_numbers(written_text(record))}))
    return records


def _doc_fields(doc: Document, state: FileState) -> Record:
    return {
        "file": doc.file,
        "filestate": state.encode(),
        "key": doc.key,
        "number": doc.number or "",
        "number_key": (number_key(doc.number) or "").lower() if doc.number else "",
        "type": doc.type or "",
        "type_key": analysis.folded_key(doc.type or ""),
        "issuer": doc.issuer or "",
        "issuer_f": analysis.folded_key(doc.issuer or ""),
        "signer": doc.signer.name or "",
        "signer_f": analysis.folded_key(doc.signer.name or ""),
        "date": doc.date or "",
        "year": (doc.date or "")[:4],
        "title": doc.title or "",
        "refs": ",".join(number_key(r.number).lower() for r in doc.references),
    }


def _head_doc(doc: Document) -> dict:
    """The document as `show` needs it, less the texts that section records store."""
    data = doc.to_dict()
    data["sections"] = [{**section, "text": ""} for section in data["sections"]]
    data["preamble"] = ""
    return data


_BREAKS = (re.compile(r"\n"), re.compile(r"[.;!?…]\s"), re.compile(r"\s"))


def split_text(text: str, limit: int = MAX_RECORD_CHARS) -> list[str]:
    """`text` in parts of at most `limit` characters that join back into it, each cut
    after the last line break, else sentence end, else space, in its second half."""
    parts = []
    while len(text) > limit:
        cut = limit
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(text, limit // 2, limit)]
            if ends:
                cut = ends[-1]
                break
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text]


def is_head(record: Record) -> bool:
    """The document's first record: the one that carries `doc`."""
    return record["order"] == 0


# A document's section labels, in its summary, as one string: "␞5␟Điều 5␞6␟Điều 6" (␞ and ␟ stand
# for the record and unit separators below): decoding a string per document when an index opens costs
# little beside a list of pairs per document, and a label is looked up only for the hits shown.
_RS, _US = "\x1e", "\x1f"


def section_label(labels: str, section: str) -> str | None:
    """The printed label of a section (the last with that id) in a summary's labels, or None."""
    at = labels.rfind(f"{_RS}{section}{_US}")
    if at < 0:
        return None
    start = at + len(section) + 2
    end = labels.find(_RS, start)
    return labels[start:end if end >= 0 else len(labels)]


def _number_lookup(number: str | None) -> str | None:
    key = number_key(number) if number else None
    return key.lower() if key else None


def _lookups(summary: dict) -> dict:
    """The keys that resolve relations, computed when the summary is stored rather than at each
    open: the document's number key, its name keys (with and without its year: "luat dau tu|2020",
    "luat dau tu|") if its title is a name (starts with its type), and each relation's target key
    (by number, else by name and year, else None)."""
    title, kind = summary.get("title"), summary.get("type")
    named = bool(title and kind and title.lower().startswith(kind.lower()))
    year = int(summary["date"][:4]) if summary.get("date") else None
    return {"number_key": _number_lookup(summary.get("number")),
            "name_keys": [name_key(title, year), name_key(title, None)] if named else [],
            "targets": [_number_lookup(r["number"]) if r.get("number")
                        else name_key(r["name"], r.get("year")) if r.get("name") else None
                        for r in summary.get("relations", [])]}


def head_summary(record: Record) -> dict:
    """What opening an index needs of a document, from its head record: its identity, file and
    dates (search.corpus, query.Names, the indexer's scan and totals), its own relations with the
    look-up keys that resolve them (search.corpus) and its sections' printed labels. Read once per
    segment and stored with it (search.tables), not from every head record at each open."""
    doc = record["doc"]
    summary = {"key": record["key"], "filestate": record["filestate"],
               **{name: doc.get(name) for name in ("number", "type", "date", "title", "effective_date",
                                                   "expiry_date")},
               "relations": doc.get("relations", []),
               "labels": "".join(f"{_RS}{s['id']}{_US}{s['label']}"
                                 for s in doc.get("sections", []) if s.get("label"))}
    return {**summary, **_lookups(summary)}


def written_text(record: Record) -> str:
    """A record's text as written, heading then body: where the numbers it cites are
    read, both when indexing (`srefs`) and when listing mentions."""
    return f"{record.get('heading_text') or ''}\n{record.get('text') or ''}"


def content_text(record: Record) -> str:
    """The text to segment for a record: its heading and body.

    A head record also carries the metadata a user may type: type, number,
    issuer and signer ("Ton Thi Ngoc Hanh" finds what she signed).
    """
    body = record["text"]
    if not record["section"]:
        meta = (record["type"], record["number"], record["issuer"], record["signer"])
        body = "\n".join([*(m for m in meta if m), body])
    return f"{record['heading_text']}\n{body}"
