"""``manage.py ingest --jobs N``: documents ingested by several processes give the database
one process gives (rows compared by their stable keys: ids follow the order of commits)."""

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.management.commands.ingest import Progress

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "fixtures" / "documents").glob("*.txt"))

SNAPSHOT = {
    "documents": """
        SELECT content_hash, origin_hash, title, file_name, kind, year, period_start,
               period_end, issuing_region_id, issuer, doc_number, text, extractor_version
        FROM initiatives_document ORDER BY content_hash""",
    "initiatives": """
        SELECT d.content_hash, i.key, i.start, i."end", i.title, i.heading, i.text, i.year,
               i.year_start, i.year_end, i.status, i.evidence, i.search_text,
               (SELECT {agg} FROM (SELECT region_id || ':' || role AS v
                  FROM initiatives_initiativeregion r WHERE r.initiative_id = i.id
                  ORDER BY v) x),
               (SELECT {agg} FROM (SELECT t.key AS v FROM initiatives_initiative_themes x
                  JOIN initiatives_theme t ON t.id = x.theme_id
                  WHERE x.initiative_id = i.id ORDER BY v) x),
               (SELECT {agg} FROM (SELECT p.name AS v FROM initiatives_initiative_instruments x
                  JOIN initiatives_policyinstrument p ON p.id = x.policyinstrument_id
                  WHERE x.initiative_id = i.id ORDER BY v) x)
        FROM initiatives_initiative i JOIN initiatives_document d ON d.id = i.document_id
        ORDER BY d.content_hash, i.key""",
    "targets": """
        SELECT d.content_hash, t.key, t.start, t."end", t.indicator, t.value, t.unit,
               t.comparator, t.kind, t.year, t.year_start, t.year_end, t.period_type,
               t.region_id, t.text, t.canonical_indicator_id, i.key
        FROM initiatives_target t JOIN initiatives_document d ON d.id = t.document_id
        LEFT JOIN initiatives_initiative i ON i.id = t.initiative_id
        ORDER BY d.content_hash, t.key""",
}


# Each link list joined in order of its values.
AGGREGATE = {"sqlite": "group_concat(v, ' ')", "postgresql": "string_agg(v, ' ' ORDER BY v)"}


def manage(database, *args):
    env = {**os.environ, "DATABASE_URL": database}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def snapshot(database):
    if database.startswith("sqlite:///"):
        connect, vendor = sqlite3.connect(database.removeprefix("sqlite:///")), "sqlite"
    else:
        import psycopg

        connect, vendor = psycopg.connect(database), "postgresql"
    with connect as connection:
        return {
            name: connection.execute(sql.format(agg=AGGREGATE[vendor])).fetchall()
            for name, sql in SNAPSHOT.items()
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """Three empty databases of the kind under test: a migrated one copied, or created."""
    if request.param == "sqlite":
        base = tmp_path / "base.sqlite3"
        manage(f"sqlite:///{base}", "migrate", "--verbosity", "0")
        urls = []
        for name in ("one", "two"):
            shutil.copy(base, tmp_path / f"{name}.sqlite3")
            urls.append(f"sqlite:///{tmp_path / name}.sqlite3")
        yield urls
        return
    import dj_database_url
    import psycopg

    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        pytest.skip("PostgreSQL runs only when DATABASE_URL names a PostgreSQL server")
    server = dj_database_url.parse(configured)
    names = [f"{server['NAME']}_jobs_{name}" for name in ("one", "two")]
    admin = configured.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    urls = [f"{admin.rsplit('/', 1)[0]}/{name}" for name in names]
    for url in urls:
        manage(url, "migrate", "--verbosity", "0")
    yield urls
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def corpus(folder):
    """The samples and variants of them (other years, a serial number): new content each."""
    folder.mkdir()
    for path in SAMPLES:
        shutil.copy(path, folder / path.name)
        for n in range(2):
            text = path.read_text(encoding="utf-8").replace("2017年", f"{2018 + n}年")
            (folder / f"v{n}_{path.name}").write_text(f"{text}\n(汇编第{n}号)", encoding="utf-8")
    return sorted(folder.iterdir())


def test_two_processes_write_what_one_process_writes(tmp_path, databases):
    files = corpus(tmp_path / "documents")
    assert len(files) == 15
    one, two = databases
    out_one = manage(one, "ingest", str(tmp_path / "documents"))
    out_two = manage(two, "ingest", "--jobs", "2", str(tmp_path / "documents"))
    summary = "15 documents: 15 created, 0 updated, 0 unchanged, 0 failed"
    assert summary in out_one and summary in out_two
    # The per-document lines come in file order whatever process finished first.
    names = [line.split(":")[0] for line in out_two.splitlines() if " · document " in line]
    assert names == [path.name for path in files]
    first, second = snapshot(one), snapshot(two)
    assert len(first["documents"]) == 15
    assert len(first["initiatives"]) > 300 and len(first["targets"]) > 30
    for name in SNAPSHOT:
        assert first[name] == second[name], name
    # Again, with two processes: nothing new, nothing changed.
    again = manage(two, "ingest", "--jobs", "2", str(tmp_path / "documents"))
    assert "15 documents: 0 created, 0 updated, 15 unchanged, 0 failed" in again
    assert snapshot(two) == second


def test_progress_line_shows_documents_rate_and_time_left(tmp_path):
    files = []
    for n, size in enumerate((300, 100)):
        path = tmp_path / f"{n}.txt"
        path.write_text("就" * size, encoding="utf-8")
        files.append(path)
    out = io.StringIO()
    progress = Progress(files, out.write)
    progress.done(files[0], 300)
    line = out.getvalue()
    assert line.startswith("\r1/2 documents · ") and "characters/s · ETA 0:0" in line
    progress.done(files[1], 100)
    assert out.getvalue().endswith("· ETA 0:00 ")
    assert "\r2/2 documents" in out.getvalue()


def test_a_negative_job_count_is_refused(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--jobs"):
        call_command("ingest", str(SAMPLES[0]), "--jobs", "-1", stdout=io.StringIO())


class CountingPool:
    """A pool that runs each task when its result is taken, counting what is handed out."""

    def __init__(self):
        self.outstanding = self.most_outstanding = 0

    def apply_async(self, function, args):
        self.outstanding += 1
        self.most_outstanding = max(self.most_outstanding, self.outstanding)
        pool = self

        class Result:
            def get(self):
                pool.outstanding -= 1
                return function(*args)

        return Result()


def test_workers_read_ahead_of_the_writer_by_a_few_documents_only():
    from ingest.management.commands.ingest import in_order_bounded

    pool = CountingPool()
    results = list(in_order_bounded(pool, lambda n: n * n, range(50), window=4))
    assert results == [n * n for n in range(50)]
    assert pool.most_outstanding == 4
