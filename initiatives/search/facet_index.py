"""The visible initiatives' facet values held in memory as columns: counting and ordering.

Facet counts under "every other filter applies" (initiatives.search.facets) and the order of the
results are what a search costs. In SQL every facet is a GROUP BY over every match joined to
its links, which for a common word (就业: 57,000 of 100,000 rows) costs hundreds of
milliseconds however it is indexed. Here each worker process keeps, per database, the few
columns those need as numpy arrays (about 10 bytes per initiative and per link):

- per initiative (rows sorted by id): year, document kind and id, and the "newest" and
  "region" orders;
- per link: region links (region, prefecture, province), themes, instruments.

A filter becomes a boolean mask over the rows; a facet's counts are one ``bincount`` of its
links under the AND of the other masks; the result order is a mask over a precomputed order
(or, for relevance, a sort of the matches by the database's own rank). Only the text match
(FTS5 / GIN, ``initiatives.search.fulltext.match_ids``) and the page of rows shown come from SQL.

Staying in step without making a request wait:

- Triggers on the tables the index reads write a new random number into the one-row table
  ``initiative_index_stamp`` on every change (bulk paths, cascades, raw SQL and rolled-back
  transactions included: a rollback restores the old number, which stood for the old data),
  and append the touched initiative ids to the change log ``initiative_index_changes``.
- Each request reads the stamp (one primary-key lookup). The first request of a process
  builds the index; after that a request never builds or patches it: a background thread
  per process and database (``Updater``) reads the log since the last entry it applied,
  reloads only those initiatives and their links, and publishes a new index (the arrays
  sorted again: about 0.2 s at 100,000 rows against 1.2 s for a build; a full rebuild only
  when the log cannot be followed: pruned, rolled back, truncated, or more than
  REBUILD_SHARE of the rows changed).
  It also polls the stamp twice a second, so an edit is searchable well within 2 s.
- While the published index is behind the stamp, a request serves it with the rows of the
  unapplied log entries that are no longer visible (hidden or deleted) withheld: one query
  joining the log's tail to the initiatives. A hidden row is never shown or counted, even
  from a stale index; other edits of those rows (a new year or region) show once applied.

On PostgreSQL the stamp row serialises writing transactions, which ingest and curation
tolerate (one document or edit at a time); it also makes the log's sequence numbers commit
in order (the log triggers run after the stamp's), so "everything after entry N" is exact.
"""

import functools
import logging
import re
import threading
from dataclasses import dataclass, replace

import numpy as np
from django.db import connections

from initiatives.models import Document, Initiative, InitiativeRegion, Status
from initiatives.search import fulltext as search
from initiatives.search.segmentation import query_terms

logger = logging.getLogger(__name__)

