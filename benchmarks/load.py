"""Bounded load test: gunicorn serving a 100,000-initiative database, N concurrent clients.

    .venv/bin/python benchmarks/load.py                          # SQLite, 16 clients, 60 s
    .venv/bin/python benchmarks/load.py --database postgres --clients 16 --duration 60

Fills a scratch database once with benchmarks/bench_search.py's generator (SQLite:
/tmp/load.sqlite3; PostgreSQL: database ``bench_load`` on --postgres-url), starts gunicorn
on 127.0.0.1 (loopback only) with production settings (DEBUG off, the request log on),
warms every worker up, then runs ``--clients`` threads, each opening one connection per
request (gunicorn's sync workers close after each response), for ``--duration`` seconds or
``--max-requests`` requests, whichever comes first. The mix: full-text searches with all
facets, facet-only searches, initiative detail pages, target pages, JSON API pages and
filtered CSV exports. Prints requests/second, p50/p95/p99/max per kind and overall, and
errors (any status other than 200, or a failed connection). Goal (docs/RELIABILITY.md):
zero errors and p99 under 500 ms at 16 clients on a 2-core machine.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQLITE_PATH = "/tmp/load.sqlite3"
PG_DB = "bench_load"

SEARCHES = [
    "q=创业担保贷款",
    "q=就业",
    "q=担保贷款",
    "q=农民工",
    "q=高校毕业生",
    "q=技能培训&province=130000",
    "q=创业&province=510000&theme=entrepreneurship",
    "q=就业&year_min=2018&year_max=2022&sort=newest",
    "q=公益性岗位&kind=summary",
    "q=創業擔保貸款&sort=region",
    "q=返乡创业&page=3",
]
FACETS = [
    "",
    "province=440000&theme=skills",
    "province=510000",
    "theme=graduates&year=2020",
    "year_min=2015&year_max=2016&kind=plan",
    "province=330000&page=5",
]
EXPORTS = [
    "q=创业担保贷款&province=510000",
    "q=高校毕业生&province=440000&year=2021",
    "theme=poverty_alleviation&province=620000&year=2019",
]
API = [
    "q=创业担保贷款&page_size=50",
    "province=510000&facets=1",
    "q=就业&page=2",
]
# kind → (weight, path maker)
MIX = {
    "search": 40,
    "facets": 20,
    "detail": 20,
    "api": 8,
    "targets": 6,
    "export": 6,
}

SERVER_SETTINGS = """
from config.settings import *  # noqa: F403
# No collectstatic for a benchmark: templates link /static/... without a manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of measured load")
    parser.add_argument("--max-requests", type=int, default=50_000)
    # As README's gunicorn command: requests are CPU-bound, so one worker per core plus one
    # (measured on 2 cores: 5 workers gave no more requests/s and a longer p99 tail).
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.duration > 600 or args.clients > 256:
        raise SystemExit("bounded: at most 600 s and 256 clients")
    if args.database == "sqlite":
        database_url = f"sqlite:///{SQLITE_PATH}"
    else:
        database_url = f"{args.postgres_url}/{PG_DB}"
    if args.fill:
        return fill(args.rows)
    prepare(args, database_url)
    with gunicorn(database_url, args.workers) as base:
        ids = initiative_ids(database_url)
        rng = random.Random(args.seed)
        warm_up(base, ids, args.workers, rng)
        cpu_before = time.process_time()
        results, elapsed = load(base, ids, args, rng)
        # The clients share the two cores with the server: say how much they took.
        client_cpu = (time.process_time() - cpu_before) / elapsed
    report(results, elapsed, args)
    print(
        f"load generator CPU: {client_cpu:.0%} of one core; load average {os.getloadavg()[0]:.1f}"
    )


def prepare(args, database_url):
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings")
    if args.database == "postgres":
        import psycopg

        url = args.postgres_url.replace("postgres://", "postgresql://")
        with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {PG_DB}")
    started = time.monotonic()
    subprocess.run(
        [sys.executable, __file__, "--fill", "--rows", str(args.rows)],
        env=env,
        cwd=ROOT,
        check=True,
    )
    print(f"[{args.database}] database ready in {time.monotonic() - started:.0f} s", flush=True)


def fill(rows):
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import django

    django.setup()
    from bench_search import fill as add_initiatives
    from django.core.management import call_command
    from django.db import connection

    from initiatives.models import Initiative, Target

    call_command("migrate", verbosity=0)
    missing = rows - Initiative.objects.count()
    if missing > 0:
        add_initiatives(missing)
    if not Target.objects.exists():  # a few thousand targets for /targets/
        add_targets()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{Initiative.objects.count()} initiatives, {Target.objects.count()} targets")


def add_targets(count=5000, seed=7):
    from initiatives.models import Document, Target
    from regions.gazetteer import PREFECTURE, gazetteer

    rng = random.Random(seed)
    documents = list(Document.objects.values_list("pk", flat=True)[:count])
    places = [p.code for p in gazetteer().by_code.values() if p.level == PREFECTURE]
    indicators = [
        "城镇新增就业",
        "失业人员再就业",
        "创业担保贷款发放",
        "技能培训",
        "农村劳动力转移就业",
    ]
    Target.objects.bulk_create(
        [
            Target(
                document_id=rng.choice(documents),
                indicator=rng.choice(indicators),
                value=rng.randint(100, 100_000),
                unit="人",
                comparator="=",
                kind=rng.choice(["target", "achieved"]),
                year=rng.randint(2010, 2024),
                region_id=rng.choice(places),
                text="（合成）",
                start=0,
                end=4,
                extractor_version="bench",
            )
            for _ in range(count)
        ],
        batch_size=1000,
    )


