"""The web interface: server-rendered pages and a JSON API over search.service.Engine."""
from __future__ import annotations

import ctypes
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, render_template, request

from search.service import Engine

from . import filters
from .routes import ENGINE, bp, json_response

# waitress's settings for `serve`. Idle connections cost no thread, but waitress's default
# limit of 100 let 100 idle sockets lock everyone out: the limit is far above what 2 cores
# serve, and a client that sends nothing (or too slowly) is dropped after CHANNEL_TIMEOUT.
SERVER_OPTIONS = {
    "threads": 8,
    "connection_limit": 2000,
    "channel_timeout": 15,    # seconds of silence before an idle or stalled connection is closed
    "cleanup_interval": 5,    # how often that is checked
    "backlog": 2048,
    "asyncore_use_poll": True,  # select() stops at 1,024 file descriptors
}
# Connections waiting for a thread beyond which a request is answered 503 at once: a longer
# queue would only make every request wait seconds (2 cores answer tens of searches a second).
MAX_WAITING = 24


def make_server(app: Flask, host: str, port: int, threads: int = SERVER_OPTIONS["threads"]):
    """The waitress server `serve` runs: SERVER_OPTIONS, and overload shed with 503."""
    from waitress.server import create_server

    _return_freed_memory()
    server = create_server(app, host=host, port=port, **{**SERVER_OPTIONS, "threads": threads})
    server.application = LoadShedding(app, server.task_dispatcher.queue)
    return server


def _return_freed_memory() -> None:
    """Keep glibc from holding on to what the threads free. A search allocates arrays over
    every record (~150 KB each on the 17,900 law articles); after the first is freed, glibc
    raises its mmap threshold and serves later ones from per-thread heaps that it never
    returns: 8 threads grew the server to 1.1 GB, 16 to 2.0 GB. With the threshold fixed at
    128 KB such arrays go back to the system when freed (320 MB at 8 and at 16 threads)."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        pass


class LoadShedding:
    """WSGI middleware: while more than MAX_WAITING connections wait for a thread, answer
    503 with Retry-After instead of working, so that the queue drains in milliseconds."""

    def __init__(self, app, waiting):
        self.app, self.waiting = app, waiting

    def __call__(self, environ, start_response):
        if len(self.waiting) > MAX_WAITING:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "2")])
            return ["Máy chủ đang quá tải, vui lòng thử lại sau ít giây.\n".encode()]
        return self.app(environ, start_response)


def create_app(index_dir, **config) -> Flask:
    """An app over the index in `index_dir`; raises search.service.IndexUnavailable if there is none."""
    app = Flask(__name__)
    app.config.update(config)
    app.extensions[ENGINE] = Engine(index_dir)
    app.jinja_env.filters.update(vn_date=filters.vn_date, vn_number=filters.vn_number, vn_ms=filters.vn_ms,
                                 paragraphs=filters.paragraphs, mark_within=filters.mark_within)
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
