"""CSV export throughput and memory: 100,000 initiatives through the streaming view.

    DATABASE_URL=sqlite:////tmp/bench_export.sqlite3 .venv/bin/python benchmarks/bench_export.py

Uses a scratch database (migrated here, filled once with synthetic rows by bulk_create in a
child process, so this process's peak RSS is the export's; never point it at real data).
Prints rows/second of the view's streamed body, the tracemalloc peak (a second, traced pass)
and the process RSS before and at its high-water mark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale BENCH_QUERIES="year=2019|year_min=2016&year_max=2018|" \
        .venv/bin/python benchmarks/bench_export.py --reuse

``--ab N``: N back-to-back pairs of the whole export through the row-by-row writer and the
streamed lines (wall and CPU seconds; the bytes compared). ``--reuse``: an already filled database as it is (e.g. bench_scale.py's million rows), no
fill; ``BENCH_QUERIES``: the exports to time, ``|``-separated (the RSS is printed after
each: a streamed export's memory does not grow with its rows).
"""

import os
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_export.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from initiatives.exports import views as export_views  # noqa: E402
from initiatives.models import (  # noqa: E402
    Document,
    Initiative,
    InitiativeRegion,
    PolicyInstrument,
    Theme,
)
from regions.gazetteer import COUNTY, PREFECTURE  # noqa: E402
from regions.models import Region  # noqa: E402

N = int(os.environ.get("BENCH_ROWS", "100000"))
BATCH = 5000
SENTENCES = [
    "推出创业担保贷款，对返乡农民工创业给予贴息支持",
    "实施高校毕业生就业促进计划，开发见习岗位",
    "开展职业技能提升行动，完成补贴性培训",
    "开发公益性岗位托底安置就业困难人员",
    "建设创业孵化基地，入驻企业享受场租减免",
    "落实失业保险稳岗返还政策，惠及参保企业",
]


