"""Word 97–2003 .doc through antiword (Debian package antiword), in its DocBook mode.

antiword was chosen over catdoc, wvText and LibreOffice by measurement (bench/doc_converters.py,
README "File formats"): as accurate as LibreOffice on the legacy files, 200 times faster, and a
0.6 MB package instead of about 450 MB. Its DocBook output keeps each table's rows and cells,
which become layout cells here.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lxml import etree

from . import Context, Extract, UnreadableFile
from .layout import table_lines

INSTALL = "install antiword (Debian: apt-get install antiword)"
SECONDS = 120


def read(path: Path, context: Context) -> Extract:
    program = shutil.which("antiword")
    if not program:
        raise UnreadableFile(f"a Word 97–2003 file, but antiword is not installed: {INSTALL}")
    try:
        out = subprocess.run([program, "-x", "db", str(path)], capture_output=True, timeout=SECONDS)
    except subprocess.TimeoutExpired:
        raise UnreadableFile(f"antiword took over {SECONDS} s") from None
    if out.returncode != 0 or not out.stdout.strip():
        message = out.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = message[-1] if message else f"antiword exit {out.returncode}"
        raise UnreadableFile(f"not a readable Word 97–2003 file ({reason})")
    parser = etree.XMLParser(recover=True, resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)
    root = etree.fromstring(out.stdout, parser)
    if root is None:
        raise UnreadableFile("not a readable Word 97–2003 file (antiword gave no document)")
    for info in root.iter("bookinfo"):
        info.getparent().remove(info)
    for title in root.findall("title"):
        root.remove(title)  # the document's properties, not its text
    lines: list[str] = []
    _walk(root, lines)
    return Extract("\n".join(lines))


INLINE = {"emphasis", "ulink", "link", "superscript", "subscript", "literal", "phrase", "anchor"}


def _walk(element, lines: list[str]) -> None:
    """Block elements start new lines; inline ones (emphasis, links) run on in their line; list
    items get back the number or bullet Word showed ("1.", "a)", "-")."""
    buffer: list[str] = []
    marker: list[str] = []

    def flush() -> None:
        for line in "".join(buffer).split("\n"):
            if line.strip():
                lines.append((marker.pop() + " " if marker else "") + line.strip())
        buffer.clear()

    def visit(node) -> None:
        if node.tag in ("informaltable", "table"):
            flush()
            lines.extend(_table(node))
            return
        inline = node.tag in INLINE
        if not inline:
            flush()
        buffer.append(node.text or "")
        number = 0
        for child in node:
            if isinstance(child.tag, str):
                if child.tag == "listitem":
                    number += 1
                    marker[:] = [_marker(node, number)]
                visit(child)
            buffer.append(child.tail or "")
        if not inline:
            flush()

    visit(element)
    flush()


def _marker(listing, number: int) -> str:
    if listing.tag != "orderedlist":
        return "-"
    style = listing.get("numeration", "arabic")
    if style in ("loweralpha", "upperalpha"):
        letter = "abcdefghijklmnopqrstuvwxyz"[(number - 1) % 26]
        return (letter.upper() if style == "upperalpha" else letter) + ")"
    if style in ("lowerroman", "upperroman"):
        numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
        roman = numerals[number - 1] if number <= len(numerals) else str(number)
        return (roman.lower() if style == "lowerroman" else roman) + "."
    return f"{number}."


def _table(table) -> list[str]:
    rows = []
    for row in table.iter("row"):
        cells = []
        for entry in row.iterchildren("entry"):
            cell: list[str] = []
            _walk(entry, cell)
            cells.append(cell)
        rows.append(cells)
    return table_lines(rows)
