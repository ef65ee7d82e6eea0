"""The search service over the bundled corpus: every query form, filter, facet,
snippet, mention spelling, citation link and malformed-query message.

Expectations come from the hand-checked metadata in tests/fixtures/seed_gold.json
wherever practical (signers, dates, numbers, references), so the tests check the
engine against the documents, not against its own output.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from helpers import run_cli

from search.query import QueryError

ALL = 1000  # a page large enough for every hit in the bundled corpus
K318 = "000_68b4e8d136df2930.txt#1"
K285 = "003_c722c5a340bb8371.txt#2"
K6325 = "003_c722c5a340bb8371.txt#1"


# --- helpers -------------------------------------------------------------------

def fold(text: str) -> str:
    """Lower case, no diacritics (đ -> d): how a user without a Vietnamese keyboard types."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def words(text: str) -> str:
    """Folded text with punctuation collapsed to single spaces, padded for whole-word tests."""
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


def keys(result: dict) -> list[str]:
    return [hit["key"] for hit in result["hits"]]


def doc_set(engine, q: str = "", **kw) -> set[str]:
    result = engine.search(q, limit=ALL, **kw)
    assert result["total"] == len(result["hits"]), "page too small for the test"
    return set(keys(result))


def section_set(engine, q: str, **kw) -> set[tuple[str, str | None]]:
    result = engine.search(q, limit=ALL, sections=True, **kw)
    assert result["total"] == len(result["hits"])
    return {(hit["key"], hit["section"]) for hit in result["hits"]}


_shown: dict[tuple[str, str], dict] = {}  # engine.show is pure for a given index: cache it


def shown(engine, key: str) -> dict:
    if (str(engine.index_dir), key) not in _shown:
        _shown[str(engine.index_dir), key] = engine.show(key)
    return _shown[str(engine.index_dir), key]


def record_text(engine, key: str, section: str | None) -> str:
    """The text a section record holds; the head record (section None) holds the
    title, the preamble and the metadata a user may type."""
    doc = shown(engine, key)
    if not section:
        meta = [doc.get("type"), doc.get("number"), doc.get("issuer"), (doc.get("signer") or {}).get("name")]
        return "\n".join([doc.get("title") or "", doc.get("preamble") or "", *(m for m in meta if m)])
    for s in doc["sections"]:
        if s["id"] == section:
            return f"{s['heading']}\n{s['text']}"
    raise AssertionError(f"{key} has no section {section!r}")


def doc_text(engine, key: str) -> str:
    doc = shown(engine, key)
    return "\n".join([record_text(engine, key, None)] + [f"{s['heading']}\n{s['text']}" for s in doc["sections"]])


def between(gold: dict, accepted: str, predicate) -> tuple[set[str], set[str]]:
    """(must, may): documents whose every accepted `accepted` value satisfies
    `predicate`, and those where at least one does (null never does)."""
    must, may = set(), set()
    for key, doc in gold.items():
        values = doc[accepted]
        good = [v is not None and predicate(v) for v in values]
        if values and all(good):
            must.add(key)
        if any(good):
            may.add(key)
    return must, may


def citing(gold: dict, number: str) -> dict[str, object]:
    return {key: doc["references"][number] for key, doc in gold.items() if number in doc["references"]}


def cited_numbers(gold: dict) -> list[str]:
    return sorted({n for doc in gold.values() for n in doc["references"]})


# --- plain words, diacritics ---------------------------------------------------

def test_plain_words_find_the_document_about_them_first(engine):
    result = engine.search("hộ chiếu vắc xin")
    assert result["hits"][0]["key"] == K318
    assert result["hits"][0]["number"] == "318/TB-VPCP"


def test_every_development_query_finds_its_main_documents(engine, dev_queries):
    for query in dev_queries:
        found = doc_set(engine, query["q"])
        wanted = {key for key, grade in query["relevant"].items() if grade == 2}
        assert wanted <= found, query["q"]


def test_a_word_not_in_the_corpus_finds_nothing(engine):
    result = engine.search("zzqxwv")
    assert result["total"] == 0 and result["hits"] == []


def test_diacritic_free_query_finds_the_same_documents(engine):
    assert doc_set(engine, "ho chieu vac xin") == doc_set(engine, "hộ chiếu vắc xin")
    assert engine.search("ho chieu vac xin")["hits"][0]["key"] == K318


def test_a_long_question_returns_results_even_with_a_word_that_is_nowhere(engine):
    question = "tiết kiệm chi thường xuyên để mua vắc xin"
    relevant = "002_1e68a79eac066694.txt#2"
    assert relevant in keys(engine.search(question, limit=5))
    with_unknown = engine.search(question + " zzqxwv", limit=5)
    assert with_unknown["total"] > 0
    assert relevant in keys(with_unknown)


# --- phrases -------------------------------------------------------------------

@pytest.mark.parametrize("phrase", ['"hộ chiếu vắc xin"', '"phòng, chống dịch"', '"xét nghiệm thần tốc"'])
def test_a_phrase_matches_only_sections_where_its_words_are_adjacent(engine, phrase):
    hits = section_set(engine, phrase)
    assert hits
    needle = words(phrase)
    for key, section in hits:
        assert needle in words(record_text(engine, key, section)), (key, section)


