"""Writers side by side: two ingests of the same files at once, and pages read during a write.

Each test runs real processes (``manage.py ingest``, gunicorn) on a scratch database of the
suite's kind, as a deployment would.
"""

import sqlite3
import subprocess
import sys
import time

import pytest

from tests.test_faults import (
    BASE_DIR,
    SAMPLES,
    VENDOR,
    base_env,
    get,
    gunicorn,
    pg_admin,
    pg_connect,
    postgres_url,
    run_manage,
)


@pytest.fixture
def empty_database(tmp_path):
    """A migrated database with nothing ingested: its URL."""
    if VENDOR == "postgresql":
        name = f"concurrent_writers_{time.monotonic_ns()}"
        pg_admin(f"CREATE DATABASE {name}")
        url = postgres_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'writers.sqlite3'}"
    run_manage("migrate", "--no-input", "-v", "0", env=base_env(url))
    yield url
    if VENDOR == "postgresql":
        pg_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        pg_admin(f"DROP DATABASE IF EXISTS {name}")


def counts(url):
    tables = ["initiatives_document", "initiatives_initiative", "initiatives_target"]
    if VENDOR == "postgresql":
        with pg_connect(url) as conn:
            return [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]


def test_two_ingests_of_the_same_files_at_once_both_finish_with_one_result(empty_database):
    env = base_env(empty_database)
    command = [sys.executable, "manage.py", "ingest", str(SAMPLES)]
    runs = [
        subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    outputs = [run.communicate(timeout=600) for run in runs]
    documents = len([p for p in SAMPLES.iterdir() if p.suffix == ".txt"])
    created = 0
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, out + err
        assert "Traceback" not in err and "locked" not in err, err
        summary = out.strip().splitlines()[-1]
        assert summary.startswith(f"{documents} documents: "), summary
        assert "0 failed" in summary
        created += int(summary.split(" created")[0].rsplit(" ", 1)[1])
    # Each document was written once, by one of the two; the other found it there.
    assert created == documents
    together = counts(empty_database)
    assert together[0] == documents
    # The same result as one ingest on its own: running it again changes nothing.
    again = run_manage("ingest", str(SAMPLES), env=env)
    assert f"0 created, 0 updated, {documents} unchanged" in again.stdout
    assert counts(empty_database) == together


@pytest.mark.skipif(VENDOR != "sqlite", reason="SQLite's locking")
def test_pages_answer_while_an_ingest_holds_the_write_lock(empty_database, tmp_path):
    run_manage("ingest", str(sorted(SAMPLES.glob("*.txt"))[2]), env=base_env(empty_database))
    with gunicorn(tmp_path, empty_database) as (base, _, _log):
        writer = sqlite3.connect(empty_database.removeprefix("sqlite:///"), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # what an ingest's transaction holds
        writer.execute("UPDATE initiatives_document SET title = title || '.'")
        try:
            for path in (
                "/initiatives/?q=%E5%B0%B1%E4%B8%9A",
                "/targets/",
                "/initiatives/export.csv",
            ):
                began = time.monotonic()
                status, _headers, body = get(base + path)
                assert status == 200, (path, body[:300])
                assert time.monotonic() - began < 5  # not waiting for the writer
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        journal = sqlite3.connect(empty_database.removeprefix("sqlite:///"))
        assert journal.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        journal.close()
