"""The triggers the facet index follows: a random stamp rewritten on every change of the tables
it reads, and the change log of touched initiative ids (SQLite and PostgreSQL DDL)."""

import re
from contextlib import contextmanager

STAMP_TABLE = "initiative_index_stamp"
CHANGES_TABLE = "initiative_index_changes"
# SQLite: while this table has a row (only ever inside one writing transaction, so no other
# connection sees it), the row triggers on INSERT stand aside; ``bulk_inserts`` does their
# work once per statement instead (full-text rows, change log, stamp).
QUIET_TABLE = "initiative_index_quiet"
QUIET = f"WHEN NOT EXISTS (SELECT 1 FROM {QUIET_TABLE})"

# What each watched table's changes can move: rows, years, kinds, links.
WATCHED = {
    # search_text too: the text matches are cached under the stamp (``text_matches``).
    "initiatives_initiative": (
        "INSERT",
        "DELETE",
        "UPDATE OF status, year, year_start, year_end, document_id, search_text",
    ),
    "initiatives_document": ("DELETE", "UPDATE OF kind"),
    "initiatives_initiativeregion": ("INSERT", "DELETE", "UPDATE"),
    "initiatives_initiative_themes": ("INSERT", "DELETE", "UPDATE"),
    "initiatives_initiative_instruments": ("INSERT", "DELETE", "UPDATE"),
}


def _existing(connection, watched):
    """``watched`` without the UPDATE OF columns a table does not have yet: the stamp is
    installed by an early migration, before later ones add columns (year_start, year_end)."""
    out = {}
    with connection.cursor() as cursor:
        for table, events in watched.items():
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
            kept = []
            for event in events:
                if event.startswith("UPDATE OF "):
                    names = [n.strip() for n in event[len("UPDATE OF ") :].split(",")]
                    event = "UPDATE OF " + ", ".join(n for n in names if n in columns)
                kept.append(event)
            out[table] = tuple(kept)
    return out


def _sqlite_ddl(watched=WATCHED):
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {STAMP_TABLE} (
            id INTEGER PRIMARY KEY CHECK (id = 1), stamp INTEGER NOT NULL)""",
        f"CREATE TABLE IF NOT EXISTS {QUIET_TABLE} (id INTEGER PRIMARY KEY)",
    ]
    for table, events in watched.items():
        for event in events:
            kind = event.split()[0]
            name = f"{table}_{kind.lower()}_stamp"
            # Made again each time, so the INSERT ones gain the ``QUIET`` condition.
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"""CREATE TRIGGER {name} AFTER {event} ON {table}
                {QUIET if kind == "INSERT" else ""} BEGIN
                    INSERT INTO {STAMP_TABLE} (id, stamp) VALUES (1, random())
                    ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
                END"""
            )
    return statements


def _postgres_ddl(watched=WATCHED):
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {STAMP_TABLE} (
            id integer PRIMARY KEY CHECK (id = 1), stamp bigint NOT NULL)""",
        f"""CREATE OR REPLACE FUNCTION initiative_index_touch() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {STAMP_TABLE} (id, stamp)
                VALUES (1, floor(random() * 9e18)::bigint)
                ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
                RETURN NULL;
            END $$""",
    ]
    for table, events in watched.items():
        # One trigger per statement, not per row: a bulk insert pays once.
        statements.append(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
        statements.append(
            f"""CREATE TRIGGER {table}_stamp AFTER {" OR ".join(events)} OR TRUNCATE
                ON {table} FOR EACH STATEMENT EXECUTE FUNCTION initiative_index_touch()"""
        )
    return statements


STAMP_DDL = {"sqlite": _sqlite_ddl, "postgresql": _postgres_ddl}


def _watched_columns(event):
    """``UPDATE OF a, b`` → ``["a", "b"]`` (``[]``: any column)."""
    found = re.fullmatch(r"UPDATE OF (.+)", event)
    return [c.strip() for c in found.group(1).split(",")] if found else []


def _sqlite_touched(table, side):
    """The statement a SQLite row trigger on ``table`` runs to log the initiative the row
    ``side`` (``new``/``old``) touches."""
    insert = f"INSERT INTO {CHANGES_TABLE} (initiative_id, token)"
    if table == "initiatives_initiative":
        return f"{insert} VALUES ({side}.id, random());"
    if table == "initiatives_document":
        return (
            f"{insert} SELECT id, random() FROM initiatives_initiative"
            f" WHERE document_id = {side}.id;"
        )
    return f"{insert} VALUES ({side}.initiative_id, random());"


def _postgres_touched(table, kind, event):
    """The query a PostgreSQL statement trigger on ``table`` runs to list the initiatives
    its statement touched, from the transition tables ``new_rows``/``old_rows``."""
    if kind == "UPDATE":
        rows = "new_rows n JOIN old_rows o ON o.id = n.id"
        changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in _watched_columns(event))
        if changed:
            rows += f" WHERE {changed}"
        if table == "initiatives_initiative":
            return f"SELECT n.id FROM {rows}"
        if table == "initiatives_document":
            return (
                "SELECT i.id FROM initiatives_initiative i"
                f" JOIN (SELECT n.id FROM {rows}) d ON i.document_id = d.id"
            )
        # A link moved to another initiative touches both.
        return f"SELECT n.initiative_id FROM {rows} UNION SELECT o.initiative_id FROM {rows}"
    side = "new_rows" if kind == "INSERT" else "old_rows"
    if table == "initiatives_initiative":
        return f"SELECT id FROM {side}"
    if table == "initiatives_document":
        return f"SELECT i.id FROM initiatives_initiative i JOIN {side} d ON i.document_id = d.id"
    return f"SELECT initiative_id FROM {side}"


