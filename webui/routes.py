"""Pages and JSON API: translate request arguments into Engine calls and render the results."""
from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for

from search.display import vn_date
from search.export import as_csv, whole_list
from search.messages import LABELS, vietnamese
from search.query import MAX_QUERY_LENGTH, QueryError
from search.service import FILTERS, MAX_FILTER_LENGTH, SORTS, NoOriginal, SearchRequest
from search.validity import GROUPS, STATUS_LABELS

from .contents import contents

bp = Blueprint("web", __name__)
ENGINE = "notice_search.engine"  # key of the Engine in app.extensions

PAGE_SIZE = 10  # results per page; the app's PAGE_SIZE config overrides it (up to MAX_LIMIT)
MAX_LIMIT = 50
MAX_PAGE = 1000
FACETS = ("status", "signer", "issuer", "type", "year")  # the facets shown, in this order
SORT_LABELS = {"relevance": "Liên quan nhất", "-date": "Mới nhất", "date": "Cũ nhất"}  # in the order shown
# Every URL parameter that makes up a result list's state, in the order they appear in links.
STATE = ("q", *FILTERS, "from", "to", "status", "asof", "sort")
FACET_SHOWN = 8  # values listed before "Xem thêm"; the app's FACET_SHOWN config overrides it
EXAMPLES = (
    ("ho chieu vac xin", "từ không dấu cũng tìm được từ có dấu"),
    ('"hộ chiếu vắc xin"', "đúng cụm từ trong ngoặc kép"),
    ("tiêm chủng AND trẻ em", "có cả hai từ"),
    ("phong tỏa OR giãn cách", "có một trong hai"),
    ("COVID-19 NOT giãn cách", "loại trừ một từ (NOT)"),
    ("vắc xin -Delta", "loại trừ bằng dấu trừ"),
    ("signer:Hiệp", "theo người ký"),
    ('issuer:"Kiên Giang"', "theo cơ quan ban hành"),
    ('type:"Công văn"', "theo loại văn bản"),
    ("number:318/TB-VPCP", "theo số hiệu văn bản"),
    ("ref:128/NQ-CP", "văn bản trích dẫn một số hiệu"),
    ("date:2021-10..2021-11 xét nghiệm", "trong một khoảng thời gian"),
    ("year:2021 cách ly", "trong một năm"),
    ("vắc*", "mọi từ bắt đầu bằng “vắc”"),
)


def engine():
    return current_app.extensions[ENGINE]


# --- helpers -----------------------------------------------------------------

def _state() -> dict[str, str]:
    """The result list's state from the URL: non-empty parameters only."""
    state = {name: request.args.get(name, "").strip() for name in STATE}
    if state["sort"] not in SORTS:
        state["sort"] = ""
    return {name: value for name, value in state.items() if value}


def _shown(state: dict[str, str]) -> dict[str, str]:
    """The state as a page may echo it: each value cut to what a request accepts."""
    return {name: value[:MAX_QUERY_LENGTH if name == "q" else MAX_FILTER_LENGTH] for name, value in state.items()}


def _search_url(state: dict[str, str], page: int = 1, **changes) -> str:
    """The search page for `state` with `changes` applied (None removes a parameter)."""
    merged = {name: value for name, value in {**state, **changes}.items() if value}
    if page > 1:
        merged["page"] = str(page)
    return url_for("web.search") + _query_string(merged)


def _query_string(state: dict[str, str]) -> str:
    """`?q=…&signer=…` in the order of STATE (then the page), or "" for no parameters."""
    params = [(name, state[name]) for name in (*STATE, "page") if state.get(name)]
    return "?" + urlencode(params) if params else ""


def _page_number() -> int:
    """The page asked for, within 1..MAX_PAGE; anything but a number is page 1."""
    raw = request.args.get("page", "").strip()
    return max(1, min(int(raw), MAX_PAGE)) if re.fullmatch(r"\d{1,9}", raw) else 1