STAMP_TABLE = "initiative_index_stamp"
CHANGES_TABLE = "initiative_index_changes"

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
    ]
    for table, events in watched.items():
        for event in events:
            name = f"{table}_{event.split()[0].lower()}_stamp"
            statements.append(
                f"""CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN
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
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END")
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


# Building -----------------------------------------------------------------------------------

KINDS = list(Document.Kind.values)
NO_YEAR = 0
NO_REGION = -1
# The per-initiative columns besides ``ids``, as ``FacetIndex`` fields; ``_read_rows`` is
# the one place that reads them (a patch carries each of them over the same way).
ROW_FIELDS = ("year", "year_start", "year_end", "kind", "document")
CHUNK = 500  # ids per query when reading a few initiatives


@dataclass
class FacetIndex:
    stamp: int | None
    ids: np.ndarray  # initiative ids, ascending; a row is a position here
    year: np.ndarray  # year or NO_YEAR
    year_start: np.ndarray  # the period in force, or NO_YEAR for both ends
    year_end: np.ndarray
    kind: np.ndarray  # index into KINDS
    document: np.ndarray  # document id
    newest: np.ndarray  # rows in "newest" order: year desc (none last), id desc
    by_region: np.ndarray  # rows by first region code (none last), year desc, id
    codes: np.ndarray  # the region codes the links use, ascending (as integers)
    link_row: np.ndarray  # region links, by row: row, and region / prefecture / province as
    link_region: np.ndarray  # positions in ``codes`` (NO_REGION: none)
    link_prefecture: np.ndarray
    link_province: np.ndarray
    province_row: np.ndarray  # (row, province) and (row, prefecture) once each: an
    province: np.ndarray  # initiative with two counties in one city counts once there
    prefecture_row: np.ndarray
    prefecture: np.ndarray
    theme_row: np.ndarray  # theme and instrument links, sorted by row
    theme_id: np.ndarray
    instrument_row: np.ndarray
    instrument_id: np.ndarray
    # The change log's last entry applied (seq, token): where the next patch starts.
    seq: int = 0
    token: int | None = None
    # Rows not to show although held: no longer visible since this index was made (set on
    # the copy a request gets while the index is behind; None: nothing withheld).
    withheld: np.ndarray | None = None

    def rows_of(self, ids):
        """``(rows, held)``: the rows of the ``ids`` the index holds, and which those are
        (hidden initiatives, or rows written since the index was built, are not held)."""
        ids = np.asarray(ids, dtype=np.int64)
        held = _held(self.ids, ids)
        rows = np.searchsorted(self.ids, ids[held])
        if self.withheld is not None:
            shown = ~self.withheld[rows]
            held[held] = shown
            rows = rows[shown]
        return rows, held

    def live(self):
        """The rows a search may show: every row, less the withheld ones."""
        if self.withheld is None:
            return np.ones(len(self.ids), dtype=bool)
        return ~self.withheld

    def code_positions(self, codes):
        """Positions in ``codes`` of these region codes (unused codes dropped)."""
        wanted = np.array([int(c) for c in codes], dtype=np.int64)
        positions = np.searchsorted(self.codes, wanted)
        positions[positions == len(self.codes)] = 0
        return positions[self.codes[positions] == wanted] if len(self.codes) else positions[:0]

    def links_of(self, rows, link_rows, values):
        """Per row of ``rows``, the ``values`` of its links (``link_rows`` is one of the
        index's link-row columns, sorted by row)."""
        starts = np.searchsorted(link_rows, rows, side="left")
        ends = np.searchsorted(link_rows, rows, side="right")
        return [values[start:end].tolist() for start, end in zip(starts, ends, strict=True)]

    def labels_of(self, ids):
        """``{id: (region codes, theme ids, instrument ids)}`` of these initiatives (the
        ones the index holds): what a result row shows besides its own columns, without a
        query per kind of link."""
        rows, held = self.rows_of(ids)
        regions = self.links_of(rows, self.link_row, self.link_region)
        themes = self.links_of(rows, self.theme_row, self.theme_id)
        instruments = self.links_of(rows, self.instrument_row, self.instrument_id)
        return {
            int(pk): ([self.code_of(position) for position in r], t, i)
            for pk, r, t, i in zip(
                np.asarray(ids)[held].tolist(), regions, themes, instruments, strict=True
            )
        }

    def newest_ids(self, mask, limit):
        """Ids of the first ``limit`` rows of ``mask`` in "newest" order."""
        if self.withheld is not None:
            mask = mask & ~self.withheld
        order = self.newest[mask[self.newest]]
        return self.ids[order[:limit]].tolist()

    def code_of(self, position):
        return self.code_texts[position]

    @functools.cached_property
    def code_texts(self):
        """The codes as the gazetteer writes them ("510100"), by position: a drill-down
        names a few thousand counties per request."""
        return [f"{code:06d}" for code in self.codes.tolist()]

    @property
    def nbytes(self):
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))


def _fetch(connection, queryset):
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_some(connection, queryset, field, ids):
    """``_fetch`` of ``queryset`` (all rows when ``ids`` is None, else those whose ``field``
    is one of ``ids``, a chunk of ids per query)."""
    if ids is None:
        return _fetch(connection, queryset)
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows += _fetch(connection, queryset.filter(**{f"{field}__in": ids[start : start + CHUNK]}))
    return rows


def _read_rows(connection, ids=None):
    """``(ids, {field: column})``: the ROW_FIELDS of the visible initiatives (of ``ids`` only,
    if given), as numbers."""
    visible = Initiative.objects.exclude(status=Status.HIDDEN).order_by("pk")
    rows = _fetch_some(
        connection,
        visible.values_list(
            "pk", "year", "document__kind", "document_id", "year_start", "year_end"
        ),
        "pk",
        ids,
    )
    n = len(rows)
    kind_position = {kind: k for k, kind in enumerate(KINDS)}
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=n), {
        "year": np.fromiter((r[1] or NO_YEAR for r in rows), dtype=np.int32, count=n),
        "kind": np.fromiter((kind_position.get(r[2], 0) for r in rows), dtype=np.int8, count=n),
        "document": np.fromiter((r[3] for r in rows), dtype=np.int64, count=n),
        "year_start": np.fromiter((r[4] or NO_YEAR for r in rows), dtype=np.int32, count=n),
        "year_end": np.fromiter((r[5] or NO_YEAR for r in rows), dtype=np.int32, count=n),
    }


