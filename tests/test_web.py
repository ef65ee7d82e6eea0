"""The web UI through Flask's test client: pages, links, filters, escaping, errors, JSON API."""
from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from webui import create_app

HIAP = "Nguyễn Sỹ Hiệp"


@pytest.fixture(scope="module")
def app(corpus_index):
    return create_app(corpus_index)


@pytest.fixture()
def client(app):
    return app.test_client()


def text_of(response) -> str:
    """What a reader sees: the page without tags, entities decoded, whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def links(response, pattern: str = "") -> list[str]:
    """Every href on the page (entities decoded) that contains `pattern`."""
    hrefs = re.findall(r'href="([^"]*)"', response.get_data(as_text=True))
    return [html.unescape(h) for h in hrefs if pattern in html.unescape(h)]


def facet_link(response, facet_label: str, value: str) -> str:
    """The href of `value` in the facet group headed `facet_label`."""
    body = response.get_data(as_text=True)
    group = re.search(rf"<h2>{re.escape(facet_label)}</h2>(.*?)</section>", body, re.S)
    assert group, f"no facet group {facet_label}"
    for href, name in re.findall(r'<a href="([^"]*)"[^>]*>\s*<span class="name">([^<]*)</span>', group.group(1)):
        if html.unescape(name) == value:
            return html.unescape(href)
    raise AssertionError(f"no facet value {value!r} under {facet_label}")


def found(response) -> int:
    """The document count the page announces, 0 for "Không tìm thấy"."""
    match = re.search(r"Tìm thấy ([\d.]+) văn bản", text_of(response))
    if match:
        return int(match.group(1).replace(".", ""))
    assert "Không tìm thấy văn bản nào" in text_of(response)
    return 0


def result_titles(response) -> list[str]:
    body = response.get_data(as_text=True)
    return [html.unescape(t) for t in re.findall(r'<li class="hit">.*?<h2><a href="[^"]*">([^<]*)</a>', body, re.S)]


# --- start page and search -------------------------------------------------------

def test_start_page_lists_latest_documents_and_examples(client, engine):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Văn bản mới nhất" in page
    latest = engine.search("", sort="-date")
    assert f"({latest['total']} văn bản trong chỉ mục)" in page
    assert result_titles(response)[0] == (latest["hits"][0]["title"] or latest["hits"][0]["number"])
    assert links(response, "/search?q=ho+chieu+vac+xin")
    assert '<html lang="vi">' in response.get_data(as_text=True)


def test_search_shows_count_time_and_highlighted_results(client, engine):
    response = client.get("/search?q=ho+chieu+vac+xin")
    assert response.status_code == 200
    expected = engine.search("ho chieu vac xin")
    assert found(response) == expected["total"] > 0
    assert re.search(r"Tìm thấy \d+ văn bản \(\d+,\d ms\)", text_of(response))
    body = response.get_data(as_text=True)
    assert "<mark>hộ chiếu vắc xin</mark>" in body  # the snippet's marks are rendered, not escaped
    assert "&lt;mark&gt;" not in body
    first = expected["hits"][0]
    assert result_titles(response)[0] == first["title"]
    dated = next(h for h in expected["hits"] if h["date"])
    y, m, d = dated["date"].split("-")
    assert f"ngày {d}/{m}/{y}" in text_of(response)
    # the query stays in the box, so the result list can be refined
    assert 'value="ho chieu vac xin"' in body


def test_result_links_open_the_document_at_its_section(client, engine):
    response = client.get("/search?q=vắc+xin")
    hits = engine.search("vắc xin")["hits"]
    for hit in hits:
        href = next(h for h in links(response, "/doc/") if unquote(urlsplit(h).path) == f"/doc/{hit['key']}")
        if hit["section"]:
            assert urlsplit(href).fragment == f"s-{hit['section']}"
        doc = client.get(urlsplit(href).path)
        assert doc.status_code == 200
        if hit["section"]:
            assert f'id="s-{hit["section"]}"' in doc.get_data(as_text=True)


def test_keys_with_hash_round_trip(client, engine):
    key = "002_1e68a79eac066694.txt#2"
    doc = engine.show(key)
    assert doc is not None
    response = client.get("/doc/002_1e68a79eac066694.txt%232")
    assert response.status_code == 200
    assert doc["title"] in text_of(response)
    listing = client.get("/search?q=" + "phòng chống dịch")
    assert any(h.startswith("/doc/002_1e68a79eac066694.txt%232") for h in links(listing, "/doc/"))


@pytest.mark.parametrize("facet, label", [("signer", "Người ký"), ("issuer", "Cơ quan ban hành"),
                                          ("type", "Loại văn bản")])
def test_every_facet_link_filters_to_its_count(client, engine, facet, label):
    response = client.get("/search?q=dịch")
    counts = engine.search("dịch")["facets"][facet]
    assert counts
    for value, count in counts.items():
        assert f"{value} {count}" in text_of(response)
        filtered = client.get(facet_link(response, label, value))
        assert found(filtered) == count
        assert f"{label}: {value}" in text_of(filtered)  # the active filter is shown


def test_signer_facet_adds_and_removes_filter(client, engine):
    start = client.get("/search?q=dịch")
    total = found(start)
    href = facet_link(start, "Người ký", HIAP)
    assert parse_qs(urlsplit(href).query) == {"q": ["dịch"], "signer": [HIAP]}
    filtered = client.get(href)
    assert found(filtered) == engine.search("dịch", signer=HIAP)["total"] < total
    assert all(f"Người ký: {HIAP}" in item for item in
               re.findall(r'<li class="hit">(.*?)</li>', html.unescape(filtered.get_data(as_text=True)), re.S))
    # the active chip and the active facet value both remove the filter
    removers = [h for h in links(filtered, "/search") if parse_qs(urlsplit(h).query) == {"q": ["dịch"]}]
    assert len(removers) >= 2
    assert found(client.get(removers[0])) == total


@pytest.mark.parametrize("filters", ["signer=" + HIAP, "type=Thông+báo", "from=2021-01-01&to=2021-12-31"])
def test_filtered_results_list_each_document_once(client, filters):
    response = client.get("/search?q=dịch&" + filters)
    documents = [unquote(urlsplit(h).path) for h in re.findall(r'<li class="hit">.*?<h2><a href="([^"]*)"',
                                                               response.get_data(as_text=True), re.S)]
    assert len(documents) == len(set(documents)) == min(found(response), 10)


def test_year_facet_round_trips(client, engine):
    start = client.get("/search?q=dịch")
    years = engine.search("dịch")["facets"]["year"]
    year, count = next(iter(years.items()))
    href = facet_link(start, "Năm", year)
    assert parse_qs(urlsplit(href).query) == {"q": ["dịch"], "year": [year]}
    filtered = client.get(href)
    assert found(filtered) == count == engine.search("dịch", year=year)["total"]
    assert f"Năm: {year}" in text_of(filtered)
    # the date form keeps the year while a range is chosen
    assert f'<input type="hidden" name="year" value="{year}">' in filtered.get_data(as_text=True)
    unfiltered = facet_link(filtered, "Năm", year)  # the active year links back without it
    assert parse_qs(urlsplit(unfiltered).query) == {"q": ["dịch"]}


def test_date_range_form(client, engine):
    response = client.get("/search?q=dịch&from=2021-10-01&to=2021-11-30")
    expected = engine.search("dịch", date_from="2021-10-01", date_to="2021-11-30")
    assert found(response) == expected["total"] > 0
    page = text_of(response)
    assert "Từ ngày: 01/10/2021" in page and "Đến ngày: 30/11/2021" in page
    bad = client.get("/search?q=dịch&from=2021-13-01")
    assert bad.status_code == 400
    assert "Không thực hiện được tìm kiếm này" in text_of(bad)


def test_filters_without_query_list_documents(client, engine):
    response = client.get("/search?type=Công+văn")
    assert found(response) == engine.search("", type="Công văn")["total"] == 2
    assert "Loại văn bản: Công văn" in text_of(response)


def test_sort_by_date(client, engine):
    newest = client.get("/search?q=dịch&sort=-date")
    oldest = client.get("/search?q=dịch&sort=date")
    assert result_titles(newest) == [h["title"] or h["number"] or h["key"]
                                      for h in engine.search("dịch", sort="-date")["hits"]]
    assert result_titles(oldest) == [h["title"] or h["number"] or h["key"]
                                      for h in engine.search("dịch", sort="date")["hits"]]
    assert result_titles(newest) != result_titles(oldest)
    assert re.search(r'<strong aria-current="true">Mới nhất</strong>', newest.get_data(as_text=True))
    # sort links keep the query and the filters
    sort_links = links(client.get("/search?q=dịch&signer=" + HIAP), "sort=date")
    assert parse_qs(urlsplit(sort_links[0]).query) == {"q": ["dịch"], "signer": [HIAP], "sort": ["date"]}
    # an unknown sort is ignored
    assert client.get("/search?q=dịch&sort=nonsense").status_code == 200


def test_paging(corpus_index, engine):
    client = create_app(corpus_index, PAGE_SIZE=4).test_client()
    total = engine.search("")["total"]
    first = client.get("/search?sort=date")
    assert "Trang 1 / 3" in text_of(first) and total == 9
    next_href = links(first, "page=2")[0]
    assert "Trang sau" in text_of(first) and "Trang trước" not in text_of(first)
    second = client.get(next_href)
    assert "Trang 2 / 3" in text_of(second)
    third = client.get(links(second, "page=3")[0])
    titles = [h["title"] or h["number"] or h["key"] for h in engine.search("", sort="date", limit=4, offset=8)["hits"]]
    assert result_titles(third) == titles
    assert "Trang sau" not in text_of(third) and "Trang trước" in text_of(third)
    assert 'start="9"' in third.get_data(as_text=True)
    beyond = client.get("/search?sort=date&page=99")
    assert "Trang này không còn kết quả" in text_of(beyond)


@pytest.mark.parametrize("page", ["abc", "-1", "1.5", "99999999999999999999", ""])
def test_bad_page_numbers_fall_back_to_the_first_page(client, page):
    response = client.get(f"/search?q=dịch&page={page}")
    assert response.status_code == 200
    assert found(response) > 0


def test_no_results(client):
    response = client.get("/search?q=xyzzyqwerty")
    assert response.status_code == 200
    assert "Không tìm thấy văn bản nào" in text_of(response)


@pytest.mark.parametrize("query", ['"hộ chiếu', "signer:", "(covid", "a OR", "x" * 1001])
def test_malformed_query_renders_a_friendly_error(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 400
    page = text_of(response)
    assert "Không thực hiện được tìm kiếm này" in page
    assert "hướng dẫn cú pháp" in page
    assert "Traceback" not in page


def facet_values(response, facet_label: str) -> list[str]:
    """The values listed under a facet group, in page order (collapsed ones included)."""
    body = response.get_data(as_text=True)
    group = re.search(rf"<h2>{re.escape(facet_label)}</h2>(.*?)</section>", body, re.S)
    return [html.unescape(v) for v in re.findall(r'<span class="name">([^<]*)</span>', group.group(1))]


def test_the_year_facet_lists_years_newest_first(client, engine):
    counts = engine.search("")["facets"]["year"]
    assert len(counts) > 1 and list(counts) != sorted(counts, reverse=True)  # the engine orders by count
    assert facet_values(client.get("/search?sort=-date"), "Năm") == sorted(counts, reverse=True)


def test_long_facet_lists_collapse_under_xem_them(corpus_index, engine):
    """Beyond FACET_SHOWN values a group folds the rest into <details> (no JavaScript needed)."""
    client = create_app(corpus_index, FACET_SHOWN=2).test_client()
    signers = list(engine.search("")["facets"]["signer"])
    assert len(signers) > 2
    body = client.get("/search?sort=-date").get_data(as_text=True)
    group = re.search(r"<h2>Người ký</h2>(.*?)</section>", body, re.S).group(1)
    shown, folded = group.split("<details>")
    assert re.findall(r'<span class="name">([^<]*)</span>', shown) == [html.escape(s, False) for s in signers[:2]]
    assert f"<summary>Xem thêm {len(signers) - 2}</summary>" in folded
    assert len(re.findall(r'<span class="name">', folded)) == len(signers) - 2


def test_download_links_carry_the_result_lists_state(client, engine):
    response = client.get("/search", query_string={"q": "dịch", "type": "Thông báo", "sort": "-date", "page": "2"})
    csv_link = links(response, "/search.csv")
    assert len(csv_link) == 1 and "Tải kết quả (CSV)" in text_of(response)
    assert parse_qs(urlsplit(csv_link[0]).query) == {"q": ["dịch"], "type": ["Thông báo"], "sort": ["-date"]}
    expected = engine.search("dịch", type="Thông báo", sort="-date", limit=1000)

    download = client.get(csv_link[0])
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    import csv
    import io
    text = download.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheet programs then read UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["key"] for r in rows] == [h["key"] for h in expected["hits"]]
    assert rows[0]["type"] == "Thông báo"

    data = json.loads(client.get(links(response, "/search.json")[0]).get_data(as_text=True))
    assert data["total"] == expected["total"] == len(data["hits"])
    assert [h["key"] for h in data["hits"]] == [h["key"] for h in expected["hits"]]


def test_a_download_of_a_bad_query_gets_the_vietnamese_error(client):
    response = client.get("/search.csv", query_string={"q": "(covid"})
    assert response.status_code == 400 and "Thiếu dấu ngoặc" in text_of(response)


def test_every_page_has_one_h1(client, engine):
    key = engine.show("318/TB-VPCP")["key"].replace("#", "%23")
    for path in ("/", "/search?q=dịch", "/search?type=Thông+báo", "/search?q=xyzzy", "/search?q=%28", f"/doc/{key}",
                 "/mentions", "/mentions/128/NQ-CP", "/mentions/abc", "/help", "/nowhere"):
        body = client.get(path).get_data(as_text=True)
        assert len(re.findall(r"<h1[ >]", body)) == 1, path


def test_filters_come_before_the_results_in_the_page(client):
    body = client.get("/search?q=dịch").get_data(as_text=True)
    assert body.index('id="filters"') < body.index('<ol class="hits"')
    assert '<a class="skip" href="#results">' in body and 'id="results"' in body


ENGLISH = re.compile(r"\b(the|is|must|needs|write|Unbalanced|Unknown|Bad|never|after|before|only|query|date)\b(?!:)")


@pytest.mark.parametrize("params, expected", [
    ({"q": '"hộ chiếu'}, "Thiếu dấu ngoặc kép"),
    ({"q": "(covid"}, "Thiếu dấu ngoặc"),
    ({"q": "covid)"}, "Thừa dấu ngoặc"),
    ({"q": "a OR"}, "OR cần một từ tìm kiếm"),
    ({"q": "signer:"}, "Trường “signer:” cần một giá trị"),
    ({"q": "author:Hiệp"}, "Không có trường “author:”"),
    ({"q": "*vắc"}, "chỉ dùng được dấu * ở cuối từ"),
    ({"q": "v*"}, "cần ít nhất hai chữ cái"),
    ({"q": "x" * 1001}, "Câu tìm kiếm quá dài (1001 ký tự; tối đa 1000)"),
    ({"q": "number:abc"}, "“abc” không phải là một số hiệu văn bản"),
    ({"q": "year:21"}, "Năm “21” không hợp lệ"),
    ({"q": "dịch", "from": "2021-13-01"}, "tháng phải từ 1 đến 12"),
    ({"q": "dịch", "from": "2021-02-30"}, "tháng đó chỉ có 28 ngày"),
    ({"q": "dịch", "from": "hôm qua"}, "Ngày “hôm qua” không hợp lệ"),
    ({"q": "dịch", "from": "2021-12-01", "to": "2021-01-01"}, "Khoảng thời gian trống"),
    ({"q": "dịch", "signer": "x" * 301}, "Bộ lọc “Người ký” quá dài (301 ký tự; tối đa 300)"),
])
def test_query_errors_are_worded_in_vietnamese(client, params, expected):
    """The engine's messages are English (the CLI and JSON keep them); the page re-words each one."""
    response = client.get("/search", query_string=params)
    assert response.status_code == 400
    alert = re.search(r'<div class="notice error" role="alert">(.*?)</div>', response.get_data(as_text=True), re.S)
    message = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", alert.group(1))).split())
    assert expected in message
    assert not ENGLISH.search(message.replace("x" * 301, "")), message


