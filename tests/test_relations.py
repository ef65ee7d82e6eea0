"""Relations between documents and effective dates, on short hand-written texts."""
from __future__ import annotations

import pytest

from search.effective import find_effective
from search.relations import KINDS, PHRASES, find_relations


def own(relations):
    """{(kind, number or name): articles} of the document's own relations."""
    return {(r.kind, r.target.number or r.target.name): r.articles for r in relations if r.subject is None}


def between(relations):
    return {(r.subject, r.kind, r.target.number or r.target.name) for r in relations if r.subject}


# --- kinds ------------------------------------------------------------------------------


def test_every_phrase_maps_to_a_kind():
    assert set(PHRASES.values()) <= set(KINDS)


def test_basis_lines_and_their_continuations():
    text = (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
        "Căn cứ Nghị định số 12/2024/NĐ-CP ngày 01/02/2024 của Chính phủ quy định về phí; "
        "Nghị định số 34/2025/NĐ-CP ngày 03/4/2025 của Chính phủ về lệ phí;\n"
        "Theo đề nghị của Giám đốc Sở Tài chính tại Tờ trình số 56/TTr-STC ngày 07/8/2025;"
    )
    found = own(find_relations(text))
    assert ("based_on", "Luật Tổ chức chính quyền địa phương") in found
    assert ("based_on", "12/2024/NĐ-CP") in found
    assert ("based_on", "34/2025/NĐ-CP") in found
    assert ("cites", "56/TTr-STC") in found
    assert ("based_on", "56/TTr-STC") not in found


def test_an_amendment_named_in_a_basis_line_is_between_the_two_cited_documents():
    text = (
        "Căn cứ Nghị định số 81/2018/NĐ-CP ngày 22 tháng 5 năm 2018 của Chính phủ quy định chi tiết "
        "Luật Thương mại về hoạt động xúc tiến thương mại; Nghị định số 128/2024/NĐ-CP ngày 10 tháng 10 "
        "năm 2024 của Chính phủ sửa đổi, bổ sung một số điều của Nghị định số 81/2018/NĐ-CP;"
    )
    relations = find_relations(text)
    assert {("based_on", "81/2018/NĐ-CP"), ("based_on", "128/2024/NĐ-CP")} <= set(own(relations))
    assert ("amends", "81/2018/NĐ-CP") not in own(relations)
    assert ("128/2024/NĐ-CP", "amends", "81/2018/NĐ-CP") in between(relations)


def test_a_basis_amended_by_another_law_is_based_on_both():
    text = "Căn cứ Luật Đất đai số 31/2024/QH15 được sửa đổi, bổ sung bởi Luật số 43/2024/QH15;"
    relations = find_relations(text)
    assert {("based_on", "31/2024/QH15"), ("based_on", "43/2024/QH15")} <= set(own(relations))
    assert ("43/2024/QH15", "amends", "31/2024/QH15") in between(relations)


def test_this_document_replaces_and_a_passing_mention_does_not():
    decision = "Điều 3. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 15/2020/QĐ-UBND ngày 02/3/2020."
    assert ("replaces", "15/2020/QĐ-UBND") in own(find_relations(decision))
    letter = ("Bộ được giao xây dựng Nghị quyết về tiêu chuẩn của đơn vị hành chính (thay thế Nghị quyết số "
              "1211/2016/UBTVQH13 ngày 25/5/2016) để trình cấp có thẩm quyền.")
    assert own(find_relations(letter)) == {("cites", "1211/2016/UBTVQH13"): []}


def test_repeals_in_an_article_in_a_list_and_by_ceasing_effect():
    text = (
        "Điều 1. Bãi bỏ các quyết định sau:\n"
        "1. Quyết định số 43/2017/QĐ-UBND ngày 29/9/2017 của UBND tỉnh về đầu tư.\n"
        "2. Quyết định số 40/2013/QĐ-UBND ngày 13/9/2013 của UBND tỉnh về đất đai.\n"
        "Điều 2. Điều khoản thi hành\n"
        "Luật Du lịch số 44/2005/QH11 đã được sửa đổi, bổ sung một số điều theo Luật số 28/2018/QH14 "
        "hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành."
    )
    relations = find_relations(text)
    found = own(relations)
    assert {("repeals", "43/2017/QĐ-UBND"), ("repeals", "40/2013/QĐ-UBND"), ("repeals", "44/2005/QH11")} <= set(found)
    assert ("cites", "28/2018/QH14") in found  # it amended the repealed law; this law does not repeal it
    assert ("28/2018/QH14", "amends", "44/2005/QH11") in between(relations)


