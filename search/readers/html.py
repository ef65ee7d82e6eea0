"""Saved web pages (.html, .htm, and Word's single-file web pages): the document, not the site.

The page's own title comes first (portals put the document's name and number there). When the
page carries a document's full text, readability (readability-lxml) finds the block that holds
it; otherwise (an attribute page) the page is read without its chrome: scripts, forms,
navigation, headers, footers and elements whose id or class names a menu, banner, sidebar or
the like. Tables are written as layout cells. A page that is then still mostly links or has
hardly any text (a search-result list, a diagram page) is skipped with that reason.
"""
from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from . import Context, Extract, UnreadableFile
from .layout import table_lines

FULL_TEXT = 1500  # letters of a readability summary that make it a document's full text
MIN_LETTERS = 200  # fewer letters outside links than this: no document text
# no "form": ASP.NET pages wrap their whole body in one
CHROME_TAGS = ["script", "style", "noscript", "template", "iframe", "nav", "header", "footer",
               "aside", "button", "select", "input", "svg", "canvas", "object", "embed"]
CHROME_NAMES = {"menu", "mainmenu", "submenu", "nav", "navbar", "navigation", "header", "footer", "sidebar",
                "breadcrumb", "breadcrumbs", "banner", "login", "search", "share", "social", "toolbar", "tabs",
                "cookie", "popup", "modal", "advert", "ads", "quangcao", "lienket", "hotline"}
BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article", "dd",
          "dt", "blockquote", "pre", "center", "ul", "ol", "dl", "main", "body", "hr"}


def read(path: Path, context: Context) -> Extract:
    import lxml.html
    from lxml import etree

    markup = _markup(path.read_bytes())
    if isinstance(markup, bytes):
        try:
            markup = markup.decode("utf-8")  # most pages are UTF-8, whatever their meta tag says
        except UnicodeDecodeError:
            pass  # lxml reads the page's own charset declaration
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as e:
        raise UnreadableFile(f"broken web page ({e})") from None
    title = " ".join((root.findtext(".//title") or "").split())
    body = _full_text(markup)
    if body is None:
        body = _without_chrome(root)
    lines = _lines(body)
    letters = sum(c.isalpha() for line in lines for c in line)
    linked = sum(c.isalpha() for a in body.iter("a") for c in a.text_content())
    if letters - linked < MIN_LETTERS:
        what = "mostly links" if linked > letters / 2 else "hardly any text"
        raise UnreadableFile(f"no document text in this web page ({what}: a search-result list, a diagram "
                             f"or a page whose text is loaded by a script)")
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    return Extract("\n".join(lines))


def _markup(data: bytes) -> bytes | str:
    """The HTML of a page, also out of a single-file web page (MHTML) as Word saves it."""
    head = data[:2048].lstrip().lower()
    if head.startswith(b"mime-version:"):
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/html":
                return part.get_content()
        raise UnreadableFile("a web archive without an HTML page")
    return data


def _full_text(markup):
    import lxml.html
    from readability import Document
    from readability.readability import Unparseable

    try:
        summary = Document(markup).summary(html_partial=True)
    except (Unparseable, ValueError, TypeError):
        return None
    node = lxml.html.fragment_fromstring(summary, create_parent="div")
    letters = sum(c.isalpha() for c in node.text_content())
    return node if letters >= FULL_TEXT else None


def _without_chrome(root):
    for element in root.iter(*CHROME_TAGS):
        if element.getparent() is not None:
            element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = set(re.split(r"[\s_-]+", f"{element.get('id', '')} {element.get('class', '')}".lower()))
        if names & CHROME_NAMES and element.tag not in ("html", "body"):
            element.drop_tree()
    body = root.find("body")
    return body if body is not None else root


def _lines(node) -> list[str]:
    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        if text:
            out.append(text)
        buffer.clear()

    def visit(element) -> None:
        if not isinstance(element.tag, str):
            buffer.append(element.tail or "")
            return
        tag = element.tag.lower()
        if tag in CHROME_TAGS:
            buffer.append(element.tail or "")
            return
        if tag == "table":
            flush()
            out.extend(_table(element))
            buffer.append(element.tail or "")
            return
        block = tag in BLOCKS
        if block:
            flush()
        buffer.append(element.text or "")
        for child in element:
            visit(child)
        if block:
            flush()
        buffer.append(element.tail or "")

    visit(node)
    flush()
    return out


def _table(table) -> list[str]:
    rows = []
    for tr in table.iter("tr"):
        if _owner(tr) is not table:
            continue  # a nested table's row: read as part of its cell
        cells = []
        for td in tr:
            if isinstance(td.tag, str) and td.tag.lower() in ("td", "th"):
                cells.append([line for line in _lines_of_cell(td) if line != "|"])
        rows.append(cells)
    return table_lines(rows)


def _owner(tr):
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _lines_of_cell(td) -> list[str]:
    clone = td.__copy__()
    clone.tail = None
    return _lines(clone)