def test_a_phrase_finds_exactly_the_documents_that_contain_it(engine, gold):
    needle = words("hộ chiếu vắc xin")
    expected = {key for key in gold if needle in words(doc_text(engine, key))}
    assert doc_set(engine, '"hộ chiếu vắc xin"') == expected == {K318}


def test_punctuation_inside_a_phrase_is_ignored(engine):
    assert doc_set(engine, '"phòng, chống dịch"') == doc_set(engine, '"phòng chống dịch"')


@pytest.mark.parametrize("phrase", ['"vắc xin hộ chiếu"', '"chiếu hộ"', '"hiệu quả tích"'])
def test_a_phrase_whose_words_are_not_adjacent_does_not_match(engine, phrase):
    # the words (and for "hiệu quả tích" each adjacent pair) are in the corpus, the sequence is not
    for word in phrase.strip('"').split():
        assert engine.search(word)["total"] > 0
    assert engine.search(phrase)["total"] == 0


def test_a_diacritic_free_phrase_whose_words_are_not_adjacent_does_not_match(engine):
    assert engine.search('"hiệu quả tích"')["total"] == 0
    assert engine.search('"hieu qua tich"')["total"] == 0


# --- boolean operators -----------------------------------------------------------

def test_and_requires_both_terms_in_the_same_section(engine):
    for query, a, b in (("Delta AND chủng", "delta", "chung"), ("xét AND Giang", "xet", "giang")):
        hits = section_set(engine, query)
        assert hits
        for key, section in hits:
            text = words(record_text(engine, key, section))
            assert f" {a} " in text and f" {b} " in text


def test_and_or_follow_set_algebra_over_sections(engine):
    delta, giang, vaccine = (section_set(engine, q) for q in ("Delta", '"Bắc Giang"', '"vắc xin"'))
    assert delta and giang and vaccine
    assert section_set(engine, 'Delta OR "Bắc Giang"') == delta | giang
    assert section_set(engine, '"Bắc Giang" AND "vắc xin"') == giang & vaccine
    assert doc_set(engine, 'Delta OR "Bắc Giang"') == {k for k, _ in delta | giang}


def test_parentheses_group(engine):
    delta, giang, passport = (section_set(engine, q) for q in ("Delta", '"Bắc Giang"', '"hộ chiếu"'))
    grouped = section_set(engine, '(Delta OR "Bắc Giang") AND "hộ chiếu"')
    other = section_set(engine, 'Delta OR ("Bắc Giang" AND "hộ chiếu")')
    assert grouped == (delta | giang) & passport
    assert other == delta | (giang & passport)
    assert grouped != other  # the grouping changes the answer


@pytest.mark.parametrize("query", ['"vắc xin" NOT Delta', '"vắc xin" -Delta'])
def test_not_excludes_sections_with_the_word(engine, query):
    hits = section_set(engine, query)
    assert hits == section_set(engine, '"vắc xin"') - section_set(engine, "Delta")
    for key, section in hits:
        assert " delta " not in words(record_text(engine, key, section))


def test_minus_word_is_the_same_as_not(engine):
    minus, not_ = engine.search("dịch -Delta", limit=ALL), engine.search("dịch NOT Delta", limit=ALL)
    assert minus["total"] == not_["total"] > 0
    assert keys(minus) == keys(not_)


def test_not_excludes_documents_that_contain_the_word(engine):
    assert K285 in doc_set(engine, "Delta")
    found = doc_set(engine, "dịch -Delta")
    assert found  # other documents still match
    assert K285 not in found


# --- fields --------------------------------------------------------------------

HIEP = "Nguyễn Sỹ Hiệp"


@pytest.mark.parametrize("query", ["signer:Hiệp", "signer:hiep", "signer:HIỆP", 'signer:"nguyen sy hiep"',
                                   'signer:"Nguyễn Sỹ Hiệp"', 'signer:"sỹ hiệp"'])
def test_signer_field(engine, gold, query):
    expected = {k for k, d in gold.items() if d["signer"]["name"] == HIEP}
    assert len(expected) == 5
    assert doc_set(engine, query) == expected


def test_signer_field_full_name_without_diacritics(engine, gold):
    expected = {k for k, d in gold.items() if d["signer"]["name"] == "Tôn Thị Ngọc Hạnh"}
    assert doc_set(engine, 'signer:"ton thi ngoc hanh"') == expected == {K6325}


@pytest.mark.parametrize("value", ['"kiên giang"', '"kien giang"', '"KIÊN GIANG"', '"văn phòng chính phủ"',
                                   '"Van Phong Chinh Phu"', '"đắk nông"'])
def test_issuer_field(engine, gold, value):
    wanted = fold(value.strip('"'))
    must = {k for k, d in gold.items() if any(fold(part) == wanted for part in d["issuer_contains"])}
    unprinted = {k for k, d in gold.items() if not d["issuer_contains"]}  # issuer not in the text
    found = doc_set(engine, f"issuer:{value}")
    assert must and must <= found <= must | unprinted


@pytest.mark.parametrize("value", ['"công văn"', '"cong van"', '"Thông báo"', '"THONG BAO"'])
def test_type_field(engine, gold, value):
    must, may = between(gold, "type", lambda t: fold(t) == fold(value.strip('"')))
    found = doc_set(engine, f"type:{value}")
    assert must and must <= found <= may