def test_amends_with_the_articles_written_before_the_target():
    text = ("1. Sửa đổi, bổ sung khoản 2 Điều 5 và điểm a khoản 1 Điều 7 của Luật Đầu tư số 61/2020/QH14 như sau:\n"
            "2. Bãi bỏ điểm c khoản 4 và khoản 5 Điều 30 của Luật Giá số 16/2023/QH15.")
    found = own(find_relations(text))
    assert found[("amends", "61/2020/QH14")] == ["Điều 5 khoản 2", "Điều 7 khoản 1 điểm a"]
    assert found[("repeals", "16/2023/QH15")] == ["Điều 30 khoản 4 điểm c", "Điều 30 khoản 5"]


def test_items_of_an_amending_list_name_articles_of_the_document_above_them():
    text = ("Điều 99. Sửa đổi, bổ sung các luật có liên quan\n"
            "1. Sửa đổi, bổ sung một số điều của Luật Đấu thầu số 43/2013/QH13 như sau:\n"
            "a) Sửa đổi, bổ sung khoản 3 Điều 1 như sau:\n“3. Lựa chọn nhà đầu tư theo Điều 5.”;\n"
            "b) Bãi bỏ Điều 68.\n"
            "c) Sửa đổi, bổ sung khoản 1 Điều 73 như sau:\n“1. Người lao động hưởng lương hưu khi có đủ điều kiện sau:\n"
            "a) Đủ tuổi nghỉ hưu theo quy định tại khoản 2 Điều 169 của Bộ luật Lao động;”.\n"
            "Điều 100. Hiệu lực thi hành\n1. Bãi bỏ khoản 2 Điều 3 của Luật này.")
    found = own(find_relations(text))
    assert found[("amends", "43/2013/QH13")] == ["Điều 1 khoản 3", "Điều 73 khoản 1"]
    assert found[("repeals", "43/2013/QH13")] == ["Điều 68"]
    assert len(found) == 2


def test_replacing_words_in_a_document_amends_it():
    text = "Thay thế cụm từ “Sở Lao động” bằng cụm từ “Sở Nội vụ” tại khoản 2 Điều 4 Quyết định số 48/2024/QĐ-UBND."
    assert own(find_relations(text)) == {("amends", "48/2024/QĐ-UBND"): ["Điều 4 khoản 2"]}


def test_guides_from_the_title_and_from_the_scope_article():
    title = "Hướng dẫn thi hành Nghị định số 70/2025/NĐ-CP về hóa đơn"
    body = "Điều 1. Phạm vi điều chỉnh\nThông tư này quy định chi tiết Điều 12 Luật Quản lý thuế số 38/2019/QH14."
    found = own(find_relations(body, title=title))
    assert ("guides", "70/2025/NĐ-CP") in found
    assert found[("guides", "38/2019/QH14")] == ["Điều 12"]


def test_an_authority_detailing_a_law_is_no_relation_of_this_document():
    text = "Chính phủ quy định chi tiết Luật Đầu tư năm 2020 trong thời hạn 6 tháng."
    assert own(find_relations(text)) == {("cites", "Luật Đầu tư"): []}


def test_implements_when_the_document_carries_out_its_target():
    title = "KẾ HOẠCH Triển khai thực hiện Chỉ thị số 32/CT-TTg ngày 21/10/2025 của Thủ tướng Chính phủ"
    body = ("Thực hiện Công văn số 2345/VPCP-KGVX ngày 03/11/2025 của Văn phòng Chính phủ, Ủy ban nhân dân tỉnh "
            "ban hành Kế hoạch như sau:\n1. Việc thu phí thực hiện theo quy định tại Thông tư số 01/2021/TT-BTC.")
    found = own(find_relations(body, title=title))
    assert ("implements", "32/CT-TTg") in found
    assert ("implements", "2345/VPCP-KGVX") in found
    assert ("cites", "01/2021/TT-BTC") in found


