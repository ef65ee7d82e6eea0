"""The document page's contents tree: sections grouped under the divisions (Phần, Chương,
Mục, appendices) they lie in, as the parser recorded them (Document.divisions)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Node:
    """A division with what lies in it, or (`section` set) one entry of the contents."""

    text: str  # "Chương II. NUÔI ONG" or "Điều 5. Phạm vi điều chỉnh"
    anchor: str
    depth: int = 0  # divisions above it
    section: bool = False
    nest: int = 0  # a section's depth under other sections ("1.1" under "1")
    children: list[Node] = field(default_factory=list)


@dataclass
class Contents:
    tree: list[Node]  # top-level divisions and sections, in document order
    starts: dict[int, list[Node]]  # section position -> the divisions whose heading comes before it
    sections: int  # entries in the tree


def entry_text(label: str, heading: str) -> str:
    """'Điều 5' + 'Phạm vi điều chỉnh' -> 'Điều 5. Phạm vi điều chỉnh' ('1.' + 'X' -> '1. X')."""
    label, heading = (label or "").strip(), (heading or "").strip()
    if not label or heading.startswith(label):
        return heading or label
    if not heading:
        return label
    return f"{label} {heading}" if re.search(r"[.):]$", label) else f"{label}. {heading}"


def contents(doc: dict) -> Contents:
    sections = doc.get("sections") or []
    divisions = doc.get("divisions") or []
    # The chain of divisions each section lies in: each division covers its sections where
    # they next appear, at or after where the previous division began.
    chains: list[list[int]] = [[] for _ in sections]
    cursor = 0
    for d, division in enumerate(divisions):
        ids = division.get("sections") or []
        start = next((j for j in range(cursor, len(sections)) if sections[j]["id"] == ids[0]), None) if ids else None
        if start is None:
            continue
        cursor = start
        for j in range(start, min(start + len(ids), len(sections))):
            if sections[j]["id"] not in ids:
                break
            chains[j].append(d)
    tree: list[Node] = []
    starts: dict[int, list[Node]] = {}
    open_chain: list[int] = []
    open_nodes: list[Node] = []
    for j, section in enumerate(sections):
        chain = chains[j]
        keep = 0
        while keep < min(len(chain), len(open_chain)) and chain[keep] == open_chain[keep]:
            keep += 1
        del open_chain[keep:], open_nodes[keep:]
        for d in chain[keep:]:
            division = divisions[d]
            node = Node(entry_text(division.get("label", ""), division.get("title", "")), f"d-{d}", len(open_nodes))
            (open_nodes[-1].children if open_nodes else tree).append(node)
            starts.setdefault(j, []).append(node)
            open_chain.append(d)
            open_nodes.append(node)
        entry = Node(entry_text(section.get("label") or "", section.get("heading") or "") or f"Mục {section['id']}",
                     f"s-{section['id']}", len(open_nodes), section=True,
                     nest=max(0, len(section.get("path") or []) - len(chain) - 1))
        (open_nodes[-1].children if open_nodes else tree).append(entry)
    return Contents(tree, starts, len(sections))
