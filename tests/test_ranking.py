"""Ranking of law articles for questions as people ask them: the law or article
the question names, article titles, definitions, rare words against common ones,
quoted terms that match nothing.

Two short hand-written laws are indexed once for the module; their articles share
words on purpose, so that only the mechanism under test tells them apart.
"""
from __future__ import annotations

import html
import json
import re

import pytest
from helpers import engine_of, run_cli

from search.service import Engine
from webui import create_app

GRANARY = """QUỐC HỘI

Luật số: 91/2019/QH99

Hà Nội, ngày 20 tháng 11 năm 2019

LUẬT

KHO THÓC

Điều 1. Phạm vi điều chỉnh

Luật này quy định việc quản lý kho thóc của xã, quyền và nghĩa vụ của người giữ kho.

Điều 2. Giải thích từ ngữ

Trong Luật này, các từ ngữ dưới đây được hiểu như sau:
1. Kho thóc là nơi cất giữ thóc của xã.
2. Người giữ kho là người được xã giao quản lý kho thóc.
3. Thóc giống là thóc được chọn để gieo trồng vụ sau.
4. Sổ kho là sổ ghi việc nhập, xuất thóc của kho.
5. Kiểm kê là việc đếm và ghi lại số thóc có trong kho vào một ngày nhất định.
6. Hao hụt là phần thóc mất đi do chuột, mối, ẩm mốc trong thời gian cất giữ.

Điều 3. Điều kiện giữ kho

Người giữ kho phải là người từ đủ 18 tuổi, có sức khỏe và được xã tin cậy.

Điều 4. Quyền và nghĩa vụ của người giữ kho

Người giữ kho có quyền được trả công và có nghĩa vụ giữ sổ kho, báo cáo hao hụt.

Điều 5. Đặt cọc thuê kho

Bên thuê kho đặt cọc một khoản tiền; nếu bên cho thuê từ chối thì phải trả lại tiền cọc và một khoản tiền tương đương.

Điều 6. Kiểm tra kho

Hằng quý, xã kiểm tra điều kiện giữ kho, điều kiện cất giữ thóc, sổ kho và việc giữ kho của người giữ kho.

Điều 7. Hiệu lực thi hành

Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2020. Luật này quy định thay thế các quy định trước đây về kho thóc.

CHỦ TỊCH QUỐC HỘI

Lê Văn Thử
"""

MARKET = """QUỐC HỘI

Luật số: 92/2020/QH99

Hà Nội, ngày 15 tháng 6 năm 2020

LUẬT

CHỢ QUÊ

Điều 1. Phạm vi điều chỉnh

Luật này quy định việc họp chợ quê và quản lý kho thóc của chợ.

Điều 2. Kho thóc của chợ

Ban quản lý chợ cử người giữ kho thóc của chợ; người giữ kho ghi sổ kho mỗi ngày và báo cáo hao hụt thóc.

Điều 3. Giờ họp chợ

Chợ họp từ 5 giờ đến 11 giờ mỗi ngày.

Điều 4. Hiệu lực thi hành

Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2021.

CHỦ TỊCH QUỐC HỘI

Lê Văn Thử
"""

GRANARY_KEY, MARKET_KEY = "granary.txt#1", "market.txt#1"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    return engine_of(tmp_path_factory, "laws", {"granary.txt": GRANARY, "market.txt": MARKET})


def articles(engine: Engine, q: str, limit: int = 10) -> list[tuple[str, str | None]]:
    return [(hit["key"], hit["section"]) for hit in engine.search(q, sections=True, limit=limit)["hits"]]


# --- the law or article a question names --------------------------------------------

QUESTION = "người giữ kho ghi sổ kho và báo cáo hao hụt như thế nào?"


@pytest.mark.parametrize("named", ["Luật Kho thóc", "luật kho thóc năm 2019", "Luat Kho thoc 2019"])
def test_the_law_a_question_names_ranks_its_articles_first(engine, named):
    # the market law's article 2 repeats more of the question's words
    assert articles(engine, QUESTION)[0] == (MARKET_KEY, "2")
    assert articles(engine, f"Theo {named}, {QUESTION}")[0] == (GRANARY_KEY, "4")


def test_a_year_that_is_not_the_laws_names_another_edition(engine):
    assert articles(engine, f"Theo Luật Kho thóc 2015, {QUESTION}")[0] == (MARKET_KEY, "2")


def test_the_laws_name_does_not_score_its_own_boilerplate(engine):
    # "Luật này ... quy định" opens and closes every law: the name selects the law
    top = articles(engine, "Theo Luật Chợ quê, chợ họp mấy giờ?", limit=3)
    assert top[0] == (MARKET_KEY, "3")
    assert (MARKET_KEY, None) not in top  # the head record holds little but the name


def test_an_article_named_by_its_number_comes_first(engine):
    assert articles(engine, "Điều 2 Luật Kho thóc")[0] == (GRANARY_KEY, "2")
    assert articles(engine, "Luật Chợ quê, điều 2 nói gì về kho thóc?")[0] == (MARKET_KEY, "2")


# --- article titles -----------------------------------------------------------------

@pytest.mark.parametrize("q", ["điều kiện giữ kho", "người giữ kho cần điều kiện gì?"])
def test_the_article_whose_title_the_query_holds_comes_first(engine, q):
    # article 6 repeats "điều kiện", "giữ kho" in its body; article 3 is titled so
    assert articles(engine, q)[0] == (GRANARY_KEY, "3")


# --- definitions in long articles ------------------------------------------------------

@pytest.mark.parametrize("term", ["Hao hụt", "Kiểm kê", "Sổ kho"])
def test_a_definition_question_finds_the_clause_that_defines_the_term(engine, term):
    # article 2 is long: six definitions; the term's clause decides, not the article's length
    assert articles(engine, f"{term} là gì?")[0] == (GRANARY_KEY, "2")