def test_number_field_finds_each_document_by_its_number(engine, gold):
    for key, doc in gold.items():
        number = doc["number"][0]
        if None in doc["number"]:
            continue  # the number is not printed in this document
        assert keys(engine.search(f"number:{number}")) == [key], number
        assert keys(engine.search(f"number:{number.lower()}")) == [key], number


def test_number_field_of_a_number_no_document_has_finds_nothing(engine):
    assert engine.search("number:128/NQ-CP")["total"] == 0  # cited, but not in the corpus


def test_ref_field_finds_exactly_the_citing_documents(engine, gold):
    for number in cited_numbers(gold):
        assert doc_set(engine, f"ref:{number}") == set(citing(gold, number)), number


@pytest.mark.parametrize(("query", "predicate"), [
    ("date:2021-11-27", lambda d: d == "2021-11-27"),
    ("date:2021-10", lambda d: d.startswith("2021-10")),
    ("date:2023", lambda d: d.startswith("2023")),
    ("date:2021-05..2021-06-30", lambda d: "2021-05-01" <= d <= "2021-06-30"),
    ("date:2021-10-28..2023-11-29", lambda d: "2021-10-28" <= d <= "2023-11-29"),
    ("date:..2021-09-01", lambda d: d <= "2021-09-01"),
    ("date:2021-11..", lambda d: d >= "2021-11-01"),
    ("year:2021", lambda d: d.startswith("2021")),
    ("year:2023", lambda d: d.startswith("2023")),
])
def test_date_and_year_fields(engine, gold, query, predicate):
    must, may = between(gold, "date", predicate)
    found = doc_set(engine, query)
    assert must and must <= found <= may


def test_fields_combine_with_words(engine, gold):
    found = doc_set(engine, '"vắc xin" signer:hiep year:2021')
    vaccine = doc_set(engine, '"vắc xin"')
    hiep = {k for k, d in gold.items() if d["signer"]["name"] == HIEP}
    must, may = between(gold, "date", lambda d: d.startswith("2021"))
    assert found and vaccine & hiep & must <= found <= vaccine & hiep & may


# --- wildcards -----------------------------------------------------------------

def test_trailing_wildcard(engine):
    assert doc_set(engine, "Delt*") == doc_set(engine, "Delta") == {K285}
    assert doc_set(engine, "vắc*") == doc_set(engine, "vắc")
    assert doc_set(engine, "xét nghi*") >= doc_set(engine, '"xét nghiệm"')


def test_trailing_wildcard_without_diacritics(engine):
    assert doc_set(engine, "vac*") == doc_set(engine, "vắc*")


# --- sections, paging, sorting -----------------------------------------------------

def test_sections_mode_gives_one_hit_per_section(engine):
    result = engine.search("vắc xin", sections=True, limit=ALL)
    ids = [(hit["key"], hit["section"]) for hit in result["hits"]]
    assert result["total"] == len(ids) == len(set(ids))
    assert result["total"] > engine.search("vắc xin")["total"]  # sections, not documents
    assert {key for key, _ in ids} == doc_set(engine, "vắc xin")
    for key, section in ids:
        record_text(engine, key, section)  # the id names a real section of that document


def test_law_article_sections_are_named_by_their_number(tmp_path_factory):
    # for a law article "Điều 5", the section id is "5" (CONTRACT.md)
    folder = tmp_path_factory.mktemp("law")
    (folder / "law.txt").write_text(LAW, encoding="utf-8")
    index = tmp_path_factory.mktemp("lawix")
    from search.service import Engine, index_paths
    index_paths([str(folder)], str(index))
    hits = Engine(index).search("thóc", sections=True, limit=ALL)["hits"]
    assert {hit["section"] for hit in hits} >= {"1", "2"}


LAW = """QUỐC HỘI

Luật số: 91/2099/QH99

LUẬT

KHO THÓC

Điều 1. Phạm vi

Luật này quy định việc kiểm kê kho thóc.

Điều 2. Đối tượng

Luật này áp dụng với kho thóc của xã.

CHỦ TỊCH QUỐC HỘI

Lê Văn Thử
"""


@pytest.mark.parametrize("sections", [False, True])
def test_pages_continue_without_overlap(engine, sections):
    everything = engine.search("dịch", limit=ALL, sections=sections)
    assert everything["total"] >= 6
    first = engine.search("dịch", limit=3, sections=sections)
    second = engine.search("dịch", limit=3, offset=3, sections=sections)
    assert first["total"] == second["total"] == everything["total"]
    assert second["offset"] == 3
    page_keys = [(h["key"], h["section"]) for h in first["hits"] + second["hits"]]
    assert len(set(page_keys)) == 6
    assert page_keys == [(h["key"], h["section"]) for h in everything["hits"][:6]]
    beyond = engine.search("dịch", offset=everything["total"], sections=sections)
    assert beyond["hits"] == [] and beyond["total"] == everything["total"]


def test_limit_zero_still_counts(engine):
    result = engine.search("vắc xin", limit=0)
    assert result["hits"] == [] and result["total"] == len(doc_set(engine, "vắc xin"))


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_sort_by_date(engine, sort):
    relevance = engine.search("vắc xin", limit=ALL)
    by_date = engine.search("vắc xin", limit=ALL, sort=sort)
    assert set(keys(by_date)) == set(keys(relevance))
    dated = [h["date"] for h in by_date["hits"] if h["date"]]
    assert len(dated) >= 4
    assert dated == sorted(dated, reverse=sort == "-date")
    flags = [h["date"] is None for h in by_date["hits"]]
    assert flags == sorted(flags) or flags == sorted(flags, reverse=True)  # undated ones kept together


