"""Validity: effective dates and relations in parse/show, statuses as of a date computed from the
corpus, the status filter and facet, and the document page's contents, Lược đồ and download link.

The corpus is tests/fixtures/laws: Luật Nuôi ong 10/2015/QH13 (in force 2016-01-01), amended by
Luật 20/2019/QH14 (in force 2020-01-01); Nghị định 30/2016/NĐ-CP guides it (in force 2016-03-01)
and is replaced by Nghị định 40/2021/NĐ-CP (in force 2021-07-01); Thông tư 05/2017/TT-BNNPTNT
rests on Nghị định 30/2016/NĐ-CP.
"""
from __future__ import annotations

import json
import shutil
from urllib.parse import quote

import pytest

from helpers import run_cli
from search.query import QueryError
from search.service import Engine, index_paths, parse_path
from webui import create_app
from webui.contents import contents, entry_text

LAW, AMENDING, DECREE, NEW_DECREE, CIRCULAR = ("10/2015/QH13", "20/2019/QH14", "30/2016/NĐ-CP", "40/2021/NĐ-CP",
                                               "05/2017/TT-BNNPTNT")


@pytest.fixture(scope="module")
def client(laws_index):
    return create_app(laws_index).test_client()


def status(engine, number, asof=None):
    return engine.show(number, asof=asof)["status"]


# --- parse and show ---------------------------------------------------------------------

def test_parse_json_gains_effective_date_relations_and_status(laws_dir):
    old_keys = {"key", "ordinal", "number", "type", "issuer", "place", "date", "title", "signer", "recipients",
                "sections", "references"}
    doc = parse_path(str(laws_dir / "nghi-dinh-40-2021.txt"))["documents"][0]
    assert old_keys <= doc.keys()
    assert doc["effective_date"] == "2021-07-01"
    assert {"kind": "replaces", "number": DECREE, "name": None, "year": None, "type": "Nghị định",
            "articles": [], "direction": "out"} in doc["relations"]
    assert doc["status"] == "in_force"  # on its own: its effective date has passed


def test_cli_parse_json_prints_the_new_keys(laws_dir):
    result = run_cli("parse", str(laws_dir / "luat-nuoi-ong-2015.txt"), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)["documents"][0]
    assert (doc["effective_date"], doc["status"]) == ("2016-01-01", "in_force")
    assert doc["relations"][0]["kind"] == "based_on"


@pytest.mark.parametrize("number, asof, expected", [
    (LAW, "2015-12-31", "not_yet_in_force"),
    (LAW, "2016-01-01", "in_force"),
    (LAW, "2019-12-31", "in_force"),
    (LAW, "2020-01-01", "amended"),  # the amending law is in force from that day
    (DECREE, "2021-06-30", "in_force"),
    (DECREE, "2021-07-01", "replaced"),
    (CIRCULAR, "2017", "in_force"),  # a year means its last day
])
def test_status_as_of_a_date_comes_from_the_corpus(laws_engine, number, asof, expected):
    assert status(laws_engine, number, asof) == expected


def test_status_names_the_documents_that_caused_it(laws_engine):
    doc = laws_engine.show(DECREE, asof="2022-01-01")
    assert [(b["number"], b["kind"], b["in_force_from"]) for b in doc["status_by"]] == [
        (NEW_DECREE, "replaces", "2021-07-01")]
    assert laws_engine.show(DECREE, asof="2021-01-01")["status_by"] == []


def test_a_document_indexed_later_changes_the_status_of_those_it_acts_on(tmp_path, laws_dir):
    folder = tmp_path / "laws"
    folder.mkdir()
    for name in ("luat-nuoi-ong-2015.txt", "nghi-dinh-30-2016.txt"):
        shutil.copy(laws_dir / name, folder)
    index_paths([str(folder)], str(tmp_path / "index"))
    engine = Engine(tmp_path / "index")
    assert status(engine, DECREE) == "in_force"
    shutil.copy(laws_dir / "nghi-dinh-40-2021.txt", folder)
    index_paths([str(folder)], str(tmp_path / "index"))
    assert status(engine, DECREE) == "replaced"
    assert engine.search("", status="replaced")["total"] == 1