def initiative_ids(database_url):
    if database_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(SQLITE_PATH)
        try:
            return [r[0] for r in conn.execute("SELECT id FROM initiatives_initiative")]
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM initiatives_initiative")]


class gunicorn:
    def __init__(self, database_url, workers):
        self.database_url = database_url
        self.workers = workers

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="load-")
        Path(self.tmp.name, "load_settings.py").write_text(SERVER_SETTINGS)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log_path = Path(self.tmp.name, "gunicorn.log")
        self.log = self.log_path.open("w")
        env = dict(
            os.environ,
            DATABASE_URL=self.database_url,
            DJANGO_SETTINGS_MODULE="load_settings",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="load-test-" + "x7" * 30,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            PYTHONPATH=f"{self.tmp.name}{os.pathsep}{ROOT}",
        )
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "256",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(self.log_path.read_text())
            try:
                status, _ = request(self.port, "/api/openapi.json")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        print(f"gunicorn: {self.workers} workers on 127.0.0.1:{self.port}", flush=True)
        return self.port

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        errors = [line for line in self.log_path.read_text().splitlines() if " ERROR " in line]
        if errors:
            print(f"server log: {len(errors)} ERROR lines, first: {errors[0]}")
        self.tmp.cleanup()


def request(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Language": "zh-hans"})
        response = conn.getresponse()
        size = len(response.read())
        return response.status, size
    finally:
        conn.close()


def quoted(query):
    return urllib.parse.quote(query, safe="=&")


def pick(rng, ids):
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    if kind == "search":
        path = "/initiatives/?" + quoted(rng.choice(SEARCHES))
    elif kind == "facets":
        path = "/initiatives/?" + quoted(rng.choice(FACETS))
    elif kind == "detail":
        path = f"/initiatives/{rng.choice(ids)}/"
    elif kind == "api":
        path = "/api/initiatives?" + quoted(rng.choice(API))
    elif kind == "targets":
        path = "/targets/?" + quoted(
            rng.choice(["", "province=510000", "year=2020&target_kind=achieved"])
        )
    else:
        path = "/initiatives/export.csv?" + quoted(rng.choice(EXPORTS))
    return kind, path


def warm_up(port, ids, workers, rng):
    started = time.monotonic()
    paths = [f"/initiatives/?{quoted(q)}" for q in SEARCHES[:3]] + [f"/initiatives/{ids[0]}/"]
    paths += ["/targets/", "/initiatives/export.csv?" + quoted(EXPORTS[0])]
    threads = [
        threading.Thread(target=lambda: [request(port, p) for p in paths])
        for _ in range(workers * 2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"warm-up: {len(paths) * len(threads)} requests in {time.monotonic() - started:.1f} s")


def load(port, ids, args, rng):
    results = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.duration
    budget = [args.max_requests]
    plans = [random.Random(rng.random()) for _ in range(args.clients)]

    def client(own_rng):
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            kind, path = pick(own_rng, ids)
            started = time.perf_counter()
            try:
                status, size = request(port, path)
            except OSError as error:
                status, size = f"error: {error.__class__.__name__}", 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results.append((kind, path, status, elapsed, size))

    threads = [threading.Thread(target=client, args=(plans[i],)) for i in range(args.clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def percentile(values, p):
    values = sorted(values)
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[index]


def report(results, elapsed, args):
    def line(label, rows):
        times = [r[3] for r in rows]
        errors = sum(1 for r in rows if r[2] != 200)
        return (
            f"{label:<8} {len(rows):>7} {len(rows) / elapsed:>8.1f} {statistics.median(times):>8.1f} "
            f"{percentile(times, 95):>8.1f} {percentile(times, 99):>8.1f} {max(times):>8.1f} {errors:>6}"
        )

    print(
        f"\n{args.database}, {args.rows} initiatives, {args.clients} clients, {args.workers} "
        f"gunicorn workers, {elapsed:.1f} s"
    )
    print(
        f"{'kind':<8} {'requests':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}"
    )
    for kind in MIX:
        rows = [r for r in results if r[0] == kind]
        if rows:
            print(line(kind, rows))
    print(line("all", results))
    failed = [r for r in results if r[2] != 200]
    for kind, path, status, _, _ in failed[:10]:
        print(f"  error: {status} {kind} {path}")
    slowest = sorted(results, key=lambda r: -r[3])[:5]
    print("slowest:", "; ".join(f"{r[1]} {r[3]:.0f} ms" for r in slowest))
    times = [r[3] for r in results]
    print(
        json.dumps(
            {
                "database": args.database,
                "rows": args.rows,
                "clients": args.clients,
                "workers": args.workers,
                "seconds": round(elapsed, 1),
                "requests": len(results),
                "rps": round(len(results) / elapsed, 1),
                "p50": round(statistics.median(times), 1),
                "p95": round(percentile(times, 95), 1),
                "p99": round(percentile(times, 99), 1),
                "max": round(max(times), 1),
                "errors": len(failed),
            }
        )
    )


if __name__ == "__main__":
    main()
