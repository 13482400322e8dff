"""A small threaded HTTP load generator, run as its own process by bench/run.py.

Reads one JSON object on stdin: {"host", "port", "paths": [..], "cookie", "duration", "concurrency"}
and prints one JSON object: requests, errors, p50/p95 (ms), throughput (req/s), queries per request,
peak worker RSS (MB). Keep-alive connections, one per thread; paths are cycled.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time


def worker(cfg, stop_at, out, index):
    conn = http.client.HTTPConnection(cfg["host"], cfg["port"], timeout=60)
    headers = {"Cookie": cfg.get("cookie") or "", "Accept": "text/html,application/json", "Connection": "keep-alive"}
    paths = cfg["paths"]
    i = index
    while time.perf_counter() < stop_at:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            elapsed = time.perf_counter() - t0
            ok = resp.status == 200
            out["lat"].append(elapsed)
            out["queries"].append(int(resp.getheader("X-Bench-Queries") or 0))
            out["peak"] = max(out["peak"], int(resp.getheader("X-Bench-Peak-KB") or 0))
            if not ok:
                out["errors"] += 1
                out["statuses"][resp.status] = out["statuses"].get(resp.status, 0) + 1
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(cfg["host"], cfg["port"], timeout=60)
        except (OSError, http.client.HTTPException):
            out["errors"] += 1
            conn.close()
            conn = http.client.HTTPConnection(cfg["host"], cfg["port"], timeout=60)
    conn.close()


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main():
    cfg = json.loads(sys.stdin.read())
    n = cfg.get("concurrency", 8)
    warmup = cfg.get("warmup", 0.5)
    outs = [{"lat": [], "queries": [], "errors": 0, "peak": 0, "statuses": {}} for _ in range(n)]
    # Warm-up: one request per path (connections, caches), not counted.
    warm = {"lat": [], "queries": [], "errors": 0, "peak": 0, "statuses": {}}
    worker({**cfg, "paths": cfg["paths"]}, time.perf_counter() + warmup, warm, 0)
    start = time.perf_counter()
    stop_at = start + cfg["duration"]
    threads = [threading.Thread(target=worker, args=(cfg, stop_at, outs[i], i)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    lat = [x for o in outs for x in o["lat"]]
    queries = [x for o in outs for x in o["queries"]]
    statuses = {}
    for o in outs:
        for k, v in o["statuses"].items():
            statuses[str(k)] = statuses.get(str(k), 0) + v
    result = {
        "requests": len(lat),
        "errors": sum(o["errors"] for o in outs),
        "error_statuses": statuses,
        "p50_ms": round(percentile(lat, 0.5) * 1000, 2) if lat else None,
        "p95_ms": round(percentile(lat, 0.95) * 1000, 2) if lat else None,
        "throughput_rps": round(len(lat) / wall, 1) if wall else 0,
        "queries_per_request": round(sum(queries) / len(queries), 2) if queries else None,
        "peak_rss_mb": round(max([o["peak"] for o in outs] + [warm["peak"]]) / 1024, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