def _region_links():
    """The region links the index counts: (initiative, region, prefecture, province).

    Partners and places only mentioned (a destination, a 浙江商会) are not counted."""
    return (
        InitiativeRegion.objects.filter(role__in=InitiativeRegion.COUNTED_ROLES)
        .values_list("initiative_id", "region_id", "prefecture_id", "province_id")
        .order_by()
    )


def _read_links(connection, ids=None):
    """Every link of the initiatives (of ``ids`` only, if given), by initiative id:
    ``{"region": (owner, region, prefecture, province), "theme": (owner, theme id),
    "instrument": (owner, instrument id)}``, region codes as integers (NO_REGION: none)."""
    pairs = _fetch_some(connection, _region_links(), "initiative_id", ids)
    n = len(pairs)
    found = {
        "region": tuple(
            np.fromiter((int(p[k]) if p[k] else NO_REGION for p in pairs), dtype=np.int64, count=n)
            for k in range(4)
        )
    }
    for name, field, column in (
        ("theme", "themes", "theme_id"),
        ("instrument", "instruments", "policyinstrument_id"),
    ):
        model = Initiative._meta.get_field(field).remote_field.through
        queryset = model.objects.values_list("initiative_id", column).order_by()
        pairs = _fetch_some(connection, queryset, "initiative_id", ids)
        found[name] = tuple(
            np.fromiter((p[k] for p in pairs), dtype=np.int64, count=len(pairs)) for k in (0, 1)
        )
    return found


def build(connection, stamp, position=(0, None)):
    """The index of everything visible now; ``position``: the log's last entry, read
    before the rows (so that any later change is applied on top)."""
    ids, rows = _read_rows(connection)
    return _assemble(ids, rows, _read_links(connection), stamp, position)


def _assemble(ids, rows, links, stamp, position):
    """A ``FacetIndex`` from id-keyed columns (``_read_rows``, ``_read_links``)."""
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    rows = {field: column[order] for field, column in rows.items()}

    def owned(owner):
        keep = _held(ids, owner)
        return np.searchsorted(ids, owner[keep]), keep

    owner, *columns = links["region"]
    link_row, keep = owned(owner)
    columns = [column[keep] for column in columns]
    codes = _unique(np.concatenate(columns)) if columns else np.empty(0, np.int64)
    codes = codes[codes != NO_REGION]
    link_region, link_prefecture, link_province = (
        np.where(column == NO_REGION, NO_REGION, np.searchsorted(codes, column)).astype(np.int32)
        for column in columns
    )
    # Links sorted by row (a row's regions by code): ``links_of`` reads a row's slice.
    by_row = np.lexsort((link_region, link_row))
    link_row, link_region, link_prefecture, link_province = (
        column[by_row] for column in (link_row, link_region, link_prefecture, link_province)
    )

    def distinct(values):
        has = values != NO_REGION
        pairs = _unique(link_row[has].astype(np.int64) * (len(codes) + 1) + values[has])
        return pairs // (len(codes) + 1), (pairs % (len(codes) + 1)).astype(np.int32)

    province_row, province = distinct(link_province)
    prefecture_row, prefecture = distinct(link_prefecture)

    def through(name):
        owner, value = links[name]
        row, keep = owned(owner)
        by_row = np.argsort(row, kind="stable")
        return row[by_row], value[keep][by_row].astype(np.int32)

    theme_row, theme_id = through("theme")
    instrument_row, instrument_id = through("instrument")

    # Sort keys: "year desc, none last" is ascending on (-year, or +1 for none).
    year = rows["year"]
    year_desc = np.where(year == NO_YEAR, 1, -year.astype(np.int64))
    newest = np.lexsort((-ids, year_desc))
    first_region = np.full(len(ids), len(codes), dtype=np.int64)  # none: after every code
    # Links are sorted by row, then region: a row's first link has its smallest region.
    first = np.flatnonzero(np.diff(link_row, prepend=-1) != 0) if len(link_row) else link_row
    first_region[link_row[first]] = link_region[first]
    by_region = np.lexsort((ids, year_desc, first_region))
    return FacetIndex(
        stamp=stamp,
        ids=ids,
        **rows,
        newest=newest,
        by_region=by_region,
        codes=codes,
        link_row=link_row,
        link_region=link_region,
        link_prefecture=link_prefecture,
        link_province=link_province,
        province_row=province_row,
        province=province,
        prefecture_row=prefecture_row,
        prefecture=prefecture,
        theme_row=theme_row,
        theme_id=theme_id,
        instrument_row=instrument_row,
        instrument_id=instrument_id,
        seq=position[0],
        token=position[1],
    )


