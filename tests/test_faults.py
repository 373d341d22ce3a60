"""Failures: the database going away gives a 503 page and the site recovers by itself; an
ingest killed half-way leaves no partial document.

The server tests run gunicorn (DEBUG off, the production middleware and error pages) on a
scratch database of the suite's kind: on PostgreSQL the backend serving a request is
terminated with ``pg_terminate_backend`` from a second connection in the middle of that
request, then every backend is terminated between requests (``CONN_HEALTH_CHECKS`` must
notice); on SQLite the database file becomes unreadable. The ingest test SIGKILLs
``manage.py ingest`` after a document's rows are written but before they are committed.
"""

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from config.errors import server_error
from tests.factories import make_initiative

BASE_DIR = Path(__file__).resolve().parent.parent
SAMPLES = BASE_DIR / "fixtures" / "documents"
VENDOR = (
    "postgresql" if "postgresql" in django_settings.DATABASES["default"]["ENGINE"] else "sqlite"
)


# --- in process: the error handling itself ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_in_a_view_is_a_503_page_with_retry_after(monkeypatch, caplog, error):
    from initiatives.search import facets

    def gone(*args, **kwargs):
        raise error("server closed the connection unexpectedly (secret detail)")

    monkeypatch.setattr(facets, "year_and_kind_facets", gone)
    response = Client(raise_request_exception=False).get("/initiatives/?q=就业")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(django_settings.DATABASE_RETRY_AFTER)
    assert "暂时无法访问" in body and "secret detail" not in body and "Traceback" not in body
    logged = [r for r in caplog.records if r.name == "config.errors"]
    assert logged and logged[0].exc_info and "secret detail" in str(logged[0].exc_info[1])


def test_a_database_error_outside_a_view_is_a_503_and_anything_else_a_500():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and "Retry-After" in response
    try:
        raise KeyError("x")
    except KeyError:
        response = server_error(request)
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_are_not_mistaken_for_an_outage(monkeypatch):
    from initiatives.search import facets

    monkeypatch.setattr(facets, "year_and_kind_facets", lambda *a: 1 / 0)
    make_initiative()
    response = Client(raise_request_exception=False).get("/initiatives/")
    assert response.status_code == 500


# --- scratch databases and a real server ------------------------------------------------------


def postgres_url(name):
    db = django_settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def pg_admin(sql):
    with pg_connect(postgres_url("postgres")) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else None


def pg_connect(url):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)


