"""Server-side time of the search page with a query and all facet counts.

Fills a scratch database with N synthetic initiatives made of sentences from the sample
corpus (../shared/seeds/*.txt) over random regions, themes, instruments and years, then times
``/initiatives/?…`` through Django's full request cycle (middleware, every facet query,
template), and prints p50/p95 per database and size in two phases: "first" empties the
per-process cache of text matches before every request (each query text new to the
process), "repeat" times texts seen before (a facet click, another sort, page 2). It also
prints the time and size of the in-memory facet index built for the database.

    .venv/bin/python benchmarks/bench_search.py                      # SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_search.py --databases sqlite --rows 10000

SQLite goes to /tmp/bench_search.sqlite3 (``--sqlite-path``); PostgreSQL to a database
``bench_search`` (``--postgres-db``) that the script creates on
postgres://postgres@127.0.0.1:5432 (``--postgres-url``). ``--reuse`` keeps a database filled
by an earlier run (the synthetic rows are the same for the same sizes). Each database runs in
its own process (settings read DATABASE_URL once), with DEBUG off as in production.
PostgreSQL is VACUUM ANALYZEd after filling (what autovacuum does soon after a bulk load;
without it the visibility map is empty and no index-only scan is possible). Besides p50/p95
over all requests, each request's median is printed, and the load average: other processes
on a 2-core machine inflate every figure. Budget (DESIGN.md): p95 under 100 ms at 100,000
rows on both.

Then, at the largest size (``--stall-seconds`` > 0), the stall test: for that many seconds
requests whose query texts the process has never seen (words of the corpus, alone or in
pairs, new each time), idle; then as long again while a separate process, a curator, saves
an edit through the ORM every ``--edit-every`` seconds (a new year, or the row hidden or
shown again). It prints p50/p95/p99/max of both and the ratio of the p99s (goal ≤ 2: no
request waits for the index to follow an edit), how long an edit took to reach this
process's index, and the memory of this worker (resident set, index, frequent words).
"""

import argparse
import json
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# BENCH_SEEDS: another checkout of the sample corpus (a worktree has no ../shared).
SEEDS = Path(os.environ.get("BENCH_SEEDS", ROOT.parent / "shared" / "seeds"))
SQLITE_PATH = "/tmp/bench_search.sqlite3"
BENCH_DB = "bench_search"

# Representative requests: a common word, instrument names, rare words, facets chosen.
QUERIES = [
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
    "province=440000&theme=skills",
    "",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each request")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--postgres-db", default=BENCH_DB)
    parser.add_argument("--sqlite-path", default=SQLITE_PATH)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument(
        "--no-frequent", action="store_true", help="do not rank the frequent words ahead"
    )
    parser.add_argument(
        "--stall-seconds", type=float, default=60, help="each half of the stall test (0: none)"
    )
    parser.add_argument("--edit-every", type=float, default=3.0, help="seconds between edits")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--editor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.editor:
        return editor(args)
    if args.memory:
        return memory()

    results, stalls = [], []
    for database in args.databases:
        env = dict(os.environ)
        # Production settings: DEBUG keeps every SQL statement in memory and renders
        # templates with extra checks.
        env.update(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="bench-" + "x" * 50,
            DJANGO_ALLOWED_HOSTS="localhost",
        )
        if database == "sqlite":
            if not args.reuse:
                Path(args.sqlite_path).unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{args.sqlite_path}"
        else:
            if not args.reuse:
                create_postgres_database(args.postgres_url, args.postgres_db)
            env["DATABASE_URL"] = f"{args.postgres_url}/{args.postgres_db}"
        command = [sys.executable, __file__, "--worker", "--repeat", str(args.repeat)]
        command += ["--stall-seconds", str(args.stall_seconds)]
        command += ["--edit-every", str(args.edit_every)]
        command += ["--rows", *map(str, args.rows)] + (
            ["--no-frequent"] if args.no_frequent else []
        )
        output = subprocess.run(
            command, env=env, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT
        ).stdout
        for line in output.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                if row.get("phase") == "stall":
                    stalls.append({"database": database, **row})
                    continue
                results.append({"database": database, **row})
            else:
                print(line, flush=True)

    print()
    print(
        f"{'database':<10} {'rows':>8} {'text':<7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        f" {'requests':>9} {'index build ms':>15} {'index MiB':>10} {'frequent words':>15}"
    )
    for r in results:
        print(
            f"{r['database']:<10} {r['rows']:>8} {r['phase']:<7} {r['p50']:>8.1f} {r['p95']:>8.1f}"
            f" {r['max']:>8.1f} {r['requests']:>9} {r['index_build_ms']:>15.0f}"
            f" {r['index_mib']:>10.1f} {r['frequent']:>4} in {r['frequent_ms']:>6.0f} ms"
        )
    print("\n(text: first = each request's query text new to the process; repeat = seen before)")
    print("(frequent words: ranked ahead after the index build, as a site does in the background)")
    for r in results:
        if r["phase"] == "first" and r["frequent"]:
            print(f"  {r['database']} {r['rows']}: {r['frequent_words']}")
    print("\nslowest request per run:")
    for r in results:
        print(
            f"  {r['database']} {r['rows']} {r['phase']}: {r['slowest']}"
            f" ({r['slowest_ms']:.1f} ms p95)"
        )
    if stalls:
        print("\nstall test: never-seen query texts, idle and with a curator's edit every few s")
        print(
            f"{'database':<10} {'rows':>8} {'':<6} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}"
            f" {'p99 ms':>8} {'max ms':>8}"
        )
        for r in stalls:
            for half in ("idle", "edits"):
                f = r[half]
                print(
                    f"{r['database']:<10} {r['rows']:>8} {half:<6} {f['requests']:>9}"
                    f" {f['p50']:>8.1f} {f['p95']:>8.1f} {f['p99']:>8.1f} {f['max']:>8.1f}"
                )
            print(
                f"  p99 with edits / idle p99: {r['edits']['p99'] / r['idle']['p99']:.2f}"
                f" ({r['edits_saved']} edits saved, one every {r['edit_every']} s);"
                f" an edit reached this process's index in {r['visible_ms']:.0f} ms;"
                f" memory per worker: {r['rss_mib']:.0f} MiB resident, index {r['index_mib']:.1f} MiB,"
                f" frequent words {r['frequent_mib']:.1f} MiB ({r['frequent']} words);"
                f" load average {r['load']}"
            )
    print("\nmedian ms per request:")
    for r in results:
        print(f"  {r['database']} {r['rows']} {r['phase']} (load average {r['load']}):")
        for query, ms in r["per_query"].items():
            print(f"    {ms:8.1f}  {query or '(no parameters)'}")


