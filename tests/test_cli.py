"""The command line against CONTRACT.md: commands, options, JSON shapes, exit
statuses and error messages. Most tests use click's CliRunner on cli.main; a few
run `python cli.py` (and the console script, when installed) as a user would.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, run_cli
from click.testing import CliRunner

import cli

REPO = Path(__file__).resolve().parents[1]
K318 = "000_68b4e8d136df2930.txt#1"
K6325 = "003_c722c5a340bb8371.txt#1"
K285 = "003_c722c5a340bb8371.txt#2"

SUMMARY_KEYS = {"files", "documents", "sections", "added", "updated", "removed", "unchanged", "skipped", "seconds"}
DOCUMENT_KEYS = {"key", "ordinal", "number", "type", "issuer", "place", "date", "title", "signer", "recipients",
                 "sections", "references"}
SEARCH_KEYS = {"query", "total", "offset", "took_ms", "hits", "facets"}
HIT_KEYS = {"key", "number", "type", "title", "date", "signer", "issuer", "section", "score", "snippet"}
FACETS = {"signer", "issuer", "type", "year"}
MENTION_KEYS = {"key", "number_of_document", "date", "section", "text_as_written", "context"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture()
def run(corpus_index):
    """Invoke the CLI in-process against the corpus index (unless --index is given)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict | None = None, index: bool = True):
        args = list(args)
        if index and "--index" not in args and args and args[0] in ("search", "mentions", "show"):
            args += ["--index", str(corpus_index)]
        return runner.invoke(cli.main, args, input=input, env=env, catch_exceptions=False)
    return invoke


def one_json(result) -> dict:
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, "one JSON object on one line"
    return json.loads(lines[0])