def patch(connection, index, changed, stamp, position):
    """``index`` with the initiatives ``changed`` (ids) read again: their rows and links
    dropped, then those of them still visible read from the database and added."""
    changed = np.unique(np.asarray(changed, dtype=np.int64))
    keep = ~np.isin(index.ids, changed)
    new_ids, new_rows = _read_rows(connection, changed.tolist())
    new_links = _read_links(connection, changed.tolist())

    def code(positions):
        if not len(index.codes):
            return np.full(len(positions), NO_REGION, dtype=np.int64)
        return np.where(positions == NO_REGION, NO_REGION, index.codes[positions])

    old_links = {
        "region": (
            index.ids[index.link_row],
            code(index.link_region),
            code(index.link_prefecture),
            code(index.link_province),
        ),
        "theme": (index.ids[index.theme_row], index.theme_id.astype(np.int64)),
        "instrument": (index.ids[index.instrument_row], index.instrument_id.astype(np.int64)),
    }
    links = {}
    for name, old in old_links.items():
        kept = ~np.isin(old[0], changed)
        links[name] = tuple(
            np.concatenate((column[kept], added))
            for column, added in zip(old, new_links[name], strict=True)
        )
    rows = {
        field: np.concatenate((getattr(index, field)[keep], new_rows[field]))
        for field in ROW_FIELDS
    }
    return _assemble(np.concatenate((index.ids[keep], new_ids)), rows, links, stamp, position)


def _unique(values):
    """``np.unique`` by sorting (numpy 2's hashing variant is several times slower on the
    index's integer columns)."""
    values = np.sort(values)
    return values[np.diff(values, prepend=values[:1] - 1) != 0] if len(values) else values


def _held(ids, owner):
    """Which of ``owner`` (initiative ids of links) are rows of the index."""
    if not len(ids):
        return np.zeros(len(owner), dtype=bool)
    at = np.searchsorted(ids, owner)
    at[at == len(ids)] = 0
    return ids[at] == owner


# Following the changes ---------------------------------------------------------------------

UPDATE_IN_BACKGROUND = True  # tests writing inside their own transaction update in-request
POLL_SECONDS = 0.5  # how often each process's updater looks at the stamp unasked
REBUILD_SHARE = 0.2  # more initiatives changed than this share: rebuild rather than patch
LOG_KEEP = 200_000  # log entries kept behind the newest; older ones are pruned

_indexes = {}  # using → the published FacetIndex
_lock = threading.Lock()  # one build or update at a time, and publishing with the rankings
_updaters = {}  # using → Updater
_updaters_lock = threading.Lock()  # not ``_lock``: a request never waits for an update


def _changes_between(connection, index, upto=None):
    """``(initiative ids, (seq, token))``: what the log lists after ``index``'s position (up
    to entry ``upto``), or None when the log cannot be followed from there (the entry it
    applied was rolled back or pruned, or a table was truncated)."""
    with connection.cursor() as cursor:
        if index.seq:
            cursor.execute(f"SELECT token FROM {CHANGES_TABLE} WHERE seq = %s", [index.seq])
            row = cursor.fetchone()
            if row is None or row[0] != index.token:
                return None
        else:
            cursor.execute(f"SELECT min(seq) FROM {CHANGES_TABLE}")
            first = cursor.fetchone()[0]
            if first is not None and first > 1:  # entries pruned before this index read any
                return None
        sql = f"SELECT seq, initiative_id, token FROM {CHANGES_TABLE} WHERE seq > %s"
        params = [index.seq]
        if upto is not None:
            sql += " AND seq <= %s"
            params.append(upto)
        cursor.execute(sql + " ORDER BY seq", params)
        entries = cursor.fetchall()
    if not entries:
        return [], (index.seq, index.token)
    changed = {entry[1] for entry in entries}
    if None in changed:
        return None
    return sorted(changed), (entries[-1][0], entries[-1][2])


def _update(connection, index):
    """``(index, changed)``: ``index`` brought up to date, and the initiative ids patched
    (None: rebuilt). The stamp is read first and the rows last: a change made meanwhile
    leaves a newer stamp, and is applied next time."""
    stamp = read_stamp(connection)
    if index is not None and stamp == index.stamp:
        return index, []
    if index is not None:
        found = _changes_between(connection, index)
        if found is not None:
            changed, position = found
            if not changed:  # nothing the index holds (e.g. a statement touching no rows)
                return replace(index, stamp=stamp, seq=position[0], token=position[1]), []
            if len(changed) <= max(CHUNK, REBUILD_SHARE * len(index.ids)):
                return patch(connection, index, changed, stamp, position), changed
    return build(connection, stamp, _log_position(connection)), None