def test_a_bad_number_on_the_mentions_page_is_worded_in_vietnamese(client):
    response = client.get("/mentions/abc")
    assert response.status_code == 404
    assert "“abc” không phải là một số hiệu văn bản (ví dụ 128/NQ-CP)." in text_of(response)
    assert "is not a document number" not in text_of(response)


def test_query_with_script_is_escaped(client):
    response = client.get("/search", query_string={"q": "<script>alert(1)</script>"})
    body = response.get_data(as_text=True)
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


# --- document page ------------------------------------------------------------------

def test_document_page_shows_metadata_sections_and_references(client, engine):
    doc = engine.show("318/TB-VPCP")
    response = client.get(f"/doc/{doc['key'].replace('#', '%23')}")
    assert response.status_code == 200
    page = text_of(response)
    for expected in ("Số hiệu 318/TB-VPCP", "Loại văn bản Thông báo", "Cơ quan ban hành VĂN PHÒNG CHÍNH PHỦ",
                     "Hà Nội, ngày 27/11/2021", f"Người ký {HIAP}", doc["signer"]["position"], doc["title"],
                     "Nơi nhận", doc["recipients"][0], "Văn bản trích dẫn"):
        assert expected in page
    body = response.get_data(as_text=True)
    for section in doc["sections"]:
        assert f'id="s-{section["id"]}"' in body
    mention_links = {unquote(h): h for h in links(response, "/mentions/")}
    for reference in doc["references"]:
        href = mention_links[f"/mentions/{reference['number']}"]
        assert reference["number"] in text_of(client.get(href))
    # metadata values are links that search for them
    assert any(parse_qs(urlsplit(h).query) == {"signer": [HIAP]} for h in links(response, "/search"))


