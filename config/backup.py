"""Back up and restore the whole knowledge base: ``bin/backup FILE`` and ``bin/restore FILE``.

The database is the one ``DATABASE_URL`` names (config/settings.py), and the backup holds
all of it: documents, initiatives, targets, the full-text index, curators' edits, users,
the gazetteer and vocabularies.

- SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) — a consistent copy
  while the site runs, written to ``FILE.partial`` and renamed when complete and checked
  (``PRAGMA integrity_check``). The backup is itself an SQLite database. Restore copies it
  back with the same API, in one step, under SQLite's lock.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot) and ``pg_restore
  --clean --if-exists --single-transaction`` (all or nothing), both from Debian's
  postgresql-client, which must match the server's major version or be newer.

Restore refuses a database that already holds documents unless ``--replace`` is given.
After a restore, nothing else is needed: the FTS5 table (SQLite) and the generated tsvector
column with its GIN index (PostgreSQL) come back with the data.
"""

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    return settings.DATABASES["default"]


def _is_sqlite(db):
    return db["ENGINE"].endswith("sqlite3")


def _pg_env(db):
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or "127.0.0.1"),
        PGPORT=str(db.get("PORT") or 5432),
        PGUSER=str(db.get("USER") or ""),
        PGDATABASE=str(db["NAME"]),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _sqlite(path, **kwargs):
    connection = sqlite3.connect(path, **kwargs)
    # Django registers REGEXP on its own connections; CHECK constraints use it, so the
    # integrity check needs it too.
    connection.create_function("REGEXP", 2, _regexp, deterministic=True)
    return connection


def _regexp(pattern, value):
    return None if value is None else re.search(pattern, str(value)) is not None


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found: apt-get install postgresql-client")
    return path


def backup(target):
    db = _setup()
    target = Path(target).resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    if _is_sqlite(db):
        source = _sqlite(db["NAME"])
        copy = _sqlite(partial)
        try:
            source.backup(copy, pages=4096)  # in steps: writers are not blocked for long
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if check != "ok":
            partial.unlink(missing_ok=True)
            raise SystemExit(f"backup failed its integrity check: {check}")
    else:
        subprocess.run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                partial,
            ],
            env=_pg_env(db),
            check=True,
        )
    os.replace(partial, target)
    print(
        f"backed up {db['NAME']} to {target} "
        f"({target.stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.1f} s)"
    )


def _holds_documents(db):
    from django.db import connection

    with connection.cursor() as cursor:
        if "initiatives_document" not in connection.introspection.table_names(cursor):
            return False
        cursor.execute("SELECT count(*) FROM initiatives_document")
        return cursor.fetchone()[0] > 0


def restore(source, replace=False):
    db = _setup()
    source = Path(source).resolve()
    if not source.is_file():
        raise SystemExit(f"{source}: no such backup file")
    if _holds_documents(db) and not replace:
        raise SystemExit(
            f"{db['NAME']} already holds documents; restore would replace everything in it. "
            "Run again with --replace to do that."
        )
    from django.db import connection

    connection.close()
    started = time.monotonic()
    if _is_sqlite(db):
        backup_db = _sqlite(f"file:{source}?mode=ro", uri=True)
        try:
            check = backup_db.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master")}
            if check != "ok" or "django_migrations" not in tables:
                raise SystemExit(f"{source} is not a backup of this knowledge base ({check})")
            live = _sqlite(db["NAME"])
            try:
                backup_db.backup(live)  # one step, under the lock: readers never see a mix
            finally:
                live.close()
        finally:
            backup_db.close()
    else:
        subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(db["NAME"]),
                source,
            ],
            env=_pg_env(db),
            check=True,
        )
    print(f"restored {source} into {db['NAME']} in {time.monotonic() - started:.1f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write the database named by DATABASE_URL to FILE")
    make.add_argument("file")
    back = commands.add_parser("restore", help="replace the database's content with FILE")
    back.add_argument("file")
    back.add_argument("--replace", action="store_true", help="even if it holds documents")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            backup(args.file)
        else:
            restore(args.file, replace=args.replace)
    except sqlite3.DatabaseError as error:
        raise SystemExit(f"{args.file}: not a usable SQLite backup ({error})") from None
    except subprocess.CalledProcessError as error:
        raise SystemExit(
            f"{Path(error.cmd[0]).name} failed with status {error.returncode}"
        ) from None


if __name__ == "__main__":
    sys.exit(main())