def test_corrects_consolidates_and_suspends():
    text = ("Điều 1. Đính chính Thông tư số 25/2025/TT-BTC như sau.\n"
            "Điều 2. Đình chỉ việc thi hành Quyết định số 301/QĐ-UBND ngày 02/6/2025.\n"
            "Điều 3. Tạm ngưng hiệu lực Nghị quyết số 14/2024/NQ-HĐND.\n"
            "Văn bản này hợp nhất Nghị định số 10/2022/NĐ-CP và Nghị định số 175/2025/NĐ-CP.")
    found = own(find_relations(text))
    assert {("corrects", "25/2025/TT-BTC"), ("suspends", "301/QĐ-UBND"), ("suspends", "14/2024/NQ-HĐND"),
            ("consolidates", "10/2022/NĐ-CP"), ("consolidates", "175/2025/NĐ-CP")} <= set(found)


def test_a_proposal_does_not_do_what_it_proposes():
    text = "Xét Tờ trình số 390/TTr-UBND ngày 16/11/2025 về việc bãi bỏ Quyết định số 61/2021/QĐ-UBND ngày 23/9/2021;"
    relations = find_relations(text)
    assert set(own(relations)) == {("cites", "390/TTr-UBND"), ("cites", "61/2021/QĐ-UBND")}
    assert not between(relations)


# --- targets ------------------------------------------------------------------------------


def test_cites_with_articles_and_laws_named_with_a_year():
    text = ("Doanh nghiệp thực hiện theo quy định tại khoản 2 Điều 3 Nghị định số 15/2020/NĐ-CP và "
            "Điều 468 Bộ luật Dân sự 2015; các quy định khác của Luật Đất đai.")
    found = own(find_relations(text))
    assert found[("cites", "15/2020/NĐ-CP")] == ["Điều 3 khoản 2"]
    cited_laws = [r.target for r in find_relations(text) if r.target.name]
    assert [(t.name, t.year) for t in cited_laws] == [("Bộ luật Dân sự", 2015)]  # Luật Đất đai: no year


def test_a_law_name_with_commas_and_an_amending_law_name():
    text = ("Căn cứ Luật Quản lý, sử dụng tài sản công ngày 21 tháng 6 năm 2017; Luật sửa đổi, bổ sung một số "
            "điều của Luật Quy hoạch, Luật Đầu tư và Luật Đấu thầu số 57/2024/QH15;")
    relations = find_relations(text)
    targets = {(r.kind, r.target.name or r.target.number, r.target.year) for r in relations if r.subject is None}
    assert ("based_on", "Luật Quản lý, sử dụng tài sản công", 2017) in targets
    assert ("based_on", "57/2024/QH15", None) in targets
    assert {("57/2024/QH15", "amends", n) for n in ("Luật Quy hoạch", "Luật Đầu tư", "Luật Đấu thầu")} <= between(relations)


def test_own_number_forms_and_this_document_are_not_targets():
    text = ("Số: 84/2025/QĐ-UBND\nKê khai theo mẫu số 03/TNDN ban hành kèm theo Thông tư số 80/2021/TT-BTC. "
            "Quyết định này thay thế các quy định trước đây. Quyết định số 84/2025/QĐ-UBND được gửi các sở.")
    assert own(find_relations(text)) == {("cites", "80/2021/TT-BTC"): []}
    assert own(find_relations("Quyết định số 12/QĐ-UBND được gửi các sở.", number="12/QĐ-UBND")) == {}


def test_articles_are_read_far_into_a_long_text():
    text = "Điều 1. Phạm vi điều chỉnh.\n" + "Quyết định này quy định việc quản lý. " * 20 + \
        "Việc cấp phép thực hiện theo điểm b khoản 3 Điều 12 Nghị định số 15/2020/NĐ-CP."
    assert own(find_relations(text)) == {("cites", "15/2020/NĐ-CP"): ["Điều 12 khoản 3 điểm b"]}


def test_articles_count_only_when_written_right_before_the_document():
    text = "Mở đầu. " * 40 + "\nĐiều 3 của Quyết định này giao Sở Tài chính thực hiện theo Nghị định số 15/2020/NĐ-CP."
    assert own(find_relations(text)) == {("cites", "15/2020/NĐ-CP"): []}


def test_a_reference_broken_over_two_lines():
    text = "Căn cứ khoản 25\nĐiều 5 Luật Thuế giá trị gia tăng số 48/2024/QH15;\nCăn cứ khoản 2\nĐiều 4 Thông tư số 40/2021/TT-BTC."
    assert own(find_relations(text)) == {("based_on", "48/2024/QH15"): ["Điều 5 khoản 25"],
                                         ("based_on", "40/2021/TT-BTC"): ["Điều 4 khoản 2"]}