def test_document_by_number_and_cited_by(client, engine):
    response = client.get("/doc/285/TB-VPCP")
    assert response.status_code == 200
    doc = engine.show("285/TB-VPCP")
    assert doc["cited_by"]
    page = text_of(response)
    assert "Được trích dẫn bởi" in page
    for citing in doc["cited_by"]:
        assert citing["number"] in page
        href = next(h for h in links(response, "/doc/") if unquote(h) == f"/doc/{citing['key']}")
        assert client.get(href).status_code == 200


def test_reference_in_corpus_links_to_the_document(client, engine):
    citing = engine.show("6325/UBND-KGVX")
    reference = next(r for r in citing["references"] if r["key"])
    response = client.get("/doc/6325/UBND-KGVX")
    assert any(unquote(h) == f"/doc/{reference['key']}" for h in links(response, "/doc/"))
    assert f"/mentions/{reference['number']}" in [unquote(h) for h in links(response, "/mentions/")]


@pytest.mark.parametrize("path", ["/doc/nope.txt%231", "/doc/999/XX-YY", "/doc/../../etc/passwd",
                                  "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/%2Fetc%2Fpasswd", "/static/../cli.py",
                                  "/static/..%2Fcli.py", "/static/%2e%2e/cli.py", "/nowhere"])