def _publish(using, old, new, changed):
    """Make ``new`` the index requests get, with the frequent words' rankings carried over
    from ``old`` (or ranked again from scratch after a rebuild). Called under ``_lock``."""
    if new is old:
        return
    rankings = _frequent.get(using, {})
    ranked = rankings.get(old.stamp) if old is not None else None
    if ranked is not None and changed is not None:  # (an empty ranking carries as well)
        carried = _carry_all(ranked, new, changed, using)
        if carried is not None:
            # The old stamp's too: requests still holding ``old`` keep finding theirs.
            _frequent[using] = {old.stamp: ranked, new.stamp: carried}
            _indexes[using] = new
            return
    _indexes[using] = new
    if changed is None or ranked is not None:
        # Rebuilt, or too much changed to carry the rankings: rank again from scratch. (A
        # patch while no ranking exists leaves it to the ranking under way, which carries
        # its result over to the index published by then.)
        _frequent.pop(using, None)
        _start_ranking(new, using)


def current(using="default"):
    """The index of database ``using`` to answer a request with, without waiting for one to
    be built (except the first of the process): the published one, with the rows no longer
    visible withheld if changes are still being applied."""
    connection = connections[using]
    index = _indexes.get(using)
    if index is None or not UPDATE_IN_BACKGROUND:
        with _lock:
            index = _indexes.get(using)
            new, changed = _update(connection, index)
            _publish(using, index, new, changed)
        if UPDATE_IN_BACKGROUND:
            _start_updater(using)
        return new
    if read_stamp(connection) == index.stamp:
        return index
    _start_updater(using).wake_up.set()
    return _withholding(connection, index)


def _withholding(connection, index):
    """``index`` with the rows withheld that the log's unapplied entries made invisible
    (hidden or deleted): one query, whatever else those changes were."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT DISTINCT c.initiative_id FROM {CHANGES_TABLE} c
            LEFT JOIN initiatives_initiative i ON i.id = c.initiative_id
            WHERE c.seq > %s AND (i.id IS NULL OR i.status = %s)""",
            [index.seq, Status.HIDDEN],
        )
        gone = [row[0] for row in cursor.fetchall()]
    withheld = np.zeros(len(index.ids), dtype=bool)
    if None in gone:  # a table truncated: nothing held is known to be there
        withheld[:] = True
    elif gone:
        withheld[index.rows_of(gone)[0]] = True
    behind = replace(index, withheld=withheld)
    behind.__dict__["code_texts"] = index.code_texts  # shared, not recomputed per request
    return behind


class Updater(threading.Thread):
    """Applies the change log to the published index of one database, in the background:
    woken by a request that found the stamp moved, or every ``POLL_SECONDS``."""

    def __init__(self, using):
        super().__init__(name=f"facet-index-{using}", daemon=True)
        self.using = using
        self.wake_up = threading.Event()
        self.updated = threading.Condition()
        self.stopping = False

    def run(self):
        try:
            while not self.stopping:
                self.wake_up.wait(POLL_SECONDS)
                self.wake_up.clear()
                if self.stopping:
                    break
                try:
                    self.step()
                except Exception:  # a database gone away: requests keep the last index
                    logger.exception("updating the facet index failed")
                    connections[self.using].close()
        finally:
            connections[self.using].close()  # this thread's own connection

    def step(self):
        connection = connections[self.using]
        with _lock:
            index = _indexes.get(self.using)
            new, changed = _update(connection, index)
            _publish(self.using, index, new, changed)
        if new is not index:
            _prune(connection, new.seq, self.using)
        with self.updated:
            self.updated.notify_all()


_pruned = {}  # using → the log position this process last pruned at


def _prune(connection, seq, using):
    """Drop the log entries more than ``LOG_KEEP`` behind ``seq``, every ``LOG_KEEP``
    entries (a process further behind than that rebuilds instead of patching)."""
    if seq - _pruned.get(using, 0) >= LOG_KEEP:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CHANGES_TABLE} WHERE seq < %s", [seq - LOG_KEEP])
        _pruned[using] = seq


def _start_updater(using):
    updater = _updaters.get(using)
    if updater is None or not updater.is_alive():
        with _updaters_lock:
            updater = _updaters.get(using)
            if updater is None or not updater.is_alive():
                updater = _updaters[using] = Updater(using)
                updater.start()
    return updater


