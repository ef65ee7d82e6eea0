"""The web UI in real headless Chromium (Playwright), served by waitress on a free loopback port.

Skipped when Chromium or Playwright is missing, unless CI is set: then they fail, because CI
must install Chromium. Screenshots go to tests/screenshots/ (git-ignored).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpers import served

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the browser tests are optional outside CI
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MISSING = sync_playwright is None or not Path(CHROMIUM).exists()

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(MISSING and not os.environ.get("CI"), reason="Chromium or Playwright missing")]


@pytest.fixture(scope="module")
def base_url(corpus_index):
    with served(corpus_index) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if MISSING:
        pytest.fail(f"CI is set but Playwright or {CHROMIUM} is missing: install Chromium for the browser tests")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, viewport, javascript=True):
    context = browser.new_context(viewport=viewport, locale="vi-VN", java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture()
def page(browser):
    page = open_page(browser, DESKTOP)
    yield page
    page.context.close()


def shoot(page, name: str, full_page: bool = True) -> None:
    """Save the whole page, or only the window's area (what the reader sees without scrolling)."""
    SHOTS.mkdir(exist_ok=True)
    window = None if full_page else {"x": 0, "y": 0, **page.viewport_size}
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page, clip=window)


def assert_no_horizontal_overflow(page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"


def announced_count(page) -> int:
    text = page.locator(".summary .count").inner_text()
    match = re.search(r"Tìm thấy ([\d.]+) văn bản", text)
    assert match, text
    return int(match.group(1).replace(".", ""))


def section_in_view(page) -> bool:
    return page.evaluate("""() => {
        const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
        if (!el) return false;
        const top = el.getBoundingClientRect().top;
        return top >= -1 && top < window.innerHeight / 2;
    }""")


def test_type_a_query_and_see_results(page, base_url, engine):
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", name="Văn bản mới nhất")).to_be_visible()
    shoot(page, "start-desktop")
    box = page.get_by_role("searchbox", name="Từ khóa tìm kiếm")
    box.fill("ho chieu vac xin")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=ho\+chieu\+vac\+xin$"))
    assert announced_count(page) == engine.search("ho chieu vac xin")["total"]
    expect(page.locator(".hit").first).to_be_visible()
    expect(page.locator(".snippet mark", has_text="hộ chiếu vắc xin")).to_be_visible()
    mark_colour = page.locator(".snippet mark").first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert mark_colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert_no_horizontal_overflow(page)
    shoot(page, "search-desktop")


def test_click_a_facet_then_remove_it(page, base_url, engine):
    page.goto(base_url + "/search?q=d%E1%BB%8Bch")
    total = announced_count(page)
    signer, count = next(iter(engine.search("dịch")["facets"]["signer"].items()))
    facet = page.locator(".facet").filter(has=page.get_by_role("heading", name="Người ký"))
    facet.get_by_role("link", name=signer).click()
    page.wait_for_url(re.compile(r"signer="))
    assert announced_count(page) == count < total
    chip = page.locator(".chips li", has_text=signer)
    expect(chip).to_contain_text(f"Người ký: {signer}")
    expect(page.locator(".facet li.active", has_text=signer)).to_be_visible()
    for meta in page.locator(".hit .meta", has_text="Người ký").all():
        expect(meta).to_contain_text(signer)
    shoot(page, "facet-desktop")
    chip.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/search\?q=d%E1%BB%8Bch$"))
    assert announced_count(page) == total


def test_year_facet_and_sort(page, base_url, engine):
    page.goto(base_url + "/search?q=d%E1%BB%8Bch")
    year, count = next(iter(engine.search("dịch")["facets"]["year"].items()))
    page.locator(".facet").filter(has=page.get_by_role("heading", name="Năm")).get_by_role("link", name=year).click()
    assert announced_count(page) == count
    expect(page.locator(".chips li", has_text="Năm")).to_contain_text(f"Năm: {year}")
    page.get_by_role("link", name="Cũ nhất").click()
    expect(page.locator(".sort strong")).to_have_text("Cũ nhất")
    dates = [h["date"] for h in engine.search("dịch", year=year, sort="date")["hits"]]
    assert dates == sorted(dates)
    first_date = "/".join(reversed(dates[0].split("-")))
    expect(page.locator(".hit").first).to_contain_text(first_date)


def test_open_a_result_at_its_section(page, base_url, engine):
    page.goto(base_url + "/search?q=h%E1%BB%99+chi%E1%BA%BFu+v%E1%BA%AFc+xin")
    hit = next(h for h in engine.search("hộ chiếu vắc xin")["hits"] if h["section"])
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(re.escape(f"#s-{hit['section']}") + "$"))
    assert section_in_view(page)
    expect(page.locator(f"[id='s-{hit['section']}']")).to_contain_text("hộ chiếu vắc xin")
    expect(page.locator(".facts")).to_contain_text(hit["number"])
    shoot(page, "document-section-desktop", full_page=False)  # the viewport, as the reader lands
    assert_no_horizontal_overflow(page)