def test_show_lists_relations_both_ways_with_keys_in_the_index(laws_engine):
    law = laws_engine.show(LAW)
    incoming = {(r["kind"], r["number"]) for r in law["relations"] if r["direction"] == "in"}
    assert {("amends", AMENDING), ("based_on", DECREE), ("based_on", NEW_DECREE)} <= incoming
    assert all(r["key"] for r in law["relations"] if r["direction"] == "in")
    decree = laws_engine.show(NEW_DECREE)
    replaces = next(r for r in decree["relations"] if r["kind"] == "replaces")
    assert (replaces["direction"], replaces["key"], replaces["status"]) == (
        "out", "nghi-dinh-30-2016.txt#1", "replaced")


def test_a_document_leaning_on_one_no_longer_in_force_is_flagged(laws_engine):
    flagged = laws_engine.show(CIRCULAR)["cites_not_in_force"]
    assert [(c["number"], c["status"]) for c in flagged] == [(DECREE, "replaced")]
    assert laws_engine.show(CIRCULAR, asof="2020-01-01")["cites_not_in_force"] == []
    assert laws_engine.show(NEW_DECREE)["cites_not_in_force"] == []  # it replaces it: no warning


def test_timeline_lists_the_history_in_order(laws_engine):
    events = [(e["date"], e["event"], e.get("number")) for e in laws_engine.show(DECREE)["timeline"]]
    assert events == [("2016-02-15", "issued", None), ("2016-03-01", "in_force", None),
                      ("2021-07-01", "replaces", NEW_DECREE)]


# --- search -----------------------------------------------------------------------------

def test_status_filter_and_facet_agree(laws_engine):
    everything = laws_engine.search("", limit=50)
    facet = everything["facets"]["status"]
    assert facet == {"in_force": 3, "amended": 1, "replaced": 1}
    for value, count in facet.items():
        result = laws_engine.search("", status=value, limit=50)
        assert result["total"] == count
        assert {h["status"] for h in result["hits"]} == {value}


def test_status_groups_and_as_of(laws_engine):
    assert {h["number"] for h in laws_engine.search("", status="invalid", limit=50)["hits"]} == {DECREE}
    then = laws_engine.search("", status="valid", asof="2016-06-01", limit=50)
    assert {h["number"] for h in then["hits"]} == {LAW, DECREE}
    assert then["as_of"] == "2016-06-01"


def test_status_and_asof_in_the_query_text(laws_engine):
    written = laws_engine.search("trại ong status:valid asof:2016-06-01", limit=50)
    given = laws_engine.search("trại ong", status="valid", asof="2016-06-01", limit=50)
    assert [h["key"] for h in written["hits"]] == [h["key"] for h in given["hits"]]
    assert written["total"] == 2
    assert laws_engine.search('"status:valid"')["total"] == 0  # inside quotes it is text


@pytest.mark.parametrize("options, message", [
    ({"q": "status:bogus"}, "Unknown status"),
    ({"q": "", "status": "bogus"}, "Unknown status"),
    ({"q": "asof:2021-13-01"}, "month"),
    ({"q": "status:valid", "status": "invalid"}, "given twice"),
    ({"q": "status:"}, "needs a value"),
])
def test_bad_status_filters_are_one_sentence_errors(laws_engine, options, message):
    with pytest.raises(QueryError, match=message):
        laws_engine.search(**options)


def test_section_hits_carry_the_article_label(laws_engine):
    hit = next(h for h in laws_engine.search("thời hạn đăng ký trại ong", sections=True)["hits"]
               if h["number"] == LAW)
    assert (hit["label"], hit["heading"]) == ("Điều 4", "Thời hạn đăng ký trại ong")


def test_cli_status_filter_and_show_as_of(laws_index):
    result = run_cli("search", "", "--status", "invalid", "--json", "--index", str(laws_index))
    assert result.returncode == 0, result.stderr
    assert [h["number"] for h in json.loads(result.stdout)["hits"]] == [DECREE]
    shown = run_cli("show", LAW, "--asof", "2015-12-31", "--json", "--index", str(laws_index))
    assert json.loads(shown.stdout)["status"] == "not_yet_in_force"
    bad = run_cli("search", "", "--status", "bogus", "--index", str(laws_index))
    assert bad.returncode == 1 and "Không có tình trạng hiệu lực “bogus”" in bad.stderr and "Traceback" not in bad.stderr


# --- the document page --------------------------------------------------------------------