def assert_one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    message = result.stderr.strip()
    assert message and len(message.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output
    return message


# --- help --------------------------------------------------------------------------

@pytest.mark.parametrize(("command", "options"), [
    ([], ["index", "parse", "search", "mentions", "show", "serve"]),
    (["index"], ["--rebuild", "--json", "--index"]),
    (["parse"], ["--json"]),
    (["search"], ["--signer", "--issuer", "--type", "--from", "--to", "--ref", "--limit", "--offset", "--sort",
                  "--sections", "--batch", "--json", "--index"]),
    (["mentions"], ["--json", "--index"]),
    (["show"], ["--json", "--index"]),
    (["serve"], ["--host", "--port", "--index"]),
])
def test_help_on_every_command(command, options):
    result = CliRunner().invoke(cli.main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    for option in options:
        assert option in result.output


# --- index -----------------------------------------------------------------------------

def test_index_json_summary(tmp_path, notices_dir, gold):
    runner = CliRunner()
    index = str(tmp_path / "ix")
    summary = one_json(runner.invoke(cli.main, ["index", str(notices_dir), "--index", index, "--json"]))
    assert set(summary) >= SUMMARY_KEYS
    assert summary["files"] == summary["added"] == len({d["file"] for d in gold.values()})
    assert summary["documents"] == len(gold)
    assert summary["sections"] > summary["documents"]
    assert (summary["updated"], summary["removed"], summary["unchanged"], summary["skipped"]) == (0, 0, 0, [])
    assert isinstance(summary["seconds"], (int, float))

    again = one_json(runner.invoke(cli.main, ["index", str(notices_dir), "--index", index, "--json"]))
    assert again["unchanged"] == summary["files"] and again["added"] == 0
    human = runner.invoke(cli.main, ["index", str(notices_dir), "--index", index])
    assert human.exit_code == 0 and "9 văn bản" in human.output

    result = runner.invoke(cli.main, ["search", "hộ chiếu vắc xin", "--index", index, "--json"])
    assert one_json(result)["hits"][0]["key"] == K318


def test_index_reports_skipped_files_in_the_summary(tmp_path, notices_dir):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(notices_dir / "004_fb50bfa98abb5c99.txt", folder)
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    runner = CliRunner()
    summary = one_json(runner.invoke(cli.main, ["index", str(folder), "--index", str(tmp_path / "ix"), "--json"]))
    assert summary["documents"] == 1
    assert [Path(s["path"]).name for s in summary["skipped"]] == ["bad.txt"]
    assert summary["skipped"][0]["error"]
    human = runner.invoke(cli.main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert human.exit_code == 0 and "bad.txt: tệp nhị phân, không phải văn bản" in human.stderr
    assert summary["skipped"][0]["error"] == "binary file"  # the JSON keeps the engine's wording


def test_errors_are_one_vietnamese_line(corpus_index, tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli.main, ["search", '"vắc xin', "--index", str(corpus_index), "--json"])
    assert bad.exit_code == 1 and bad.stdout == ""
    assert bad.stderr == 'Lỗi: Thiếu dấu ngoặc kép: một cụm từ mở bằng " nhưng không được đóng lại.\n'
    none = runner.invoke(cli.main, ["search", "vắc xin", "--index", str(tmp_path / "none")])
    assert none.exit_code == 1
    assert none.stderr.startswith(f"Lỗi: Chưa có chỉ mục tại {tmp_path / 'none'}: hãy chạy `notice-search index")


def test_a_first_build_of_unreadable_files_alone_gives_an_empty_index(tmp_path):
    """Nothing readable in a new index: the summary says so, and the empty index answers."""
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    runner = CliRunner()
    index = str(tmp_path / "ix")
    summary = one_json(runner.invoke(cli.main, ["index", str(tmp_path / "bad.txt"), "--index", index, "--json"]))
    assert (summary["files"], summary["documents"], len(summary["skipped"])) == (0, 0, 1)
    assert one_json(runner.invoke(cli.main, ["search", "vắc xin", "--index", index, "--json"]))["total"] == 0


def test_index_requires_a_path():
    assert CliRunner().invoke(cli.main, ["index"]).exit_code == 2


# --- parse -------------------------------------------------------------------------------

def test_parse_json_shape(notices_dir, gold):
    for path in sorted(notices_dir.glob("*.txt")):
        data = one_json(CliRunner().invoke(cli.main, ["parse", str(path), "--json"]))
        assert data["file"] == path.name
        expected = sorted(k for k, d in gold.items() if d["file"] == path.name)
        assert [d["key"] for d in data["documents"]] == expected
        for ordinal, doc in enumerate(data["documents"], start=1):
            assert set(doc) >= DOCUMENT_KEYS
            assert doc["ordinal"] == ordinal
            assert set(doc["signer"]) >= {"name", "position", "on_behalf_of"}
            assert isinstance(doc["recipients"], list)
            assert doc["date"] is None or ISO_DATE.match(doc["date"])
            for section in doc["sections"]:
                assert set(section) >= {"id", "path", "heading", "text"}
                assert isinstance(section["path"], list) and section["path"][-1] in section["id"]
            for reference in doc["references"]:
                assert set(reference) >= {"number", "type", "count"}
            g = gold[doc["key"]]
            assert doc["number"] in g["number"] and doc["date"] in g["date"]
            assert doc["signer"]["name"] == g["signer"]["name"]
            assert {r["number"] for r in doc["references"]} == set(g["references"])


def test_parse_318_matches_the_contract_example(notices_dir):
    data = one_json(CliRunner().invoke(cli.main, ["parse", str(notices_dir / "000_68b4e8d136df2930.txt"), "--json"]))
    doc = data["documents"][0]
    assert (doc["number"], doc["type"], doc["issuer"], doc["place"], doc["date"]) == \
        ("318/TB-VPCP", "Thông báo", "VĂN PHÒNG CHÍNH PHỦ", "Hà Nội", "2021-11-27")
    assert doc["signer"] == {"name": "Nguyễn Sỹ Hiệp", "position": "PHÓ CHỦ NHIỆM",
                             "on_behalf_of": "KT. BỘ TRƯỞNG, CHỦ NHIỆM"}
    assert {"number": "128/NQ-CP", "type": "Nghị quyết", "count": 9}.items() <= doc["references"][0].items()


def test_parse_human_output(notices_dir):
    result = CliRunner().invoke(cli.main, ["parse", str(notices_dir / "000_68b4e8d136df2930.txt")])
    assert result.exit_code == 0 and "318/TB-VPCP" in result.output


@pytest.mark.parametrize("content", [None, b"\x00\xff\x00binary" * 20, "café".encode("latin-1") * 10])
def test_parse_of_an_unreadable_file_fails_with_one_line(tmp_path, content):
    path = tmp_path / "f.txt"
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(cli.main, ["parse", str(path), "--json"])
    message = assert_one_line_error(result)
    assert "f.txt" in message
    assert result.stdout == ""


# --- search ---------------------------------------------------------------------------------

def check_search_shape(data: dict) -> None:
    assert set(data) >= SEARCH_KEYS
    assert isinstance(data["total"], int) and isinstance(data["offset"], int)
    assert isinstance(data["took_ms"], (int, float))
    assert set(data["facets"]) >= FACETS
    for facet in data["facets"].values():
        assert all(isinstance(v, str) and isinstance(c, int) and c > 0 for v, c in facet.items())
    for hit in data["hits"]:
        assert set(hit) >= HIT_KEYS
        assert re.fullmatch(r".+#\d+", hit["key"])
        assert hit["date"] is None or ISO_DATE.match(hit["date"])
        assert hit["score"] is None or isinstance(hit["score"], (int, float))
        assert isinstance(hit["snippet"], str)


def test_search_json_shape(run):
    data = one_json(run("search", "hộ chiếu vắc xin", "--json"))
    check_search_shape(data)
    assert data["query"] == "hộ chiếu vắc xin" and data["offset"] == 0
    top = data["hits"][0]
    assert (top["key"], top["number"], top["type"], top["date"], top["signer"]) == \
        (K318, "318/TB-VPCP", "Thông báo", "2021-11-27", "Nguyễn Sỹ Hiệp")
    assert "<mark>" in top["snippet"]
    assert data["total"] >= len(data["hits"]) and len(data["hits"]) <= 10
    assert sum(data["facets"]["type"].values()) == data["total"]


def test_search_json_is_what_the_engine_returns(run, engine):
    data = one_json(run("search", "xét nghiệm", "--limit", "3", "--offset", "2", "--json"))
    expected = engine.search("xét nghiệm", limit=3, offset=2)
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == expected


def test_search_with_filters(run, engine):
    data = one_json(run("search", "", "--signer", "nguyen sy hiep", "--from", "2021-10-01", "--sort", "-date",
                        "--json"))
    check_search_shape(data)
    assert data["total"] > 0
    assert all(h["signer"] == "Nguyễn Sỹ Hiệp" and h["date"] >= "2021-10-01" for h in data["hits"])
    dates = [h["date"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert [h["key"] for h in data["hits"]] == \
        [h["key"] for h in engine.search("", signer="nguyen sy hiep", date_from="2021-10-01", sort="-date")["hits"]]

    for option, value, kw in (("--type", "cong van", {"type": "cong van"}), ("--issuer", "kiên giang", {"issuer": "kiên giang"}),
                              ("--ref", "128/NQ-CP", {"ref": "128/NQ-CP"}), ("--to", "2021-09-30", {"date_to": "2021-09-30"})):
        data = one_json(run("search", "dịch", option, value, "--limit", "100", "--json"))
        assert data["total"] > 0, option
        assert [h["key"] for h in data["hits"]] == [h["key"] for h in engine.search("dịch", limit=100, **kw)["hits"]]
    data = one_json(run("search", "--ref", "285/TB-VPCP", "--json"))
    assert [h["key"] for h in data["hits"]] == [K6325]


def test_search_sections(run):
    documents = one_json(run("search", "vắc xin", "--limit", "1000", "--json"))
    sections = one_json(run("search", "vắc xin", "--sections", "--limit", "1000", "--json"))
    check_search_shape(sections)
    assert sections["total"] == len(sections["hits"]) > documents["total"]
    assert len({(h["key"], h["section"]) for h in sections["hits"]}) == sections["total"]
    assert {h["key"] for h in sections["hits"]} == {h["key"] for h in documents["hits"]}


def test_search_that_finds_nothing_succeeds(run):
    data = one_json(run("search", "zzqxwv", "--json"))
    assert data["total"] == 0 and data["hits"] == []
    assert run("search", "zzqxwv").exit_code == 0


def test_search_human_output(run):
    result = run("search", "hộ chiếu vắc xin")
    assert result.exit_code == 0
    assert "318/TB-VPCP" in result.output and "<mark>" not in result.output


def test_search_human_output_is_vietnamese(run, engine):
    """The JSON keeps the contract's English keys; what a person reads is Vietnamese."""
    one = run("search", "number:318/TB-VPCP")
    assert one.output.startswith("1 văn bản (") and " ms)" in one.output
    assert "27/11/2021" in one.output and "documents" not in one.output
    sections = run("search", "vắc xin", "--sections")
    total = engine.search("vắc xin", sections=True)["total"]
    assert sections.output.startswith(f"{total} mục (")


def test_help_texts_are_vietnamese():
    for command in ([], ["index"], ["parse"], ["search"], ["mentions"], ["show"], ["serve"]):
        output = CliRunner().invoke(cli.main, [*command, "--help"]).output
        assert "Xem hướng dẫn này." in output and "Show this message" not in output
    assert "Tìm kiếm, xếp theo mức liên quan" in CliRunner().invoke(cli.main, ["search", "--help"]).output


def test_search_format_exports_the_whole_result_list(run, engine):
    """`--format json|csv` writes every hit from the first on, whatever --limit and --offset say."""
    import csv
    import io

    everything = engine.search("dịch", limit=1000)
    assert everything["total"] > 3
    data = json.loads(run("search", "dịch", "--limit", "2", "--offset", "1", "--format", "json").stdout)
    assert data["total"] == everything["total"] and data["offset"] == 0
    assert [h["key"] for h in data["hits"]] == [h["key"] for h in everything["hits"]]
    assert data["facets"] == everything["facets"]

    result = run("search", "dịch", "--limit", "2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["key"] for r in rows] == [h["key"] for h in everything["hits"]]
    assert [r["rank"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    first, hit = rows[0], everything["hits"][0]
    assert (first["number"], first["title"], first["date"]) == (hit["number"], hit["title"] or "", hit["date"] or "")
    assert "<mark>" not in result.stdout and first["snippet"] == re.sub(r"</?mark>", "", hit["snippet"])


def test_search_format_csv_of_a_bad_query_is_a_one_line_error(run):
    assert_one_line_error(run("search", '"unbalanced', "--format", "csv"))


BATCH = [
    '{"q": "hộ chiếu vắc xin", "limit": 2}',
    'this is not JSON',
    '{"q": "", "signer": "hiep", "from": "2021-10-01", "sort": "-date"}',
    '{"q": "\\"unbalanced"}',
    '[1, 2]',
    '{"q": "Delta", "unknown_key": 1}',
    '',
    '{"q": "vắc xin", "sections": true, "limit": 3, "offset": 1}',
    '{"q": "dịch", "ref": "128/NQ-CP", "type": "thông báo", "issuer": "văn phòng", "to": "2021-12-31"}',
    '{"q": "a", "signer": {"x": 1}}',
    '{"q": ["vắc", "xin"]}',
    '{"q": "a", "limit": "ten"}',
    '{"q": "a", "limit": true}',
    '{"q": "a", "sections": "maybe"}',
    '{"q": "a", "to": 20211231}',
    "[" * 100_000,
    '{"q": "dịch", "year": "2021", "limit": 5}',
]
BATCH_OK = {0: ("hộ chiếu vắc xin", dict(limit=2)),
            2: ("", dict(signer="hiep", date_from="2021-10-01", sort="-date")),
            7: ("vắc xin", dict(sections=True, limit=3, offset=1)),
            8: ("dịch", dict(ref="128/NQ-CP", type="thông báo", issuer="văn phòng", date_to="2021-12-31")),
            16: ("dịch", dict(year="2021", limit=5))}


def check_batch_output(stdout: str, engine) -> None:
    lines = stdout.splitlines()
    requests = [i for i, line in enumerate(BATCH) if line.strip()]
    assert len(lines) == len(requests), stdout
    for i, line in zip(requests, lines):
        data = json.loads(line)
        if i in BATCH_OK:
            check_search_shape(data)
            q, kw = BATCH_OK[i]
            expected = engine.search(q, **kw)
            assert [(h["key"], h["section"]) for h in data["hits"]] == \
                [(h["key"], h["section"]) for h in expected["hits"]], i
            assert data["total"] == expected["total"]
        else:
            assert set(data) == {"error"} and isinstance(data["error"], str) and data["error"], i


def test_batch_file(run, engine, tmp_path):
    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(BATCH) + "\n", encoding="utf-8")
    result = run("search", "--batch", str(path), "--json")
    assert result.exit_code == 0, result.output
    check_batch_output(result.stdout, engine)


def test_batch_stdin(run, engine):
    result = run("search", "--batch", "-", "--json", input="\n".join(BATCH) + "\n")
    assert result.exit_code == 0, result.output
    check_batch_output(result.stdout, engine)


def test_batch_answers_a_value_of_the_wrong_type_with_its_message(run):
    lines = ['{"q": "a", "signer": {"x": 1}}', '{"q": "a", "limit": -3}', '{"q": "dịch", "signer": "' + "x" * 5000 + '"}',
             '{"q": "dịch"}']
    result = run("search", "--batch", "-", "--json", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert answers[0] == {"error": "'signer' must be text, not an object."}
    assert answers[1] == {"error": "'limit' must be a whole number, 0 or more."}
    assert "'signer' is too long" in answers[2]["error"]
    assert answers[3]["total"] > 0


def test_batch_of_a_missing_file_is_a_usage_error(run, tmp_path):
    result = run("search", "--batch", str(tmp_path / "missing.jsonl"), "--json")
    assert result.exit_code == 2 and "Traceback" not in result.output


# --- mentions ----------------------------------------------------------------------------------

def test_mentions_json_shape(run, gold):
    data = one_json(run("mentions", "128/nq-cp", "--json"))
    assert set(data) >= {"number", "total", "documents", "mentions"}
    citing = {k: d["references"]["128/NQ-CP"] for k, d in gold.items() if "128/NQ-CP" in d["references"]}
    assert (data["number"], data["total"], data["documents"]) == ("128/NQ-CP", sum(citing.values()), len(citing))
    assert len(data["mentions"]) == data["total"]
    for m in data["mentions"]:
        assert set(m) >= MENTION_KEYS
        assert m["key"] in citing
        assert "128/NQ-CP" in m["text_as_written"] and m["text_as_written"] in m["context"]
    human = run("mentions", "128/NQ-CP")
    assert human.exit_code == 0 and "14" in human.output


def test_mentions_of_a_bare_figure_lists_candidates(run):
    data = one_json(run("mentions", "128", "--json"))
    assert "128/NQ-CP" in data["candidates"]
    assert "128/NQ-CP" in run("mentions", "128").output


def test_mentions_of_something_that_is_no_number_fails_with_one_line(run):
    result = run("mentions", "hello", "--json")
    assert_one_line_error(result)
    assert result.stdout == ""


# --- show ------------------------------------------------------------------------------------

def test_show_json_for_a_number_and_a_key(run):
    by_number = one_json(run("show", "285/TB-VPCP", "--json"))
    by_key = one_json(run("show", K285, "--json"))
    assert by_number == by_key
    assert set(by_key) >= DOCUMENT_KEYS | {"cited_by"}
    assert by_key["key"] == K285 and by_key["number"] == "285/TB-VPCP"
    assert by_key["sections"] and all(s["text"] for s in by_key["sections"])
    assert all("key" in r for r in by_key["references"])
    assert [c["key"] for c in by_key["cited_by"]] == [K6325]
    citing = one_json(run("show", "6325/UBND-KGVX", "--json"))
    assert {r["number"]: r["key"] for r in citing["references"]}["285/TB-VPCP"] == K285
    human = run("show", "285/TB-VPCP")
    assert human.exit_code == 0 and "6325/UBND-KGVX" in human.output


@pytest.mark.parametrize("key", ["9999/XX-YY", "nope.txt#1", "nonsense"])
def test_show_of_an_unknown_document_fails_with_one_line(run, key):
    result = run("show", key, "--json")
    assert key in assert_one_line_error(result)
    assert result.stdout == ""


# --- errors and exit statuses -------------------------------------------------------------------

@pytest.mark.parametrize("query", ['"hộ chiếu', "(vắc xin", "date:2021-13-40", "foo:bar", ":abc", "signer:",
                                   "x" * 1200])
def test_a_malformed_query_fails_with_one_clear_line(run, query):
    result = run("search", query, "--json")
    message = assert_one_line_error(result)
    assert len(message) < 300
    assert result.stdout == ""


def test_a_bad_date_filter_fails_cleanly(run):
    result = run("search", "dịch", "--from", "2021-13-01")
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output and "2021-13-01" in result.stderr


@pytest.mark.parametrize("command", [["search", "dịch"], ["show", "318/TB-VPCP"], ["mentions", "128/NQ-CP"],
                                     ["search", "--batch", "-"]])
def test_no_index_fails_with_a_clear_message(run, tmp_path, command):
    result = run(*command, "--index", str(tmp_path / "nothing-here"), input="{}\n")
    message = assert_one_line_error(result)
    assert "index" in message.lower()
    assert not (tmp_path / "nothing-here").exists() or not any((tmp_path / "nothing-here").iterdir())


@pytest.mark.parametrize("args", [["bogus"], ["search", "--bogus"], ["search", "x", "--limit", "abc"],
                                  ["search", "x", "--limit", "-1"], ["search", "x", "--sort", "newest"],
                                  ["show"], ["mentions"], ["parse"], ["index"], ["search", "a", "b"]])
def test_wrong_usage_exits_2(run, args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_the_index_comes_from_the_environment(corpus_index, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli.main, ["search", "Delta", "--json"], env={"NOTICE_SEARCH_INDEX": str(corpus_index)})
    assert [h["key"] for h in one_json(result)["hits"]] == [K285]
    missing = runner.invoke(cli.main, ["search", "Delta"], env={"NOTICE_SEARCH_INDEX": str(tmp_path / "none")})
    assert missing.exit_code == 1 and str(tmp_path / "none") in missing.stderr


# --- as a program ------------------------------------------------------------------------------

def test_python_cli_py(corpus_index, engine):
    env = {**os.environ, "NOTICE_SEARCH_INDEX": str(corpus_index)}
    result = run_cli("search", "ho chieu vac xin", "--json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    check_search_shape(data)
    assert data["hits"][0]["key"] == K318
    batch = run_cli("search", "--batch", "-", "--json", env=env, input="\n".join(BATCH) + "\n")
    assert batch.returncode == 0, batch.stderr
    check_batch_output(batch.stdout, engine)


def test_python_cli_py_errors_have_no_traceback(corpus_index, tmp_path):
    bad = run_cli("search", '"unbalanced', "--index", str(corpus_index))
    assert bad.returncode == 1 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    none = run_cli("show", "318/TB-VPCP", "--index", str(tmp_path / "none"))
    assert none.returncode == 1 and "Traceback" not in none.stderr and len(none.stderr.strip().splitlines()) == 1
    usage = run_cli("search", "--limit", "abc", "x")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_a_read_only_command_ends_at_once_with_its_whole_answer(corpus_index):
    """After a read-only command the process ends without Python's teardown: what it printed
    must still arrive whole (the buffered pipe flushed) and its exit code must be kept."""
    env = {**os.environ, "NOTICE_SEARCH_INDEX": str(corpus_index)}
    for args in (["show", "318/TB-VPCP"], ["search", "vắc xin", "--format", "csv"], ["mentions", "128/NQ-CP"]):
        expected = CliRunner().invoke(cli.main, args, env=env)
        assert expected.exit_code == 0, expected.output
        result = run_cli(*args, env=env)
        assert (result.returncode, result.stdout) == (0, expected.stdout), args
    missing = run_cli("show", "999/XX-YY", env=env)
    assert missing.returncode == 1 and missing.stderr.startswith("Lỗi:")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads are counted in /proc")
def test_the_command_line_starts_no_helper_threads():
    """No command does linear algebra: numpy's OpenBLAS must not start a thread per core, which
    costs every one-query command CPU time it then waits for on a busy machine."""
    env = {key: value for key, value in os.environ.items() if key != "OPENBLAS_NUM_THREADS"}
    result = subprocess.run([sys.executable, "-c", "import os, cli; print(len(os.listdir('/proc/self/task')))"],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_the_console_script(corpus_index):
    script = shutil.which("notice-search")
    if script is None:
        pytest.skip("the notice-search console script is not installed (pip install -e .)")
    env = {**os.environ, "NOTICE_SEARCH_INDEX": str(corpus_index)}
    result = subprocess.run([script, "show", "318/TB-VPCP", "--json"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["key"] == K318
    bad = subprocess.run([script, "search", "foo:bar"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_a_stopped_server_leaves_no_pyvi_model_file_in_the_temporary_folder(corpus_index, tmp_path):
    """pyvi unpickles its CRF model into a model*.crfsuite temporary file, which was left behind
    by every process that loaded pyvi and did not exit normally: a server stopped by a signal,
    each writer process of a build."""
    import socket
    import time
    import urllib.request

    from helpers import start_cli

    temp = tmp_path / "temp"
    temp.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_cli("serve", "--index", str(corpus_index), "--port", str(port),
                       env={**os.environ, "TMPDIR": str(temp)})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/help", timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert not list(temp.glob("model*.crfsuite"))
