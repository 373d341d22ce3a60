"""1,000,000 initiatives on PostgreSQL: fill by SQL, then the search page's figures.

    .venv/bin/python benchmarks/bench_scale.py --database bench_scale --rows 1000000
    .venv/bin/python benchmarks/bench_scale.py --database bench_scale --reuse   # measure only

The fill runs in PostgreSQL, not through the ORM: the sample corpus (fixtures/documents) is
ingested first and its initiatives become the profiles the synthetic rows copy (year and
period in force, status, themes, instruments, and the number and levels of their regions:
each synthetic row takes one profile, and for each of its regions a random region of the same
level). Texts are one or two sentences of the seed corpus (``BENCH_SEEDS``, as
bench_search.py), each sentence segmented once in Python; documents get the kinds and years of
the sample documents. Rows are written by ``INSERT … SELECT … generate_series`` with the
change-log triggers off (``session_replication_role = replica``, which skips the
foreign-key checks as well: the fill checks the rows agree) and the GIN index dropped
while filling (rebuilt after), then VACUUM ANALYZE.

Then, in fresh processes (settings read DATABASE_URL once, DEBUG off):
- the in-memory facet index build: time, and the worker's resident set before and after;
- the frequent words' rankings (what a site computes in the background after a build);
- never-seen query texts (``bench_search.never_seen_queries``: each text new to the process)
  and the representative requests repeated (``bench_search.QUERIES``), p50/p95, through
  Django's full request cycle;
- one curator's edit: how long until this process's index shows it (the background updater
  patching the index), and the patch itself timed in the foreground.
The load average is printed with each figure: other processes on a 2-core machine inflate them.
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_search  # noqa: E402  (sentences, queries, percentiles)

SAMPLES = ROOT / "fixtures" / "documents"
PER_DOCUMENT = 50


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def fill(rows):
    """Migrate, ingest the sample corpus, then add synthetic rows up to ``rows`` by SQL."""
    from django.core.management import call_command
    from django.db import connection

    from ingest.pipeline import ingest_path
    from initiatives.models import Initiative
    from initiatives.search.fulltext import search_document

    call_command("migrate", verbosity=0)
    if not Initiative.objects.exists():
        for path in sorted(SAMPLES.glob("*.txt")):
            ingest_path(path)
    have = Initiative.objects.count()
    if have >= rows:
        print(f"{have:,} initiatives already", flush=True)
        return
    started = time.perf_counter()
    pool = bench_search.sentences()
    segmented = [search_document(s[:30], s) for s in pool]
    print(f"{len(pool):,} seed sentences segmented in {time.perf_counter() - started:.1f} s")
    count = rows - have
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no change-log triggers
        cursor.execute("SELECT setseed(0.2260)")
        cursor.execute(
            "CREATE TEMP TABLE seed_sentence (n int PRIMARY KEY, text text, tokens text)"
        )
        with cursor.cursor.copy("COPY seed_sentence (n, text, tokens) FROM STDIN") as copy:
            for n, (text, tokens) in enumerate(zip(pool, segmented, strict=True)):
                copy.write_row((n, text, tokens))
        # The sample corpus's initiatives as profiles: what a synthetic row copies.
        cursor.execute(
            """CREATE TEMP TABLE profile AS
            SELECT row_number() OVER (ORDER BY i.id) - 1 AS n, i.year, i.year_start,
                   i.year_end, i.status,
                   ARRAY(SELECT r.level FROM initiatives_initiativeregion x
                         JOIN regions_region r ON r.code = x.region_id
                         WHERE x.initiative_id = i.id ORDER BY x.region_id) AS levels,
                   ARRAY(SELECT x.role FROM initiatives_initiativeregion x
                         WHERE x.initiative_id = i.id ORDER BY x.region_id) AS roles,
                   ARRAY(SELECT theme_id FROM initiatives_initiative_themes
                         WHERE initiative_id = i.id) AS themes,
                   ARRAY(SELECT policyinstrument_id FROM initiatives_initiative_instruments
                         WHERE initiative_id = i.id) AS instruments
            FROM initiatives_initiative i"""
        )
        cursor.execute("SELECT count(*) FROM profile")
        profiles = cursor.fetchone()[0]
        cursor.execute(
            """CREATE TEMP TABLE doc_profile AS SELECT row_number() OVER (ORDER BY id) - 1 AS n,
            kind, year FROM initiatives_document"""
        )
        cursor.execute("SELECT count(*) FROM doc_profile")
        doc_profiles = cursor.fetchone()[0]
        cursor.execute(
            """CREATE TEMP TABLE level_region AS SELECT level,
            row_number() OVER (PARTITION BY level ORDER BY code) - 1 AS n,
            code, province_id, prefecture_id FROM regions_region"""
        )
        cursor.execute("CREATE INDEX ON level_region (level, n)")
        cursor.execute(
            "CREATE TEMP TABLE level_count AS SELECT level, count(*) AS c FROM level_region"
            " GROUP BY level"
        )
        cursor.execute("DROP INDEX initiative_search_idx")
        documents = (count + PER_DOCUMENT - 1) // PER_DOCUMENT
        cursor.execute(
            """INSERT INTO initiatives_document (title, file_name, content_hash, text, issuer,
                year, kind, extractor_version, curated_fields, ingested_at, updated,
                origin_hash, version, withdrawn_statuses, doc_number, issued_precision,
                published_precision, permanence, source_url)
            SELECT '合成文件 ' || g, 'synthetic-' || g || '.txt', 'scale-' || g, '（合成）', '',
                p.year, p.kind, 'bench', '[]', now(), now(), '', 1, '{}', '', '', '', '', ''
            FROM generate_series(1, %s) g
            JOIN doc_profile p ON p.n = (g %% %s)""",
            [documents, doc_profiles],
        )
        cursor.execute(
            """CREATE TEMP TABLE doc_map AS SELECT substr(content_hash, 7)::int - 1 AS n, id
            FROM initiatives_document WHERE content_hash LIKE 'scale-%%'"""
        )
        cursor.execute("CREATE INDEX ON doc_map (n)")
        cursor.execute(
            """CREATE TEMP TABLE synthetic AS
            SELECT g, floor(random() * %s)::int AS profile,
                   floor(random() * %s)::int AS s1,
                   CASE WHEN random() < 1.0 / 3 THEN floor(random() * %s)::int END AS s2
            FROM generate_series(0, %s - 1) g""",
            [profiles, len(pool), len(pool), count],
        )
        cursor.execute(
            """INSERT INTO initiatives_initiative (title, text, heading, start, "end", year,
                year_start, year_end, status, curated_fields, extractor_version, search_text,
                created, updated, document_id, key, needs_review, review_new_text,
                review_old_text, evidence)
            SELECT left(a.text, 30), a.text || coalesce(b.text, ''), '', 0,
                length(a.text || coalesce(b.text, '')), p.year, p.year_start, p.year_end,
                p.status, '[]', 'bench', a.tokens || coalesce(' ' || b.tokens, ''), now(),
                now(), m.id, 'S' || lpad(to_hex(s.g), 12, '0'), false, '', '', ''
            FROM synthetic s JOIN profile p ON p.n = s.profile
            JOIN doc_map m ON m.n = s.g / %s
            JOIN seed_sentence a ON a.n = s.s1 LEFT JOIN seed_sentence b ON b.n = s.s2
            ORDER BY s.g""",
            [PER_DOCUMENT],
        )
        print(f"  initiatives written ({time.perf_counter() - began:.0f} s, load {load()})")
        cursor.execute(
            """CREATE TEMP TABLE made AS SELECT i.id, s.profile FROM initiatives_initiative i
            JOIN synthetic s ON i.key = 'S' || lpad(to_hex(s.g), 12, '0')"""
        )
        cursor.execute(
            """INSERT INTO initiatives_initiativeregion (initiative_id, region_id, province_id,
                prefecture_id, role)
            SELECT DISTINCT ON (m.id, r.code) m.id, r.code, r.province_id, r.prefecture_id,
                l.role
            FROM made m JOIN profile p ON p.n = m.profile,
                unnest(p.levels, p.roles) AS l(level, role)
            JOIN level_count c ON c.level = l.level
            JOIN level_region r ON r.level = l.level
                AND r.n = floor(random() * c.c)::int"""
        )
        for table, column, field in (
            ("initiatives_initiative_themes", "theme_id", "themes"),
            ("initiatives_initiative_instruments", "policyinstrument_id", "instruments"),
        ):
            cursor.execute(
                f"""INSERT INTO {table} (initiative_id, {column})
                SELECT m.id, t FROM made m JOIN profile p ON p.n = m.profile,
                unnest(p.{field}) AS t"""
            )
        print(f"  links written ({time.perf_counter() - began:.0f} s, load {load()})")
        index_started = time.perf_counter()
        cursor.execute(
            "CREATE INDEX initiative_search_idx ON initiatives_initiative USING gin (search_vector)"
        )
        print(f"  GIN index rebuilt in {time.perf_counter() - index_started:.0f} s")
        cursor.execute("SET session_replication_role = DEFAULT")
        # Replica mode skipped the foreign-key checks too: the rows must agree by construction.
        cursor.execute(
            """SELECT count(*) FROM initiatives_initiative i
            LEFT JOIN initiatives_document d ON d.id = i.document_id WHERE d.id IS NULL"""
        )
        orphans = cursor.fetchone()[0]
        if orphans:
            raise SystemExit(f"{orphans} initiatives without their document")
        # One stamp for the whole fill: every process builds its index afresh.
        cursor.execute("UPDATE initiative_index_stamp SET stamp = floor(random() * 1e15)")
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"{Initiative.objects.count():,} initiatives, filled in"
        f" {time.perf_counter() - began:.0f} s (load {load()})",
        flush=True,
    )


def measure(args):
    """The search figures of one fresh worker process (JSON on the last line)."""
    from django.db import connection
    from django.test import Client

    from initiatives.models import Initiative
    from initiatives.search import facet_index, index_build
    from initiatives.search.segmentation import tokenizer
    from regions.gazetteer import gazetteer

    logging.getLogger("requests").setLevel(logging.WARNING)  # one line per request
    tokenizer()
    gazetteer()
    client = Client()
    facet_index.RANK_FREQUENT_IN_BACKGROUND = False
    out = {"rows": Initiative.objects.count(), "load_start": load()}
    rss = bench_search.resident_mib()
    started = time.perf_counter()
    index = facet_index.current()
    out["build_s"] = time.perf_counter() - started
    out["index_mib"] = index.nbytes / 2**20
    out["rss_before_mib"], out["rss_index_mib"] = rss, bench_search.resident_mib()
    started = time.perf_counter()
    frequent = facet_index.rank_frequent_terms(index)
    out["frequent_s"] = time.perf_counter() - started
    out["frequent"] = len(frequent)
    out["frequent_mib"] = sum(m.nbytes for m in frequent.values()) / 2**20
    out["rss_frequent_mib"] = bench_search.resident_mib()
    for query in bench_search.QUERIES:  # warm-up: page cache, prepared plans
        bench_search.get(client, query)

    queries = bench_search.never_seen_queries()
    cold = []
    per_cold = []
    for _ in range(args.cold):
        facet_index.clear_match_cache()
        query = next(queries)
        ms = bench_search.get(client, query)
        cold.append(ms)
        per_cold.append((ms, query))
    cold.sort()
    repeat = {}
    for query in bench_search.QUERIES:
        bench_search.get(client, query)
    for _ in range(args.repeat):
        for query in bench_search.QUERIES:
            repeat.setdefault(query, []).append(bench_search.get(client, query))
    every = sorted(t for ts in repeat.values() for t in ts)
    pct = bench_search.percentile
    out.update(
        cold_p50=statistics.median(cold),
        cold_p95=pct(cold, 95),
        cold_max=cold[-1],
        cold_n=len(cold),
        cold_slowest=sorted(per_cold, reverse=True)[:5],
        repeat_p50=statistics.median(every),
        repeat_p95=pct(every, 95),
        repeat_n=len(every),
        repeat_per_query={q: statistics.median(ts) for q, ts in repeat.items()},
        load_queries=load(),
        rss_served_mib=bench_search.resident_mib(),
    )

    # One curator's edit: seen by this process's background updater, then the patch alone.
    facet_index.current()
    initiative = Initiative.objects.visible().order_by("-pk").first()
    initiative.year = 2009 if initiative.year != 2009 else 2010
    started = time.perf_counter()
    initiative.save()
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        index = facet_index.current()
        if index.year[index.rows_of([initiative.pk])[0]].tolist() == [initiative.year]:
            break
        time.sleep(0.01)
    out["edit_visible_s"] = time.perf_counter() - started
    started = time.perf_counter()
    index_build.patch(connection, index, [initiative.pk], index.stamp, (index.seq, index.token))
    out["patch_s"] = time.perf_counter() - started
    started = time.perf_counter()
    index_build.build(connection, index.stamp, (index.seq, index.token))
    out["rebuild_s"] = time.perf_counter() - started
    out["load_end"] = load()
    facet_index.stop_updates()
    print(json.dumps(out, ensure_ascii=False), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_scale")
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--cold", type=int, default=60, help="never-seen query texts")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each repeated request")
    parser.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = f"{args.postgres_url}/{args.database}"
    if args.fill or args.measure:
        setup_django(url)
        return fill(args.rows) if args.fill else measure(args)
    if not args.reuse:
        bench_search.create_postgres_database(args.postgres_url, args.database)
    own = [sys.executable, __file__, "--database", args.database]
    own += ["--postgres-url", args.postgres_url, "--rows", str(args.rows)]
    subprocess.run([*own, "--fill"], check=True, cwd=ROOT)
    output = subprocess.run(
        [*own, "--measure", "--cold", str(args.cold), "--repeat", str(args.repeat)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ).stdout
    for line in output.splitlines():
        if not line.startswith("{"):
            print(line)
    r = json.loads(output.splitlines()[-1])
    print(f"\n{r['rows']:,} initiatives on PostgreSQL (load average {r['load_start']})")
    print(
        f"facet index build {r['build_s']:.1f} s, {r['index_mib']:.0f} MiB;"
        f" worker resident {r['rss_before_mib']:.0f} → {r['rss_index_mib']:.0f} MiB"
    )
    print(
        f"frequent words: {r['frequent']} ranked in {r['frequent_s']:.1f} s,"
        f" {r['frequent_mib']:.0f} MiB; resident {r['rss_frequent_mib']:.0f} MiB"
    )
    print(
        f"never-seen query texts ({r['cold_n']}): p50 {r['cold_p50']:.0f} ms,"
        f" p95 {r['cold_p95']:.0f} ms, max {r['cold_max']:.0f} ms"
    )
    for ms, query in r["cold_slowest"]:
        print(f"    {ms:8.0f} ms  {query}")
    print(
        f"repeated requests ({r['repeat_n']}): p50 {r['repeat_p50']:.0f} ms,"
        f" p95 {r['repeat_p95']:.0f} ms (load average {r['load_queries']})"
    )
    for query, ms in r["repeat_per_query"].items():
        print(f"    {ms:8.0f} ms  {query or '(no parameters)'}")
    print(
        f"one edit: in this process's index after {r['edit_visible_s']:.2f} s;"
        f" patch alone {r['patch_s']:.2f} s; full rebuild {r['rebuild_s']:.1f} s;"
        f" resident after serving {r['rss_served_mib']:.0f} MiB (load average {r['load_end']})"
    )


if __name__ == "__main__":
    main()
