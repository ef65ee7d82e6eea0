"""The index: Vietnamese-aware matching, exact document numbers, incremental and
crash-safe builds, one writer at a time, skipped files, readers during a rebuild.

Builds run on small throwaway folders in tmp_path; the crash and concurrency
tests drive `python cli.py index` as a sub-process, as a user would.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from helpers import REPO, run_cli, start_cli, write_notices
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from search.index_store import INDEX_NAME
from search.schema import make_schema
from search.service import Engine, index_paths, parse_path

ALL = 1000
K318 = "000_68b4e8d136df2930.txt#1"
SUMMARY_KEYS = {"files", "documents", "sections", "added", "updated", "removed", "unchanged", "skipped", "seconds"}


# --- helpers -------------------------------------------------------------------

def keys(result: dict) -> list[str]:
    return [hit["key"] for hit in result["hits"]]


def doc_set(engine: Engine, q: str = "", **kw) -> set[str]:
    result = engine.search(q, limit=ALL, **kw)
    assert result["total"] == len(result["hits"])
    return set(keys(result))


def expected_counts(folder: Path) -> tuple[int, int]:
    """(documents, sections) the parser finds in the .txt files of `folder`."""
    documents = sections = 0
    for path in sorted(folder.rglob("*.txt")):
        docs = parse_path(str(path))["documents"]
        documents += len(docs)
        sections += sum(len(d["sections"]) for d in docs)
    return documents, sections


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_until_busy(proc: subprocess.Popen, at_least: float = 1.0, at_most: float = 8.0) -> None:
    """Let the build run `at_least` seconds, longer (up to `at_most`) until it has
    started its writer sub-processes, so a kill lands in the middle of writing."""
    started = time.monotonic()
    while time.monotonic() - started < at_most and proc.poll() is None:
        if time.monotonic() - started >= at_least and children(proc.pid):
            time.sleep(0.3)
            return
        time.sleep(0.05)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
    for pipe in (proc.stdout, proc.stderr):
        if pipe:
            pipe.close()


def snapshot(engine: Engine) -> list:
    """What a few typical queries answer, to compare an index before and after."""
    answers = []
    for q, kw in (("hộ chiếu vắc xin", {}), ("128/NQ-CP", {}), ("", {"signer": "hiep"}), ("", {}),
                  ("dịch", {"sections": True})):
        result = engine.search(q, limit=ALL, **kw)
        answers.append((q, result["total"], [(h["key"], h["section"]) for h in result["hits"]], result["facets"]))
    return answers


def unordered(answers: list) -> list:
    """Answers with their hits as sets: a rebuild may break ties between equal scores differently."""
    return [(q, total, set(hits), facets) for q, total, hits, facets in answers]


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    """15 notices of ~50 KB made from the seeds: a build that runs a few seconds, so that a
    kill lands while it writes."""
    folder = tmp_path_factory.mktemp("big")
    write_notices(folder, count=15, sections=50, seed=3)
    return folder


# --- Vietnamese text: diacritics, Unicode forms, tone placement, case ----------------

BASE = "hộ chiếu vắc xin"


@pytest.mark.parametrize("variant", [
    unicodedata.normalize("NFD", BASE),
    BASE.upper(),
    "Hộ Chiếu VẮC xin",
    unicodedata.normalize("NFD", "HỘ CHIẾU Vắc Xin"),
])
def test_unicode_form_and_case_do_not_change_the_answer(engine, variant):
    assert keys(engine.search(variant, limit=ALL)) == keys(engine.search(BASE, limit=ALL))


@pytest.mark.parametrize(("old", "new"), [("hoà", "hòa"), ("uỷ ban", "ủy ban"), ("khoẻ", "khỏe"),
                                          ("văn hoá", "văn hóa"), ("Uỷ Ban", "ủy ban")])
def test_old_and_new_tone_placement_find_the_same_documents(engine, old, new):
    assert keys(engine.search(old, limit=ALL)) == keys(engine.search(new, limit=ALL))
    assert engine.search(new)["total"] > 0


@pytest.mark.parametrize(("plain", "accented"), [("ho chieu vac xin", BASE), ("HO CHIEU VAC XIN", BASE),
                                                 ('"xet nghiem than toc"', '"xét nghiệm thần tốc"'),
                                                 ('"phong chong dich"', '"phòng chống dịch"')])
def test_diacritic_free_queries_find_the_same_documents(engine, plain, accented):
    assert doc_set(engine, plain) == doc_set(engine, accented)
    assert doc_set(engine, plain)


@pytest.mark.parametrize(("plain", "accented"), [("ton thi ngoc hanh", "Tôn Thị Ngọc Hạnh"), ("uy ban", "ủy ban"),
                                                 ("xet nghiem than toc", "xét nghiệm thần tốc"),
                                                 ("phong chong dich", "phòng chống dịch")])
def test_diacritic_free_queries_find_at_least_what_the_accented_query_finds(engine, plain, accented):
    # a syllable without its marks can mean several words ("ton": tôn, tồn, tổn), so it may find more
    assert doc_set(engine, accented) <= doc_set(engine, plain)


def test_diacritic_free_query_ranks_the_right_document_first(engine):
    assert engine.search("ho chieu vac xin")["hits"][0]["key"] == K318
    assert engine.search(BASE)["hits"][0]["key"] == K318
    assert engine.search("ton thi ngoc hanh")["hits"][0]["key"] == "003_c722c5a340bb8371.txt#1"


OLD_STYLE = """UỶ BAN NHÂN DÂN TỈNH THỬ NGHIỆM