def wait_until_current(using="default", timeout=10.0):
    """Wait until this process's index has applied every change committed before the call;
    False if ``timeout`` seconds passed first. For tests and benchmarks: requests never wait."""
    target = _log_position(connections[using])[0]
    updater = _start_updater(using)
    updater.wake_up.set()
    with updater.updated:
        return updater.updated.wait_for(
            lambda: (index := _indexes.get(using)) is not None and index.seq >= target, timeout
        )


def stop_updates(using="default"):
    """Stop this process's updater of ``using`` (closing its connection) and forget the
    index: the next request builds it again."""
    updater = _updaters.pop(using, None)
    if updater is not None:
        updater.stopping = True
        updater.wake_up.set()
        updater.join()
    _indexes.pop(using, None)
    _frequent.pop(using, None)


# Text matches ------------------------------------------------------------------------------

# Matches kept per process, most recently used first, up to this many rows in all: a user
# clicking through facets, sorts and pages repeats one query text, and so do shared links.
MATCH_CACHE_ROWS = 2_000_000  # about 8 bytes a row (16 with ranks): 16-32 MB at most
# PostgreSQL ranks up to this many results by primary key instead of ranking every match
# (ts_rank reads each row's vector: 就业 matches 57 % of the rows). SQLite's bm25 is only
# computed inside a full MATCH scan (a rowid-restricted MATCH rescans the doclist per id).
RANK_BY_ID_MAX = 2_000
_matches = {}
_matches_lock = threading.Lock()


class TextMatch:
    """One query text's matches among an index's rows; their ranks fetched on demand and
    kept (a facet click or page 2 ranks the same rows again)."""

    def __init__(self, index, terms, using, ranked, found=None):
        self.index, self.terms, self.using = index, list(terms), using
        self.vendor = connections[using].vendor
        self.rank_of_row = None  # ranks fetched so far, by row (NaN: not fetched)
        ids, scores = found if found is not None else search.match_ids(terms, ranked, using)
        self.rows, held = index.rows_of(ids)
        if scores is not None:
            self._keep_ranks(self.rows, scores[held])

    @property
    def size(self):
        return len(self.rows) + (len(self.index.ids) if self.rank_of_row is not None else 0)

    @property
    def nbytes(self):
        return self.rows.nbytes + (self.rank_of_row.nbytes if self.rank_of_row is not None else 0)

    def _keep_ranks(self, rows, ranks):
        if self.rank_of_row is None:
            self.rank_of_row = np.full(len(self.index.ids), np.nan)
        self.rank_of_row[rows] = ranks

    def ranks(self, rows):
        """The rank of each of ``rows`` (all of them matches), lower first."""
        if not len(rows):
            return np.empty(0)
        missing = rows
        if self.rank_of_row is not None:
            missing = rows[np.isnan(self.rank_of_row[rows])]
        if len(missing) and len(missing) <= RANK_BY_ID_MAX and self.vendor != "sqlite":
            ids, scores = search.match_ids(
                self.terms, True, self.using, among=self.index.ids[missing].tolist()
            )
            found, held = self.index.rows_of(ids)
            self._keep_ranks(found, scores[held])
        elif len(missing):
            ids, scores = search.match_ids(self.terms, True, self.using)
            found, held = self.index.rows_of(ids)
            self._keep_ranks(found, scores[held])
        return self.rank_of_row[rows]

    def carried(self, index, changed):
        """This ranked match over a later ``index``: the rows of initiatives not in
        ``changed`` keep their ranks, the ``changed`` ones are matched and ranked again (by
        id). The ranks of unchanged rows are not refreshed for the corpus' new statistics."""
        ids = self.index.ids[self.rows]
        ranks = self.rank_of_row[self.rows]
        kept = ~np.isin(ids, np.asarray(changed, dtype=np.int64))
        again, scores = search.match_ids(self.terms, True, self.using, among=list(changed))
        ids = np.concatenate((ids[kept], again))
        ranks = np.concatenate((ranks[kept], scores))
        order = np.argsort(ids, kind="stable")
        return TextMatch(index, self.terms, self.using, True, found=(ids[order], ranks[order]))


