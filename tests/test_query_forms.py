"""Queries as people type them: diacritics on some words only, spelling variants,
official abbreviations, Vietnamese dates and document numbers without Đ.

Two short hand-written notices are indexed once for the module.
"""
from __future__ import annotations

import json

import pytest
from helpers import engine_of, run_cli

from search.service import Engine

ALL = 1000

NOTICE = """ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM

Số: 11/TB-UBND

Thử Nghiệm, ngày 05 tháng 3 năm 2022

THÔNG BÁO

Về việc tạm giam hàng tại kho

1. Tạm giam lô hàng tại kho số 2 trong kì kiểm kê.

2. Lí do: hàng không có hóa đơn.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Văn Sĩ
"""

DECISION = """HỘI ĐỒNG NHÂN DÂN TỈNH THỬ NGHIỆM

Số: 4800/QĐ-HĐND

Thử Nghiệm, ngày 31 tháng 12 năm 2021

QUYẾT ĐỊNH

Về việc giám sát giảm giá

1. Giám sát việc giảm giá trong kỳ báo cáo.

2. Lý do: ÐIỀU CHỈNH giá theo Thông báo số 11/TB-UBND của UBND tỉnh và Quyết định số 2345/QĐ-BYT.

CHỦ TỊCH

Trần Văn Sỹ
"""

NOTICE_KEY, DECISION_KEY = "notice.txt#1", "decision.txt#1"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    return engine_of(tmp_path_factory, "forms", {"notice.txt": NOTICE, "decision.txt": DECISION})


def found(engine: Engine, q: str = "", **kw) -> set[str]:
    result = engine.search(q, limit=ALL, **kw)
    return {hit["key"] for hit in result["hits"]}


# --- diacritics ------------------------------------------------------------------

def test_a_query_typed_without_diacritics_matches_every_accented_form(engine):
    assert found(engine, "giam") == {NOTICE_KEY, DECISION_KEY}  # giam, giám, giảm
    assert found(engine, "tam giam") == {NOTICE_KEY, DECISION_KEY}


def test_where_the_user_wrote_diacritics_an_unaccented_syllable_means_itself(engine):
    # "giam" in "tạm giam" is the word giam, not giám or giảm
    assert found(engine, "tạm giam") == {NOTICE_KEY}
    assert found(engine, "giam giảm") == {NOTICE_KEY, DECISION_KEY}  # each word as typed
    assert found(engine, '"giam" giá') == set()  # the phrase "giam" is not the decision's giám


# --- spelling variants --------------------------------------------------------------

@pytest.mark.parametrize("typed, other", [("kì", "kỳ"), ("lí", "lý"), ("Sĩ", "Sỹ")])
def test_i_and_y_after_a_consonant_are_one_spelling(engine, typed, other):
    assert found(engine, typed) == found(engine, other) == {NOTICE_KEY, DECISION_KEY}


def test_i_and_y_stay_apart_where_they_are_not_the_whole_rhyme(engine):
    # "gì" is gi + ì; "ý" has no consonant before it: neither is a spelling variant
    from search.query import spelling_key
    assert spelling_key("gì") == "gì" and spelling_key("ý") == "ý" and spelling_key("thủy") == "thủy"
    assert spelling_key("quý") == spelling_key("quí")


def test_the_look_alike_eth_is_d_with_stroke_in_queries_and_in_documents(engine):
    # the decision writes ÐIỀU with U+00D0; users type Đ, and some paste Ð
    assert found(engine, "điều") == {DECISION_KEY}
    assert found(engine, "\u00d0iều") == {DECISION_KEY}
    assert found(engine, "dieu") == {DECISION_KEY}


# --- official abbreviations ------------------------------------------------------------

@pytest.mark.parametrize("issuer, key", [("UBND tỉnh Thử Nghiệm", NOTICE_KEY), ("ubnd", NOTICE_KEY),
                                         ("HĐND tỉnh Thử Nghiệm", DECISION_KEY), ("HDND", DECISION_KEY),
                                         ("Ủy ban nhân dân tỉnh", NOTICE_KEY)])