def _facets(state: dict[str, str], counts: dict[str, dict[str, int]]) -> list[dict]:
    """Facet groups for the template: each value with its count and the link that toggles it."""
    groups = []
    for name in FACETS:
        values = []
        items = counts.get(name, {}).items()
        if name == "year":  # years read in their order, newest first; the others by count
            items = sorted(items, reverse=True)
        for value, count in items:
            active = state.get(name) == value
            values.append({"value": value, "label": STATUS_LABELS.get(value, value) if name == "status" else value,
                           "count": count, "active": active,
                           "url": _search_url(state, **{name: None if active else value})})
        if name == "status" and not state.get("status"):  # the groups, then each status
            values = [{"value": group, "label": STATUS_LABELS[group], "active": False, "group": True,
                       "url": _search_url(state, status=group),
                       "count": sum(counts["status"].get(s, 0) for s in statuses)}
                      for group, statuses in GROUPS.items()] + values
            values = [v for v in values if v["count"]]
        if values:
            groups.append({"name": name, "label": LABELS[name], "values": values})
    return groups


def _active_filters(state: dict[str, str]) -> list[dict]:
    """The filters in force, each with a link that removes it."""
    shown = {"from": _show_date, "to": _show_date, "asof": _show_date,
             "status": lambda value: STATUS_LABELS.get(value, value)}
    return [{"label": LABELS[name], "value": shown.get(name, str)(state[name]),
             "url": _search_url(state, **{name: None})}
            for name in (*FILTERS, "from", "to", "status", "asof") if state.get(name)]


def _show_date(value: str) -> str:
    return vn_date(value) if re.fullmatch(r"\d{4}-\d\d-\d\d", value) else value


