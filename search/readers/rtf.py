"""Rich Text Format (striprtf): text in its code page, table rows as layout cells.

striprtf ends each table cell with `|` and each row with a line break; such rows are rewritten
in the cell convention. Legacy Vietnamese fonts typed in Windows-1252 come out as Latin-1
look-alikes and are converted with every other format's text.
"""
from __future__ import annotations

from pathlib import Path

from striprtf.striprtf import rtf_to_text

from . import Context, Extract, UnreadableFile
from .layout import table_lines


def read(path: Path, context: Context) -> Extract:
    try:
        raw = path.read_bytes().decode("latin-1")
        text = rtf_to_text(raw, errors="replace")
    except (ValueError, IndexError, KeyError, RecursionError) as e:
        raise UnreadableFile(f"broken RTF file ({type(e).__name__})") from None
    lines: list[str] = []
    rows: list[list[list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.rstrip().endswith("|") and line.count("|") >= 2:
            rows.append([[cell.strip()] for cell in line.rstrip().rstrip("|").split("|")])
            continue
        if rows:
            lines.extend(table_lines(rows))
            rows = []
        lines.append(line)
    lines.extend(table_lines(rows))
    return Extract("\n".join(lines))