# Each log entry carries a random token: an entry rolled back and its number reused by
# SQLite, or gone from PostgreSQL's sequence, no longer matches what an index applied.
def _sqlite_changes_ddl():
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {CHANGES_TABLE} (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            initiative_id INTEGER,
            token INTEGER NOT NULL)"""
    ]
    for table, events in WATCHED.items():
        for event in events:
            kind = event.split()[0]
            sides = {"INSERT": ["new"], "DELETE": ["old"], "UPDATE": ["old", "new"]}[kind]
            body = " ".join(_sqlite_touched(table, side) for side in sides)
            name = f"{table}_{kind.lower()}_change"
            # Made again each time: a column added to WATCHED takes effect at the next migrate.
            quiet = QUIET if kind == "INSERT" else ""
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {quiet} BEGIN {body} END"
            )
    return statements


def _postgres_changes_ddl():
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {CHANGES_TABLE} (
            seq bigserial PRIMARY KEY, initiative_id bigint, token bigint NOT NULL)""",
        # A truncated table names no rows: a NULL entry means "start again".
        f"""CREATE OR REPLACE FUNCTION initiative_index_truncated() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {CHANGES_TABLE} (initiative_id, token)
                VALUES (NULL, floor(random() * 9e18)::bigint);
                RETURN NULL;
            END $$""",
    ]
    for table, events in WATCHED.items():
        for event in (*events, "TRUNCATE"):
            kind = event.split()[0]
            # Named after the stamp's trigger ("…_stamp"), so fired after it (PostgreSQL
            # fires a table's triggers in name order): the stamp row's lock is held before
            # the log's sequence numbers are drawn, which makes them commit in order.
            trigger = f"{table}_stamp_{kind.lower()}_change"
            statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            if kind == "TRUNCATE":
                function, referencing = "initiative_index_truncated", ""
            else:
                function = f"{table}_{kind.lower()}_change"
                referencing = (
                    "REFERENCING "
                    + {
                        "INSERT": "NEW TABLE AS new_rows",
                        "DELETE": "OLD TABLE AS old_rows",
                        "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
                    }[kind]
                )
                statements.append(
                    f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO {CHANGES_TABLE} (initiative_id, token)
                        SELECT touched.id, floor(random() * 9e18)::bigint
                        FROM ({_postgres_touched(table, kind, event)}) AS touched (id);
                        RETURN NULL;
                    END $$"""
                )
            statements.append(
                f"""CREATE TRIGGER {trigger} AFTER {kind} ON {table} {referencing}
                FOR EACH STATEMENT EXECUTE FUNCTION {function}()"""
            )
    return statements


CHANGES_DDL = {"sqlite": _sqlite_changes_ddl, "postgresql": _postgres_changes_ddl}


def install_stamp(connection):
    """Create the stamp table and its triggers, and the change log's triggers once migration
    0014 made the log (idempotent; SQLite loses a table's triggers when Django's schema
    editor rebuilds it, so this also runs after every migrate)."""
    watched = _existing(connection, WATCHED)
    with connection.cursor() as cursor:
        for statement in STAMP_DDL[connection.vendor](watched):
            cursor.execute(statement)
    if CHANGES_TABLE in connection.introspection.table_names():
        install_changes(connection)


def install_changes(connection):
    """Create the change log and its triggers (idempotent)."""
    with connection.cursor() as cursor:
        for statement in CHANGES_DDL[connection.vendor]():
            cursor.execute(statement)


@contextmanager
def bulk_inserts(connection, document_id):
    """Insert a document's first rows with the index's bookkeeping done once at the end.

    For a document that has no initiatives yet (a new one): inside the block, rows are only
    inserted into the watched tables, for this document's initiatives. On SQLite the row
    triggers on INSERT stand aside (``QUIET_TABLE``), and on leaving one statement each adds
    the document's initiatives to the full-text table and the change log and moves the
    stamp: what the row triggers would have written, without a log entry per link row.
    PostgreSQL's triggers already run once per statement and its text index is a column:
    nothing changes there. Must run inside a transaction (the caller's ``atomic``); an
    exception inside rolls the block back, flag included.
    """
    from django.db import transaction

    if connection.vendor != "sqlite":
        yield
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {QUIET_TABLE} (id) VALUES (1)")
        yield
        cursor.execute(f"DELETE FROM {QUIET_TABLE}")
        cursor.execute(
            "INSERT INTO initiative_fts (rowid, search_text) SELECT id, search_text"
            " FROM initiatives_initiative WHERE document_id = %s ORDER BY id",
            [document_id],
        )
        cursor.execute(
            f"INSERT INTO {CHANGES_TABLE} (initiative_id, token) SELECT id, random()"
            " FROM initiatives_initiative WHERE document_id = %s ORDER BY id",
            [document_id],
        )
        if cursor.rowcount:
            cursor.execute(
                f"INSERT INTO {STAMP_TABLE} (id, stamp) VALUES (1, random())"
                " ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp"
            )


def read_stamp(connection):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {STAMP_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def _log_position(connection):
    """``(seq, token)`` of the change log's last entry (``(0, None)``: empty)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, token FROM {CHANGES_TABLE} ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, None)