def test_an_issuer_filter_may_abbreviate_the_issuers_name(engine, issuer, key):
    assert found(engine, issuer=issuer) == {key}
    assert found(engine, f'issuer:"{issuer}"') == {key}


def test_an_abbreviation_in_a_query_finds_the_name_written_out_and_back(engine):
    # the notice's issuer is written out; the decision writes "UBND tỉnh" in its text
    assert found(engine, "UBND") == {NOTICE_KEY, DECISION_KEY}
    assert found(engine, "ủy ban nhân dân") == {NOTICE_KEY, DECISION_KEY}


def test_signer_filters_accept_either_spelling_of_i_and_y(engine):
    assert found(engine, signer="Văn Sĩ") == {NOTICE_KEY, DECISION_KEY}
    assert found(engine, signer="Trần Văn Sĩ") == {DECISION_KEY}  # signed Sỹ


# --- dates as Vietnamese write them ------------------------------------------------------

@pytest.mark.parametrize("options, expected", [
    ({"date_from": "01/01/2022"}, {NOTICE_KEY}),
    ({"date_to": "31/12/2021"}, {DECISION_KEY}),
    ({"date_from": "12/2021", "date_to": "12/2021"}, {DECISION_KEY}),
    ({"date_from": "2021", "date_to": "2022"}, {NOTICE_KEY, DECISION_KEY}),
    ({"date_from": "5.3.2022"}, {NOTICE_KEY}),
])
def test_date_filters_read_day_month_year(engine, options, expected):
    assert found(engine, **options) == expected


@pytest.mark.parametrize("q, expected", [("date:31/12/2021", {DECISION_KEY}), ("date:3/2022", {NOTICE_KEY}),
                                         ("date:01/12/2021..05/03/2022", {NOTICE_KEY, DECISION_KEY}),
                                         ("date:2021-12-31", {DECISION_KEY})])
def test_the_date_field_reads_day_month_year(engine, q, expected):
    assert found(engine, q) == expected


@pytest.mark.parametrize("value, message", [("31/13/2021", "month"), ("30/02/2021", "days"),
                                            ("2021/12/31", "DD/MM/YYYY")])
def test_impossible_dates_are_a_clear_error(engine, value, message):
    from search.query import QueryError
    with pytest.raises(QueryError, match=message):
        engine.search("", date_from=value)


# --- document numbers without Đ -----------------------------------------------------------

def test_a_number_typed_without_d_with_stroke_finds_the_document(engine):
    from search.query import number_keys
    assert "4800/QĐ-HĐND" in number_keys("4800/QD-HDND")
    assert found(engine, "number:4800/QD-HDND") == found(engine, "number:4800/QĐ-HĐND") == {DECISION_KEY}
    assert found(engine, "4800/QD-HDND") == {DECISION_KEY}
    assert found(engine, "ref:11/TB-UBND") == {DECISION_KEY}


def test_mentions_of_a_number_typed_without_d_with_stroke(engine):
    typed = engine.mentions("2345/QD-BYT")
    assert typed == engine.mentions("2345/QĐ-BYT") and typed["total"] == 1
    assert typed["number"] == "2345/QĐ-BYT" and typed["mentions"][0]["key"] == DECISION_KEY
    assert found(engine, "2345/QD-BYT") == found(engine, "ref:2345/QD-BYT") == {DECISION_KEY}  # as search does
    index = str(engine.index_dir)
    shown = run_cli("mentions", "2345/QD-BYT", "--index", index)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == "2345/QĐ-BYT: được nhắc 1 lần trong 1 văn bản"
    assert json.loads(run_cli("mentions", "2345/QD-BYT", "--index", index, "--json").stdout) == typed


def test_a_document_shown_by_its_number_typed_without_d_with_stroke(engine):
    assert engine.show("4800/QD-HDND")["key"] == DECISION_KEY
