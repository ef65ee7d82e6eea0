"""A bounded load test of the web UI: waitress on loopback, N client threads for S seconds.

    python bench/load.py [--index index_data/index] [--seconds 30] [--clients 8]

The request mix covers search pages (plain, facet-filtered, sorted, paged), document pages,
mentions pages, the JSON API and a few unknown documents (404 expected). Prints the number of
requests, failures, requests per second and the median and 95th-percentile latency.
Exits 1 if any request failed.
"""
from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import waitress  # noqa: E402

from search.service import Engine, default_index_dir  # noqa: E402
from webui import create_app  # noqa: E402

QUERIES = ["ho chieu vac xin", '"hộ chiếu vắc xin"', "tiêm chủng AND trẻ em", "phòng chống dịch", "vắc*",
           "giãn cách xã hội", "signer:Hiệp", "ref:128/NQ-CP", "year:2021 cách ly", "xét nghiệm -tiêm"]


def request_mix(engine: Engine) -> list[tuple[str, str, int]]:
    """(kind, path, expected status) for every request the clients cycle through."""
    listing = engine.search("", limit=50)
    mix = [("search", "/search?" + urlencode({"q": q}), 200) for q in QUERIES]
    mix += [("search", "/search?" + urlencode({"q": q, "sort": "-date", "page": 2}), 200) for q in QUERIES[:3]]
    mix.append(("start", "/", 200))
    for facet, values in listing["facets"].items():
        for value in list(values)[:3]:
            params = {"from": f"{value}-01-01", "to": f"{value}-12-31"} if facet == "year" else {facet: value}
            mix.append(("facet", "/search?" + urlencode({"q": "dịch", **params}), 200))
    numbers = set()
    for hit in listing["hits"]:
        mix.append(("document", "/doc/" + quote(hit["key"], safe=""), 200))
        numbers.update(r["number"] for r in engine.show(hit["key"])["references"])
    mix += [("mentions", "/mentions/" + quote(n, safe="/"), 200) for n in sorted(numbers)[:10]]
    mix += [("api", "/api/search?" + urlencode({"q": q, "limit": 20}), 200) for q in QUERIES[:5]]
    mix += [("api", "/api/documents/" + quote(h["key"], safe=""), 200) for h in listing["hits"][:3]]
    mix += [("api", "/api/mentions/" + quote(n, safe="/"), 200) for n in sorted(numbers)[:3]]
    mix += [("not-found", "/doc/nope.txt%231", 404), ("not-found", "/api/documents/999/XX-YY", 404)]
    return mix


def client(base: str, mix, deadline: float, seed: int, latencies: list, failures: Counter, lock) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    rng = random.Random(seed)
    mine, failed = [], Counter()
    while time.perf_counter() < deadline:
        kind, path, expected = rng.choice(mix)
        started = time.perf_counter()
        try:
            with opener.open(base + path, timeout=30) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as e:
            e.read()
            status = e.code
        except OSError as e:  # no response at all: counted as a request and a failure
            failed[f"{kind}: {type(e).__name__}"] += 1
            mine.append((kind, None))
            continue
        mine.append((kind, time.perf_counter() - started))
        if status != expected:
            failed[f"{kind}: HTTP {status} for {path}"] += 1
    with lock:
        latencies.extend(mine)
        failures.update(failed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=default_index_dir(), help="index folder (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default: %(default)s)")
    args = parser.parse_args()

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is expected under load
    app = create_app(args.index)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.effective_port}"
    mix = request_mix(Engine(args.index))
    print(f"{len(mix)} distinct requests, {args.clients} clients, {args.seconds:g} s against {base}", flush=True)

    latencies: list[tuple[str, float | None]] = []  # (kind, seconds); None: the request raised
    failures: Counter = Counter()
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + args.seconds
    clients = [threading.Thread(target=client, args=(base, mix, deadline, seed, latencies, failures, lock))
               for seed in range(args.clients)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - started
    server.task_dispatcher.shutdown()  # let the worker threads finish before the sockets close
    server.close()

    timed = [t for _, t in latencies if t is not None]
    print(f"requests:      {len(latencies)}")
    print(f"failures:      {sum(failures.values())}")
    print(f"requests/s:    {len(latencies) / elapsed:.1f}")
    if len(timed) > 1:
        print(f"median:        {statistics.median(timed) * 1000:.1f} ms")
        print(f"95th pct:      {statistics.quantiles(timed, n=20)[-1] * 1000:.1f} ms")
    for kind in sorted({k for k, _ in latencies}):
        times = [t for k, t in latencies if k == kind and t is not None]
        if times:
            print(f"  {kind:<10} {len(times):>6} requests, median {statistics.median(times) * 1000:.1f} ms")
    for reason, count in failures.most_common(10):
        print(f"  {count} × {reason}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