def test_relevance_sort_is_by_descending_score(engine):
    scores = [h["score"] for h in engine.search("hộ chiếu vắc xin", limit=ALL)["hits"]]
    assert all(isinstance(s, float) for s in scores)
    assert scores == sorted(scores, reverse=True)


# --- filters -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Nguyễn Sỹ Hiệp", "nguyen sy hiep", "NGUYỄN SỸ HIỆP", "Hiệp", "hiep",
                                  "sỹ hiệp", "Sy Hiep"])
def test_signer_filter_however_the_name_is_typed(engine, gold, name):
    expected = {k for k, d in gold.items() if d["signer"]["name"] == HIEP}
    assert doc_set(engine, signer=name) == expected
    assert doc_set(engine, "vắc xin", signer=name) == expected & doc_set(engine, "vắc xin")


@pytest.mark.parametrize("name", ["kiên giang", "KIEN GIANG", "Kiên Giang"])
def test_issuer_filter(engine, gold, name):
    expected = {k for k, d in gold.items() if "KIÊN GIANG" in d["issuer_contains"]}
    assert doc_set(engine, issuer=name) == expected


def test_type_ref_and_date_filters(engine, gold):
    must, may = between(gold, "type", lambda t: t == "Công văn")
    assert must <= doc_set(engine, type="cong van") <= may
    assert doc_set(engine, ref="128/nq-cp") == set(citing(gold, "128/NQ-CP"))
    must, may = between(gold, "date", lambda d: "2021-10-01" <= d <= "2021-10-31")
    assert must <= doc_set(engine, date_from="2021-10-01", date_to="2021-10-31") <= may
    must, may = between(gold, "date", lambda d: d >= "2021-11-01")
    assert must and must <= doc_set(engine, date_from="2021-11-01") <= may
    must, may = between(gold, "date", lambda d: d <= "2021-09-30")
    assert must and must <= doc_set(engine, date_to="2021-09-30") <= may


def test_filters_are_the_same_as_fields(engine):
    assert doc_set(engine, "dịch", signer="hiep") == doc_set(engine, "dịch signer:hiep")
    assert doc_set(engine, "dịch", ref="128/NQ-CP") == doc_set(engine, "dịch ref:128/NQ-CP")


def test_empty_query_with_filters_lists_documents_newest_first(engine, gold):
    result = engine.search("", type="Thông báo", limit=ALL)
    must, may = between(gold, "type", lambda t: t == "Thông báo")
    assert must <= set(keys(result)) <= may
    dated = [h["date"] for h in result["hits"] if h["date"]]
    assert dated == sorted(dated, reverse=True)
    assert all(h["type"] == "Thông báo" for h in result["hits"])
    everything = engine.search("", limit=ALL)
    assert set(keys(everything)) == set(gold)


# --- facets ------------------------------------------------------------------------

def facet_counts(hits: list[dict]) -> dict[str, Counter]:
    return {
        "signer": Counter(h["signer"] for h in hits if h["signer"]),
        "issuer": Counter(h["issuer"] for h in hits if h["issuer"]),
        "type": Counter(h["type"] for h in hits if h["type"]),
        "year": Counter(h["date"][:4] for h in hits if h["date"]),
        "status": Counter(h["status"] for h in hits if h["status"] != "unknown"),
    }


@pytest.mark.parametrize(("query", "options"), [
    ("", {}), ("vắc xin", {}), ("dịch", {"date_from": "2021-06-01"}), ("Delta", {}), ("", {"signer": "hiep"}),
])
def test_facets_count_every_matching_document_not_just_the_page(engine, query, options):
    full = engine.search(query, limit=ALL, **options)
    one = engine.search(query, limit=1, **options)
    assert one["facets"] == full["facets"]
    expected = facet_counts(full["hits"])
    assert {name: Counter(values) for name, values in full["facets"].items()} == expected


def test_facets_in_sections_mode_count_documents(engine):
    documents = engine.search("vắc xin", limit=ALL)
    sections = engine.search("vắc xin", limit=1, sections=True)
    assert sections["facets"] == documents["facets"]


def test_signer_facet_over_the_corpus_matches_gold(engine, gold):
    facets = engine.search("", limit=1)["facets"]
    assert Counter(facets["signer"]) == Counter(d["signer"]["name"] for d in gold.values())


# --- snippets ------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["Delta", "hộ chiếu vắc xin", "ho chieu vac xin", "vắc xin"])
def test_snippets_mark_the_query_words(engine, query):
    wanted = set(fold(query).split())
    result = engine.search(query, limit=ALL)
    assert result["hits"]
    for hit in result["hits"][:3]:
        marked = re.findall(r"<mark>(.*?)</mark>", hit["snippet"])
        assert marked, hit
        for text in marked:
            assert set(fold(html.unescape(text)).split()) <= wanted, (text, query)
    top = re.findall(r"<mark>(.*?)</mark>", result["hits"][0]["snippet"])
    if query in ("hộ chiếu vắc xin", "ho chieu vac xin"):
        assert "hộ chiếu vắc xin" in [m.lower() for m in top]


