"""bin/backup and bin/restore: a backup restored into an empty database holds every row, and
full-text search still finds what it found before. Runs on the suite's kind of database
(SQLite: the online backup API; PostgreSQL: pg_dump -Fc / pg_restore), on scratch
databases, through the scripts as an operator would run them."""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

BASE_DIR = Path(__file__).resolve().parent.parent
SAMPLES = sorted((BASE_DIR / "fixtures" / "documents").glob("*.txt"))
VENDOR = (
    "postgresql" if "postgresql" in django_settings.DATABASES["default"]["ENGINE"] else "sqlite"
)

SEARCH = """
import json, django
django.setup()
from initiatives.search.filters import InitiativeFilter
from initiatives.models import Document
print(json.dumps({q: sorted(InitiativeFilter({"q": q}).qs.values_list("pk", flat=True))
                  for q in ["创业担保贷款", "农民工", "高校毕业生", "就业"]}))
"""


def postgres_url(name):
    db = django_settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def pg(url, sql, params=()):
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def env_for(url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(BASE_DIR))
    return env


def run(args, url, check=True):
    result = subprocess.run(
        args, cwd=BASE_DIR, env=env_for(url), capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def manage(url, *args):
    return run([sys.executable, "manage.py", *args], url)


@pytest.fixture
def databases(tmp_path):
    """(make a new empty database → its URL), dropped at the end."""
    made = []

    def new(label):
        if VENDOR == "postgresql":
            name = f"reliability_backup_{label}_{uuid.uuid4().hex[:8]}"
            pg(postgres_url("postgres"), f"CREATE DATABASE {name}")
            made.append(name)
            return postgres_url(name)
        return f"sqlite:///{tmp_path / label}.sqlite3"

    yield new
    for name in made:
        pg(
            postgres_url("postgres"),
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [name],
        )
        pg(postgres_url("postgres"), f"DROP DATABASE IF EXISTS {name}")


def table_counts(url):
    if VENDOR == "postgresql":
        tables = [
            r[0]
            for r in pg(
                url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: pg(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'initiative_fts_%' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def searches(url):
    return json.loads(run([sys.executable, "-c", SEARCH], url).stdout)


def test_backup_restored_into_an_empty_database_has_every_row(databases, tmp_path):
    source = databases("source")
    manage(source, "migrate", "--no-input", "-v", "0")
    manage(source, "ingest", *map(str, SAMPLES[:3]))
    manage(source, "ensure_admin")  # a user row too
    before = table_counts(source)
    found = searches(source)
    assert before["initiatives_document"] == 3 and before["initiatives_initiative"] > 100
    assert all(found.values()), found

    backup = tmp_path / "kb.backup"
    out = run(["bin/backup", str(backup)], source).stdout
    assert backup.is_file() and "backed up" in out
    assert not backup.with_name("kb.backup.partial").exists()

    empty = databases("restored")
    out = run(["bin/restore", str(backup)], empty).stdout
    assert "restored" in out
    after = table_counts(empty)
    assert after == before
    assert searches(empty) == found  # the full-text index came back with the rows
    assert "No migrations to apply" in manage(empty, "migrate", "--no-input").stdout


def test_restore_refuses_a_database_with_documents_unless_told_to_replace(databases, tmp_path):
    source = databases("source")
    manage(source, "migrate", "--no-input", "-v", "0")
    manage(source, "ingest", str(SAMPLES[0]))
    backup = tmp_path / "kb.backup"
    run(["bin/backup", str(backup)], source)
    counts = table_counts(source)

    manage(source, "ingest", str(SAMPLES[1]))  # changed since the backup
    refused = run(["bin/restore", str(backup)], source, check=False)
    assert refused.returncode != 0 and "--replace" in refused.stderr
    assert table_counts(source)["initiatives_document"] == 2  # untouched

    run(["bin/restore", str(backup), "--replace"], source)
    assert table_counts(source) == counts


def test_a_missing_or_foreign_backup_file_is_refused(databases, tmp_path):
    target = databases("target")
    missing = run(["bin/restore", str(tmp_path / "nope.backup")], target, check=False)
    assert missing.returncode != 0 and "no such backup file" in missing.stderr
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all" * 100)
    refused = run(["bin/restore", str(junk)], target, check=False)
    assert refused.returncode != 0