def test_follow_a_reference_to_its_mentions(page, base_url, engine):
    page.goto(base_url + "/doc/318/TB-VPCP")
    references = page.locator("#references")
    references.get_by_role("link", name="Nghị quyết 128/NQ-CP").click()
    page.wait_for_url(re.compile(r"/mentions/128/NQ-CP$"))
    mentions = engine.mentions("128/NQ-CP")
    expect(page.locator(".count")).to_contain_text(
        f"Được nhắc {mentions['total']} lần trong {mentions['documents']} văn bản")
    expect(page.locator(".context mark").first).to_be_visible()
    assert page.locator(".context mark").count() >= mentions["total"]
    shoot(page, "mentions-desktop")
    first = mentions["mentions"][0]
    page.locator("a.where").first.click()
    if first["section"]:
        page.wait_for_url(re.compile(re.escape(f"#s-{first['section']}") + "$"))
        assert section_in_view(page)
    expect(page.locator(".facts")).to_contain_text(first["number_of_document"])


def test_cited_by_links_back(page, base_url, engine):
    page.goto(base_url + "/doc/285/TB-VPCP")
    citing = engine.show("285/TB-VPCP")["cited_by"][0]
    section = page.locator("#cited-by")
    expect(section.get_by_role("heading")).to_have_text("Được trích dẫn bởi")
    section.get_by_role("link", name=citing["number"]).click()
    expect(page.locator("h1")).to_have_text(citing["title"])


def test_help_example_runs(page, base_url):
    page.goto(base_url + "/help")
    page.get_by_role("link", name='"hộ chiếu vắc xin"').click()
    assert announced_count(page) >= 1
    expect(page.get_by_role("searchbox")).to_have_value('"hộ chiếu vắc xin"')


def test_bad_query_shows_the_error(page, base_url):
    page.goto(base_url + "/search?q=%22h%E1%BB%99+chi%E1%BA%BFu")
    expect(page.get_by_role("alert")).to_contain_text("Không thực hiện được tìm kiếm này")


PHONE_PAGES = [("start", "/"), ("search", "/search?q=ho+chieu+vac+xin"),
               ("within", "/doc/318/TB-VPCP?q=x%C3%A9t+nghi%E1%BB%87m"),
               ("filtered", "/search?q=d%E1%BB%8Bch&signer=Nguy%E1%BB%85n+S%E1%BB%B9+Hi%E1%BB%87p&sort=-date"),
               ("document", "/doc/318/TB-VPCP"), ("mentions", "/mentions/128/NQ-CP"), ("help", "/help"),
               ("error", "/search?q=%28"), ("not-found", "/doc/nope")]


def test_phone_layout_without_javascript(browser, base_url):
    page = open_page(browser, PHONE, javascript=False)
    try:
        for name, path in PHONE_PAGES:
            page.goto(base_url + path)
            assert_no_horizontal_overflow(page)
            shoot(page, f"{name}-phone", full_page=False)  # what the reader sees first
        # searching works with JavaScript off; the filters come first, and a link skips them
        page.goto(base_url + "/")
        page.get_by_role("searchbox").fill("vắc xin")
        page.get_by_role("button", name="Tìm kiếm").click()
        assert announced_count(page) >= 1
        expect(page.get_by_role("heading", name="Người ký")).to_be_in_viewport()
        shoot(page, "filters-phone", full_page=False)
        page.get_by_role("link", name="Bỏ qua bộ lọc, tới kết quả").click()
        expect(page.locator(".hit").first).to_be_in_viewport()
        shoot(page, "results-phone", full_page=False)
    finally:
        page.context.close()