@pytest.fixture(scope="module")
def odd_index(tmp_path_factory) -> Path:
    """A throwaway index of a document whose text holds HTML-special characters."""
    folder = tmp_path_factory.mktemp("odd")
    (folder / "odd.txt").write_text(ODD_DOCUMENT, encoding="utf-8")
    index = tmp_path_factory.mktemp("oddix")
    from search.service import index_paths
    report = index_paths([str(folder)], str(index))
    assert report["documents"] == 1 and not report["skipped"]
    return index


ODD_DOCUMENT = """ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM

Số: 77/TB-UBND

Thử Nghiệm, ngày 05 tháng 3 năm 2022

THÔNG BÁO

Về việc kiểm kê kho

Căn cứ Nghị quyết số 128 /NQ-CP, Nghị quyết số 128 / NQ-CP và Nghị quyết số **128**/NQ-CP của Chính phủ.

1. Tỷ lệ kiểm kê xoài đạt 5 < 10 & mục tiêu "A>B" của R&D.

2. Báo cáo về con mèo tam thể trước ngày 10.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Lê Văn Thử
"""


def test_snippets_escape_the_document_text(odd_index):
    from search.service import Engine

    hit = Engine(odd_index).search("xoài")["hits"][0]
    snippet = hit["snippet"]
    assert "<mark>xoài</mark>" in snippet
    bare = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare
    assert re.search(r"&(?!amp;|lt;|gt;|quot;|#x?[0-9a-f]+;)", bare) is None  # every & is an entity
    assert "5 < 10 & mục tiêu" in html.unescape(bare)


def test_mentions_of_numbers_written_with_odd_spacing_and_case(odd_index):
    from search.service import Engine

    mentions = Engine(odd_index).mentions("128/nq-cp")
    assert mentions["number"] == "128/NQ-CP"
    assert mentions["total"] == 3 and mentions["documents"] == 1
    written = [m["text_as_written"] for m in mentions["mentions"]]
    assert any("128 /NQ-CP" in w for w in written) and any("128 / NQ-CP" in w for w in written)


INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0"]  # zero-width characters, NBSP


@pytest.fixture(scope="module")
def invisible_index(tmp_path_factory) -> Path:
    """A document whose words are glued by each invisible character: "cách<U+200B>ly", …"""
    folder = tmp_path_factory.mktemp("invisible")
    items = "\n".join(f"{k}. Việc {w[0]}{c}{w[1]} của đợt {k}." for k, (c, w) in enumerate(
        zip(INVISIBLES, [("cách", "ly"), ("vắc", "xin"), ("tiêm", "chủng"), ("hộ", "chiếu"), ("khai", "báo"),
                         ("khẩu", "trang")]), start=1))
    (folder / "invisible.txt").write_text(ODD_DOCUMENT.split("1. ")[0] + items + "\n\nKT. CHỦ TỊCH\nLê Văn Thử\n",
                                          encoding="utf-8")
    index = tmp_path_factory.mktemp("invisibleix")
    from search.service import index_paths
    assert index_paths([str(folder)], str(index))["documents"] == 1
    return index


@pytest.mark.parametrize("invisible, phrase", zip(INVISIBLES, ["cách ly", "vắc xin", "tiêm chủng", "hộ chiếu",
                                                              "khai báo", "khẩu trang"]))
def test_an_invisible_character_between_words_separates_them(invisible_index, invisible, phrase):
    """'cách<U+200B>ly' in a document is found by 'cách ly' (and as a phrase), and the query
    typed with the character finds the plain text: both sides read it as a space."""
    from search.service import Engine

    engine = Engine(invisible_index)
    for query in (phrase, f'"{phrase}"', phrase.replace(" ", invisible), fold(phrase)):
        top = engine.search(query, sections=True)["hits"][0]  # the words glued by the character
        assert f"Việc <mark>{phrase}</mark> của" in top["snippet"], query


def test_a_query_typed_with_invisible_characters_finds_the_plain_text(engine):
    plain = doc_set(engine, "cách ly phù hợp")
    assert plain
    for invisible in INVISIBLES:
        assert doc_set(engine, f"{invisible}cách{invisible}ly phù{invisible} hợp{invisible}") == plain
    signed = doc_set(engine, signer="Tôn Thị Ngọc Hạnh")
    assert signed and doc_set(engine, signer="Tôn\u200bThị\u00a0Ngọc\ufeff Hạnh") == signed


# --- mentions --------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["128/NQ-CP", "128/nq-cp", "128 /NQ-CP", " 128 / NQ - CP "])
def test_mentions_of_a_number_however_it_is_spelt(engine, gold, spelling):
    per_document = citing(gold, "128/NQ-CP")
    result = engine.mentions(spelling)
    assert result["number"] == "128/NQ-CP"
    assert result["total"] == sum(per_document.values()) == 14
    assert result["documents"] == len(per_document) == 4
    assert Counter(m["key"] for m in result["mentions"]) == Counter(per_document)


def test_mentions_accepts_the_number_with_its_type(engine):
    result = engine.mentions("Nghị quyết 128/NQ-CP")
    assert result["total"] == 14 and result["documents"] == 4