def create_postgres_database(url, name):
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def worker(args):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    # DEBUG off serves hashed static names from collectstatic's manifest; the benchmark does
    # not run collectstatic, so plain names (the cost of the lookup is the same).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from initiatives.models import Initiative
    from initiatives.search.segmentation import tokenizer
    from regions.gazetteer import gazetteer

    call_command("migrate", verbosity=0)
    tokenizer()
    gazetteer()
    client = Client()
    for rows in sorted(args.rows):
        started = time.perf_counter()
        if Initiative.objects.count() > rows:
            print(
                f"[{connection.vendor}] {rows} rows: skipped, the database holds more", flush=True
            )
            continue
        fill(rows - Initiative.objects.count())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        print(
            f"[{connection.vendor}] {rows} rows ready in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        from initiatives.search import facet_index

        # The facet index: built once per change of the data, in each worker process. The
        # frequent words' rankings that a site computes in a background thread after each
        # build (from FREQUENT_MIN_ROWS rows) are computed here in the foreground (timed),
        # unless --no-frequent.
        facet_index.RANK_FREQUENT_IN_BACKGROUND = False
        started = time.perf_counter()
        index = facet_index.current()
        build_ms = (time.perf_counter() - started) * 1000
        index_bytes = sum(v.nbytes for v in vars(index).values() if hasattr(v, "nbytes"))
        started = time.perf_counter()
        frequent = {}
        if not args.no_frequent and len(index.ids) >= facet_index.FREQUENT_MIN_ROWS:
            frequent = facet_index.rank_frequent_terms(index)
        frequent_ms = (time.perf_counter() - started) * 1000
        for query in QUERIES:  # warm-up: page cache, prepared plans
            get(client, query)
        # "first": every request as if its query text were new (the text-match cache
        # emptied first); "repeat": the same text again (a facet click, a sort, page 2).
        for phase, clear in (("first", True), ("repeat", False)):
            if not clear:  # each text seen once before the timed runs
                for query in QUERIES:
                    get(client, query)
            timings = {}
            for _ in range(args.repeat):
                for query in QUERIES:
                    if clear:
                        facet_index.clear_match_cache()
                    timings.setdefault(query, []).append(get(client, query))
            every = sorted(t for ts in timings.values() for t in ts)
            slowest = max(timings, key=lambda q: percentile(sorted(timings[q]), 95))
            print(
                json.dumps(
                    {
                        "rows": rows,
                        "phase": phase,
                        "p50": statistics.median(every),
                        "p95": percentile(every, 95),
                        "max": every[-1],
                        "requests": len(every),
                        "slowest": slowest or "(no parameters)",
                        "slowest_ms": percentile(sorted(timings[slowest]), 95),
                        "per_query": {q: statistics.median(ts) for q, ts in timings.items()},
                        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                        "index_build_ms": build_ms,
                        "index_mib": index_bytes / 2**20,
                        "frequent": len(frequent),
                        "frequent_ms": frequent_ms,
                        "frequent_words": " ".join("+".join(t) for t in frequent),
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )

    if args.stall_seconds > 0:
        stall_test(client, max(args.rows), args)


def never_seen_queries(seed=17):
    """Query texts no request asked before: corpus words alone or in pairs, with a facet
    now and then, each text once."""
    from initiatives.search.segmentation import query_terms

    rng = random.Random(seed)
    words = sorted({w for s in sentences() for w in query_terms(s) if len(w) >= 2})
    seen = set()
    facets = ["", "", "", "&province=510000", "&theme=skills", "&year_min=2018", "&sort=newest"]
    while True:
        text = " ".join(rng.sample(words, rng.choice((1, 1, 2))))
        if text in seen:
            continue
        seen.add(text)
        yield f"q={text}{rng.choice(facets)}"


def stall_test(client, rows, args):
    from django.db import connection

    from initiatives.models import Initiative
    from initiatives.search import facet_index

    queries = never_seen_queries()
    facet_index.RANK_FREQUENT_IN_BACKGROUND = True  # as deployed from here on

    def run_for(seconds):
        timings = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            facet_index.clear_match_cache()
            timings.append(get(client, next(queries)))
        timings.sort()
        return {
            "requests": len(timings),
            "p50": statistics.median(timings),
            "p95": percentile(timings, 95),
            "p99": percentile(timings, 99),
            "max": timings[-1],
        }

    # How long an edit takes to reach this process's index (its updater, in the background).
    initiative = Initiative.objects.order_by("pk").first()
    initiative.year = 2009 if initiative.year != 2009 else 2010
    started = time.perf_counter()
    initiative.save()
    while True:  # as a request sees it (each call reads the stamp)
        index = facet_index.current()
        if index.year[index.rows_of([initiative.pk])[0]].tolist() == [initiative.year]:
            break
        time.sleep(0.01)
    visible_ms = (time.perf_counter() - started) * 1000

    idle = run_for(args.stall_seconds)
    command = [sys.executable, __file__, "--editor", "--edit-every", str(args.edit_every)]
    curator = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        # Its start (Django, the segmenter's dictionary) is not part of the timed half.
        assert curator.stdout.readline().strip() == "ready"
        edits = run_for(args.stall_seconds)
    finally:
        curator.send_signal(signal.SIGINT)
        saved = int(curator.communicate(timeout=60)[0].split()[-1])
    index = facet_index.current()
    frequent = facet_index._frequent.get("default", {}).get(index.stamp, {})
    print(
        json.dumps(
            {
                "rows": rows,
                "phase": "stall",
                "idle": idle,
                "edits": edits,
                "edits_saved": saved,
                "edit_every": args.edit_every,
                "visible_ms": visible_ms,
                "rss_mib": json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--memory"],
                        check=True,
                        stdout=subprocess.PIPE,
                        text=True,
                        cwd=ROOT,
                    ).stdout.splitlines()[-1]
                )["rss_mib"],
                "index_mib": index.nbytes / 2**20,
                "frequent": len(frequent),
                "frequent_mib": sum(m.nbytes for m in frequent.values()) / 2**20,
                "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                "vendor": connection.vendor,
            }
        ),
        flush=True,
    )


def memory():
    """A worker's resident set after serving searches: a fresh process that loads what
    serving needs (settings, the segmenter, the index and the frequent words' rankings)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from initiatives.search import facet_index

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    index = facet_index.current()
    if len(index.ids) >= facet_index.FREQUENT_MIN_ROWS:
        facet_index.rank_frequent_terms(index)
    for query in QUERIES:
        get(client, query)
    print(json.dumps({"rss_mib": resident_mib()}), flush=True)


def resident_mib():
    """This process's resident set now (not its peak), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def editor(args):
    """A curator saving an edit through the ORM every ``--edit-every`` seconds until
    interrupted; prints how many it saved."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from initiatives.models import Initiative, Status
    from initiatives.search.segmentation import tokenizer

    rng = random.Random(3)
    ids = list(Initiative.objects.values_list("pk", flat=True))
    tokenizer()  # a save segments the text again
    print("ready", flush=True)
    saved = 0
    try:
        while True:
            time.sleep(args.edit_every)
            initiative = Initiative.objects.get(pk=rng.choice(ids))
            if saved % 3 == 2:  # hidden, or shown again
                hidden = initiative.status == Status.HIDDEN
                initiative.status = Status.EXTRACTED if hidden else Status.HIDDEN
            else:
                initiative.year = rng.randint(2010, 2024)
            initiative.save()
            saved += 1
    except KeyboardInterrupt:
        pass
    print(saved, flush=True)


def get(client, query):
    started = time.perf_counter()
    response = client.get(f"/initiatives/?{query}", HTTP_HOST="localhost")
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (query, response.status_code)
    return elapsed


def percentile(values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))
    return values[index]


def sentences():
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for piece in re.split(r"(?<=[。；！？])|\n", text):
            piece = piece.strip()
            if 12 <= len(piece) <= 300:
                found.append(piece)
    if not found:
        raise SystemExit(f"no sentences found in {SEEDS}/*.txt")
    return found


def fill(count, per_document=50, seed=2260):
    """Add ``count`` synthetic initiatives (and their documents, regions, themes, tools)."""
    if count <= 0:
        return
    from django.db import transaction

    from initiatives.models import (
        Document,
        Initiative,
        InitiativeRegion,
        PolicyInstrument,
        Theme,
    )
    from initiatives.search.fulltext import search_document
    from regions.gazetteer import COUNTY, PREFECTURE, PROVINCE, gazetteer

    rng = random.Random(seed + count)
    pool = sentences()
    places = [p for p in gazetteer().by_code.values() if p.level in (PROVINCE, PREFECTURE, COUNTY)]
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    instrument_ids = list(PolicyInstrument.objects.values_list("pk", flat=True))
    kinds = Document.Kind.values
    segmented = {}  # sentence -> tokens: each distinct sentence is segmented once
    batch = 5000
    made = 0
    while made < count:
        size = min(batch, count - made)
        with transaction.atomic():
            documents = Document.objects.bulk_create(
                [
                    Document(
                        title=f"合成文件 {made + i}",
                        file_name=f"synthetic-{made + i}.txt",
                        content_hash=f"bench-{rng.getrandbits(128):032x}",
                        text="（合成）",
                        kind=rng.choice(kinds),
                        year=rng.randint(2010, 2024),
                        extractor_version="bench",
                    )
                    for i in range(0, size, per_document)
                ]
            )
            if documents[0].pk is None:  # SQLite < 3.35 returns no ids from bulk_create
                documents = list(Document.objects.order_by("-pk")[: len(documents)])[::-1]
            initiatives = []
            for i in range(size):
                text = "".join(rng.sample(pool, rng.choice((1, 1, 2))))
                title = text[:30]
                key = (title, text)
                if key not in segmented:
                    segmented[key] = search_document(title, text)
                document = documents[i // per_document]
                initiatives.append(
                    Initiative(
                        document=document,
                        title=title,
                        text=text,
                        start=0,
                        end=len(text),
                        year=rng.randint(2010, 2024),
                        status=rng.choice(("extracted", "extracted", "reviewed")),
                        extractor_version="bench",
                        search_text=segmented[key],
                    )
                )
            Initiative.objects.bulk_create(initiatives, batch_size=1000)
            ids = list(Initiative.objects.order_by("-pk").values_list("pk", flat=True)[:size])
            region_rows, theme_rows, instrument_rows = [], [], []
            through_theme = Initiative.themes.through
            through_instrument = Initiative.instruments.through
            for pk in ids:
                for place in rng.sample(places, rng.choice((1, 1, 1, 2))):
                    region_rows.append(
                        InitiativeRegion(
                            initiative_id=pk,
                            region_id=place.code,
                            province_id=place.province_code,
                            prefecture_id=place.prefecture_code,
                        )
                    )
                for theme in rng.sample(theme_ids, rng.choice((1, 1, 2))):
                    theme_rows.append(through_theme(initiative_id=pk, theme_id=theme))
                for instrument in rng.sample(instrument_ids, rng.choice((0, 1, 1, 2))):
                    instrument_rows.append(
                        through_instrument(initiative_id=pk, policyinstrument_id=instrument)
                    )
            InitiativeRegion.objects.bulk_create(region_rows, batch_size=2000)
            through_theme.objects.bulk_create(theme_rows, batch_size=2000)
            through_instrument.objects.bulk_create(instrument_rows, batch_size=2000)
        made += size


if __name__ == "__main__":
    main()
