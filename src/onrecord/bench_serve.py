"""`onrecord bench serve`: the web app and the API under load, measured from outside, as users see them.

The benchmark database is the query benchmark's (:func:`onrecord.bench.build_query_db`: real articles
analysed once and stored again as copies until it holds ``scale_to`` quotations). The real server
(``onrecord serve``) runs in a subprocess; a load generator in this process keeps ``clients`` threads,
each with one keep-alive HTTP connection, sending requests one after another (a closed loop: a client
sends its next request when the last one is answered) over a mix of routes that users and programs
call: the search page, a person's page, the API's search, one person and statistics. Search terms and
people are drawn reproducibly from the stored record.

Reported per route: p50, p95 and p99 latency, requests per second, errors; and the CPU time of the
client and of the server. Client and server share this machine's cores, so the client's own CPU is
part of what the server did not get; the report says how much.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from onrecord.bench import _percentile, build_query_db, query_terms

#: Requests sent per route before the clock starts (caches warm, connections open).
WARMUP_PER_ROUTE = 5
#: How long the server may take to start.
START_TIMEOUT_S = 60
#: People drawn for person pages and API calls: the most quoted (the slowest pages) and a random rest.
TOP_PEOPLE, RANDOM_PEOPLE = 20, 200
ROUTES = ("search page", "person page", "api search", "api person", "api stats")
#: Targets of issue #6, at 10 clients: pages under 200 ms and API calls under 100 ms at p95.
TARGET_P95_MS = {
    "search page": 200.0,
    "person page": 200.0,
    "api search": 100.0,
    "api person": 100.0,
    "api stats": 100.0,
}


@dataclass(frozen=True)
class Sample:
    route: str
    seconds: float
    status: int
    size: int


class ServerProcess:
    """`onrecord serve` on a free port, started and stopped by the benchmark (and the browser tests).
    ``workers=None`` starts it as a user does, with the default number of worker processes."""

    def __init__(self, db_path: Path, *, workers: int | None = None) -> None:
        command = [sys.executable, "-m", "onrecord.cli", "serve", "--db", str(db_path), "--port", "0"]
        if workers is not None:
            command += ["--workers", str(workers)]
        self.process = subprocess.Popen(
            [*command, "--no-access-log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        self.port = 0
        #: What the server printed on stderr, for error messages.
        self.log: list[str] = []
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and not self.port:
            line = self.process.stderr.readline()
            if not line:
                break
            self.log.append(line)
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
        if not self.port:
            self.stop()
            raise RuntimeError("onrecord serve did not start:\n" + "".join(self.log))
        self._drain = threading.Thread(target=self._read_rest, daemon=True)
        self._drain.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _read_rest(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its worker processes so far (Linux /proc; 0.0 elsewhere)."""
        total = 0.0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if hasattr(self, "_drain"):
            self._drain.join(timeout=5)
        if self.process.stderr is not None:
            self.process.stderr.close()


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found] + [c for p in found for c in _children(int(p))]


def workload(db_path: Path, analyses: Sequence[Any], *, count: int, seed: int = 0) -> list[tuple[str, str]]:
    """``count`` requests of each route as (route, path), interleaved so every client sees the mix."""
    from onrecord.query import list_people
    from onrecord.store import open_store

    rng = random.Random(seed)
    terms = query_terms(analyses, count=count, seed=seed)
    store = open_store(db_path, readonly=True)
    try:
        people = list(list_people(store))
    finally:
        store.close()
    if not people:
        raise ValueError(f"{db_path} holds no people to ask for")
    picked = people[:TOP_PEOPLE] + rng.sample(people, min(RANDOM_PEOPLE, len(people)))
    dated = sorted(p.first_seen for p in people if p.first_seen)
    routes: dict[str, list[str]] = {name: [] for name in ROUTES}
    for i in range(count):
        word = terms["contains"][i % len(terms["contains"])]
        person = rng.choice(picked)
        # Every eighth search page is the page as it opens, with no words (the newest quotations).
        routes["search page"].append("/search" if i % 8 == 0 else "/search?" + urlencode({"q": word}))
        routes["person page"].append("/person/" + quote(person.id, safe=":"))
        api_search: dict[str, str | int]
        if i % 8 == 4:  # a filter without words: the newest direct quotations
            api_search = {"kind": "direct", "limit": 50}
        elif i % 2:
            api_search = {"speaker": terms["speaker"][i % len(terms["speaker"])], "limit": 50}
        else:
            api_search = {"q": word, "limit": 50}
        routes["api search"].append("/api/v1/quotes?" + urlencode(api_search))
        routes["api person"].append("/api/v1/people/" + quote(person.id, safe=":"))
        since = rng.choice(dated)[:7] if dated else "2000"
        stats = [
            "/api/v1/stats/quotes-per-day?" + urlencode({"person": person.id}),
            "/api/v1/stats/top-people?" + urlencode({"since": since}),
            "/api/v1/stats/roles?" + urlencode({"since": since}),
            "/api/v1/stats/top-people?by_outlet=true",
        ]
        routes["api stats"].append(stats[i % len(stats)])
    mixed = [(name, routes[name][i]) for i in range(count) for name in ROUTES]
    return mixed


