"""Load on `python cli.py serve`, driven from this separate process by a pool of client threads.

Starts the server on a free loopback port over --index (build one with
`python cli.py index ../shared/datasets/vn-laws --index DIR`), then for each number of
connections (--levels, default 8, 32 and 128) runs that many clients for --seconds: each keeps
one HTTP/1.1 connection and sends requests back to back, drawn from a fixed mix (search pages
with and without filters, sorting and paging, the JSON API, document pages, mentions). A request
that gets no answer within --timeout seconds, or whose connection fails, is counted as lost
(the client then reconnects); 503 answers are counted apart (shed load, not lost).

Printed per level: requests, requests per second, median and 99th-percentile latency, the
slowest, answers over 2 s, 503s, lost requests, the server's peak RSS (from /proc) during
the level, and the machine's 1-minute load average at its end (timings on a shared machine
grow with it). Targets: no request over 2 s at 32 connections, none lost at 128, RSS under 1 GB.
Every request goes to 127.0.0.1 only; each level stops by itself.

Run from the repository root:
    python bench/load_serve.py --index /tmp/laws-index
    python bench/load_serve.py --index /tmp/laws-index --levels 8,32,128 --seconds 30
    python bench/load_serve.py --index /tmp/laws-index --threads 16 --levels 32
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, percentile, table  # noqa: E402

QUERIES = ["người lao động", "quyền và nghĩa vụ", "xử phạt vi phạm hành chính", '"hợp đồng lao động"',
           "thuế thu nhập doanh nghiệp", "bao hiem xa hoi", "đất đai", "Điều 5", "trách nhiệm của cơ quan nhà nước",
           "bảo vệ môi trường", "khiếu nại tố cáo", "vắc*", "giáo dục AND đào tạo", "tài sản -thuế"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of the process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def request_mix(port: int) -> list[str]:
    """The paths the clients cycle through; document and mention pages come from real hits."""
    paths = [f"/search?{urlencode({'q': q})}" for q in QUERIES]
    paths += [f"/search?{urlencode({'q': q, 'sort': '-date', 'page': 2})}" for q in QUERIES[:4]]
    paths += [f"/api/search?{urlencode({'q': q, 'sections': 'true', 'limit': 20})}" for q in QUERIES[4:8]]
    status, body = get(port, "/api/search?" + urlencode({"q": "luật", "limit": 30}))
    hits = json.loads(body)["hits"] if status == 200 else []
    years = list(json.loads(body)["facets"]["year"])[:3] if status == 200 else []
    paths += [f"/search?{urlencode({'q': 'trách nhiệm', 'year': y})}" for y in years]
    paths += ["/search?" + urlencode({"q": "", "type": hit["type"]}) for hit in hits[:2] if hit["type"]]
    paths += [f"/doc/{quote(hit['key'])}" for hit in hits[:10]]
    paths += [f"/mentions/{quote(hit['number'])}" for hit in hits[:5] if hit["number"]]
    paths += ["/", "/help", "/doc/missing.txt%231"]
    return paths


class Client(threading.Thread):
    def __init__(self, port: int, paths: list[str], until: float, timeout: float, seed: int):
        super().__init__(daemon=True)
        self.port, self.paths, self.until, self.timeout = port, paths, until, timeout
        self.random = random.Random(seed)
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.lost = 0
        self.reasons: dict[str, int] = {}
        self.connection: http.client.HTTPConnection | None = None

    def run(self):
        while time.monotonic() < self.until:
            path = self.random.choice(self.paths)
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.monotonic()
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as e:  # no answer in time, or the connection failed
                self.lost += 1
                self.reasons[type(e).__name__] = self.reasons.get(type(e).__name__, 0) + 1
                self.connection.close()
                self.connection = None
                continue
            self.latencies.append(time.monotonic() - started)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            if response.will_close:
                self.connection.close()
                self.connection = None
        if self.connection is not None:
            self.connection.close()


def run_level(port: int, pid: int, paths: list[str], clients: int, seconds: float, timeout: float) -> dict:
    started = time.monotonic()
    until = started + seconds
    pool = [Client(port, paths, until, timeout, seed=i) for i in range(clients)]
    for client in pool:
        client.start()
    peak = 0.0
    while any(client.is_alive() for client in pool):
        peak = max(peak, rss_mb(pid))
        time.sleep(0.2)
        if time.monotonic() > until + timeout + 5:
            break
    elapsed = time.monotonic() - started
    latencies = sorted(x for client in pool for x in client.latencies)
    statuses: dict[int, int] = {}
    for client in pool:
        for status, n in client.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    stuck = sum(1 for client in pool if client.is_alive())  # still waiting: never answered
    return {"connections": clients, "requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50": percentile(latencies, 50) if latencies else float("nan"),
            "p99": percentile(latencies, 99) if latencies else float("nan"),
            "max": latencies[-1] if latencies else float("nan"),
            "over_2s": sum(1 for x in latencies if x > 2.0), "shed_503": statuses.get(503, 0),
            "errors_5xx": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
            "lost": sum(client.lost for client in pool) + stuck, "rss_mb": peak, "load": os.getloadavg()[0],
            "lost_reasons": {k: sum(c.reasons.get(k, 0) for c in pool) for k in {k for c in pool for k in c.reasons}}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True, help="the index to serve (e.g. of ../shared/datasets/vn-laws)")
    ap.add_argument("--levels", default="8,32,128", help="numbers of concurrent connections")
    ap.add_argument("--seconds", type=float, default=20, help="length of each level")
    ap.add_argument("--timeout", type=float, default=15, help="seconds before a request counts as lost")
    ap.add_argument("--threads", type=int, default=8, help="the server's worker threads (serve --threads)")
    ap.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = ap.parse_args()

    port = free_port()
    server = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "serve", "--index", args.index,
                               "--port", str(port), "--threads", str(args.threads)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if get(port, "/help", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
        print(f"server pid {server.pid} on 127.0.0.1:{port}, RSS {rss_mb(server.pid):.0f} MB at start",
              file=sys.stderr)
        paths = request_mix(port)
        for path in paths:  # warm-up: every path once
            get(port, path)
        print(f"{len(paths)} paths in the mix; RSS {rss_mb(server.pid):.0f} MB after the warm-up", file=sys.stderr)
        results = []
        for clients in (int(n) for n in args.levels.split(",")):
            results.append(run_level(port, server.pid, paths, clients, args.seconds, args.timeout))
            r = results[-1]
            print(f"  {clients} connections: {r['rps']:.1f} req/s, p99 {r['p99']:.2f} s, lost {r['lost']} "
                  f"{r['lost_reasons'] or ''}",
                  file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(table([[r["connections"], r["requests"], f"{r['rps']:.1f}", f"{r['p50'] * 1000:.0f}",
                  f"{r['p99'] * 1000:.0f}", f"{r['max'] * 1000:.0f}", r["over_2s"], r["shed_503"], r["errors_5xx"],
                  r["lost"], f"{r['rss_mb']:.0f}", f"{r['load']:.1f}"] for r in results],
                ["connections", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "> 2 s", "503", "other 5xx",
                 "lost", "server RSS MB", "load average"]))
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
