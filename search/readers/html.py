"""Saved web pages (.html, .htm, and Word's single-file web pages): the document, not the site.

The page's <title> is kept as chrome (portals put the site's name there as often as the
document's). When the page carries a document's full text, readability (readability-lxml) finds the block that holds
it; otherwise (an attribute page) the page is read without its chrome: scripts, forms,
navigation, headers, footers and elements whose id or class names a menu, banner, sidebar or
the like, and blocks of links with little else (menus, facet lists). Tables are written as layout cells. A page that is then still mostly links or has
hardly any text (a diagram page), or that lists many document numbers densely in little text (a
search-result list), is skipped with that reason.
"""
from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import lxml.html
from lxml import etree
from readability import Document
from readability.readability import Unparseable

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
# A list of documents (search results): many distinct numbers, densely (per 1,000 letters).
NUMBER = re.compile(r"\b\d+/(?:\d{4}/)?[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)+")
LIST_NUMBERS = 8
LIST_DENSITY = 4
BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article", "dd",
          "dt", "blockquote", "pre", "center", "ul", "ol", "dl", "main", "body", "hr"}


def read(path: Path, context: Context) -> Extract:
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
    numbers = set(NUMBER.findall(" ".join(lines)))
    if len(numbers) >= LIST_NUMBERS and len(numbers) * 1000 >= LIST_DENSITY * letters:
        raise UnreadableFile(f"no document text in this web page (a list of {len(numbers)} documents: "
                             f"search results or related documents)")
    return Extract("\n".join(lines), [title] if title else [])


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
    for element in list(root.iter("ul", "ol", "dl", "div", "table", "p")):
        if element.getparent() is not None and _link_list(element):
            element.drop_tree()
    body = root.find("body")
    return body if body is not None else root


def _link_list(element) -> bool:
    """A block of five or more links and little else: a menu, a facet list, a list of news."""
    links = list(element.iter("a"))
    if len(links) < 5:
        return False
    letters = sum(c.isalpha() for c in element.text_content())
    linked = sum(c.isalpha() for a in links for c in a.text_content())
    return linked >= 0.8 * letters


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
