"""The waitress server `serve` runs, with overload shed as 503 instead of queued for seconds.

Waitress reads requests on one thread and queues each complete one for a pool of worker
threads. Idle connections cost no thread, so thousands can be held open; what must be bounded
is the time a request waits in the queue, since 2 cores answer tens of searches a second.
`SheddingDispatcher` answers 503 with `Retry-After` (on a thread of its own, in microseconds):
- at once, to a request that arrives while MAX_WAITING requests are already queued;
- to a queued request that has waited MAX_WAIT seconds for a worker.
A request is thus answered, or refused, within about MAX_WAIT plus its own working time.
"""
from __future__ import annotations

import ctypes
import threading
import time
from collections import deque

from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

SERVER_OPTIONS = {
    "threads": 8,
    "connection_limit": 2000,  # waitress's default of 100 let 100 idle sockets lock everyone out
    "channel_timeout": 15,     # seconds of silence before an idle or stalled connection is closed
    "cleanup_interval": 5,     # how often that is checked
    "backlog": 2048,
    "asyncore_use_poll": True,  # select() stops at 1,024 file descriptors
}
MAX_WAITING = 24  # queued requests beyond which a new one is refused at once
MAX_WAIT = 0.35   # seconds a request may wait for a worker before it is refused
RETRY_AFTER = "2"
OVERLOADED = "Máy chủ đang quá tải, vui lòng thử lại sau ít giây.\n".encode()


def make_server(app, host: str, port: int, threads: int = SERVER_OPTIONS["threads"]):
    """A waitress server for `app` with SERVER_OPTIONS, shedding overload (see the module)."""
    _return_freed_memory()
    dispatcher = SheddingDispatcher()
    dispatcher.set_thread_count(threads)
    # `_dispatcher` is how waitress's own tests hand it a task dispatcher.
    server = create_server(LoadShedding(app), host=host, port=port, _dispatcher=dispatcher,
                           **{**SERVER_OPTIONS, "threads": threads})
    dispatcher.start_shedding()
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


_refusing = threading.local()  # .active on the thread that answers refused requests


class LoadShedding:
    """WSGI middleware: on the dispatcher's refusing thread, 503 with Retry-After; else the app."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if getattr(_refusing, "active", False):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", RETRY_AFTER)])
            return [OVERLOADED]
        return self.app(environ, start_response)


class _Queued:
    """A task (a waitress channel with a request to answer) and when it was queued."""

    __slots__ = ("task", "since")

    def __init__(self, task):
        self.task, self.since = task, time.monotonic()

    def service(self):
        self.task.service()

    def cancel(self):
        self.task.cancel()


class SheddingDispatcher(ThreadedTaskDispatcher):
    """Waitress's worker pool, plus one thread that answers 503 to the requests refused:
    those arriving when MAX_WAITING are queued, and those queued for MAX_WAIT seconds."""

    def __init__(self):
        super().__init__()
        self.refused = deque()
        self.refused_cv = threading.Condition(self.lock)
        self.stopping = False

    def start_shedding(self) -> None:
        threading.Thread(target=self._refuse, name="waitress-shedding", daemon=True).start()

    def add_task(self, task):
        with self.lock:
            if len(self.queue) >= MAX_WAITING:
                self.refused.append(task)
                self.refused_cv.notify()
                return
            self.queue.append(_Queued(task))
            self.queue_cv.notify()
            if len(self.queue) == 1:
                self.refused_cv.notify()  # time this one's wait

    def _refuse(self):
        _refusing.active = True
        while True:
            with self.lock:
                while not self.refused and not self.stopping:
                    # The queue is oldest first: wake when its head reaches MAX_WAIT.
                    wait = self.queue[0].since + MAX_WAIT - time.monotonic() if self.queue else MAX_WAIT
                    if wait <= 0:
                        self.refused.append(self.queue.popleft().task)
                        break
                    self.refused_cv.wait(wait)
                if self.stopping:
                    return
                task = self.refused.popleft()
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when refusing %r", task)

    def shutdown(self, cancel_pending=True, timeout=5):
        with self.lock:
            self.stopping = True
            self.refused_cv.notify_all()
            refused, self.refused = list(self.refused), deque()
        for task in refused:
            task.cancel()
        return super().shutdown(cancel_pending, timeout)
