"""The visible initiatives' facet values held in memory as columns: counting and ordering.

Facet counts under "every other filter applies" (initiatives.facets) and the order of the
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
(FTS5 / GIN, ``initiatives.search.match_ids``) and the page of rows shown come from SQL.

Staying in step: triggers on the tables the index reads write a new random number into the
one-row table ``initiative_index_stamp`` on every change (bulk paths, cascades, raw SQL and
rolled-back transactions included: a rollback restores the old number, which stood for the
old data). Each request reads the stamp (one primary-key lookup) and rebuilds the index when
it differs (about a second at 100,000 initiatives). On PostgreSQL the stamp row serialises
writing transactions, which ingest and curation tolerate (one document or edit at a time).
"""

import functools
import logging
import threading
from dataclasses import dataclass

import numpy as np
from django.db import connections

from initiatives import search
from initiatives.models import Document, Initiative, InitiativeRegion, Status
from initiatives.segmentation import query_terms

logger = logging.getLogger(__name__)

STAMP_TABLE = "initiative_index_stamp"

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


def install_stamp(connection):
    """Create the stamp table and its triggers (idempotent; SQLite loses a table's triggers
    when Django's schema editor rebuilds it, so this also runs after every migrate)."""
    watched = _existing(connection, WATCHED)
    with connection.cursor() as cursor:
        for statement in STAMP_DDL[connection.vendor](watched):
            cursor.execute(statement)


def read_stamp(connection):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {STAMP_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


# Building -----------------------------------------------------------------------------------

KINDS = list(Document.Kind.values)
NO_YEAR = 0
NO_REGION = -1


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

    def rows_of(self, ids):
        """``(rows, held)``: the rows of the ``ids`` the index holds, and which those are
        (hidden initiatives, or rows written since the index was built, are not held)."""
        ids = np.asarray(ids, dtype=np.int64)
        held = _held(self.ids, ids)
        return np.searchsorted(self.ids, ids[held]), held

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
        order = self.newest[mask[self.newest]]
        return self.ids[order[:limit]].tolist()

    def code_of(self, position):
        return self.code_texts[position]

    @functools.cached_property
    def code_texts(self):
        """The codes as the gazetteer writes them ("510100"), by position: a drill-down
        names a few thousand counties per request."""
        return [f"{code:06d}" for code in self.codes.tolist()]


def _fetch(connection, queryset):
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def build(connection, stamp):
    visible = Initiative.objects.exclude(status=Status.HIDDEN).order_by("pk")
    rows = _fetch(
        connection,
        visible.values_list(
            "pk", "year", "document__kind", "document_id", "year_start", "year_end"
        ),
    )
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    year = np.fromiter((r[1] or NO_YEAR for r in rows), dtype=np.int32, count=len(rows))
    year_start = np.fromiter((r[4] or NO_YEAR for r in rows), dtype=np.int32, count=len(rows))
    year_end = np.fromiter((r[5] or NO_YEAR for r in rows), dtype=np.int32, count=len(rows))
    kind_position = {kind: n for n, kind in enumerate(KINDS)}
    kind = np.fromiter((kind_position.get(r[2], 0) for r in rows), dtype=np.int8, count=len(rows))
    document = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows))
    del rows

    def links(queryset):
        pairs = _fetch(connection, queryset.order_by())
        owner = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        keep = _held(ids, owner)
        return pairs, np.searchsorted(ids, owner[keep]), keep

    region_links, link_row, keep = links(
        # Partners and places only mentioned (a destination, a 浙江商会) are not counted.
        InitiativeRegion.objects.filter(role__in=InitiativeRegion.COUNTED_ROLES).values_list(
            "initiative_id", "region_id", "prefecture_id", "province_id"
        )
    )
    columns = [
        np.array([int(p[n]) if p[n] else NO_REGION for p in region_links], dtype=np.int64)[keep]
        for n in (1, 2, 3)
    ]
    del region_links
    codes = np.unique(np.concatenate(columns))
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
        pairs = np.unique(link_row[has].astype(np.int64) * (len(codes) + 1) + values[has])
        return pairs // (len(codes) + 1), (pairs % (len(codes) + 1)).astype(np.int32)

    province_row, province = distinct(link_province)
    prefecture_row, prefecture = distinct(link_prefecture)

    def through(field, column):
        model = Initiative._meta.get_field(field).remote_field.through
        pairs, row, keep = links(model.objects.values_list("initiative_id", column))
        value = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))[keep]
        by_row = np.argsort(row, kind="stable")
        return row[by_row], value[by_row].astype(np.int32)

    theme_row, theme_id = through("themes", "theme_id")
    instrument_row, instrument_id = through("instruments", "policyinstrument_id")

    # Sort keys: "year desc, none last" is ascending on (-year, or +1 for none).
    year_desc = np.where(year == NO_YEAR, 1, -year.astype(np.int64))
    newest = np.lexsort((-ids, year_desc))
    first_region = np.full(len(ids), len(codes), dtype=np.int64)  # none: after every code
    np.minimum.at(first_region, link_row, link_region.astype(np.int64))
    by_region = np.lexsort((ids, year_desc, first_region))
    return FacetIndex(
        stamp=stamp,
        ids=ids,
        year=year,
        year_start=year_start,
        year_end=year_end,
        kind=kind,
        document=document,
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
    )