Số: 31/TB-UBND

Thử Nghiệm, ngày 02 tháng 4 năm 2022

THÔNG BÁO

Về việc thuỷ lợi

1. Uỷ ban giao nhiệm vụ hoà giải về thuỷ lợi cho xã Hoà Bình.

2. Giữ gìn sức khoẻ cho người dân.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Lê Văn Thử
"""


def test_documents_in_nfd_with_old_tone_placement_are_found_by_modern_queries(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    # decomposed Unicode and old tone placement, as some editors save it
    (folder / "old.txt").write_text(unicodedata.normalize("NFD", OLD_STYLE), encoding="utf-8")
    report = index_paths([str(folder)], str(tmp_path / "ix"))
    assert report["documents"] == 1 and not report["skipped"]
    engine = Engine(tmp_path / "ix")
    for query in ("ủy ban", "uỷ ban", "thủy lợi", "hòa giải", '"hòa giải"', "sức khỏe", "thuy loi", "hoa binh",
                  unicodedata.normalize("NFD", "thủy lợi")):
        assert keys(engine.search(query)) == ["old.txt#1"], query
    assert keys(engine.search("number:31/TB-UBND")) == ["old.txt#1"]


# --- document numbers --------------------------------------------------------------

def citing(gold: dict, number: str) -> set[str]:
    return {key for key, doc in gold.items() if number in doc["references"]}


def own(gold: dict, number: str) -> set[str]:
    return {key for key, doc in gold.items() if number in doc["number"]}


@pytest.mark.parametrize("number", ["128/NQ-CP", "30/2021/QH15", "25-CT/TW"])
def test_numbers_are_found_exactly(engine, gold, number):
    expected = citing(gold, number)
    assert expected
    assert doc_set(engine, number) == expected
    assert doc_set(engine, number.lower()) == expected
    assert doc_set(engine, f"ref:{number}") == expected
    assert doc_set(engine, f'"{number}"') == expected
    assert engine.search(f"number:{number}")["total"] == 0  # no document in the corpus has that number


def test_the_number_of_128_nq_cp_is_not_confused_with_its_parts(engine):
    assert engine.search("129/NQ-CP")["total"] == 0
    assert engine.search("128/NQ")["total"] == 0
    assert doc_set(engine, "128 / NQ-CP") == doc_set(engine, "128/NQ-CP")


def test_every_cited_number_finds_the_documents_that_write_it(engine, gold):
    numbers = sorted({n for doc in gold.values() for n in doc["references"]})
    for number in numbers:
        found = doc_set(engine, number)
        assert citing(gold, number) <= found <= citing(gold, number) | own(gold, number), number
        assert doc_set(engine, f"ref:{number}") == citing(gold, number), number


def test_number_field_finds_the_document_with_that_number(engine, gold):
    for key, doc in gold.items():
        if None not in doc["number"]:
            for spelling in (doc["number"][0], doc["number"][0].lower()):
                assert keys(engine.search(f"number:{spelling}")) == [key], spelling


# --- the record --------------------------------------------------------------------------

def test_the_schema_has_a_field_for_each_key_of_the_record_and_no_other():
    from search.records import Record
    from search.schema import make_schema

    assert set(make_schema().names()) == set(Record.__annotations__)


def test_stored_records_carry_what_the_record_definition_says(engine):
    """Every stored field a searcher returns is a key of Record, with its declared type."""
    from typing import get_type_hints

    from search.records import Record

    hints = get_type_hints(Record)
    searcher = engine._searcher()
    for record in searcher.documents():
        for key, value in record.items():
            assert key in hints, key
            assert isinstance(value, getattr(hints[key], "__origin__", hints[key])), (key, value)


# --- incremental builds ----------------------------------------------------------------

def check_summary(report: dict, folder_docs: tuple[int, int] | None = None, **expected) -> None:
    assert set(report) >= SUMMARY_KEYS
    assert all(isinstance(report[k], int) for k in SUMMARY_KEYS - {"skipped", "seconds"})
    assert isinstance(report["skipped"], list) and isinstance(report["seconds"], (int, float))
    for name, value in expected.items():
        assert report[name] == value, (name, report)
    if folder_docs is not None:
        assert (report["documents"], report["sections"]) == folder_docs, report


THREE = ["000_68b4e8d136df2930.txt", "003_c722c5a340bb8371.txt", "004_fb50bfa98abb5c99.txt"]
CHANGED = "004_fb50bfa98abb5c99.txt"


@pytest.fixture()
def built(tmp_path, notices_dir, gold) -> tuple[Path, str]:
    """A folder of three notices and its freshly built index."""
    folder, index = tmp_path / "docs", str(tmp_path / "ix")
    folder.mkdir()
    for name in THREE:
        shutil.copy(notices_dir / name, folder / name)
    first = index_paths([str(folder)], index)
    check_summary(first, expected_counts(folder), files=3, added=3, updated=0, removed=0, unchanged=0, skipped=[],
                  documents=sum(1 for d in gold.values() if d["file"] in THREE))
    return folder, index


def change(folder: Path, smaller_hash: bool = False) -> None:
    """Take a phrase out of one notice and add a paragraph with a word found nowhere else.

    smaller_hash: pick the new paragraph so that the new content's SHA-1 sorts before the old one.
    """
    path = folder / CHANGED
    old = path.read_text(encoding="utf-8")
    assert old.count("Thanh Xuân Trung") == 2
    base = old.replace("Thanh Xuân Trung", "Thanh Xuân")
    old_sha = hashlib.sha1(old.encode("utf-8")).hexdigest()
    for attempt in range(200):
        text = base.replace("Văn phòng Chính phủ thông báo để",
                            f"7. Thành phố kiểm kê kho zirconium số {attempt}.\n\nVăn phòng Chính phủ thông báo để")
        if not smaller_hash or hashlib.sha1(text.encode("utf-8")).hexdigest() < old_sha:
            break
    path.write_text(text, encoding="utf-8")


def test_a_rerun_with_nothing_changed_changes_nothing(built):
    folder, index = built
    before = snapshot(Engine(index))
    again = index_paths([str(folder)], index)
    check_summary(again, expected_counts(folder), files=3, added=0, updated=0, removed=0, unchanged=3, skipped=[])
    assert snapshot(Engine(index)) == before


def test_a_changed_file_is_read_again(built):
    folder, index = built
    assert Engine(index).search('"Thanh Xuân Trung"')["total"] == 1
    change(folder)
    report = index_paths([str(folder)], index)
    check_summary(report, expected_counts(folder), files=3, added=0, updated=1, removed=0, unchanged=2)
    engine = Engine(index)
    assert keys(engine.search("zirconium")) == [f"{CHANGED}#1"]
    assert engine.search('"Thanh Xuân Trung"')["total"] == 0  # the removed text is gone
    assert keys(engine.search("number:230/TB-VPCP")) == [f"{CHANGED}#1"]  # one document, not two
    assert engine.search("", limit=ALL)["total"] == report["documents"]
    assert engine.search("", limit=ALL, sections=True)["total"] == report["sections"] + report["documents"]


def test_a_rerun_after_a_change_has_nothing_to_do(built):
    folder, index = built
    change(folder, smaller_hash=True)
    check_summary(index_paths([str(folder)], index), updated=1, unchanged=2)
    check_summary(index_paths([str(folder)], index), files=3, added=0, updated=0, removed=0, unchanged=3)


def test_a_deleted_file_leaves_the_index(built, gold):
    folder, index = built
    (folder / THREE[0]).unlink()
    report = index_paths([str(folder)], index)
    check_summary(report, expected_counts(folder), added=0, updated=0, removed=1, unchanged=2)
    engine = Engine(index)
    assert engine.search("number:318/TB-VPCP")["total"] == 0
    assert engine.show(K318) is None
    assert K318 not in doc_set(engine, "hộ chiếu vắc xin")
    assert engine.mentions("128/NQ-CP")["total"] == sum(
        d["references"].get("128/NQ-CP", 0) for d in gold.values() if d["file"] in THREE[1:])


def test_the_summary_after_a_deletion_counts_the_remaining_files_once(built):
    folder, index = built
    (folder / THREE[0]).unlink()
    check_summary(index_paths([str(folder)], index), files=2, removed=1)
    check_summary(index_paths([str(folder)], index), files=2, added=0, updated=0, removed=0, unchanged=2)


def test_a_new_file_is_added_and_rebuild_gives_the_same_totals(built, notices_dir):
    folder, index = built
    shutil.copy(notices_dir / "001_8c1271b839ae684b.txt", folder)
    report = index_paths([str(folder)], index)
    check_summary(report, expected_counts(folder), files=4, added=1, updated=0, removed=0, unchanged=3)
    engine = Engine(index)
    assert keys(engine.search("number:494/TB-VPCP")) == ["001_8c1271b839ae684b.txt#1"]
    before = snapshot(engine)

    rebuilt = index_paths([str(folder)], index, rebuild=True)
    check_summary(rebuilt, expected_counts(folder), files=4, added=4, updated=0, removed=0, unchanged=0)
    after = snapshot(Engine(index))
    assert unordered(after) == unordered(before)


def test_an_open_engine_forgets_changed_and_removed_files_after_an_incremental_build(tmp_path, notices_dir):
    folder, index = tmp_path / "docs", str(tmp_path / "ix")
    folder.mkdir()
    for name in ("000_68b4e8d136df2930.txt", "004_fb50bfa98abb5c99.txt"):
        shutil.copy(notices_dir / name, folder / name)
    index_paths([str(folder)], index)
    engine = Engine(index)
    assert engine.search('"Thanh Xuân Trung"')["total"] == 1
    assert keys(engine.search("number:318/TB-VPCP")) == [K318]

    changed = folder / "004_fb50bfa98abb5c99.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Thanh Xuân Trung", "Thanh Xuân"),
                       encoding="utf-8")
    (folder / "000_68b4e8d136df2930.txt").unlink()
    report = index_paths([str(folder)], index)
    check_summary(report, updated=1, removed=1)
    fresh = Engine(index)
    assert fresh.search('"Thanh Xuân Trung"')["total"] == 0  # the index itself is right
    assert fresh.search("number:318/TB-VPCP")["total"] == 0
    assert engine.search('"Thanh Xuân Trung"')["total"] == 0
    assert engine.search("number:318/TB-VPCP")["total"] == 0
    assert engine.search("Thanh", sections=True, limit=ALL)["total"] == \
        fresh.search("Thanh", sections=True, limit=ALL)["total"]


def test_a_rerun_drops_only_files_under_the_paths_given(tmp_path, notices_dir):
    one, two, index = tmp_path / "one", tmp_path / "two", str(tmp_path / "ix")
    one.mkdir()
    two.mkdir()
    shutil.copy(notices_dir / "004_fb50bfa98abb5c99.txt", one)
    shutil.copy(notices_dir / "000_68b4e8d136df2930.txt", two)
    index_paths([str(one)], index)
    report = index_paths([str(two)], index)
    check_summary(report, files=2, added=1, removed=0)
    report = index_paths([str(one)], index)  # `two` was not given: its file stays
    check_summary(report, files=2, added=0, removed=0, unchanged=1)
    assert keys(Engine(index).search("number:318/TB-VPCP")) == [K318]


def test_unreadable_files_are_skipped_with_a_reason_and_the_rest_indexed(tmp_path, notices_dir):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(notices_dir / "004_fb50bfa98abb5c99.txt", folder)
    (folder / "latin1.txt").write_bytes("Thông báo: café, déjà vu, naïve résumé.\n".encode("cp1252") * 20)
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8 + b"\x00" * 64)
    report = index_paths([str(folder)], str(tmp_path / "ix"))
    check_summary(report, files=1, documents=1, added=1)
    skipped = {Path(s["path"]).name: s["error"] for s in report["skipped"]}
    assert set(skipped) == {"latin1.txt", "binary.txt"}
    for reason in skipped.values():
        assert isinstance(reason, str) and reason.strip() and "\n" not in reason and "Traceback" not in reason
    assert keys(Engine(tmp_path / "ix").search("number:230/TB-VPCP")) == ["004_fb50bfa98abb5c99.txt#1"]
    again = index_paths([str(folder)], str(tmp_path / "ix"))  # still reported, nothing else changes
    check_summary(again, files=1, unchanged=1, added=0, updated=0, removed=0)
    assert {Path(s["path"]).name for s in again["skipped"]} == {"latin1.txt", "binary.txt"}


# --- crashes and concurrent processes -----------------------------------------------------

def test_a_killed_build_leaves_the_previous_index_intact(tmp_path, notices_dir, big_folder):
    index = str(tmp_path / "ix")
    index_paths([str(notices_dir)], index)
    before = snapshot(Engine(index))

    proc = start_cli("index", str(big_folder), "--index", index, "--json")
    try:
        wait_until_busy(proc)
        assert proc.poll() is None, "the build finished before it could be killed; use a bigger folder"
    finally:
        kill_group(proc)

    assert snapshot(Engine(index)) == before  # opens, and answers exactly as before
    result = run_cli("index", str(big_folder), "--index", index, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    big_docs, big_sections = expected_counts(big_folder)
    notice_docs, notice_sections = expected_counts(notices_dir)
    check_summary(report, files=20, added=15, updated=0, removed=0, unchanged=0, skipped=[],
                  documents=notice_docs + big_docs, sections=notice_sections + big_sections)
    engine = Engine(index)
    assert keys(engine.search("number:318/TB-VPCP")) == [K318]
    assert engine.mentions("128/NQ-CP")["total"] == 14


def test_killing_only_the_main_build_process_does_not_leave_the_index_locked(tmp_path, notices_dir, big_folder):
    index = str(tmp_path / "ix")
    index_paths([str(notices_dir)], index)
    proc = start_cli("index", str(big_folder), "--index", index, "--json")
    try:
        wait_until_busy(proc)
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)  # the main process only: its sub-writers must follow it
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while True:
            result = run_cli("index", str(notices_dir), "--index", index, "--json")
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert result.returncode == 0, f"still busy 10 s after the build was killed: {result.stderr}"
        check_summary(json.loads(result.stdout), files=5, unchanged=5, added=0, removed=0)
    finally:
        kill_group(proc)  # whatever survived in the group
    assert keys(Engine(index).search("number:318/TB-VPCP")) == [K318]


def test_a_second_writer_waits_or_fails_with_one_clear_line(tmp_path, notices_dir, big_folder):
    index = str(tmp_path / "ix")
    proc = start_cli("index", str(big_folder), "--index", index, "--json")
    try:
        wait_until_busy(proc, at_least=0.5)
        assert proc.poll() is None
        second = run_cli("index", str(notices_dir), "--index", index, "--json")
        out, err = proc.communicate(timeout=120)
    finally:
        kill_group(proc)
    assert proc.returncode == 0, err
    assert "Traceback" not in second.stderr
    if second.returncode == 0:  # it waited for the first
        check_summary(json.loads(second.stdout), files=20, added=5)
    else:
        assert second.returncode == 1
        message = second.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert "tiến trình khác" in message, message
        assert second.stdout == ""
    first = json.loads(out)
    check_summary(first, added=15)
    engine = Engine(index)  # whatever the order, the index ends whole
    total = first["documents"] + (expected_counts(notices_dir)[0] if second.returncode == 0 else 0)
    assert engine.search("", limit=1)["total"] == total


def test_an_open_engine_keeps_answering_during_a_rebuild_and_sees_the_new_data(tmp_path, notices_dir):
    folder, index = tmp_path / "docs", str(tmp_path / "ix")
    shutil.copytree(notices_dir, folder)
    index_paths([str(folder)], index)
    engine = Engine(index)
    baseline = engine.search("hộ chiếu vắc xin", limit=ALL)
    assert engine.search("zirconium")["total"] == 0

    text = (notices_dir / "004_fb50bfa98abb5c99.txt").read_text(encoding="utf-8")
    (folder / "zz_new.txt").write_text(text.replace("230/TB-VPCP", "231/TB-VPCP").replace(
        "Văn phòng Chính phủ thông báo để", "7. Kiểm kê kho zirconium.\n\nVăn phòng Chính phủ thông báo để"),
        encoding="utf-8")
    proc = start_cli("index", "--rebuild", str(folder), "--index", index, "--json")
    answered = 0
    try:
        while proc.poll() is None:
            result = engine.search("hộ chiếu vắc xin", limit=ALL)
            assert K318 in keys(result)
            assert result["total"] >= baseline["total"]
            answered += 1
            time.sleep(0.02)
        out, err = proc.communicate(timeout=60)
    finally:
        kill_group(proc)
    assert proc.returncode == 0, err
    assert answered > 5
    assert keys(engine.search("zirconium")) == ["zz_new.txt#1"]  # the same engine sees the commit
    assert keys(engine.search("number:231/TB-VPCP")) == ["zz_new.txt#1"]
    assert doc_set(engine, "hộ chiếu vắc xin") >= set(keys(baseline))
    assert engine.search("", limit=1)["total"] == json.loads(out)["documents"]


# --- faults: a writer process dies, the disk fills, the index is damaged --------------------------

def one_line_error(result) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout[-500:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Lỗi: ")
    return result.stderr


@pytest.fixture(scope="module")
def clean_big_build(tmp_path_factory, notices_dir, big_folder) -> tuple[dict, list]:
    """The counts and answers of a clean build of the notices and the big folder."""
    index = str(tmp_path_factory.mktemp("clean"))
    index_paths([str(notices_dir)], index)
    result = run_cli("index", str(big_folder), "--index", index, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    return {k: report[k] for k in ("files", "documents", "sections")}, unordered(snapshot(Engine(index)))


@pytest.mark.parametrize("delay", [0.0, 0.8])
def test_a_writer_process_killed_mid_build_fails_the_build_and_loses_nothing(tmp_path, notices_dir, big_folder,
                                                                             clean_big_build, delay):
    """SIGKILL of one writer sub-process (as the OOM killer would): the build exits 1 with one
    line, the previous generation is untouched, and the next run indexes what a clean build does.
    (Whoosh's multi-process commit skipped the missing segment and exited 0: documents lost.)"""
    index = str(tmp_path / "ix")
    index_paths([str(notices_dir)], index)
    before = snapshot(Engine(index))
    proc = start_cli("index", str(big_folder), "--index", index, "--json")
    try:
        deadline = time.monotonic() + 60
        while not children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        writers = children(proc.pid)
        if not writers or proc.poll() is not None:
            pytest.skip("the build finished before a writer could be killed")
        os.kill(writers[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
    finally:
        kill_group(proc)
    message = one_line_error(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    assert "writer process" in message and "vẫn như trước" in message
    assert snapshot(Engine(index)) == before
    again = run_cli("index", str(big_folder), "--index", index, "--json")
    assert again.returncode == 0, again.stderr
    counts, answers = clean_big_build
    assert {k: json.loads(again.stdout)[k] for k in counts} == counts
    assert unordered(snapshot(Engine(index))) == answers


def test_a_full_disk_ends_the_build_at_once_with_the_index_intact(tmp_path, notices_dir, big_folder):
    """Writes fail past 200 KB (RLIMIT_FSIZE: EFBIG, as ENOSPC would): the build exits 1 within
    seconds with one line; the index answers as before; a later run completes. (It used to hang:
    the writer processes died and the parent waited for ever on their queue.)"""
    import resource

    index = str(tmp_path / "ix")
    index_paths([str(notices_dir)], index)
    before = snapshot(Engine(index))

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    started = time.monotonic()
    result = subprocess.run([sys.executable, "cli.py", "index", str(big_folder), "--index", index, "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120, preexec_fn=small_disk)
    assert time.monotonic() - started < 60
    message = one_line_error(result)
    assert "vẫn như trước" in message
    assert snapshot(Engine(index)) == before
    again = run_cli("index", str(big_folder), "--index", index, "--json")
    assert again.returncode == 0, again.stderr
    check_summary(json.loads(again.stdout), files=20, added=15)


def test_indexing_one_file_of_a_folder_keeps_the_folders_other_files(tmp_path, notices_dir):
    """`index folder/a.txt` after `index folder`: the other files stay (they are not under the given
    path). It used to report `removed 4`."""
    folder, index = tmp_path / "docs", str(tmp_path / "ix")
    shutil.copytree(notices_dir, folder)
    first = index_paths([str(folder)], index)
    target = folder / "004_fb50bfa98abb5c99.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nGhi chú: bản sửa.\n", encoding="utf-8")
    report = index_paths([str(target)], index)
    check_summary(report, files=5, updated=1, removed=0, documents=first["documents"])
    (folder / "000_68b4e8d136df2930.txt").unlink()
    report = index_paths([str(folder / "000_68b4e8d136df2930.txt"), str(target)], index)  # one disappeared
    check_summary(report, files=4, removed=1, unchanged=1)
    report = index_paths([str(target)], index)
    check_summary(report, files=4, removed=0, unchanged=1)


def damage_toc_truncated(index: Path) -> None:
    toc = max(index.glob("_sections_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    toc.write_bytes(toc.read_bytes()[:len(toc.read_bytes()) // 2])


def damage_toc_garbled(index: Path) -> None:
    toc = max(index.glob("_sections_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    toc.write_bytes(bytes(range(256)) * 4)


def damage_toc_emptied(index: Path) -> None:
    toc = max(index.glob("_sections_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    toc.write_bytes(b"")


@pytest.mark.parametrize("damage", [damage_toc_truncated, damage_toc_garbled, damage_toc_emptied])
def test_a_damaged_index_says_so_and_rebuild_recovers(tmp_path, notices_dir, damage):
    index = tmp_path / "ix"
    index_paths([str(notices_dir)], str(index))
    expected = unordered(snapshot(Engine(index)))
    damage(index)
    for args in (["search", "vắc xin"], ["show", "318/TB-VPCP"], ["index", str(notices_dir)]):
        message = one_line_error(run_cli(*args, "--index", str(index)))
        assert f"Chỉ mục tại {index} bị hỏng" in message and "--rebuild" in message, message
    rebuilt = run_cli("index", str(notices_dir), "--index", str(index), "--rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert unordered(snapshot(Engine(index))) == expected


def test_segment_tables_are_stored_with_their_segments_and_only_a_speed_up(built):
    """Each segment's tables file is written by the build, goes when its segment goes, and an
    index without them (built before they existed) answers the same, writing them again."""
    folder, index = built
    expected = snapshot(Engine(index))
    segments = {p.stem for p in Path(index).glob("sections_*.seg")}
    assert segments and {p.stem for p in Path(index).glob("*.tables")} == segments
    for path in Path(index).glob("*.tables"):
        path.unlink()
    assert snapshot(Engine(index)) == expected
    assert {p.stem for p in Path(index).glob("*.tables")} == segments
    (folder / THREE[0]).write_text((folder / THREE[0]).read_text(encoding="utf-8") + "\nThêm.\n",
                                   encoding="utf-8")
    index_paths([str(folder)], index)
    index_paths([str(folder)], index, rebuild=True)
    remaining = {p.stem for p in Path(index).glob("sections_*.seg")}
    assert {p.stem for p in Path(index).glob("*.tables")} == remaining


def test_an_index_in_an_earlier_posting_format_asks_for_a_rebuild(tmp_path, notices_dir):
    """Whoosh's own W3 codec wrote the postings of earlier versions: such an index is not
    misread, the user is told to rebuild it, and the rebuild works."""
    index = tmp_path / "ix"
    index.mkdir()
    ix = whoosh_index.create_in(index, make_schema(), indexname=INDEX_NAME)
    writer = ix.writer(codec=W3Codec())
    writer.add_document(key="a.md#1", section="", order=0, text="Thông báo", syl="thông báo")
    writer.commit()
    for args in (["search", "thông báo"], ["index", str(notices_dir)]):
        message = one_line_error(run_cli(*args, "--index", str(index)))
        assert "phiên bản khác" in message and "--rebuild" in message, message
    rebuilt = run_cli("index", str(notices_dir), "--index", str(index), "--rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert Engine(index).search("thông báo")["total"] > 0


def test_a_corrupt_segmentation_cache_is_only_a_cache(tmp_path, notices_dir):
    index = tmp_path / "ix"
    index_paths([str(notices_dir)], str(index))
    expected = unordered(snapshot(Engine(index)))
    (index / "segments.sqlite").write_bytes(b"this is not a database" * 1000)
    for suffix in ("-wal", "-shm"):
        (index / f"segments.sqlite{suffix}").unlink(missing_ok=True)
    for args in (["--rebuild"], []):
        result = run_cli("index", str(notices_dir), "--index", str(index), "--json", *args)
        assert result.returncode == 0, result.stderr
    assert unordered(snapshot(Engine(index))) == expected


def test_an_interrupted_first_build_is_not_an_empty_index(tmp_path, big_folder, notices_dir):
    index = tmp_path / "ix"
    proc = start_cli("index", str(big_folder), "--index", str(index), "--json")
    try:
        wait_until_busy(proc, at_least=0.5)
        assert proc.poll() is None, "the build finished before it could be killed"
    finally:
        kill_group(proc)
    message = one_line_error(run_cli("search", "vắc xin", "--index", str(index)))
    assert f"Chỉ mục tại {index} chưa hoàn tất" in message and "--rebuild" in message
    result = run_cli("index", str(notices_dir), "--index", str(index), "--json")  # a plain run starts afresh
    assert result.returncode == 0, result.stderr
    assert unordered(snapshot(Engine(index))) == unordered(snapshot(Engine(build_of(notices_dir, tmp_path))))


def build_of(folder: Path, tmp_path: Path) -> Path:
    index = tmp_path / "reference"
    index_paths([str(folder)], str(index))
    return index


def test_files_are_read_one_at_a_time_as_they_are_written(tmp_path, monkeypatch):
    """The build parses a file only when the writer asks for its records, so it never holds
    every file's records at once; progress counts the changed files."""
    from search import indexer, writer

    folder = tmp_path / "docs"
    files = write_notices(folder, count=5, sections=3, seed=5)
    (folder / "bad.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    events = []
    parse = indexer.parse_text
    monkeypatch.setattr(indexer, "parse_text", lambda text, name: events.append(("parse", name)) or parse(text, name))
    commit = writer.commit

    def watched_commit(ix, index_path, files, *args):
        def each():
            for replaced, records in files:
                events.append(("write", len(records)))
                yield replaced, records
        return commit(ix, index_path, each(), *args)
    monkeypatch.setattr(writer, "commit", watched_commit)
    progress = []
    report = indexer.build([str(folder)], tmp_path / "ix", progress=lambda done, total: progress.append((done, total)))
    assert (report.added, len(report.skipped), report.documents) == (5, 1, 5)
    kinds = [kind for kind, n in events if kind == "parse" or n]  # the unreadable file writes nothing
    assert kinds == ["parse", "write"] * len(files)  # each file read, then written, before the next is read
    assert progress[-1] == (6, 6) and [done for done, _ in progress] == list(range(1, 7))


def test_an_unchanged_run_does_not_copy_the_index_into_memory(tmp_path):
    """Every reader of the indexer (the scan, the tables, the totals) reads the segment files
    from a shared mapping: Whoosh's own storage copies each part of a segment into memory
    (2.7 GB for an unchanged re-run of 270,000 sections)."""
    import tracemalloc

    from search import indexer

    folder = tmp_path / "docs"
    write_notices(folder, count=40, sections=30, seed=8)
    index = tmp_path / "ix"
    indexer.build([str(folder)], index)
    segments = sum(p.stat().st_size for p in index.glob("*.seg"))
    tracemalloc.start()
    try:
        report = indexer.build([str(folder)], index)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.unchanged == 40 and report.added == 0
    assert segments > 1_000_000 and peak < segments / 2, (peak, segments)


def test_a_sections_label_is_found_by_its_whole_id():
    from search.records import head_summary, section_label

    sections = [{"id": "1", "label": "Điều 1"}, {"id": "1.1", "label": "1.1."}, {"id": "11", "label": "Điều 11"},
                {"id": "a", "label": ""}, {"id": "1", "label": "Khoản 1"}]
    head = {"key": "k#1", "filestate": "", "doc": {"sections": sections, "relations": []}}
    labels = head_summary(head)["labels"]
    assert [section_label(labels, s) for s in ("1.1", "11", "a", "2", "")] == ["1.1.", "Điều 11", None, None, None]
    assert section_label(labels, "1") == "Khoản 1"  # of two sections with one id, the last