def text_matches(index, terms, ranked, using="default"):
    """The ``TextMatch`` of ``terms`` over ``index``, cached under the index's stamp."""
    frequent = _frequent.get(using, {}).get(index.stamp, {})
    if tuple(terms) in frequent:
        return frequent[tuple(terms)]
    key = (using, index.stamp, tuple(terms))
    with _matches_lock:
        found = _matches.pop(key, None)
        if found is not None:
            _matches[key] = found  # most recent last
            return found
    found = TextMatch(index, terms, using, ranked)
    with _matches_lock:
        for stale in [k for k in _matches if k[0] == using and k[1] != index.stamp]:
            del _matches[stale]
        _matches[key] = found
        total = sum(match.size for match in _matches.values())
        while total > MATCH_CACHE_ROWS and len(_matches) > 1:
            total -= _matches.pop(next(iter(_matches))).size
    return found


def clear_match_cache():
    """Forget the recently used matches (not the frequent words' rankings: those belong to
    the index, see ``rank_frequent_terms``)."""
    with _matches_lock:
        _matches.clear()


# Frequent words ----------------------------------------------------------------------------

# A word found in a large share of the texts (就业, 创业 in employment documents) costs the
# most to search the first time: the database scores every match to rank them (SQLite's
# bm25 looks up each match's length, ~1.6 µs a match; PostgreSQL's ts_rank reads each
# matching vector), 100-200 ms at 100,000 initiatives. After a full build a background
# thread ranks the most frequent words once, so that no request waits for them; each later
# change of the index carries the rankings over (``TextMatch.carried``: only the changed
# initiatives are matched and ranked again), so an edit costs each process a few lookups by
# id, not a ranking of every match.
FREQUENT_SHARE = 0.1  # words in at least this share of the initiatives
FREQUENT_MAX = 16  # the most frequent first; each costs about 1.3 MB at 100,000 rows
FREQUENT_MIN_ROWS = 20_000  # below this, ranking any word is quick
RANK_FREQUENT_IN_BACKGROUND = True  # tests turn it off and call rank_frequent_terms
_frequent = {}  # using → {stamp: {terms: TextMatch}} (the newest index's, and the one before)

FREQUENT_SQL = {
    # fts5vocab's "row" table: one row per indexed word with the number of rows holding it.
    "sqlite": (
        """SELECT term FROM temp.initiative_fts_terms WHERE doc >= %s
        ORDER BY doc DESC, term LIMIT %s""",
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.initiative_fts_terms"
        " USING fts5vocab(main, initiative_fts, row)",
    ),
    "postgresql": (
        """SELECT word FROM ts_stat('SELECT search_vector FROM initiatives_initiative')
        WHERE ndoc >= %s ORDER BY ndoc DESC, word LIMIT %s""",
        None,
    ),
}


def frequent_terms(index, using="default"):
    """The query terms of the indexed words found in at least ``FREQUENT_SHARE`` of the
    rows, most frequent first (at most ``FREQUENT_MAX``)."""
    connection = connections[using]
    select, prepare = FREQUENT_SQL[connection.vendor]
    with connection.cursor() as cursor:
        if prepare:
            cursor.execute(prepare)
        cursor.execute(select, [max(1, int(len(index.ids) * FREQUENT_SHARE)), FREQUENT_MAX])
        words = [row[0] for row in cursor.fetchall()]
    found = []
    for word in words:
        # What a user typing the word searches for (the index holds search-mode pieces).
        terms = tuple(query_terms(word))
        if terms and terms not in found:
            found.append(terms)
    return found


def _carry_all(ranked, index, changed, using):
    """``{terms: TextMatch}`` carried over to ``index``; None if too much changed to match
    again by id (then ranking from scratch is cheaper)."""
    if len(changed) > RANK_BY_ID_MAX:
        return None
    return {terms: match.carried(index, changed) for terms, match in ranked.items()}


def rank_frequent_terms(index, using="default"):
    """Rank the frequent words' matches over ``index`` and keep them with the index (carried
    over to the one published meanwhile, if the change log leads there): a search for one
    of them then reads no text match from the database. Returns ``{terms: TextMatch}`` over
    the published index (empty when the log does not lead there: the work was stale)."""
    ranked = {}
    for terms in frequent_terms(index, using):
        if _indexes.get(using) is None:  # the process stopped following this database
            return {}
        ranked[terms] = TextMatch(index, terms, using, ranked=True)
    with _lock:
        published = _indexes.get(using)
        if published is None:
            return {}
        if published is not index:
            found = _changes_between(connections[using], index, upto=published.seq)
            ranked = _carry_all(ranked, published, found[0], using) if found else None
            if ranked is None:
                return {}
        _frequent[using] = {published.stamp: ranked}
    return ranked


_rankers = {}  # using → the thread ranking its frequent words (one at a time)
_rank_again = set()  # usings whose index was rebuilt while their ranking ran


