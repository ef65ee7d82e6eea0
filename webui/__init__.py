"""The web interface: server-rendered pages and a JSON API over search.service.Engine."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, render_template, request

from search.display import vn_date, vn_number
from search.service import Engine

from . import filters
from .contents import entry_text
from .routes import ENGINE, bp, json_response
from .server import make_server

__all__ = ["create_app", "make_server"]


def create_app(index_dir, **config) -> Flask:
    """An app over the index in `index_dir`; raises search.service.IndexUnavailable if there is none."""
    app = Flask(__name__)
    app.config.update(config)
    app.extensions[ENGINE] = Engine(index_dir)
    app.jinja_env.filters.update(vn_date=vn_date, vn_number=vn_number, vn_ms=filters.vn_ms,
                                 paragraphs=filters.paragraphs, mark_within=filters.mark_within,
                                 status_label=filters.status_label, kind_label=filters.kind_label,
                                 event_label=filters.event_label, section_title=entry_text)
    app.register_blueprint(bp)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(500, _server_error)
    app.after_request(_security_headers)
    app.after_request(_relative_location)
    return app


def _not_found(error):
    if request.path.startswith("/api/"):
        return json_response({"error": "not found"}, 404)
    return render_template("error.html", title="Không tìm thấy trang",
                           message="Địa chỉ này không dẫn tới trang hay văn bản nào."), 404


def _server_error(error):
    # Flask has already logged the exception with its traceback; the user gets no details.
    if request.path.startswith("/api/"):
        return json_response({"error": "internal error"}, 500)
    return render_template("error.html", title="Đã xảy ra lỗi",
                           message="Xin lỗi, máy chủ gặp sự cố khi xử lý yêu cầu này. "
                                   "Vui lòng thử lại sau."), 500


def _relative_location(response):
    """Redirects name a path on this server, never a host taken from the request's Host
    header (Werkzeug builds its own redirects, such as `//search` → `/search`, from it)."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.scheme or parts.netloc:
            response.headers["Location"] = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return response


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