def test_offsets_point_at_the_target_in_the_text_given():
    text = "Căn cứ Nghị định số 78/2025/NĐ-CP ngày 01/4/2025;"
    rel = find_relations(text)[0]
    assert "78/2025/NĐ-CP" in text[rel.start:rel.end]


# --- effective dates -------------------------------------------------------------------------


@pytest.mark.parametrize("clause, issued, date, form", [
    ("Điều 5. Thông tư này có hiệu lực thi hành kể từ ngày 08 tháng 01 năm 2026.", None, "2026-01-08", "date"),
    ("1. Quyết định này có hiệu lực kể từ ngày ký.", "2025-11-20", "2025-11-20", "signing"),
    ("Nghị quyết này có hiệu lực thi hành từ ngày ký ban hành.", "2025-11-27", "2025-11-27", "signing"),
    ("Quyết định này có hiệu lực sau 10 ngày kể từ ngày ký.", "2025-12-25", "2026-01-04", "after_signing"),
    ("Nghị quyết này có hiệu lực thi hành từ ngày được thông qua.\nNghị quyết này được Ủy ban Thường vụ "
     "Quốc hội thông qua ngày 16 tháng 6 năm 2025.", None, "2025-06-16", "adoption"),
    ("Luật này có hiệu lực thi hành từ năm ngân sách 2017.", "2015-06-25", "2017-01-01", "budget_year"),
    ("Nghị định này có hiệu lực sau 45 ngày kể từ ngày đăng Công báo.", "2020-01-01", None, "after_publication"),
    ("Nghị định này có hiệu lực thi hành kể từ ngày ký ban hành.", None, None, "signing"),
])
def test_effective_date_forms(clause, issued, date, form):
    found = find_effective(clause, issue_date=issued)
    assert (found.date, found.form) == (date, form)


def test_effect_tied_to_another_document():
    found = find_effective("Quyết định này có hiệu lực thi hành kể từ ngày Nghị định số 262/2025/NĐ-CP "
                           "ngày 14 tháng 10 năm 2025 của Chính phủ có hiệu lực thi hành.", "2025-11-01")
    assert (found.date, found.form, found.depends_on) == (None, "with_document", "262/2025/NĐ-CP")
    found = find_effective("Quyết định này có hiệu lực thi hành theo Quyết định số 3659/QĐ-BKHCN ngày 13/11/2025.")
    assert (found.form, found.depends_on) == ("with_document", "3659/QĐ-BKHCN")


def test_expiry_in_the_clause_and_in_its_own_sentence():
    assert find_effective("Thông tư này có hiệu lực thi hành kể từ ngày ký đến hết ngày 24 tháng 02 năm 2030.",
                          "2025-12-02").expiry == "2030-02-24"
    text = "Quyết định này có hiệu lực từ ngày 01/01/2026.\nQuyết định này hết hiệu lực kể từ ngày 31/12/2027."
    found = find_effective(text)
    assert (found.date, found.expiry) == ("2026-01-01", "2027-12-31")


def test_clauses_about_other_documents_are_not_this_documents_date():
    letter = ("Ngày 30/6/2025, Chính phủ ban hành Nghị định số 175/2025/NĐ-CP về lệ phí trước bạ. "
              "Nghị định có hiệu lực thi hành từ ngày 01/7/2025.")
    assert find_effective(letter) is None
    law = ("1. Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2021.\n"
           "2. Luật Cư trú số 81/2006/QH11 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành.")
    assert find_effective(law).date == "2021-07-01"
    delegation = ("Thời hạn ủy quyền: Từ ngày Quyết định này có hiệu lực thi hành đến hết ngày 31/12/2030.\n"
                  "Điều 3. Quyết định này có hiệu lực thi hành kể từ ngày ký.")
    found = find_effective(delegation, "2025-11-20")
    assert (found.date, found.expiry) == ("2025-11-20", None)


def test_a_bare_type_word_in_the_final_article_speaks_of_the_document():
    text = "Điều 5. Hiệu lực thi hành\n1. Nghị quyết có hiệu lực thi hành kể từ ngày ký ban hành."
    assert find_effective(text, "2025-11-27").date == "2025-11-27"