def run_load(
    port: int, requests: Sequence[tuple[str, str]], *, clients: int
) -> tuple[list[Sample], float, float]:
    """Send ``requests`` from ``clients`` threads (each takes the next request when it is free);
    returns the samples, the wall-clock seconds and the CPU seconds this process spent."""
    lock = threading.Lock()
    position = 0
    samples: list[Sample] = []
    failures: list[str] = []

    def next_request() -> tuple[str, str] | None:
        nonlocal position
        with lock:
            if position >= len(requests):
                return None
            position += 1
            return requests[position - 1]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[Sample] = []
        try:
            while (item := next_request()) is not None:
                route, path = item
                start = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(f"{path}: {exc}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    continue
                mine.append(Sample(route, time.perf_counter() - start, response.status, len(body)))
        finally:
            conn.close()
            with lock:
                samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    cpu_before = time.process_time()
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if failures:
        samples += [Sample("connection error", 0.0, 0, 0) for _ in failures]
    return samples, wall, time.process_time() - cpu_before


def summarise(samples: Sequence[Sample], wall: float) -> dict[str, dict[str, Any]]:
    routes: dict[str, dict[str, Any]] = {}
    for name in sorted({s.route for s in samples}, key=lambda r: ROUTES.index(r) if r in ROUTES else 99):
        mine = [s for s in samples if s.route == name]
        times = sorted(s.seconds for s in mine)
        ok = [s for s in mine if s.status == 200]
        routes[name] = {
            "requests": len(mine),
            "errors": len(mine) - len(ok),
            "p50_ms": round(1000 * _percentile(times, 0.50), 1),
            "p95_ms": round(1000 * _percentile(times, 0.95), 1),
            "p99_ms": round(1000 * _percentile(times, 0.99), 1),
            "max_ms": round(1000 * times[-1], 1) if times else 0.0,
            "requests_per_second": round(len(mine) / wall, 1) if wall else 0.0,
            "mean_kb": round(sum(s.size for s in ok) / len(ok) / 1024, 1) if ok else 0.0,
        }
        if name in TARGET_P95_MS:
            routes[name]["target_p95_ms"] = TARGET_P95_MS[name]
            routes[name]["meets_target"] = routes[name]["p95_ms"] < TARGET_P95_MS[name]
    return routes


def bench_serve(
    db_path: Path,
    *,
    source: Path | None,
    scale_to: int = 100_000,
    clients: int = 10,
    per_route: int = 400,
    workers: int = 1,
    jobs: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Latency and throughput of `onrecord serve` at ``clients`` concurrent clients, ``per_route``
    requests of each route, on a database of at least ``scale_to`` quotations."""
    analyses = build_query_db(db_path, source=source, scale_to=scale_to, jobs=jobs, progress=progress)
    requests = workload(db_path, analyses, count=per_route, seed=seed)
    from onrecord.store import open_store

    store = open_store(db_path, readonly=True)
    try:
        counts = store.counts()
    finally:
        store.close()
    if progress:
        progress(f"starting onrecord serve on {db_path} ...")
    server = ServerProcess(db_path, workers=workers)
    try:
        warmup: list[tuple[str, str]] = []
        for name in ROUTES:
            warmup += [r for r in requests if r[0] == name][:WARMUP_PER_ROUTE]
        run_load(server.port, warmup, clients=min(clients, len(warmup)))
        if progress:
            progress(f"{len(requests):,} requests from {clients} clients ...")
        load_before = os.getloadavg()
        server_cpu = server.cpu_seconds()
        samples, wall, client_cpu = run_load(server.port, requests, clients=clients)
        server_cpu = server.cpu_seconds() - server_cpu
    finally:
        server.stop()
    return {
        "db": str(db_path),
        "counts": counts,
        "clients": clients,
        "server_workers": workers,
        "requests": len(samples),
        "seconds": round(wall, 2),
        "requests_per_second": round(len(samples) / wall, 1) if wall else 0.0,
        "routes": summarise(samples, wall),
        "client_cpu_seconds": round(client_cpu, 2),
        "client_cpu_share_of_wall": round(client_cpu / wall, 3) if wall else 0.0,
        "server_cpu_seconds": round(server_cpu, 2),
        "server_cpu_share_of_wall": round(server_cpu / wall, 3) if wall else 0.0,
        "client_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
