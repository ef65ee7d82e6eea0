"""Helpers shared by the robustness tests."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The tags the templates write themselves; any other tag in a page came from data or input.
TEMPLATE_TAGS = {tag.lower() for template in (REPO / "webui" / "templates").glob("*.html")
                 for tag in re.findall(r"<([A-Za-z][A-Za-z0-9]*)", template.read_text(encoding="utf-8"))}
TEMPLATE_TAGS.add("mark")  # the highlighting of snippets and mention contexts


class _LiveMarkup(HTMLParser):
    """The tags and attributes a browser would act on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def live_tags(body: str) -> list[tuple[str, list]]:
    """Every (tag, attributes) of an HTML page, as a browser would read them."""
    parser = _LiveMarkup()
    parser.feed(body)
    parser.close()
    return parser.tags


def print_summary(pytestconfig, line: str) -> None:
    """Print a test module's counts even when pytest captures output."""
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + line)