def _held(ids, owner):
    """Which of ``owner`` (initiative ids of links) are rows of the index."""
    if not len(ids):
        return np.zeros(len(owner), dtype=bool)
    at = np.searchsorted(ids, owner)
    at[at == len(ids)] = 0
    return ids[at] == owner


_indexes = {}
_lock = threading.Lock()


def current(using="default"):
    """The index of database ``using`` as it stands now (rebuilt if anything changed)."""
    connection = connections[using]
    stamp = read_stamp(connection)
    index = _indexes.get(using)
    if index is not None and index.stamp == stamp:
        return index
    # No stamp row (nothing written since the table was made) is a state like any other:
    # the first write creates the row with a new stamp.
    with _lock:
        _frequent.pop(using, None)  # ranked over the old rows
        index = _indexes[using] = build(connection, stamp)
    if RANK_FREQUENT_IN_BACKGROUND and len(index.ids) >= FREQUENT_MIN_ROWS:
        threading.Thread(
            target=_rank_frequent_in_background,
            args=(index, using),
            name="rank-frequent-terms",
            daemon=True,
        ).start()
    return index


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

    def __init__(self, index, terms, using, ranked):
        self.index, self.terms, self.using = index, list(terms), using
        self.vendor = connections[using].vendor
        self.rank_of_row = None  # ranks fetched so far, by row (NaN: not fetched)
        ids, scores = search.match_ids(terms, ranked, using)
        self.rows, held = index.rows_of(ids)
        if scores is not None:
            self._keep_ranks(self.rows, scores[held])

    @property
    def size(self):
        return len(self.rows) + (len(self.index.ids) if self.rank_of_row is not None else 0)

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


def text_matches(index, terms, ranked, using="default"):
    """The ``TextMatch`` of ``terms`` over ``index``, cached under the index's stamp."""
    stamp, frequent = _frequent.get(using, (None, {}))
    if stamp == index.stamp and tuple(terms) in frequent:
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
# matching vector), 100-200 ms at 100,000 initiatives. After every rebuild a background
# thread ranks the most frequent words once, so that no request waits for them.
FREQUENT_SHARE = 0.1  # words in at least this share of the initiatives
FREQUENT_MAX = 16  # the most frequent first; each costs about 1.3 MB at 100,000 rows
FREQUENT_MIN_ROWS = 20_000  # below this, ranking any word is quick
RANK_FREQUENT_IN_BACKGROUND = True  # tests turn it off and call rank_frequent_terms
_frequent = {}  # using → (stamp, {terms: TextMatch})

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


def rank_frequent_terms(index, using="default"):
    """Rank the frequent words' matches over ``index`` and keep them with it: a search for
    one of them then reads no text match from the database. Returns ``{terms: TextMatch}``
    (empty when the index was rebuilt meanwhile: the work was stale)."""
    ranked = {}
    for terms in frequent_terms(index, using):
        if _indexes.get(using) is not index:
            return {}
        ranked[terms] = TextMatch(index, terms, using, ranked=True)
    if _indexes.get(using) is not index:
        return {}
    _frequent[using] = (index.stamp, ranked)
    return ranked


def _rank_frequent_in_background(index, using):
    try:
        rank_frequent_terms(index, using)
    except Exception:  # a database gone away: searches rank these words themselves
        logger.exception("ranking the frequent words failed")
    finally:
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
            mask = np.ones(len(self.index.ids), dtype=bool)
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