# --- quoted terms -----------------------------------------------------------------------

QUOTED_TYPO = '"Ngừoi giữ kho" phải từ bao nhiêu tuổi?'  # a typo inside the quotes
SEARCHED_AS_WORDS = 'Không văn bản nào có cụm từ "Ngừoi giữ kho": đã tìm theo từng từ của nó.'


def test_a_quoted_term_found_nowhere_in_a_question_is_searched_as_words(engine):
    assert articles(engine, QUOTED_TYPO)[0] == (GRANARY_KEY, "3")
    assert engine.search(QUOTED_TYPO)["notice"] == SEARCHED_AS_WORDS
    assert engine.search('"người giữ kho" phải từ bao nhiêu tuổi?')["notice"] is None


def test_the_user_reads_that_a_quoted_term_was_searched_as_words(engine):
    index = str(engine.index_dir)
    shown = run_cli("search", QUOTED_TYPO, "--index", index)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[1] == f"Lưu ý: {SEARCHED_AS_WORDS}"
    assert json.loads(run_cli("search", QUOTED_TYPO, "--index", index, "--json").stdout)["notice"] == SEARCHED_AS_WORDS
    assert "Lưu ý:" not in run_cli("search", "người giữ kho", "--index", index).stdout
    page = create_app(index).test_client().get("/search", query_string={"q": QUOTED_TYPO})
    assert page.status_code == 200
    notice = re.search(r'<p class="notice" role="status">(.*?)</p>', page.get_data(as_text=True))
    assert notice and html.unescape(notice.group(1)) == SEARCHED_AS_WORDS


def test_a_query_that_is_only_a_phrase_stays_exact(engine):
    assert articles(engine, '"Ngừoi giữ kho"') == []


FARMING_CODE = """QUỐC HỘI

Bộ luật số: 93/2021/QH99

Hà Nội, ngày 10 tháng 6 năm 2021

BỘ LUẬT

CANH NÔNG

Điều 1. Phạm vi điều chỉnh

Bộ luật này quy định việc canh nông của xã.

Điều 9. Mùa vụ

Mùa vụ bắt đầu từ tháng Giêng và kết thúc vào tháng Chạp.

Điều 10. Hiệu lực thi hành

Bộ luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2022.

CHỦ TỊCH QUỐC HỘI

Lê Văn Thử
"""


@pytest.fixture(scope="module")
def code_engine(tmp_path_factory) -> Engine:
    return engine_of(tmp_path_factory, "code", {"granary.txt": GRANARY, "farming.txt": FARMING_CODE})


@pytest.mark.parametrize("q", ["Điều 9 Bộ luật Canh nông", "điều 9 BLCN", "Điều 9 BLCN 2021", "dieu 9 blcn"])
def test_an_article_named_in_a_named_code_comes_first_though_its_text_never_names_the_code(code_engine, q):
    # Article 9 holds none of the query's words: naming it is enough (the short name is the
    # initials of the code's type and title).
    assert articles(code_engine, q)[0] == ("farming.txt#1", "9")


def test_initials_too_short_to_be_a_name_name_nothing(code_engine):
    # "LKT" (Luật Kho thóc) has three letters, like many codes and words: it selects no law
    assert articles(code_engine, "điều 3 LKT") == []


def test_the_best_clause_scores_are_each_clauses_bm25():
    """The rerank counts every candidate's clauses at once in arrays: each record must get the
    BM25 of its best clause exactly as one clause at a time gives it (same sums, same order), with
    a slot of several forms (a query typed without marks), a pair of one form twice, and records
    without clauses."""
    import random

    from search.ranking import B, K1, _Shape
    from search.weights import Weights

    class Idf:  # stands in for the index's statistics
        def idf(self, reader, field, text):
            return 0.5 + (sum(map(ord, f"{field}{text}")) % 97) / 13

    slots = [frozenset({"ban", "bán", "bàn"}), frozenset({"hàng"}), frozenset({"hàng"}), None,
             frozenset({"hóa"}), frozenset({"đơn"})]
    weights = Weights()
    shape = _Shape(slots, Idf(), None, weights)
    vocabulary = ["ban", "bán", "bàn", "hàng", "hóa", "đơn", "của", "và", "người"]
    rng = random.Random(7)
    records = [[[rng.choice(vocabulary) for _ in range(rng.randint(1, 30))] for _ in range(rng.randint(0, 6))]
               for _ in range(200)]

    def bm25(clause, average):
        slot_tf = [0] * len(shape.slot_idf)
        pair_tf = [0] * len(shape.pair_idf)
        for s in clause:
            if s in shape.slot_of:
                slot_tf[shape.slot_of[s]] += 1
        for pair in zip(clause, clause[1:]):
            if pair in shape.pair_of:
                pair_tf[shape.pair_of[pair]] += 1
        norm = K1 * ((1 - B) + B * len(clause) / average)
        saturation = lambda tf: tf * (K1 + 1) / (tf + norm)  # noqa: E731
        return (weights.syl * sum(idf * saturation(tf) for tf, idf in zip(slot_tf, shape.slot_idf) if tf)
                + weights.bigram * sum(idf * saturation(tf) for tf, idf in zip(pair_tf, shape.pair_idf) if tf))

    lengths = [len(c) for found in records for c in found]
    average = sum(lengths) / len(lengths)
    expected = [max((bm25(c, average) for c in found), default=0.0) for found in records]
    assert shape.best_clauses(records) == expected
    assert shape.pair_of[("hàng", "hàng")] is not None and any(e == 0.0 for e in expected)