def test_desktop_pages_do_not_overflow(page, base_url):
    for name, path in PHONE_PAGES:
        page.goto(base_url + path)
        assert_no_horizontal_overflow(page)
        if name in ("document", "help", "filtered"):
            shoot(page, f"{name}-desktop")


# --- accessibility -------------------------------------------------------------------------------

def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    def luminance(colour: str) -> float:
        r, g, b = (int(x) / 255 for x in re.findall(r"[\d.]+", colour)[:3])
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def backdrop(locator) -> str:
    """The first non-transparent background colour behind an element."""
    return locator.evaluate("""el => {
        for (let e = el.parentElement; e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
        }
        return 'rgb(255, 255, 255)';
    }""")


def test_focus_is_visible_with_enough_contrast(page, base_url):
    """Every control reached with Tab shows an outline of at least 3:1 against what is behind it."""
    page.goto(base_url + "/search?q=v%E1%BA%AFc+xin")
    checked = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if not focused.count():
            continue
        style = focused.evaluate("el => { const s = getComputedStyle(el); "
                                 "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }")
        assert style[0] != "none" and style[1] >= 2, (focused.evaluate("el => el.outerHTML"), style)
        assert contrast(style[2], backdrop(focused)) >= 3, (focused.evaluate("el => el.outerHTML"), style)
        checked += 1
    assert checked >= 20
    page.goto(base_url + "/search?q=v%E1%BA%AFc+xin")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    shoot(page, "focus-desktop", full_page=False)


def test_keyboard_reaches_the_filters_before_the_results(page, base_url):
    page.goto(base_url + "/search?q=d%E1%BB%8Bch")
    order = []
    for _ in range(60):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.closest('#filters') ? 'filter' : "
                                   "document.activeElement.closest('.hit') ? 'hit' : 'other'"))
    assert "filter" in order and "hit" in order
    assert order.index("filter") < order.index("hit")
    # the skip link, first in the filters, jumps to the results
    page.goto(base_url + "/search?q=d%E1%BB%8Bch")
    while not page.evaluate("() => document.activeElement.classList.contains('skip')"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.results')")


try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # installed by the test extras
    Axe = None


@pytest.mark.skipif(Axe is None and not os.environ.get("CI"), reason="axe-playwright-python missing")
def test_axe_finds_no_accessibility_violations(page, base_url):
    """axe-core (the copy axe-playwright-python ships) on every kind of page, desktop and phone."""
    paths = [path for _, path in PHONE_PAGES] + ["/mentions", "/search?q=xyzzyqwerty"]
    axe = Axe()
    found = {}
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(base_url + path)
            violations = axe.run(page).response["violations"]
            if violations:
                found[(viewport["width"], path)] = [(v["id"], [n["html"][:120] for n in v["nodes"][:3]])
                                                    for v in violations]
    assert not found, found


def test_print_leaves_out_the_controls(page, base_url):
    """Printed, a result list and a document keep their text and lose the search box, filters and links bar."""
    page.emulate_media(media="print")
    page.goto(base_url + "/search?q=v%E1%BA%AFc+xin")
    for hidden in ("header.site", "#filters", ".sort", ".downloads", "footer.site"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".hit").first).to_be_visible()
    shoot(page, "search-print")
    page.goto(base_url + "/doc/318/TB-VPCP")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator(".sec").first).to_be_visible()
    assert page.locator("mark").count() == 0 or page.locator("mark").first.evaluate(
        "m => getComputedStyle(m).backgroundColor") in ("rgba(0, 0, 0, 0)", "transparent")
    shoot(page, "document-print")


def test_search_within_a_document_and_jump_to_a_section(page, base_url, engine):
    page.goto(base_url + "/doc/318/TB-VPCP")
    box = page.get_by_role("searchbox", name="Từ cần tìm")
    box.fill("xét nghiệm")
    box.press("Enter")
    page.wait_for_url(re.compile(r"\?q=x%C3%A9t"))
    expect(page.locator(".search-within .count")).to_contain_text("có “xét nghiệm”")
    expect(page.locator(".within-hits mark").first).to_be_visible()
    expect(page.get_by_role("heading", name="Văn bản liên quan")).to_be_visible()
    shoot(page, "within-desktop", full_page=False)
    link = page.locator(".within-hits a").first
    target = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    assert section_in_view(page)
