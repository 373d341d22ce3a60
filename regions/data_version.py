"""The version of the data that per-process caches are built from: regions and instruments.

Each gunicorn worker keeps the gazetteer (``regions.gazetteer``) and the segmenter's user
dictionary (``initiatives.search.segmentation``) in memory. A curator's edit reaches the worker that
saved it through Django's signals, but not the others. So triggers on the tables those caches
read write a new random stamp into the one-row table ``vocabulary_stamp`` on every change
(admin saves, bulk updates, raw SQL alike), and a cache remembers the stamp it was built
under: when the stamp has moved, the next request rebuilds it.

The stamp is read at most once per request (one primary-key lookup, shared by every cache),
and not at all outside requests: a command keeps what it loaded when it started, and sees
its own edits through the signals.
"""

from django.core.signals import request_started
from django.db import connections

TABLE = "vocabulary_stamp"
# The tables the caches are built from (the gazetteer: regions; the dictionary: both).
WATCHED = ("regions_region", "initiatives_policyinstrument")


def _sqlite_ddl():
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
            id INTEGER PRIMARY KEY CHECK (id = 1), stamp INTEGER NOT NULL)"""
    ]
    for table in WATCHED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"""CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_vocabulary_stamp
                    AFTER {event} ON {table} BEGIN
                    INSERT INTO {TABLE} (id, stamp) VALUES (1, random())
                    ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
                END"""
            )
    return statements


def _postgres_ddl():
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
            id integer PRIMARY KEY CHECK (id = 1), stamp bigint NOT NULL)""",
        f"""CREATE OR REPLACE FUNCTION vocabulary_touch() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {TABLE} (id, stamp) VALUES (1, floor(random() * 9e18)::bigint)
                ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
                RETURN NULL;
            END $$""",
    ]
    for table in WATCHED:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_vocabulary_stamp ON {table}")
        statements.append(
            f"""CREATE TRIGGER {table}_vocabulary_stamp
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION vocabulary_touch()"""
        )
    return statements


def install(connection):
    """Create the stamp table and its triggers (idempotent: SQLite drops a table's triggers
    when a migration rebuilds it, so this runs again after every migrate)."""
    ddl = _postgres_ddl if connection.vendor == "postgresql" else _sqlite_ddl
    with connection.cursor() as cursor:
        for statement in ddl():
            cursor.execute(statement)


def uninstall(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in WATCHED:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_vocabulary_stamp ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS vocabulary_touch()")
        else:
            for table in WATCHED:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_vocabulary_stamp")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


_request = 0  # counts requests; a stamp read during request n serves all of request n
_seen = {}  # database alias -> (request number, stamp)


def next_request(**kwargs):
    """A new request began: the stamp is read again on its first use."""
    global _request
    _request += 1


request_started.connect(next_request, dispatch_uid="regions.data_version")


def stamp(using="default"):
    """The current data version (``None`` before the first change).

    Read from the database on the first call of each request; outside requests the value
    last read is kept (read once if there is none).
    """
    seen = _seen.get(using)
    if seen is not None and seen[0] == _request:
        return seen[1]
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    value = row[0] if row else None
    _seen[using] = (_request, value)
    return value


def forget():
    """Read the stamp again on the next call (tests; a process that wants fresh data)."""
    _seen.clear()