def json_response(data, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


# --- pages -------------------------------------------------------------------

@bp.get("/")
def home():
    return search()


@bp.get("/search")
def search():
    state = _state()
    page = _page_number()
    if not state:
        latest = engine().search("", sort="-date", limit=PAGE_SIZE)
        return render_template("start.html", latest=latest["hits"], total=latest["total"], examples=EXAMPLES)
    size = min(current_app.config.get("PAGE_SIZE", PAGE_SIZE), MAX_LIMIT)
    try:
        result = engine().run(SearchRequest.from_params({**state, "limit": size, "offset": (page - 1) * size}))
    except QueryError as e:
        state = _shown(state)
        return render_template("search.html", state=state, error=vietnamese(str(e)), result=None, facets=[],
                               active=_active_filters(state)), 400
    pages = max(1, math.ceil(result["total"] / size))
    paging = {
        "page": page, "pages": pages, "first": _search_url(state),
        "prev": _search_url(state, page=page - 1) if page > 1 else None,
        "next": _search_url(state, page=page + 1) if page < min(pages, MAX_PAGE) else None,
    }
    current_sort = state.get("sort", "relevance")
    sorts = [{"label": label, "active": value == current_sort,
              "url": _search_url(state, sort=None if value == "relevance" else value)}
             for value, label in SORT_LABELS.items()]
    return render_template("search.html", state=state, error=None, result=result, paging=paging,
                           facets=_facets(state, result["facets"]),
                           facet_shown=current_app.config.get("FACET_SHOWN", FACET_SHOWN),
                           active=_active_filters(state), sorts=sorts,
                           downloads={fmt: url_for("web.download", fmt=fmt) + _query_string(state)
                                      for fmt in ("csv", "json")})


@bp.get("/search.<any(csv, json):fmt>")
def download(fmt):
    """The whole result list of a search page's state (every page of it) as a file."""
    state = _state()
    try:
        result = whole_list(engine(), SearchRequest.from_params(state))
    except QueryError as e:
        state = _shown(state)
        return render_template("search.html", state=state, error=vietnamese(str(e)), result=None, facets=[],
                               active=_active_filters(state)), 400
    if fmt == "csv":  # with a byte-order mark, so that spreadsheet programs read it as UTF-8
        response = Response("\ufeff" + as_csv(result), mimetype="text/csv")
    else:
        response = json_response(result)
    response.headers["Content-Disposition"] = f"attachment; filename=ket-qua-tim-kiem.{fmt}"
    return response


@bp.get("/doc/<path:key>")
def document(key):
    asof = request.args.get("asof", "").strip()
    try:
        doc = engine().show(key, asof=asof or None)
    except QueryError:
        doc, asof = engine().show(key), ""  # a bad date: the status as of today
    if doc is None:
        abort(404)
    within_q = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    within = within_error = None
    if within_q:  # search within this document: its matching sections, in the document's order
        try:
            within = engine().run(SearchRequest(q=within_q, sections=True, limit=MAX_LIMIT), within=doc["key"])
        except QueryError as e:
            within_error = vietnamese(str(e))
        else:
            order = {s["id"]: n for n, s in enumerate(doc["sections"])}
            within["hits"].sort(key=lambda h: order.get(h["section"], -1))
    return render_template("document.html", doc=doc, toc=contents(doc), asof=asof, within_q=within_q, within=within,
                           within_error=within_error, related=engine().related(doc["key"]))


@bp.get("/doc/<path:key>/original")
def original(key):
    try:
        found = engine().original(key)
    except NoOriginal:
        return render_template("error.html", title="Không có tệp gốc",
                               message="Không tìm thấy tệp gốc của văn bản này trong các thư mục đã lập chỉ mục."), 404
    return send_file(found.path, mimetype=found.media_type, as_attachment=True, download_name=found.name)


@bp.get("/mentions")
def mentions_form():
    number = request.args.get("number", "").strip()
    if number:
        return redirect(url_for("web.mentions", number=number))
    return render_template("mentions.html", number="", result=None, error=None)


@bp.get("/mentions/<path:number>")
def mentions(number):
    try:
        result = engine().mentions(number)
    except QueryError as e:
        return render_template("mentions.html", number=number, result=None, error=vietnamese(str(e))), 404
    if not result["total"] and not result.get("candidates"):
        return render_template("mentions.html", number=number, result=result, error=None), 404
    groups: dict[str, dict] = {}
    for mention in result["mentions"]:
        group = groups.setdefault(mention["key"], {"key": mention["key"], "date": mention["date"],
                                                  "number": mention["number_of_document"], "places": []})
        group["places"].append(mention)
    return render_template("mentions.html", number=number, result=result, groups=list(groups.values()),
                           error=None)


@bp.get("/help")
def help_page():
    return render_template("help.html", examples=EXAMPLES)


# --- JSON API ----------------------------------------------------------------

@bp.get("/api/search")
def api_search():
    params = {name: request.args[name].strip() for name in (*STATE, "limit", "offset", "sections")
              if name in request.args}
    try:
        search_request = SearchRequest.from_params(params)
        search_request = replace(search_request, limit=min(search_request.limit, MAX_LIMIT))
        return json_response(engine().run(search_request))
    except QueryError as e:
        return json_response({"error": str(e)}, 400)


@bp.get("/api/documents/<path:key>")
def api_document(key):
    try:
        doc = engine().show(key, asof=request.args.get("asof", "").strip() or None)
    except QueryError as e:
        return json_response({"error": str(e)}, 400)
    if doc is None:
        return json_response({"error": f"no document '{key}' in the index"}, 404)
    return json_response(doc)


@bp.get("/api/mentions/<path:number>")
def api_mentions(number):
    try:
        result = engine().mentions(number)
    except QueryError as e:
        return json_response({"error": str(e)}, 400)
    if not result["total"] and not result.get("candidates"):
        return json_response({"error": f"'{number}' is not mentioned in the index"}, 404)
    return json_response(result)


@bp.app_template_global()
def doc_url(key, section=None) -> str:
    """The document page for `key` (its "#" and other unsafe characters percent-encoded), at a section."""
    return url_for("web.document", key=key, _anchor=f"s-{section}" if section else None)