def _start_ranking(index, using):
    """Rank the frequent words of ``index`` in a background thread, or, if one is already
    ranking, have it rank again once done. Called under ``_lock``."""
    if not RANK_FREQUENT_IN_BACKGROUND or len(index.ids) < FREQUENT_MIN_ROWS:
        return
    if using in _rankers:
        _rank_again.add(using)
        return
    _rankers[using] = threading.Thread(
        target=_rank_frequent_in_background,
        args=(using,),
        name="rank-frequent-terms",
        daemon=True,
    )
    _rankers[using].start()


def _rank_frequent_in_background(using):
    try:
        while True:
            index = _indexes.get(using)
            if index is not None:
                rank_frequent_terms(index, using)
            with _lock:
                if using not in _rank_again:
                    return
                _rank_again.discard(using)
    except Exception:  # a database gone away: searches rank these words themselves
        logger.exception("ranking the frequent words failed")
    finally:
        with _lock:
            _rankers.pop(using, None)
        connections[using].close()  # this thread's own connection


# Counting and ordering ---------------------------------------------------------------------


class Selection:
    """One filter set's masks over an index: counts under any subset of the filters, the
    ordered result rows.

    ``masks`` maps a filter name (``q``, ``province``, ``region``, ``theme``, ``year``,
    ``instrument``, ``kind``) to a boolean mask over the rows; absent names do not filter.
    ``text`` (a ``TextMatch``, with a query text) ranks the results for relevance order.
    """

    def __init__(self, index, masks, text=None):
        self.index = index
        self.masks = masks
        self.text = text
        self._cache = {}

    def mask(self, leave_out=()):
        key = frozenset(name for name in self.masks if name not in leave_out)
        if key not in self._cache:
            mask = self.index.live()
            for name in key:
                mask &= self.masks[name]
            self._cache[key] = mask
        return self._cache[key]

    def count(self, leave_out=()):
        return int(self.mask(leave_out).sum())

    def year_kind_cells(self, leave_out):
        """``[(year or None, kind, n)]`` of the rows passing all but ``leave_out``."""
        index, mask = self.index, self.mask(leave_out)
        key = index.year[mask].astype(np.int64) * len(KINDS) + index.kind[mask]
        return [
            (int(v) // len(KINDS) or None, KINDS[int(v) % len(KINDS)], int(n))
            for v, n in _nonzero(np.bincount(key))
        ]

    def link_counts(self, rows, values, leave_out):
        """``{value: initiatives}`` over (row, value) links, each pair once, under all
        filters but ``leave_out``."""
        hit = self.mask(leave_out)[rows]
        return {int(v): int(n) for v, n in _nonzero(np.bincount(values[hit]))}

    def region_counts(self, rows, values, leave_out):
        """``link_counts`` over region links, keyed by region code."""
        return {
            self.index.code_of(position): n
            for position, n in self.link_counts(rows, values, leave_out).items()
        }

    def theme_years(self):
        """``{(theme id, year): n}`` of the results (every filter applied)."""
        index, mask = self.index, self.mask()
        hit = mask[index.theme_row]
        years = index.year[index.theme_row[hit]].astype(np.int64)
        themes = index.theme_id[hit].astype(np.int64)
        dated = years != NO_YEAR
        key = themes[dated] * 10_000 + years[dated]
        return {(int(v) // 10_000, int(v) % 10_000): int(n) for v, n in _nonzero(np.bincount(key))}

    def ordered_ids(self, sort):
        """Initiative ids of the results in the page's order."""
        index, mask = self.index, self.mask()
        if sort == "relevance" and self.text is not None:
            rows = np.flatnonzero(mask)
            rank = self.text.ranks(rows)
            year = index.year[rows]
            year_desc = np.where(year == NO_YEAR, 1, -year.astype(np.int64))
            order = rows[np.lexsort((index.ids[rows], year_desc, rank))]
        else:
            order = index.by_region if sort == "region" else index.newest
            order = order[mask[order]]
        return index.ids[order]


def _nonzero(counts):
    values = np.flatnonzero(counts)
    return zip(values.tolist(), counts[values].tolist(), strict=True)


def in_force_mask(index, year):
    """Rows in force in ``year``: their period contains it, or without one, their year."""
    no_period = index.year_start == NO_YEAR
    return np.where(
        no_period, index.year == year, (index.year_start <= year) & (index.year_end >= year)
    )


def rows_mask(index, rows):
    mask = np.zeros(len(index.ids), dtype=bool)
    mask[rows] = True
    return mask


def links_mask(index, link_rows, hit):
    """Rows with at least one link where ``hit`` is true."""
    return rows_mask(index, link_rows[hit])