def run_manage(*args, env, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def base_env(database_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="faults-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def scratch_database(tmp_path_factory):
    """A migrated database of the suite's kind with one sample document: its URL."""
    if VENDOR == "postgresql":
        name = f"reliability_faults_{os.getpid()}"
        pg_admin(f"DROP DATABASE IF EXISTS {name}")
        pg_admin(f"CREATE DATABASE {name}")
        url = postgres_url(name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('faults') / 'scratch.sqlite3'}"
    env = base_env(url)
    run_manage("migrate", "--no-input", "-v", "0", env=env)
    run_manage("ingest", str(sorted(SAMPLES.glob("*.txt"))[2]), env=env)
    yield url
    if VENDOR == "postgresql":
        pg_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        pg_admin(f"DROP DATABASE IF EXISTS {name}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The server's settings: production settings, but static files without a manifest (no
# collectstatic in a test), and a WSGI module that can cut its own database connection.
SERVER_SETTINGS = """
from config.settings import *  # noqa: F403
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""
SERVER_WSGI = """
import os
import re
from config.wsgi import application  # noqa: F401
from django.db import connection
from initiatives.search import facets

TRIGGER = os.environ["FAULT_TRIGGER"]
_original = facets.year_and_kind_facets


def _cut_connection_then_continue(filter_set):
    # Mid-request: this request has used its connection (so the health check at its start
    # has passed); a second connection now terminates the backend serving it, and the
    # request goes on to its next query.
    if os.path.exists(TRIGGER):
        os.remove(TRIGGER)
        import psycopg

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pid = connection.connection.info.backend_pid
        url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits for it
    return _original(filter_set)


facets.year_and_kind_facets = _cut_connection_then_continue
"""


@contextlib.contextmanager
def gunicorn(tmp_path, database_url, workers=1, **extra_env):
    (tmp_path / "fault_settings.py").write_text(SERVER_SETTINGS)
    (tmp_path / "fault_wsgi.py").write_text(SERVER_WSGI)
    port = free_port()
    trigger = tmp_path / "cut-now"
    log = (tmp_path / "gunicorn.log").open("w")
    env = base_env(
        database_url,
        DJANGO_SETTINGS_MODULE="fault_settings",
        PYTHONPATH=f"{tmp_path}{os.pathsep}{BASE_DIR}",
        FAULT_TRIGGER=str(trigger),
        **extra_env,
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "fault_wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/api/openapi.json", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.3)
        yield base, trigger, tmp_path / "gunicorn.log"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


SEARCH = "/initiatives/?q=%E5%B0%B1%E4%B8%9A"  # q=就业


@pytest.mark.skipif(VENDOR != "postgresql", reason="terminates PostgreSQL backends")
def test_postgres_backend_killed_mid_request_gives_503_then_recovers(scratch_database, tmp_path):
    with gunicorn(tmp_path, scratch_database) as (base, trigger, log):
        assert get(base + SEARCH)[0] == 200
        trigger.touch()
        status, headers, body = get(base + SEARCH)
        assert status == 503, body[:500]
        assert headers["Retry-After"] == str(django_settings.DATABASE_RETRY_AFTER)
        assert "暂时无法访问" in body and "Traceback" not in body
        assert not trigger.exists()
        # The next request gets a new connection.
        assert get(base + SEARCH)[0] == 200
        # Every backend terminated between requests: the health check notices, no 503.
        name = scratch_database.rsplit("/", 1)[1]
        with pg_connect(postgres_url("postgres")) as conn:
            killed = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchone()[0]
        assert killed >= 1
        assert [get(base + SEARCH)[0] for _ in range(3)] == [200, 200, 200]
        text = log.read_text()
        assert "database unavailable: GET /initiatives/?q=就业" in text
        assert "Traceback" in text  # the stack goes to the log
        assert " 503 " in text and " 200 " in text  # the request lines


@pytest.mark.skipif(VENDOR != "sqlite", reason="locks the SQLite file")
def test_sqlite_database_locked_gives_503_then_recovers(scratch_database, tmp_path):
    """Another process locks the whole file (a restore) past the busy timeout.

    In WAL mode a writer's lock does not stop readers (tests/test_concurrent_writers.py);
    a connection in exclusive locking mode that has written does."""
    holder = sqlite3.connect(scratch_database.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")  # before any other connection opens it
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE initiatives_document SET title = title")
    with gunicorn(tmp_path, scratch_database, SQLITE_BUSY_TIMEOUT="2") as (base, _, log):
        try:
            status, headers, body = get(base + SEARCH)
            assert status == 503, body[:500]
            assert "Retry-After" in headers and "暂时无法访问" in body
            assert get(base + "/initiatives/export.csv")[0] == 503
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert get(base + SEARCH)[0] == 200
        assert get(base + "/initiatives/export.csv")[0] == 200
        assert "database unavailable" in log.read_text()


def test_database_unreachable_from_the_start_gives_503(tmp_path):
    # A server whose database is not there at all (nothing listens on the port / no file).
    url = (
        postgres_url("nowhere").rsplit("@", 1)[0] + f"@127.0.0.1:{free_port()}/nowhere"
        if VENDOR == "postgresql"
        else f"sqlite:///{tmp_path}/missing-dir/db.sqlite3"
    )
    with gunicorn(tmp_path, url) as (base, _, _log):
        for path in ("/", SEARCH, "/api/initiatives", "/initiatives/export.csv", "/targets/"):
            status, headers, body = get(base + path)
            assert status == 503, (path, status, body[:300])
            assert "Retry-After" in headers


# --- an ingest killed half-way ----------------------------------------------------------------

KILLABLE_INGEST = """
import os, sys, time
import django
django.setup()
from ingest import pipeline

_write = pipeline.write_extraction
calls = []


def write_then_hang(document, extraction, meta, **options):
    result = _write(document, extraction, meta, **options)
    calls.append(document.file_name)
    if len(calls) == 2:  # the second document: all rows written, not yet committed
        with open(os.environ["KILL_MARK"], "w") as mark:
            mark.write(document.file_name)
        time.sleep(300)
    return result


pipeline.write_extraction = write_then_hang
from django.core.management import call_command

call_command("ingest", *sys.argv[1:])
"""


ORPHANS = """SELECT
    (SELECT count(*) FROM initiatives_initiative
      WHERE document_id NOT IN (SELECT id FROM initiatives_document))
  + (SELECT count(*) FROM initiatives_target
      WHERE document_id NOT IN (SELECT id FROM initiatives_document))"""


def table_counts(url):
    tables = [
        "initiatives_document",
        "initiatives_initiative",
        "initiatives_initiativeregion",
        "initiatives_target",
        "initiatives_initiative_themes",
        "initiatives_initiative_instruments",
    ]
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        # Django registers REGEXP on its connections; CHECK constraints use it.
        conn.create_function(
            "REGEXP", 2, lambda pattern, value: bool(re.search(pattern, value or ""))
        )
        try:
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
            counts["fts"] = conn.execute("SELECT count(*) FROM initiative_fts").fetchone()[0]
            counts["orphans"] = conn.execute(ORPHANS).fetchone()[0]
            names = [r[0] for r in conn.execute("SELECT file_name FROM initiatives_document")]
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    else:
        with pg_connect(url) as conn:
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
            counts["orphans"] = conn.execute(ORPHANS).fetchone()[0]
            names = [r[0] for r in conn.execute("SELECT file_name FROM initiatives_document")]
    return counts, sorted(names)


def test_an_ingest_killed_half_way_leaves_no_partial_document(scratch_database, tmp_path):
    documents = sorted(SAMPLES.glob("*.txt"))
    folder = tmp_path / "batch"
    folder.mkdir()
    first, second = documents[0], documents[1]
    for path in (first, second):
        (folder / path.name).write_bytes(path.read_bytes())
    before, names_before = table_counts(scratch_database)
    mark = tmp_path / "written"
    script = tmp_path / "killable_ingest.py"
    script.write_text(KILLABLE_INGEST)
    env = base_env(scratch_database, DJANGO_SETTINGS_MODULE="config.settings", KILL_MARK=str(mark))
    env["PYTHONPATH"] = str(BASE_DIR)
    process = subprocess.Popen(
        [sys.executable, str(script), str(folder)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not mark.exists():
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "ingest never reached the second document"
            time.sleep(0.05)
        assert mark.read_text() == second.name
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    after, names = table_counts(scratch_database)
    assert first.name in names and second.name not in names  # the first was committed
    gained = {table: after[table] - before[table] for table in before if table != "orphans"}
    assert gained["initiatives_document"] == 1

    # Nothing else of the second document: no rows outside a committed document.
    assert after["orphans"] == 0
    if "fts" in after:
        assert after["fts"] == after["initiatives_initiative"]
    # Run again: the first is unchanged, the second is created whole.
    out = run_manage("ingest", str(folder), env=env).stdout
    assert "2 documents: 1 created, 0 updated, 1 unchanged, 0 failed" in out
    final, names_final = table_counts(scratch_database)
    assert set(names_final) - set(names_before) == {first.name, second.name}
    print(json.dumps({"killed_run_added": gained, "vendor": VENDOR}))
