"""Word .docx (python-docx): paragraphs and tables in body order, tables as layout cells.

In real Word files the header (issuer | motto, number | place and date) and the signature
(recipients | signer) are tables: each row is written as cells, each cell's paragraphs one per
line; a table nested in a cell is flattened into that cell's lines. Content controls are read
through; deleted revisions are not. Page headers and footers are chrome; footnotes and endnotes
are kept at the end. The zip is checked before it is opened: a zip bomb is refused.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from . import Context, Extract, UnreadableFile
from .layout import table_lines

MAX_UNPACKED = 300 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 10_000


def check_zip(path: Path) -> None:
    """Refuse archives that unpack to far more than they weigh (zip bombs)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableFile(f"broken Word file ({e})") from None
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED or (unpacked > 10 * 1024 ** 2 and unpacked / packed > MAX_RATIO):
        raise UnreadableFile(f"refused: the archive unpacks to {unpacked / 1024 ** 2:.0f} MB from "
                             f"{packed / 1024 ** 2:.1f} MB (a zip bomb?)")
    if not any(m.filename.startswith("word/") for m in members):
        raise UnreadableFile("a zip archive, not a Word file")


def read(path: Path, context: Context) -> Extract:
    check_zip(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise UnreadableFile(f"broken Word file ({' '.join(str(e).split())[:120]})") from None
    lines = _blocks(document.element.body)
    chrome: list[str] = []
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if not part.is_linked_to_previous:
                chrome.extend(line for line in _blocks(part._element) if line.strip() and line != "|")
    for part in document.part.package.parts:
        if str(part.partname) in ("/word/footnotes.xml", "/word/endnotes.xml"):
            lines.extend(_notes(part.blob))
    return Extract("\n".join(lines), chrome)


def _blocks(element) -> list[str]:
    out: list[str] = []
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            out.extend(_paragraph(child).split("\n"))
        elif child.tag == qn("w:tbl"):
            out.extend(_table(child))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                out.extend(_blocks(content))
    return out


def _paragraph(p) -> str:
    parts = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:delText")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        elif node.tag != qn("w:delText"):
            parts.append("\n")
    return "".join(parts)


def _table(tbl) -> list[str]:
    rows = []
    for tr in tbl.iter(qn("w:tr")):
        if tr.getparent() is not tbl:
            continue  # a nested table's row: read as part of its cell
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            cells.append([line for line in _blocks(tc) if line.strip() and line != "|"])
        rows.append(cells)
    return table_lines(rows)


def _notes(xml: bytes) -> list[str]:
    root = parse_xml(xml)
    out = []
    for note in root.iterchildren(qn("w:footnote"), qn("w:endnote")):
        if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        out.extend(line for line in _blocks(note) if line.strip())
    return out