def test_contents_tree_groups_articles_under_chapters_and_sections(laws_engine):
    toc = contents(laws_engine.show(LAW))
    assert [n.text for n in toc.tree] == ["Chương I. NHỮNG QUY ĐỊNH CHUNG", "Chương II. NUÔI ONG VÀ KHAI THÁC MẬT",
                                         "Chương III. ĐIỀU KHOẢN THI HÀNH"]
    chapter = toc.tree[1]
    assert [n.text for n in chapter.children] == ["Mục 1. NUÔI ONG", "Mục 2. KHAI THÁC MẬT"]
    assert [(n.text, n.anchor) for n in chapter.children[0].children] == [
        ("Điều 3. Điều kiện nuôi ong", "s-3"), ("Điều 4. Thời hạn đăng ký trại ong", "s-4")]
    assert [n.text for n in toc.starts[2]] == ["Chương II. NUÔI ONG VÀ KHAI THÁC MẬT", "Mục 1. NUÔI ONG"]


@pytest.mark.parametrize("label, heading, text", [
    ("Điều 173", "Thời hạn tạm giam để điều tra", "Điều 173. Thời hạn tạm giam để điều tra"),
    ("1.", "Tình hình dịch", "1. Tình hình dịch"),
    ("Điều 5", "", "Điều 5"),
    ("", "Kết luận", "Kết luận"),
])
def test_entry_text(label, heading, text):
    assert entry_text(label, heading) == text


def test_document_page_shows_contents_status_schema_and_history(client):
    page = client.get("/doc/" + quote(LAW)).get_data(as_text=True)
    assert '<a href="#s-3">Điều 3. Điều kiện nuôi ong</a>' in page
    assert 'id="d-1">Chương II. NUÔI ONG VÀ KHAI THÁC MẬT</h2>' in page
    assert 'id="s-3"' in page and "Điều 3. Điều kiện nuôi ong</a></h3>" in page
    assert "Còn hiệu lực, đã sửa đổi" in page
    assert "Lược đồ" in page and "Được sửa đổi, bổ sung bởi" in page and "Lịch sử hiệu lực" in page
    assert 'href="/doc/luat-sua-doi-nuoi-ong-2019.txt%231"' in page


def test_document_page_warns_of_documents_no_longer_in_force(client):
    page = client.get("/doc/" + quote(CIRCULAR)).get_data(as_text=True)
    assert "văn bản này dựa vào văn bản đã hết hiệu lực" in page
    assert "Hết hiệu lực: bị thay thế" in page
    then = client.get("/doc/" + quote(CIRCULAR) + "?asof=2020-01-01").get_data(as_text=True)
    assert "dựa vào văn bản đã hết hiệu lực" not in then


def test_search_page_status_facet_and_badges(client):
    page = client.get("/search?q=tr%E1%BA%A1i+ong").get_data(as_text=True)
    assert "<h2>Hiệu lực</h2>" in page and "status=invalid" in page
    assert 'class="badge small status-replaced"' in page
    filtered = client.get("/search?q=tr%E1%BA%A1i+ong&status=invalid").get_data(as_text=True)
    assert "Hiệu lực: <strong>Hết hiệu lực (toàn bộ)</strong>" in filtered
    assert filtered.count('class="hit"') == 1


def test_download_the_original_file(client, laws_dir):
    with client.get("/doc/luat-nuoi-ong-2015.txt%231/original") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.data == (laws_dir / "luat-nuoi-ong-2015.txt").read_bytes()
    page = client.get("/doc/luat-nuoi-ong-2015.txt%231").get_data(as_text=True)
    assert 'href="/doc/luat-nuoi-ong-2015.txt%231/original"' in page


def test_a_missing_original_is_a_vietnamese_404(tmp_path, laws_dir):
    folder = tmp_path / "laws"
    shutil.copytree(laws_dir, folder)
    index_paths([str(folder)], str(tmp_path / "index"))
    client = create_app(tmp_path / "index").test_client()
    (folder / "thong-tu-05-2017.txt").unlink()
    response = client.get("/doc/thong-tu-05-2017.txt%231/original")
    assert response.status_code == 404
    assert "Không có tệp gốc" in response.get_data(as_text=True)
    assert client.get("/doc/nope.txt%231/original").status_code == 404