def status(name):
    """A /proc/self/status figure in MiB (VmRSS now, VmHWM the high-water mark)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def fill():
    call_command("migrate", verbosity=0)
    have = Initiative.objects.count()
    if have >= N:
        return
    rng = random.Random(20261123)
    places = list(
        Region.objects.filter(level__in=[PREFECTURE, COUNTY]).values_list(
            "code", "province_id", "prefecture_id"
        )
    )
    themes = list(Theme.objects.values_list("pk", flat=True))
    instruments = list(PolicyInstrument.objects.values_list("pk", flat=True))
    with transaction.atomic():
        documents = Document.objects.bulk_create(
            Document(
                title=f"合成文件{n}",
                file_name=f"synthetic_{n:04d}.txt",
                content_hash=f"bench-export-{n}",
                text="合成正文",
                year=2015 + n % 10,
                kind="summary",
                extractor_version="bench",
            )
            for n in range(have // 1000, N // 1000 + 1)
        )
        ThemeLink = Initiative.themes.through
        InstrumentLink = Initiative.instruments.through
        for start in range(have, N, BATCH):
            batch = []
            for n in range(start, min(start + BATCH, N)):
                text = "，".join(rng.sample(SENTENCES, 3)) + f"（第{n}号）。"
                if n % 997 == 0:
                    text = "=" + text  # a formula-looking cell now and then
                batch.append(
                    Initiative(
                        document=documents[n // 1000 - have // 1000],
                        title=text[:30],
                        text=text,
                        start=0,
                        end=len(text),
                        year=2015 + n % 10,
                        status="reviewed" if n % 3 else "extracted",
                        extractor_version="bench",
                        search_text="",
                    )
                )
            created = Initiative.objects.bulk_create(batch)
            links, theme_links, instrument_links = [], [], []
            for initiative in created:
                for code, province, prefecture in rng.sample(places, rng.choice((1, 1, 2))):
                    links.append(
                        InitiativeRegion(
                            initiative=initiative,
                            region_id=code,
                            province_id=province,
                            prefecture_id=prefecture,
                        )
                    )
                for pk in rng.sample(themes, 2):
                    theme_links.append(ThemeLink(initiative=initiative, theme_id=pk))
                for pk in rng.sample(instruments, 2):
                    instrument_links.append(
                        InstrumentLink(initiative=initiative, policyinstrument_id=pk)
                    )
            InitiativeRegion.objects.bulk_create(links)
            ThemeLink.objects.bulk_create(theme_links)
            InstrumentLink.objects.bulk_create(instrument_links)
            print(f"  filled {start + len(created):,} / {N:,}", flush=True)
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after a bulk load: planner statistics for the
        # filled tables, so the export is not planned for an empty database.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def export(query=""):
    request = RequestFactory().get(f"/initiatives/export.csv?{query}", HTTP_HOST="localhost")
    response = export_views.initiative_csv(request)
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    return lines - 1, size


def ab_pairs(pairs, query=""):
    """The same export through ``rows.initiative_rows`` + ``csv.writer`` (what the
    full download still uses) and through ``streaming.initiative_lines`` (the CSV views and
    the command), back to back: wall and CPU seconds, and whether the bytes agree."""
    import hashlib

    from django.http import QueryDict

    from initiatives.exports import rows as row_writer
    from initiatives.exports import streaming
    from initiatives.search.filters import InitiativeFilter

    columns = row_writer.INITIATIVE_COLUMNS
    for _ in range(pairs):
        digests = []
        for name in ("rows", "lines"):
            selected = InitiativeFilter(
                QueryDict(query), queryset=Initiative.objects.visible()
            ).filtered()
            if name == "rows":
                text = row_writer.stream_csv(columns, row_writer.initiative_rows(selected, "x"))
            else:
                text = streaming.stream(columns, streaming.initiative_lines(selected, "x"))
            began, cpu = time.perf_counter(), time.process_time()
            digest, lines = hashlib.sha256(), 0
            for chunk in text:
                data = chunk.encode("utf-8")
                digest.update(data)
                lines += data.count(b"\n")
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
            digests.append(digest.hexdigest())
            print(
                f"  {name:<5} {lines - 1:,} rows in {seconds:.2f} s = {(lines - 1) / seconds:,.0f}"
                f" rows/s; this process's CPU {cpu:.2f} s = {(lines - 1) / cpu:,.0f} rows/CPU-s;"
                f" load {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
                flush=True,
            )
        print(f"  same bytes: {digests[0] == digests[1]}")


def main():
    if "--fill" in sys.argv:
        fill()
        return
    print(f"database: {settings.DATABASES['default']['NAME']}")
    if "--reuse" not in sys.argv:
        began = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--fill"], check=True)
        print(f"migrate + fill (child process): {time.perf_counter() - began:.1f} s")
    settings.DEBUG = False  # no query log
    total = Initiative.objects.visible().count()
    export("year=1950")  # warm up (no rows): gazetteer, vocabularies, page cache
    rss_before = status("VmRSS")

    queries = os.environ.get("BENCH_QUERIES", "|province=510000").split("|")
    for query in queries:
        began, cpu = time.perf_counter(), time.process_time()
        rows, size = export(query)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        print(
            f"export {query or 'all'}: {rows:,} rows, {size / 2**20:.1f} MiB in {seconds:.2f} s"
            f" = {rows / seconds:,.0f} rows/s ({cpu:.2f} s of this process's CPU);"
            f" RSS {status('VmRSS'):.1f} MiB, high-water mark {status('VmHWM'):.1f} MiB;"
            f" load {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
            flush=True,
        )
    print(f"RSS before export {rss_before:.1f} MiB, high-water mark {status('VmHWM'):.1f} MiB")

    if "--ab" in sys.argv:
        print("A/B, row-by-row writer vs streamed lines:")
        ab_pairs(int(sys.argv[sys.argv.index("--ab") + 1]))
    tracemalloc.start()
    began = time.perf_counter()
    rows, size = export(queries[0])
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"traced pass: {rows:,} rows ({total:,} visible), tracemalloc peak "
        f"{peak / 2**20:.1f} MiB for a {size / 2**20:.1f} MiB file ({rows / seconds:,.0f} rows/s traced)"
    )


if __name__ == "__main__":
    main()
