"""The law pages in real headless Chromium: the contents tree, the Lược đồ panel, the status
filter and badges, at desktop and phone widths (tests/fixtures/laws; see test_validity.py)."""
from __future__ import annotations

import re

import pytest

from helpers import served
from test_browser import (DESKTOP, MISSING, PHONE, assert_no_horizontal_overflow, browser, open_page,  # noqa: F401
                          shoot)

try:
    from playwright.sync_api import expect
except ImportError:
    expect = None

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(MISSING and not __import__("os").environ.get("CI"),
                                 reason="Chromium or Playwright missing")]

LAW = "/doc/10/2015/QH13"


@pytest.fixture(scope="module")
def laws_url(laws_index):
    with served(laws_index) as url:
        yield url


@pytest.fixture(params=["desktop", "phone"])
def width(request, browser):  # noqa: F811
    page = open_page(browser, DESKTOP if request.param == "desktop" else PHONE, javascript=False)
    yield request.param, page
    page.context.close()


def test_contents_tree_links_to_articles(width, laws_url):
    name, page = width
    page.goto(laws_url + LAW)
    toc = page.get_by_role("navigation", name="Mục lục")
    if name == "phone":  # folded above the text; opened with a tap
        expect(toc.get_by_role("link", name="Điều 3. Điều kiện nuôi ong")).to_be_hidden()
        shoot(page, "law-contents-closed-phone", full_page=False)
        toc.locator("summary").click()
    chapter = toc.locator("li.division-entry", has=page.get_by_role("link", name="Chương II. NUÔI ONG VÀ KHAI THÁC MẬT",
                                                                     exact=True))
    expect(chapter.get_by_role("link", name="Mục 1. NUÔI ONG")).to_be_visible()
    shoot(page, f"law-contents-{name}", full_page=False)
    chapter.get_by_role("link", name="Điều 4. Thời hạn đăng ký trại ong").click()
    page.wait_for_url(re.compile(r"#s-4$"))
    article = page.locator("[id='s-4']")
    expect(article.get_by_role("heading")).to_have_text("Điều 4. Thời hạn đăng ký trại ong")
    top = article.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"] / 2
    assert_no_horizontal_overflow(page)


def test_contents_stay_beside_the_text_on_desktop(width, laws_url):
    name, page = width
    if name == "phone":
        pytest.skip("a side panel only where the screen is wide")
    page.goto(laws_url + LAW)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    link = page.get_by_role("navigation", name="Mục lục").get_by_role("link", name="Điều 1. Phạm vi điều chỉnh")
    expect(link).to_be_in_viewport()
    panel, text = (page.locator(sel).bounding_box() for sel in (".toc", ".body"))
    assert panel["x"] >= text["x"] + text["width"]  # beside the text, not over it
    shoot(page, "law-bottom-desktop", full_page=False)


def test_contents_are_reachable_from_the_end_of_the_page_on_a_phone(width, laws_url):
    name, page = width
    if name == "desktop":
        pytest.skip("on wide screens the contents stay beside the text")
    page.goto(laws_url + LAW)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    button = page.get_by_role("link", name="Mục lục", exact=True)
    expect(button).to_be_in_viewport()
    shoot(page, "law-bottom-phone", full_page=False)
    button.click()
    link = page.get_by_role("navigation", name="Mục lục").get_by_role("link", name="Điều 1. Phạm vi điều chỉnh")
    expect(link).to_be_in_viewport()
    shoot(page, "law-contents-reopened-phone", full_page=False)


def test_schema_panel_and_history(width, laws_url):
    name, page = width
    page.goto(laws_url + LAW)
    schema = page.locator("#luoc-do")
    group = schema.locator(".rel-group", has=page.get_by_role("heading", name=re.compile("Được sửa đổi, bổ sung bởi")))
    expect(group).to_contain_text("Luật 20/2019/QH14")
    expect(schema.locator(".rel-group", has=page.get_by_role("heading", name=re.compile("^Căn cứ")))).to_contain_text(
        "Hiến pháp")
    history = page.locator("#lich-su li")
    expect(history).to_have_count(4)
    expect(history.nth(1)).to_contain_text("01/01/2016")
    expect(page.locator(".validity .badge")).to_have_text("Còn hiệu lực, đã sửa đổi")
    schema.scroll_into_view_if_needed()
    shoot(page, f"law-schema-{name}", full_page=False)
    assert_no_horizontal_overflow(page)
    group.get_by_role("link", name="Luật 20/2019/QH14").click()
    expect(page.locator("h1")).to_have_text("Luật sửa đổi, bổ sung một số điều của Luật Nuôi ong")


def test_warning_on_a_document_resting_on_a_replaced_one(width, laws_url):
    name, page = width
    page.goto(laws_url + "/doc/05/2017/TT-BNNPTNT")
    warning = page.get_by_role("note")
    expect(warning).to_contain_text("Nghị định 30/2016/NĐ-CP")
    expect(warning).to_contain_text("Hết hiệu lực: bị thay thế")
    shoot(page, f"law-warning-{name}", full_page=False)
    assert_no_horizontal_overflow(page)
    page.locator(".validity summary", has_text="Hiệu lực tại một ngày khác").click()
    page.get_by_label("Hiệu lực tính đến ngày").fill("01/01/2020")  # as Vietnamese write dates
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"asof=01%2F01%2F2020"))
    expect(page.get_by_role("note")).to_have_count(0)
    expect(page.locator(".validity")).to_contain_text("tính đến ngày 01/01/2020")
    shoot(page, f"law-asof-{name}", full_page=False)


def test_status_filter_and_badges(width, laws_url):
    name, page = width
    page.goto(laws_url + "/search?q=tr%E1%BA%A1i+ong")
    badges = page.locator(".hit .badge")
    expect(badges.first).to_be_visible()
    assert "Hết hiệu lực: bị thay thế" in badges.all_inner_texts()
    shoot(page, f"law-results-{name}", full_page=False)
    facet = page.locator(".facet").filter(has=page.get_by_role("heading", name="Hiệu lực", exact=True))
    facet.get_by_role("link", name=re.compile("Hết hiệu lực \\(toàn bộ\\)")).click()
    page.wait_for_url(re.compile(r"status=invalid"))
    expect(page.locator(".hit")).to_have_count(1)
    expect(page.locator(".hit .badge")).to_have_text("Hết hiệu lực: bị thay thế")
    expect(page.locator(".chips li")).to_contain_text("Hiệu lực: Hết hiệu lực (toàn bộ)")
    page.get_by_label("Ngày", exact=True).fill("01/01/2021")
    page.get_by_role("button", name="Xem hiệu lực").click()
    page.wait_for_url(re.compile(r"asof=01%2F01%2F2021"))
    expect(page.get_by_label("Ngày", exact=True)).to_have_value("01/01/2021")
    expect(page.locator(".hit")).to_have_count(0)
    shoot(page, f"law-filtered-{name}", full_page=False)
    assert_no_horizontal_overflow(page)


def test_result_headings_read_article_and_title(width, laws_url):
    name, page = width
    page.goto(laws_url + "/search?q=th%E1%BB%9Di+h%E1%BA%A1n+%C4%91%C4%83ng+k%C3%BD")
    expect(page.locator(".hit .heading").first).to_have_text("Điều 4. Thời hạn đăng ký trại ong")