def test_unknown_and_traversal_paths_are_404(client, path):
    response = client.get(path, follow_redirects=True)  # "//" is first merged into "/" by a redirect
    assert response.status_code == 404
    page = text_of(response)
    assert "Không tìm thấy trang" in page
    assert "root:" not in page and "import click" not in page


def test_static_stylesheet(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert "mark" in response.get_data(as_text=True)
    response.close()


# --- mentions ------------------------------------------------------------------------

def test_mentions_page_groups_places_by_document(client, engine):
    expected = engine.mentions("128/NQ-CP")
    response = client.get("/mentions/128/NQ-CP")
    assert response.status_code == 200
    page = text_of(response)
    assert f"Được nhắc {expected['total']} lần trong {expected['documents']} văn bản" in page
    body = response.get_data(as_text=True)
    assert len(re.findall(r'<a class="where"', body)) == expected["total"]
    assert len(re.findall(r"<li>\s*<h2>", body)) == expected["documents"]
    for mention in expected["mentions"]:
        assert f"<mark>{html.escape(mention['text_as_written'], quote=False)}</mark>" in body
        anchor = f"#s-{mention['section']}" if mention["section"] else ""
        target = next(h for h in links(response, "/doc/") if unquote(h) == f"/doc/{mention['key']}{anchor}")
        assert client.get(urlsplit(target).path).status_code == 200
    assert any(parse_qs(urlsplit(h).query) == {"ref": ["128/NQ-CP"]} for h in links(response, "/search"))


def test_mentions_of_a_bare_figure_offer_candidates(client, engine):
    candidates = engine.mentions("128")["candidates"]
    response = client.get("/mentions/128")
    assert response.status_code == 200
    assert "có thể là một trong các số hiệu sau" in text_of(response)
    for number in candidates:
        assert client.get(links(response, f"/mentions/{number}")[0]).status_code == 200


def test_mentions_form_redirects_to_the_number(client):
    response = client.get("/mentions?number=128/NQ-CP")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mentions/128/NQ-CP")
    form = client.get("/mentions")
    assert form.status_code == 200 and "Tra cứu số hiệu văn bản" in text_of(form)


@pytest.mark.parametrize("number, message", [("999/XX-YY", "Không tìm thấy chỗ nào nhắc tới số hiệu 999/XX-YY"),
                                             ("abc", "không phải là một số hiệu văn bản")])
def test_unknown_or_malformed_number_is_404(client, number, message):
    response = client.get(f"/mentions/{number}")
    assert response.status_code == 404
    assert message in text_of(response)


# --- help ------------------------------------------------------------------------------

def test_help_examples_all_find_documents(client):
    response = client.get("/help")
    assert response.status_code == 200
    examples = links(response, "/search?q=")
    assert len(examples) >= 12
    for href in examples:
        result = client.get(href)
        assert result.status_code == 200, href
        assert found(result) > 0, href


# --- JSON API ----------------------------------------------------------------------------

def api(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "\\u" not in response.get_data(as_text=True)  # ensure_ascii=False, like the CLI
    return json.loads(response.get_data(as_text=True))


def without_time(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "took_ms"}


def test_api_search_matches_the_engine(client, engine):
    data = api(client, "/api/search?q=dịch&signer=" + HIAP + "&sort=-date&limit=3&offset=1")
    assert without_time(data) == without_time(engine.search("dịch", signer=HIAP, sort="-date", limit=3, offset=1))
    sections = api(client, "/api/search?q=dịch&sections=1&limit=500")
    assert len(sections["hits"]) == 50  # limit capped
    assert sections["total"] == engine.search("dịch", sections=True)["total"]


@pytest.mark.parametrize("query", ["q=%22open", "limit=abc", "offset=-1", "sort=sideways", "from=2021-02-30",
                                   "q=" + "x" * 1001])
def test_api_search_errors(client, query):
    data = api(client, "/api/search?" + query, status=400)
    assert set(data) == {"error"} and data["error"]


def test_api_documents_and_mentions(client, engine):
    assert api(client, "/api/documents/318/TB-VPCP") == engine.show("318/TB-VPCP")
    assert api(client, "/api/documents/002_1e68a79eac066694.txt%232") == engine.show("002_1e68a79eac066694.txt#2")
    assert "error" in api(client, "/api/documents/nope.txt%231", status=404)
    assert api(client, "/api/mentions/128/NQ-CP") == engine.mentions("128/NQ-CP")
    assert api(client, "/api/mentions/128")["candidates"] == engine.mentions("128")["candidates"]
    assert "error" in api(client, "/api/mentions/abc", status=400)
    assert "error" in api(client, "/api/mentions/999/XX-YY", status=404)
    assert "error" in api(client, "/api/nowhere", status=404)


# --- errors and escaping of document text -------------------------------------------------

def test_server_errors_are_logged_not_shown(corpus_index, monkeypatch, caplog):
    app = create_app(corpus_index)
    engine = app.extensions["notice_search.engine"]

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(engine, "run", broken)
    client = app.test_client()
    response = client.get("/search?q=dịch")
    assert response.status_code == 500
    page = text_of(response)
    assert "Xin lỗi" in page
    assert "secret internal detail" not in page and "RuntimeError" not in page
    assert "secret internal detail" in caplog.text
    assert api(client, "/api/search?q=dịch", status=500) == {"error": "internal error"}


# Markdown-escaped brackets (\<) survive the parser's markup clean-up as literal "<".
HOSTILE = r"""VĂN PHÒNG CHÍNH PHỦ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 77/TB-VPCP

Hà Nội, ngày 01 tháng 12 năm 2021

THÔNG BÁO
Kết luận về kiểm thử \<script\>alert("title")\</script\> giao diện

Phần mở đầu nhắc tới \<script\>alert("preamble")\</script\> và Nghị quyết số 128/NQ-CP ngày 11/10/2021.

1. Kiểm thử hiển thị
Mục này chứa \<script\>alert("section")\</script\> cùng <img/src=x onerror=alert(1)> và &lt;b&gt; trong văn bản.

Nơi nhận:
- Như trên;

KT. BỘ TRƯỞNG, CHỦ NHIỆM
PHÓ CHỦ NHIỆM

Nguyễn Văn Thử
"""


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    from search.service import index_paths

    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("hostile_index")
    report = index_paths([str(folder)], str(index_dir))
    assert report["documents"] == 1 and not report["skipped"]
    return create_app(index_dir).test_client()


def test_document_text_with_markup_is_escaped(hostile_client):
    response = hostile_client.get("/doc/hostile.txt%231")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "<img" not in body
    for part in ("title", "preamble", "section"):
        assert f"&lt;script&gt;alert(&#34;{part}&#34;)&lt;/script&gt;" in body
    assert "&lt;img/src=x onerror=alert(1)&gt;" in body
    assert "&amp;lt;b&amp;gt;" in body  # entities in the text are shown as written, not decoded
    page = text_of(response)
    assert '<script>alert("section")</script>' in page and "&lt;b&gt;" in page  # what the reader sees


def test_snippets_and_mentions_with_markup_are_escaped(hostile_client):
    for query in ("alert", "script", "onerror", "kiểm thử"):
        body = hostile_client.get("/search", query_string={"q": query}).get_data(as_text=True)
        assert "<mark>" in body, query
        assert "<script>" not in body and "<img" not in body
        assert "&lt;script&gt;" in body or "&lt;img" in body
    mentions = hostile_client.get("/mentions/128/NQ-CP").get_data(as_text=True)
    assert "<mark>Nghị quyết số 128/NQ-CP</mark>" in mentions
    assert "&lt;script&gt;" in mentions and "<script>" not in mentions


# --- hostile clients ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["//search?q=d%E1%BB%8Bch", "//", "/mentions?number=128/NQ-CP"])
def test_redirects_never_name_the_host_the_client_sent(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code in (301, 302, 303, 307, 308)
    location = response.headers["Location"]
    assert "evil.example" not in location and location.startswith("/") and not location.startswith("//")


@pytest.mark.parametrize("name", ["signer", "issuer", "type", "ref", "year", "from", "to"])
def test_an_overlong_filter_is_refused_without_being_echoed(client, name):
    value = "x" * 100_000
    page = client.get("/search", query_string={"q": "dịch", name: value})
    assert page.status_code == 400 and len(page.get_data()) < 20_000
    assert "quá dài" in text_of(page) or "too long" in text_of(page)
    api_answer = client.get("/api/search", query_string={"q": "dịch", name: value})
    assert api_answer.status_code == 400 and len(api_answer.get_data()) < 1_000


@pytest.fixture(scope="module")
def served(corpus_index):
    """`python cli.py serve` over the bundled corpus, in a process of its own: its port."""
    import socket
    import time
    import urllib.request

    from helpers import start_cli

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_cli("serve", "--index", str(corpus_index), "--port", str(port))
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/help", timeout=5):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_idle_connections_do_not_lock_out_a_real_request(served):
    """200 sockets that connect and say nothing (half of them the start of a request, never
    finished), then one real request: it is answered at once. (waitress's default limit of
    100 connections made it wait for the idle ones to time out.)"""
    import socket
    import time
    import urllib.request

    idle = []
    try:
        for i in range(200):
            idle.append(socket.create_connection(("127.0.0.1", served), timeout=5))
            if i % 2:
                idle[-1].sendall(b"GET /search?q=a HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.5)  # let the server accept them
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{served}/help", timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - started < 1.0
    finally:
        for sock in idle:
            sock.close()


def test_a_burst_of_128_connections_gets_every_request_answered_or_refused(served):
    """128 clients at once, each on its own connection: every one gets its page or a 503 with
    Retry-After; none is dropped or left waiting."""
    import http.client
    import threading
    from urllib.parse import urlencode

    answers, failures = [], []

    def one(i):
        connection = http.client.HTTPConnection("127.0.0.1", served, timeout=60)
        try:
            connection.request("GET", "/search?" + urlencode({"q": ["cách ly", "vắc xin", "hộ chiếu"][i % 3]}))
            response = connection.getresponse()
            answers.append((response.status, response.getheader("Retry-After"), response.read()))
        except (OSError, http.client.HTTPException) as e:
            failures.append(repr(e))
        finally:
            connection.close()

    clients = [threading.Thread(target=one, args=(i,)) for i in range(128)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    assert not failures
    assert len(answers) == 128
    assert {status for status, _, _ in answers} <= {200, 503}
    assert all(retry == "2" and "quá tải" in body.decode() for status, retry, body in answers if status == 503)
    assert any(status == 200 for status, _, _ in answers)


class _Request:
    """Stands for a waitress channel holding one request: servicing it runs the WSGI app."""

    def __init__(self, app):
        import threading

        self.app, self.answered, self.status, self.headers = app, threading.Event(), None, {}

    def service(self):
        def start_response(status, headers):
            self.status, self.headers = status, dict(headers)

        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/help", "SERVER_NAME": "localhost",
                   "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": None}
        self.body = b"".join(self.app(environ, start_response))
        self.answered.set()

    def cancel(self):
        pass


def test_requests_beyond_the_queue_or_waiting_too_long_get_503_with_retry_after(app, monkeypatch):
    """With every worker busy, a request arriving when MAX_WAITING wait is refused at once,
    and a queued one is refused when it has waited MAX_WAIT; with a worker free, pages are served."""
    from webui import server

    monkeypatch.setattr(server, "MAX_WAIT", 2.0)
    shedding = server.LoadShedding(app)
    dispatcher = server.SheddingDispatcher()  # no worker thread yet: every request waits
    dispatcher.start_shedding()
    try:
        queued = [_Request(shedding) for _ in range(server.MAX_WAITING)]
        for request in queued:
            dispatcher.add_task(request)
        extra = _Request(shedding)
        dispatcher.add_task(extra)
        assert extra.answered.wait(10)
        assert not any(request.answered.is_set() for request in queued)  # they wait MAX_WAIT
        assert extra.status.startswith("503") and extra.headers["Retry-After"] == "2"
        assert "quá tải" in extra.body.decode()
        for request in queued:
            assert request.answered.wait(10) and request.status.startswith("503")
        dispatcher.set_thread_count(1)
        served = _Request(shedding)
        dispatcher.add_task(served)
        assert served.answered.wait(10) and served.status.startswith("200")
    finally:
        dispatcher.shutdown()


# --- search within a document, related documents ---------------------------------------------------

def test_search_within_a_document_lists_its_matching_sections(client, engine):
    doc = engine.show("318/TB-VPCP")
    url = f"/doc/{doc['key'].replace('#', '%23')}"
    response = client.get(url, query_string={"q": "hộ chiếu vắc xin"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    box = re.search(r'<section class="search-within".*?</section>', body, re.S).group(0)
    assert '<label for="within-q">' in box and 'value="hộ chiếu vắc xin"' in box
    expected = [s["id"] for s in doc["sections"]
                if "hộ chiếu vắc xin" in s["text"].lower()]  # the phrase as written
    anchors = re.findall(r'<a href="#s-([^"]+)"', box)
    assert expected and set(expected) <= set(anchors)
    assert anchors == sorted(anchors, key=[s["id"] for s in doc["sections"]].index)  # in the document's order
    assert "<mark>hộ chiếu vắc xin</mark>" in box
    other = engine.search("hộ chiếu vắc xin", sections=True, limit=1000)["hits"]
    assert len(anchors) < len(other)  # the other documents' sections are not listed


def test_search_within_a_document_says_when_nothing_matches_and_words_errors_in_vietnamese(client, engine):
    url = f"/doc/{engine.show('318/TB-VPCP')['key'].replace('#', '%23')}"
    assert "Không có mục nào có “xyzzyqwerty”" in text_of(client.get(url, query_string={"q": "xyzzyqwerty"}))
    page = text_of(client.get(url, query_string={"q": '"unbalanced'}))
    assert "Thiếu dấu ngoặc kép" in page and "Unbalanced" not in page


def test_related_documents_share_citations_first(client, engine):
    doc = engine.show("318/TB-VPCP")
    response = client.get(f"/doc/{doc['key'].replace('#', '%23')}")
    body = response.get_data(as_text=True)
    related = re.search(r'<section class="related" id="related">(.*?)</section>', body, re.S).group(1)
    assert "Văn bản liên quan" in related
    found = engine.related(doc["key"])
    assert found and doc["key"] not in [r["key"] for r in found]
    cited = {r["number"] for r in doc["references"]}
    first = found[0]
    assert first["shared"] and set(first["shared"]) <= cited
    citing_same = [r for r in found if r["shared"]]
    assert found[:len(citing_same)] == citing_same  # sharing a citation ranks above sharing words
    assert html.escape(first["number"]) in related and f"Cùng trích dẫn {', '.join(first['shared'])}" in html.unescape(related)


def test_date_fields_read_and_show_dates_as_vietnamese_write_them(client):
    page = client.get("/search", query_string={"q": "dịch", "from": "2021-05-01", "to": "31/12/2021"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="from" inputmode="numeric" placeholder="dd/mm/yyyy" value="01/05/2021"' in body
    assert 'name="to" inputmode="numeric" placeholder="dd/mm/yyyy" value="31/12/2021"' in body
    assert 'type="date"' not in body  # a browser's date field shows its own locale's order