def test_each_mention_says_where_and_how_the_number_is_written(engine, gold):
    result = engine.mentions("128/NQ-CP")
    for m in result["mentions"]:
        assert {"key", "number_of_document", "date", "section", "text_as_written", "context"} <= set(m)
        written = re.sub(r"\s+", "", m["text_as_written"]).upper()
        assert "128/NQ-CP" in written
        assert m["text_as_written"] in m["context"]
        assert "128/NQ-CP" in re.sub(r"\s+", "", m["context"]).upper()
        # the section named holds the mention
        assert m["context"].split()[0] in record_text(engine, m["key"], m["section"])
        assert "128/NQ-CP" in re.sub(r"\s+", "", record_text(engine, m["key"], m["section"])).upper()
        assert m["date"] in gold[m["key"]]["date"]
        assert m["number_of_document"] in gold[m["key"]]["number"]
    dates = [m["date"] for m in result["mentions"]]
    assert dates == sorted(dates)  # ordered by document date


@pytest.mark.parametrize("number", ["30/2021/QH15", "25-CT/TW", "285/TB-VPCP", "4800/QĐ-BYT"])
def test_mention_counts_match_gold(engine, gold, number):
    per_document = citing(gold, number)
    result = engine.mentions(number)
    assert result["total"] == sum(per_document.values())
    assert Counter(m["key"] for m in result["mentions"]) == Counter(per_document)


def test_a_bare_figure_lists_the_numbers_it_could_mean(engine):
    result = engine.mentions("128")
    assert "128/NQ-CP" in result["candidates"]
    assert result["total"] == 0


def test_mentions_of_an_unknown_number_are_empty(engine):
    result = engine.mentions("9999/XX-YY")
    assert result["total"] == 0 and result["documents"] == 0 and result["mentions"] == []


def test_mentions_of_text_that_is_no_number_is_a_query_error(engine):
    with pytest.raises(QueryError):
        engine.mentions("hello")


# --- show ------------------------------------------------------------------------------

def test_show_by_key_and_by_number_give_the_same_document(engine, gold):
    by_number = engine.show("318/TB-VPCP")
    assert by_number == engine.show(K318) == engine.show("318/tb-vpcp")
    assert by_number["key"] == K318 and by_number["number"] == "318/TB-VPCP"
    assert by_number["date"] in gold[K318]["date"]
    assert by_number["signer"]["name"] == gold[K318]["signer"]["name"]


def test_show_has_the_sections_the_parser_found(engine, notices_dir):
    from search.service import parse_path

    for document in parse_path(str(notices_dir / K318.split("#")[0]))["documents"]:
        doc = engine.show(document["key"])
        assert [s["id"] for s in doc["sections"]] == [s["id"] for s in document["sections"]]
        assert [s["text"] for s in doc["sections"]] == [s["text"] for s in document["sections"]]
        assert all(s["text"] for s in doc["sections"])


def test_show_references_match_gold(engine, gold):
    for key, expected in gold.items():
        doc = engine.show(key)
        found = {r["number"]: r["count"] for r in doc["references"]}
        assert set(found) == set(expected["references"]), key
        for number, count in expected["references"].items():
            low, high = count if isinstance(count, list) else (count, count)
            assert low <= found[number] <= high, (key, number)


def test_citations_are_linked_both_ways(engine, gold):
    cites = {r["number"]: r["key"] for r in engine.show(K6325)["references"]}
    assert cites["285/TB-VPCP"] == K285
    assert K6325 in [c["key"] for c in engine.show(K285)["cited_by"]]
    assert "6325/UBND-KGVX" in [c["number"] for c in engine.show("285/TB-VPCP")["cited_by"]]
    for key in gold:  # every link one way has its counterpart
        doc = engine.show(key)
        for reference in doc["references"]:
            if reference["key"]:
                assert key in [c["key"] for c in engine.show(reference["key"])["cited_by"]]
        for citer in doc["cited_by"]:
            assert key in [r["key"] for r in engine.show(citer["key"])["references"]]


def test_a_number_not_in_the_corpus_is_cited_without_a_key(engine):
    refs = {r["number"]: r for r in engine.show(K318)["references"]}
    assert refs["128/NQ-CP"]["key"] is None


@pytest.mark.parametrize("key", ["9999/XX-YY", "nope.txt#1", K318.replace("#1", "#7"), "nonsense"])
def test_show_of_an_unknown_document_is_none(engine, key):
    assert engine.show(key) is None


# --- malformed queries -------------------------------------------------------------------

@pytest.mark.parametrize(("query", "hint"), [
    ('"vắc xin', "quote"),
    ('vắc xin"', "quote"),
    ('signer:"hiep', "quote"),
    ("(vắc xin", "parenthes"),
    ("vắc xin)", "parenthes"),
    ("((vắc) xin", "parenthes"),
    ("date:2021-13-40", "date"),
    ("date:2021-02-30", "date"),
    ("date:yesterday", "date"),
    ("date:2022..2021", "date"),
    ("year:21", "year"),
    (":abc", "colon"),
    ("signer:", "signer"),
    ("foo:bar", "foo"),
    ("number:abc", "number"),
    ("v*", "wildcard"),
    ("vắc OR", "OR"),
    ("vắc " * 300, "long"),
])
def test_malformed_queries_raise_a_clear_query_error(engine, query, hint):
    with pytest.raises(QueryError) as raised:
        engine.search(query)
    message = str(raised.value)
    assert message and "\n" not in message and len(message) < 300
    assert hint.lower() in message.lower()


