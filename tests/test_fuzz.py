"""Fuzzed queries: whatever is typed, every front end answers or refuses cleanly.

- the service (Engine.search/show/mentions) returns its dict (or None) or raises QueryError;
- the CLI exits 0 or 1 (2 only for wrong usage such as --limit -1) and never shows a traceback;
- the web API answers 200, or 400 with {"error": …}, never 500; HTML pages never echo live markup.

Default: a few hundred examples per property. With NOTICE_SEARCH_SLOW=1 (or --run-slow):
thousands. The number of queries tried is printed when the module finishes:

    NOTICE_SEARCH_SLOW=1 python -m pytest tests/test_fuzz.py -q -s
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

import pytest
from helpers import TEMPLATE_TAGS, live_tags, print_summary, run_cli
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import QueryError

with warnings.catch_warnings():
    # On a failure, Hypothesis' pytest plugin imports this (libcst, which warns on import) to
    # suggest a patch; under `filterwarnings = error` that would turn the report into an
    # INTERNALERROR that hides the failing example. Import it here, quietly, if it is there.
    warnings.simplefilter("ignore")
    try:
        import hypothesis.extra._patching  # noqa: F401
    except ImportError:
        pass

REPO = Path(__file__).resolve().parents[1]
SLOW = os.environ.get("NOTICE_SEARCH_SLOW") == "1"


def scale(default: int, slow: int) -> int:
    return slow if SLOW else default


def fuzz(default: int, slow: int):
    """Hypothesis settings: `default` examples, `slow` with the slow flag; no deadline
    (the first queries also build the per-generation tables)."""
    return settings(max_examples=scale(default, slow), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


COUNTS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig):
    yield
    line = ("fuzz [{}]: {} queries tried: engine {}, CLI in-process {}, CLI subprocess {}, "
            "web {} (API {}, pages {}); QueryError/400 answers {}").format(
        "slow" if SLOW else "default", COUNTS["engine"] + COUNTS["cli"] + COUNTS["subprocess"] + COUNTS["web"],
        COUNTS["engine"], COUNTS["cli"], COUNTS["subprocess"], COUNTS["web"], COUNTS["api"],
        COUNTS["page"], COUNTS["refused"])
    print_summary(pytestconfig, line)


# --- what is typed ------------------------------------------------------------------------

VIETNAMESE = ["hộ chiếu", "vắc xin", "phòng, chống dịch", "Nghị quyết", "COVID-19", "ho chieu vac xin",
              "tiêm chủng", "Hiệp", "Thông báo", "Văn phòng Chính phủ", "người lao động", "giãn cách",
              "xét nghiệm", "Điều 5", "khoản 2", "Uỷ ban", "ỦY BAN", "hoà", "hòa", "Nguyễn Sỹ Hiệp", "đ", "Đ"]
SYNTAX = ["AND", "OR", "NOT", "and", "or", "-", "--", "(", ")", "((", "))", '"', '""', "*", "**", "?", ":",
          "::", "..", "...", "\\", "'", "`", "|", "&", "+", "~", "^", "{", "}", "[", "]", "/", "#", "%",
          "<", ">", "=", ";", ",", "!", "@", "$", "-(", "NOT(", "OR)", "vắc*", "*xin", "v*", "ho?", "a*b*"]
FIELD_TOKENS = ["signer:", "issuer:", "type:", "number:", "ref:", "date:", "year:", "Signer:", "SIGNER:",
                "foo:", "_:", "x_y:", "Nam:", "date:2021-05..", "date:..2021", "date:..", "date:2021-02-30",
                "date:2020-02-29", "date:0000-01-01", "date:9999-12-31", "date:2021-13", "date:2021-00-10",
                "date:2021..2020", "year:20211", "year:0000", "year:abcd", "ref:128/NQ-CP", "ref:128",
                "number:318/TB-VPCP", "number:/", 'issuer:"văn phòng"', 'type:"thông báo', 'signer:""',
                "signer:Hiệp", "signer:-", "signer:(", 'ref:"128/NQ-CP"', "date:2021-11-27..2021-11-27"]
NUMBERS = ["128/NQ-CP", "318/TB-VPCP", "128 / NQ - CP", "128/nq-cp", "01/2021/NĐ-CP", "123/", "/NQ-CP",
           "9" * 40 + "/X-Y", "128/NQ-CP/NQ-CP", "0/0", "1/A", "128/NQ–CP", "１２８/ＮＱ-ＣＰ", "128\u200b/NQ-CP"]
CONTROL = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\xa0", "\u2028", "\u2029", "\u200b", "\u200c",
                                         "\u200d", "\u200e", "\u202e", "\u2066", "\ufeff", "\ufffd", "\uffff"]
SCRIPTS = ["中华人民共和国", "法律", "한국어", "にほんご", "العربية", "قانون", "עברית", "हिन्दी", "ไทย", "😀", "👨‍👩‍👧",
           "🇻🇳", "Ωμέγα", "Жизнь", "ﷺ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ß", "İ", "ﬁ", "Å", "e\u0301", "a\u0323\u0302",
           "\u0301\u0301\u0301", "\u0344", "\u0958", "\u1e9e", "ǅ", "Ⅻ", "①", "½", "\U0010ffff", "\ue000"]
HOSTILE = ["<script>alert(1)</script>", "<mark>", "</mark>", "&lt;", "&amp;", "%00", "%s%s%n", "{0}", "${x}",
           "' OR '1'='1", "\"; DROP TABLE seg; --", "../../etc/passwd", "\\x00", "NaN", "-1", "1e309"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


WORDS = st.sampled_from(VIETNAMESE) | st.sampled_from(VIETNAMESE).map(nfd) | st.sampled_from(VIETNAMESE).map(str.upper)
TOKEN = st.one_of(
    WORDS, st.sampled_from(SYNTAX), st.sampled_from(FIELD_TOKENS), st.sampled_from(NUMBERS),
    st.sampled_from(CONTROL), st.sampled_from(SCRIPTS), st.sampled_from(HOSTILE),
    st.builds(lambda f, v: f + v, st.sampled_from(FIELD_TOKENS), WORDS | st.sampled_from(NUMBERS + SYNTAX)),
    st.text(max_size=6), st.characters(),
)
SEPARATOR = st.sampled_from([" ", " ", " ", "", "  ", "\t", "\n", "\x00", "\u3000"])


@st.composite
def token_soup(draw) -> str:
    tokens = draw(st.lists(TOKEN, max_size=12))
    return "".join(token + draw(SEPARATOR) for token in tokens)


@st.composite
def long_query(draw) -> str:
    """Around the 1000-character limit, or up to 10 KB."""
    unit = draw(token_soup().filter(bool) | st.sampled_from(VIETNAMESE + SCRIPTS))
    size = draw(st.sampled_from([999, 1000, 1001]) | st.integers(900, 1100) | st.integers(1000, 10_240))
    return ((unit + " ") * (size // (len(unit) + 1) + 1))[:size]


QUERY = st.one_of(token_soup(), token_soup(), token_soup(), st.text(max_size=60), st.text(max_size=400),
                  long_query())

FILTER_TEXT = st.one_of(st.none(), st.just(""), WORDS, st.sampled_from(NUMBERS + HOSTILE + SCRIPTS + CONTROL),
                        st.text(max_size=30), st.sampled_from(["Nguyễn Sỹ Hiệp", "hiep", "Thông báo", "Công văn",
                                                               "VĂN PHÒNG CHÍNH PHỦ", "kiên giang"]))
DATE_TEXT = st.one_of(st.none(), st.just(""), st.dates().map(str), st.sampled_from(
    ["2021", "2021-11", "2021-11-27", "2021-02-29", "2020-02-29", "2021-13-01", "2021-00", "0000", "0001-01-01",
     "9999-12-31", "21-11-27", "2021/11/27", "27/11/2021", "2021-1-5", "２０２１", "2021-11-27T00:00", " 2021 ",
     "2021..2022", "-2021", "99999"]), st.text(max_size=12))
SORT = st.sampled_from(["relevance", "date", "-date"]) | st.sampled_from(["", "DATE", "+date", "score", "\x00"])
PAGING = st.integers(0, 30) | st.integers(-3, -1) | st.sampled_from([999, 1000, 1001, 100_000, 100_001, 10**9, 2**63])


def check_result(result, q, limit: int = 10, offset: int = 0) -> None:
    """A search answer in the shape of CONTRACT.md, with consistent counts."""
    assert isinstance(result, dict)
    assert {"query", "total", "offset", "took_ms", "hits", "facets"} <= set(result)
    assert result["query"] == q
    assert isinstance(result["total"], int) and result["total"] >= 0
    assert result["offset"] == min(offset, 100_000)
    assert len(result["hits"]) == max(0, min(limit, 1000, result["total"] - result["offset"]))
    for hit in result["hits"]:
        assert isinstance(hit["key"], str) and "#" in hit["key"]
        assert isinstance(hit["snippet"], str)
    json.dumps(result, ensure_ascii=False)  # what the CLI and the API print


def check_refusal(error: QueryError) -> None:
    message = str(error)
    assert message.strip(), "QueryError without a message"
    assert "Traceback" not in message


# --- the service ---------------------------------------------------------------------------

@fuzz(300, 4000)
@given(q=QUERY)
def test_engine_search_answers_or_refuses(engine, q):
    COUNTS["engine"] += 1
    try:
        result = engine.search(q)
    except QueryError as e:
        COUNTS["refused"] += 1
        check_refusal(e)
        assert "\n" not in str(e)  # one sentence, even when it quotes the query
        return
    check_result(result, q)


@fuzz(200, 3000)
@given(q=token_soup() | st.just(""), signer=FILTER_TEXT, issuer=FILTER_TEXT, type_=FILTER_TEXT, ref=FILTER_TEXT,
       date_from=DATE_TEXT, date_to=DATE_TEXT, limit=PAGING, offset=PAGING, sort=SORT, sections=st.booleans())
def test_engine_filters_and_paging_answer_or_refuse(engine, q, signer, issuer, type_, ref, date_from, date_to,
                                                    limit, offset, sort, sections):
    COUNTS["engine"] += 1
    try:
        result = engine.search(q, signer=signer, issuer=issuer, type=type_, ref=ref, date_from=date_from,
                               date_to=date_to, limit=limit, offset=offset, sort=sort, sections=sections)
    except QueryError as e:
        COUNTS["refused"] += 1
        check_refusal(e)
        return
    assert limit >= 0 and offset >= 0 and sort in ("relevance", "date", "-date")
    check_result(result, q, limit, offset)


@fuzz(200, 3000)
@given(key=QUERY | st.sampled_from(NUMBERS) | st.builds(lambda a, b: f"{a}#{b}", st.text(max_size=20),
                                                         st.integers(-2, 5) | st.text(max_size=3)))
def test_engine_show_and_mentions_answer_or_refuse(engine, key):
    COUNTS["engine"] += 2
    doc = engine.show(key)
    assert doc is None or (isinstance(doc, dict) and doc["key"])
    try:
        result = engine.mentions(key)
    except QueryError as e:
        COUNTS["refused"] += 1
        check_refusal(e)
        return
    assert isinstance(result, dict) and result["total"] >= 0 and len(result["mentions"]) == result["total"]


def test_known_queries_still_find_documents(engine):
    """The fuzzing above must not pass because every query is refused."""
    for q in ("ho chieu vac xin", '"hộ chiếu vắc xin"', "signer:Hiệp", "ref:128/NQ-CP", "vắc*", "year:2021 cách ly"):
        COUNTS["engine"] += 1
        assert engine.search(q)["total"] > 0, q


# --- the command line, in-process -----------------------------------------------------------

@pytest.fixture(scope="module")
def cli_main():
    sys.path.insert(0, str(REPO))
    import cli

    return cli.main


def run_in_process(cli_main, args: list[str]):
    result = CliRunner().invoke(cli_main, args, catch_exceptions=True)
    # an exception other than click's own exit is a bug that would reach the user
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output
    return result


@fuzz(100, 1500)
@given(q=QUERY, options=st.lists(st.sampled_from(["--sections", "--sort=date", "--sort=-date", "--limit=3",
                                                  "--offset=2", "--signer=Hiệp", "--type=Thông báo"]),
                                 max_size=3, unique=True))
def test_cli_search_exits_cleanly(cli_main, corpus_index, q, options):
    COUNTS["cli"] += 1
    result = run_in_process(cli_main, ["search", "--index", str(corpus_index), "--json", *options, "--", q])
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 0:
        assert json.loads(result.stdout)["query"] == q
    else:
        COUNTS["refused"] += 1
        assert result.stderr.startswith("Lỗi: ") and result.stdout == ""


@fuzz(60, 1000)
@given(signer=FILTER_TEXT, issuer=FILTER_TEXT, type_=FILTER_TEXT, ref=FILTER_TEXT, date_from=DATE_TEXT,
       date_to=DATE_TEXT, limit=PAGING, offset=PAGING)
def test_cli_filters_exit_cleanly(cli_main, corpus_index, signer, issuer, type_, ref, date_from, date_to,
                                  limit, offset):
    COUNTS["cli"] += 1
    args = ["search", "--index", str(corpus_index), "--json", f"--limit={limit}", f"--offset={offset}"]
    for name, value in (("signer", signer), ("issuer", issuer), ("type", type_), ("ref", ref),
                        ("from", date_from), ("to", date_to)):
        if value is not None:
            args.append(f"--{name}={value}")
    result = run_in_process(cli_main, args)
    if limit < 0 or offset < 0:
        assert result.exit_code == 2  # wrong usage, reported by click
    else:
        assert result.exit_code in (0, 1), result.output
        if result.exit_code:
            COUNTS["refused"] += 1


@fuzz(60, 1000)
@given(arg=QUERY.filter(lambda s: not s.startswith("-")) | st.sampled_from(NUMBERS))
def test_cli_show_and_mentions_exit_cleanly(cli_main, corpus_index, arg):
    COUNTS["cli"] += 2
    for command in ("show", "mentions"):
        result = run_in_process(cli_main, [command, "--index", str(corpus_index), "--json", "--", arg])
        assert result.exit_code in (0, 1), result.output


# --- the command line, as a real process -------------------------------------------------------

SUBPROCESS_QUERIES = ['"hộ chiếu', "signer:", "ho chieu vac xin", "中华 العربية 😀 e\u0301", "(a OR", "x" * 10_240,
                      "date:2021-02-30", "\x01\x02\x1b[31m", "-", "vắc*", nfd("phòng, chống dịch"), "ref:abc",
                      "<script>alert(1)</script>", "NOT", "''", ":", "((((((((((", "*", "year:", "🇻🇳" * 600]


def assert_no_crash(process: subprocess.CompletedProcess) -> None:
    output = process.stdout + process.stderr
    assert "Traceback" not in output, output[-2000:]
    # the console script's last-resort handler prints "Lỗi: ValueError: …" for an unexpected exception
    assert not re.search(r"^Lỗi: \w+(Error|Exception): ", process.stderr, re.M), process.stderr


@pytest.mark.parametrize("q", SUBPROCESS_QUERIES[:scale(2, len(SUBPROCESS_QUERIES))],
                         ids=lambda q: ascii(q)[1:21])
def test_cli_process_search_exits_cleanly(corpus_index, q):
    COUNTS["subprocess"] += 1
    process = run_cli("search", "--index", str(corpus_index), "--json", "--", q)
    assert_no_crash(process)
    assert process.returncode in (0, 1)
    if process.returncode == 0:
        assert json.loads(process.stdout)["query"] == q
    else:
        assert process.stderr.startswith("Lỗi: ") and process.stderr.count("\n") == 1


def test_cli_process_batch_answers_every_line(corpus_index):
    """Many fuzzed queries through one real process: one JSON line out per line in, in order."""
    queries: list[dict] = []

    @settings(max_examples=scale(200, 2000), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(q=QUERY, signer=FILTER_TEXT, date_from=DATE_TEXT, limit=PAGING, sort=SORT)
    def collect(q, signer, date_from, limit, sort):
        request = {"q": q, "limit": limit, "sort": sort}
        if signer is not None:
            request["signer"] = signer
        if date_from is not None:
            request["from"] = date_from
        queries.append(request)

    collect()
    lines = [json.dumps(request, ensure_ascii=False) for request in queries]
    process = run_cli("search", "--index", str(corpus_index), "--json", "--batch", "-", input="\n".join(lines) + "\n")
    COUNTS["subprocess"] += len(queries)
    assert_no_crash(process)
    assert process.returncode == 0, process.stderr
    # JSON lines end with "\n" only: U+2028, U+0085… inside a string are not line ends
    answers = [json.loads(line) for line in process.stdout.split("\n")[:-1]]
    assert len(answers) == len(queries)
    for request, answer in zip(queries, answers):
        if "error" in answer:
            COUNTS["refused"] += 1
            assert set(answer) == {"error"} and answer["error"]
        else:
            assert answer["query"] == request["q"]


# --- the web -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(corpus_index):
    from webui import create_app

    return create_app(corpus_index).test_client()




def assert_no_live_markup(body: str) -> None:
    for tag, attrs in live_tags(body):
        assert tag in TEMPLATE_TAGS, f"unexpected <{tag}> in the page"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), f"{name}={value!r}"


def web_params(draw_from: dict) -> dict:
    """The drawn parameters as a browser sends them: a lone surrogate, which no URL can carry,
    becomes U+FFFD (forms are sent as Unicode scalar values)."""
    return {name: value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            for name, value in draw_from.items() if value is not None}


def test_a_lone_surrogate_typed_in_the_form_is_answered(client):
    params = web_params({"q": "\ud800 ", "signer": "a\udc00b", "issuer": None})
    assert params == {"q": "\ufffd ", "signer": "a\ufffdb"}
    for path in ("/search", "/api/search"):
        assert client.get(path, query_string=params).status_code in (200, 400)
    raw = client.get("/search?q=%ED%A0%80")  # the surrogate's UTF-8-like bytes, as a hand-typed URL may hold
    assert raw.status_code in (200, 400) and "Traceback" not in raw.get_data(as_text=True)


WEB_VALUE = st.none() | QUERY | FILTER_TEXT
WEB_PARAMS = st.fixed_dictionaries({
    "q": st.none() | QUERY, "signer": FILTER_TEXT, "issuer": FILTER_TEXT, "type": FILTER_TEXT, "ref": FILTER_TEXT,
    "from": DATE_TEXT, "to": DATE_TEXT, "sort": st.none() | SORT,
    "limit": st.none() | PAGING.map(str) | st.text(max_size=5), "offset": st.none() | PAGING.map(str) | st.text(max_size=5),
    "page": st.none() | PAGING.map(str) | st.text(max_size=5), "sections": st.none() | st.sampled_from(["1", "true", "0", "x"]),
})


@fuzz(200, 3000)
@given(params=WEB_PARAMS)
def test_api_search_answers_200_or_400(client, params):
    COUNTS["web"] += 1
    COUNTS["api"] += 1
    response = client.get("/api/search", query_string=web_params(params))
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    if response.status_code == 400:
        COUNTS["refused"] += 1
        assert set(data) == {"error"} and data["error"]
    else:
        assert {"query", "total", "hits", "facets"} <= set(data)


@fuzz(150, 2000)
@given(params=WEB_PARAMS)
def test_search_page_answers_200_or_400_without_live_markup(client, params):
    COUNTS["web"] += 1
    COUNTS["page"] += 1
    response = client.get("/search", query_string=web_params(params))
    assert response.status_code in (200, 400)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert_no_live_markup(body)
    if response.status_code == 400:
        COUNTS["refused"] += 1


@fuzz(100, 1500)
@given(key=QUERY.filter(bool) | st.sampled_from(NUMBERS + HOSTILE))
def test_document_and_mentions_pages_answer_or_404(client, key):
    from urllib.parse import quote

    path = quote(key, safe="")
    for url in (f"/doc/{path}", f"/mentions/{path}", f"/api/documents/{path}", f"/api/mentions/{path}"):
        COUNTS["web"] += 1
        COUNTS["api" if url.startswith("/api/") else "page"] += 1
        response = client.get(url, follow_redirects=True)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        body = response.get_data(as_text=True)
        if url.startswith("/api/"):
            data = json.loads(body)
            assert response.status_code == 200 or set(data) == {"error"}
        else:
            assert_no_live_markup(body)
