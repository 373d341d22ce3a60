"""One very large legitimate document: its ingest, then every public page, timed, with memory.

    .venv/bin/python benchmarks/bench_large_document.py --database sqlite
    .venv/bin/python benchmarks/bench_large_document.py --database postgres

A national compilation of ~5 MB (the sample documents one after another, forty times over,
each under its own part heading and with its years moved, so every part is new text) is
ingested into a scratch database (SQLite file /tmp/bench_large_document.sqlite3, or the
PostgreSQL database ``bench_large_document`` on DATABASE_URL's server: both are dropped and
created here; never point this at real data). Then each public page is requested three
times through Django's handler with production settings (DEBUG off), and the script prints
its status, first and best time, response size, and the process's resident memory after it
and at its peak.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "fixtures" / "documents").glob("*.txt"))
SQLITE_PATH = Path("/tmp/bench_large_document.sqlite3")
PG_NAME = "bench_large_document"
# Production settings, but static files without a manifest (no collectstatic here).
SETTINGS = """
from config.settings import *  # noqa: F403
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""


def compilation(target_bytes=5_000_000):
    """The text of a ~``target_bytes`` compilation of the sample documents."""
    parts = ["全国各地促进就业创业典型经验汇编\n", "人力资源和社会保障部办公厅\n"]
    size, n = 0, 0
    while size < target_bytes:
        for sample in SAMPLES:
            year = 2000 + n % 25
            body = sample.read_text(encoding="utf-8")
            body = body.replace("2017年", f"{year}年").replace("2018年", f"{year + 1}年")
            part = f"第{n + 1}部分　典型经验之{n + 1}\n{body}\n"
            parts.append(part)
            size += len(part.encode("utf-8"))
            n += 1
    return "".join(parts)


def memory():
    """(current RSS, peak RSS) of this process, MiB."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                values[key] = int(value.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def prepare_database(kind):
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    server = base.rsplit("/", 1)[0]
    admin = server.replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
        conn.execute(f"CREATE DATABASE {PG_NAME}")
    return f"{server}/{PG_NAME}"


def reading_cost(runs=20):
    """What reading a Word file in a child process adds, per document (fork, pipe, wait)."""
    import io

    import docx

    from ingest import formats, isolation

    document = docx.Document()
    for sample in SAMPLES[:2]:
        for line in sample.read_text(encoding="utf-8").splitlines():
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    timings = {}
    for isolate in (False, True, False, True):
        began = time.perf_counter()
        for _ in range(runs):
            formats.to_text(data, "sample.docx", 2**25, isolate=isolate)
        timings.setdefault(isolate, []).append((time.perf_counter() - began) / runs * 1000)
    began = time.perf_counter()
    for _ in range(runs):
        isolation.run(len, "x", seconds=10, memory_bytes=2**30)
    empty = (time.perf_counter() - began) / runs * 1000
    print(
        f"reading a {len(data) / 1e3:.0f} kB .docx: {min(timings[False]):.1f} ms in process, "
        f"{min(timings[True]):.1f} ms in a child process; an empty child {empty:.1f} ms "
        f"(parent RSS {memory()[0]:.0f} MiB)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args()

    settings_dir = tempfile.mkdtemp(prefix="bench-large-")
    Path(settings_dir, "bench_large_settings.py").write_text(SETTINGS)
    sys.path[:0] = [settings_dir, str(ROOT)]
    os.environ.update(
        DATABASE_URL=prepare_database(args.database),
        DJANGO_SETTINGS_MODULE="bench_large_settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + "x" * 60,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_REQUEST_LOG="false",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from ingest.pipeline import ingest_bytes
    from initiatives.models import Initiative, PolicyInstrument, Target

    text = compilation(int(args.megabytes * 1e6))
    data = text.encode("utf-8")
    began = time.perf_counter()
    outcome = ingest_bytes(data, file_name="compilation.txt")
    seconds = time.perf_counter() - began
    document = outcome.document
    print(
        f"{args.database}: ingested {len(data) / 1e6:.1f} MB, {len(document.text):,} characters, "
        f"{outcome.initiatives:,} initiatives, {outcome.targets:,} targets in {seconds:.1f} s; "
        f"RSS {memory()[0]:.0f} MiB (peak {memory()[1]:.0f})"
    )

    middle = (
        Initiative.objects.filter(document=document, start__gte=len(document.text) // 2)
        .order_by("start")
        .only("pk", "start")
        .first()
    )
    instrument = (
        PolicyInstrument.objects.filter(initiatives__document=document)
        .order_by("pk")
        .only("slug")
        .first()
    )
    indicator = Target.objects.filter(document=document).values_list("indicator", flat=True)[:1]
    region = document.issuing_region_id or "000000"
    target_pages = max(1, (Target.objects.count() + 39) // 40)
    urls = [
        "/",
        "/initiatives/",
        "/initiatives/?q=%E5%88%9B%E4%B8%9A%E6%8B%85%E4%BF%9D%E8%B4%B7%E6%AC%BE",
        f"/initiatives/{middle.pk}/",
        f"/documents/{document.pk}/",
        f"/documents/{document.pk}/?at={middle.start}",
        "/targets/",
        f"/targets/?page={min(100, target_pages)}",
        f"/regions/{region}/",
        "/regions/000000/",
        f"/instruments/{instrument.slug}/" if instrument else None,
        f"/indicators/{indicator[0]}/" if indicator else None,
        "/initiatives/export.csv",
        "/targets/export.csv",
        "/api/initiatives?facets=1",
        "/api/targets",
        "/data/",
    ]
    reading_cost()
    client = Client()
    print(
        f"{'page':<58} {'status':>6} {'first':>8} {'best':>8} {'bytes':>11} {'RSS':>7} {'peak':>7}"
    )
    worst = 0.0
    for url in filter(None, urls):
        times = []
        for _ in range(3):
            began = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append(time.perf_counter() - began)
        rss, peak = memory()
        worst = max(worst, times[0])
        print(
            f"{url[:58]:<58} {response.status_code:>6} {times[0] * 1000:>6.0f}ms "
            f"{min(times) * 1000:>6.0f}ms {len(body):>11,} {rss:>5.0f}Mi {peak:>5.0f}Mi"
        )
    print(f"slowest first request: {worst * 1000:.0f} ms; peak RSS {memory()[1]:.0f} MiB")


if __name__ == "__main__":
    main()