@pytest.mark.parametrize("query", ["*abc", "*vắc"])
def test_a_leading_wildcard_is_a_query_error(engine, query):
    with pytest.raises(QueryError, match="(?i)wildcard"):
        engine.search(query)


@pytest.mark.parametrize("options", [{"sort": "newest"}, {"limit": -1}, {"offset": -5},
                                     {"date_from": "2021-13-01"}, {"date_from": "2022-01-01", "date_to": "2021-01-01"},
                                     {"ref": "not a number"}])
def test_bad_options_raise_query_error(engine, options):
    with pytest.raises(QueryError):
        engine.search("dịch", **options)


def test_a_huge_limit_is_capped(engine):
    result = engine.search("", limit=10 ** 9, sections=True)
    assert len(result["hits"]) == result["total"] > 0


def test_pages_are_capped_at_1000_hits(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    lines = ["QUỐC HỘI", "", "Luật số: 92/2099/QH99", "", "LUẬT", "", "KHO THÓC", ""]
    for i in range(1, 1101):
        lines += [f"Điều {i}. Kho số {i}", "", f"Kiểm kê kho thóc số {i} của xã.", ""]
    lines += ["CHỦ TỊCH QUỐC HỘI", "", "Lê Văn Thử", ""]
    (folder / "many.txt").write_text("\n".join(lines), encoding="utf-8")
    index = tmp_path_factory.mktemp("manyix")
    # a separate process: the parallel writer forks, which pytest's threads would warn about
    built = run_cli("index", str(folder), "--index", str(index), "--json")
    assert built.returncode == 0, built.stderr
    from search.service import Engine

    result = Engine(index).search("thóc", sections=True, limit=10 ** 9)
    assert result["total"] >= 1100
    assert len(result["hits"]) == 1000


@pytest.mark.parametrize("q", ["285/TB-VPCP", "285/tb-vpcp", "thông báo 285", "thong bao 285"])
def test_a_typed_number_ranks_its_own_document_above_those_citing_it(engine, q):
    # 6325/UBND-KGVX cites 285/TB-VPCP twice (subject and body); the notice itself comes first.
    hits = engine.search(q)["hits"]
    assert hits[0]["number"] == "285/TB-VPCP"
    assert "6325/UBND-KGVX" in [h["number"] for h in hits]


# --- one pathological section: a 1 MB single line ------------------------------------------------

@pytest.fixture(scope="module")
def long_line_index(tmp_path_factory, notices_dir):
    """The notices plus one whose first section is a single line of 200 KB (a bad conversion;
    bench/long_section.py times queries with 1 MB)."""
    from helpers import _seed_sentences

    folder = tmp_path_factory.mktemp("longline")
    for path in notices_dir.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    sentences = " ".join(_seed_sentences())
    line = (sentences * (200_000 // len(sentences) + 1))[:200_000].rsplit(" ", 1)[0]
    template = (notices_dir / "004_fb50bfa98abb5c99.txt").read_text(encoding="utf-8")
    head, rest = template.split("\n1. ", 1)
    (folder / "long.txt").write_text(head.replace("230/TB-VPCP", "999/TB-VPCP") + "\n1. " + line + "\n\n2. "
                                     + rest.split("\n2. ", 1)[1], encoding="utf-8")
    index = tmp_path_factory.mktemp("longline-ix")
    built = run_cli("index", str(folder), "--index", str(index), "--json", timeout=600)
    assert built.returncode == 0, built.stderr
    return index, line


def test_a_long_section_is_split_over_records_and_shown_whole(long_line_index):
    from search.records import MAX_RECORD_CHARS
    from search.service import Engine

    from search.normalize import normalize_text

    index, line = long_line_index
    line = normalize_text(line)  # the text as read: spaces unified
    engine = Engine(index)
    texts = [record.get("text") or "" for record in engine._searcher().all_stored_fields()]
    assert max(len(t) for t in texts) <= MAX_RECORD_CHARS  # no hit costs more than this
    doc = engine.show("999/TB-VPCP")
    assert doc["sections"][0]["id"] == "1"
    same = doc["sections"][0]["text"] == line  # compared apart: a diff of 200 KB strings takes minutes
    assert same, "the long section is not shown whole"  # nothing lost
    assert [s["id"] for s in doc["sections"]][:2] == ["1", "2"]
    hits = engine.search("vắc xin", sections=True, limit=1000)["hits"]
    long_hits = [h["section"] for h in hits if h["number"] == "999/TB-VPCP"]
    assert long_hits.count("1") == 1  # the parts of one section are one hit
    listed = engine.search("", limit=1000)
    assert [h["number"] for h in listed["hits"]].count("999/TB-VPCP") == 1


def test_a_snippet_tokenizes_a_bounded_part_of_a_long_text(monkeypatch):
    from search import snippets

    seen = []
    marks = snippets._marks
    monkeypatch.setattr(snippets, "_marks", lambda text, highlight: seen.append(len(text)) or marks(text, highlight))
    text = "Các bộ, ngành tiếp tục triển khai. " * 400 + "Tiêm vắc xin cho trẻ em. " + "Kết thúc. " * 100_000
    shown = snippets.snippet(text, {"vac", "xin"})
    assert "<mark>vắc xin</mark>" in shown and shown.startswith("… ") and shown.endswith(" …")
    assert "<mark>Quy định</mark>" in snippets.hit_snippet(text[:500_000], "Quy định chung", {"quy", "dinh"})
    assert max(seen) <= snippets.SCAN_CHARS


def test_a_hit_tokenizes_a_bounded_part_of_its_text_once(monkeypatch):
    """The work of a hit's snippet is bounded, whatever the section's length: one pass over
    at most SCAN_CHARS characters of its text (there were two, the first to test for a match)."""
    from search import snippets
    from search.service import Engine

    seen = []
    marks = snippets._marks
    monkeypatch.setattr(snippets, "_marks", lambda text, highlight: seen.append(len(text)) or marks(text, highlight))
    text = "Các bộ, ngành tiếp tục triển khai. " * 200 + "Tiêm vắc xin cho trẻ em. " + "Kết thúc. " * 900
    hit = Engine._hit({"key": "long.txt#1", "text": text, "heading_text": "Tiêm chủng"}, 1.0, {"vac", "xin"})
    assert "<mark>vắc xin</mark>" in hit["snippet"]
    assert len(seen) == 1 and seen[0] <= snippets.SCAN_CHARS
    seen.clear()
    hit = Engine._hit({"key": "long.txt#1", "text": text, "heading_text": "Quy định chung"}, 1.0, {"quy", "dinh"})
    assert hit["snippet"] == "<mark>Quy định</mark> chung"  # the words are in the heading alone
    assert len(seen) == 2 and seen[0] <= snippets.SCAN_CHARS and seen[1] == len("Quy định chung")


# --- what snippets mark -------------------------------------------------------------------------

def marked(q: str, text: str) -> list[str]:
    """What a snippet of `text` marks for query `q` (plain words: every syllable is highlighted)."""
    from search.analysis import field_texts, segment, token_key
    from search.snippets import query_words, snippet

    highlight = {token_key(s) for s in field_texts(segment(q))["syl"].split()}
    return re.findall(r"<mark>(.*?)</mark>", snippet(text, highlight, words=query_words(q, highlight)))


def test_snippets_mark_the_querys_words_not_filler_on_its_own():
    text = ("Người sử dụng lao động phải bảo đảm quyền của người lao động theo hợp đồng; "
            "người đứng đầu cơ quan và cấp phó của họ.")
    marks = marked("quyền và nghĩa vụ của người lao động", text)
    assert "người lao động" in marks and "quyền" in marks
    assert "của" not in marks and "Người" not in marks and "người" not in marks and "và" not in marks


def test_a_query_without_diacritics_marks_its_syllables_side_by_side_only():
    """"ho tro" may be hỗ trợ or hồ, trở…: its syllables are marked where they stand together."""
    text = "Chính sách hỗ trợ doanh nghiệp; hồ sơ đăng ký; trở lại sau."
    assert marked("ho tro doanh nghiep", text) == ["hỗ trợ doanh nghiệp"]
    assert marked("thue", "Tiền thuê đất và thuế") == ["thuê", "thuế"]


def test_a_query_of_filler_alone_still_marks_it():
    assert marked("của", "Quyền của công dân") == ["của"]


def test_wildcards_and_phrases_are_still_marked():
    assert marked("vắc*", "Tiêm vắc xin cho trẻ") == ["vắc"]
    assert marked('"phòng, chống dịch"', "công tác phòng, chống dịch COVID-19 và phòng bệnh") == ["phòng", "chống dịch"]


def test_related_documents_follow_the_index_after_a_build(tmp_path, notices_dir):
    """A document's related list is kept between page views, but not past a build: a related
    document whose file was removed is no longer offered."""
    import shutil

    from search.service import Engine, index_paths

    folder = tmp_path / "notices"
    shutil.copytree(notices_dir, folder)
    index = tmp_path / "index"
    index_paths([str(folder)], str(index))
    engine = Engine(index)
    key = engine.show("318/TB-VPCP")["key"]
    before = engine.related(key)
    assert before and engine.related(key) == before
    gone = before[0]["key"].split("#")[0]
    (folder / gone).unlink()
    index_paths([str(folder)], str(index))
    after = engine.related(key)
    assert gone not in {r["key"].split("#")[0] for r in after}


def test_best_first_ranks_each_groups_best_record_like_a_full_sort():
    """best_first (each document's or section's best record, in rank order) against the plain way:
    sort every record by score (ties: lower record first), keep each group's first."""
    import numpy as np

    from search.service import best_first

    rng = np.random.default_rng(7)
    for size, groups in ((1, 1), (50, 5), (2000, 300), (2000, 1900)):
        scores = rng.integers(0, 6, size).astype(float) / 4  # many ties
        group_of = rng.integers(0, groups, size)
        records = np.flatnonzero(rng.random(size) < 0.7)
        order = records[np.lexsort((records, -scores[records]))]
        _, first = np.unique(group_of[order], return_index=True)
        assert best_first(records, scores, group_of).tolist() == order[np.sort(first)].tolist()
    assert best_first(np.zeros(0, dtype=np.int64), np.zeros(3), np.zeros(3, dtype=np.int64)).tolist() == []
