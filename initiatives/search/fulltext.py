"""Full-text search over initiatives: keeping the index in step and querying it.

``Initiative.search_text`` (jieba tokens of title + text, see initiatives.search.segmentation) is what
both databases index; migration 0003 built the index on top of it:
- SQLite: FTS5 table ``initiative_fts`` (rowid = initiative id), maintained by triggers.
- PostgreSQL: generated column ``search_vector`` (``to_tsvector('simple', search_text)``) with
  the GIN index ``initiative_search_idx``.

So indexing is just writing ``search_text``; the database does the rest, on bulk_create,
update() and delete (cascades included) alike. Query terms are ANDed on both databases;
an ``AnyOf`` term (``A OR B``) is an OR inside the full-text query. A ``Phrase`` is found by
its words in the index, then checked in the text itself (the index keeps no word order
that could tell "创业 担保" from "担保…创业"): ``instr``/``strpos``, exact and case-sensitive.
"""

import numpy as np
from django.db import connection, connections, transaction
from django.db.models import BooleanField, F, FloatField, Q
from django.db.models.expressions import RawSQL

from initiatives.search.query import AnyOf, Phrase
from initiatives.search.segmentation import (
    query_plan,
    segment_for_index,
    segment_many_for_index,
)

# Statements that (re)create the SQLite triggers; also run after every migrate, because
# Django's SQLite schema editor rebuilds a table to alter it and the rebuild drops triggers.
SQLITE_INDEX_DDL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS initiative_fts USING fts5(
        search_text, tokenize = 'unicode61 remove_diacritics 0'
    )""",
    # Quiet while ``index_triggers.bulk_inserts`` fills the table once per document.
    "CREATE TABLE IF NOT EXISTS initiative_index_quiet (id INTEGER PRIMARY KEY)",
    "DROP TRIGGER IF EXISTS initiative_fts_insert",
    """CREATE TRIGGER initiative_fts_insert
        AFTER INSERT ON initiatives_initiative
        WHEN NOT EXISTS (SELECT 1 FROM initiative_index_quiet) BEGIN
        INSERT INTO initiative_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS initiative_fts_update
        AFTER UPDATE OF search_text ON initiatives_initiative BEGIN
        DELETE FROM initiative_fts WHERE rowid = old.id;
        INSERT INTO initiative_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS initiative_fts_delete
        AFTER DELETE ON initiatives_initiative BEGIN
        DELETE FROM initiative_fts WHERE rowid = old.id;
    END""",
]

# Covering indexes from migration 0006, made when the facets were counted in SQL. Counting now
# happens in initiatives.search.facet_index; the SQLite ones still let its build read initiatives
# and documents without their wide rows. They are also in ensure_index: a table rebuild by
# Django's schema editor drops them.
FACET_INDEX_DDL = {
    "sqlite": [
        """CREATE INDEX IF NOT EXISTS initiative_facet_idx
            ON initiatives_initiative (id, status, year, document_id)""",
        "CREATE INDEX IF NOT EXISTS document_facet_idx ON initiatives_document (id, kind)",
        """CREATE INDEX IF NOT EXISTS initiative_region_facet_idx
            ON initiatives_initiativeregion (initiative_id, province_id)""",
    ],
    "postgresql": [
        """CREATE INDEX IF NOT EXISTS initiative_region_facet_idx
            ON initiatives_initiativeregion (initiative_id, province_id)""",
    ],
}

CHUNK = 500


def search_document(title, text):
    """What gets indexed for one initiative."""
    return segment_for_index(f"{title}\n{text}")


def search_documents(pairs):
    """``[search_document(title, text) for title, text in pairs]``, segmented as one batch
    (the rows of one document: their repeated phrases are cut once)."""
    return segment_many_for_index(f"{title}\n{text}" for title, text in pairs)


def index_initiatives(ids):
    """Recompute ``search_text`` for these initiatives; the full-text index follows.

    Call it after bulk-creating initiatives (bulk_create sends no signals). Costs one jieba
    pass over each text (about 0.5 M characters per second).
    """
    from initiatives.models import Initiative

    ids = list(ids)
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            rows = Initiative.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
                "pk", "title", "text", "search_text"
            )
            changed = [
                Initiative(pk=pk, search_text=new)
                for pk, title, text, old in rows
                if (new := search_document(title, text)) != old
            ]
            Initiative.objects.bulk_update(changed, ["search_text"], batch_size=CHUNK)


def remove_from_index(ids):
    """Drop these initiatives from the index (deleting the rows does it too)."""
    ids = list(ids)
    if connection.vendor == "sqlite" and ids:
        with connection.cursor() as cursor:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM initiative_fts WHERE rowid IN ({marks})", chunk)
    # PostgreSQL: the tsvector is a column of the row itself.


def ensure_index(using_connection=None):
    conn = using_connection or connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'initiatives_initiative' AND type = 'table'"
        )
        if cursor.fetchone() is None:
            return
        for statement in SQLITE_INDEX_DDL:
            cursor.execute(statement)
        cursor.execute(
            "SELECT 1 FROM django_migrations WHERE app = 'initiatives' AND name = %s",
            ["0006_facet_indexes"],
        )
        if cursor.fetchone() is not None:
            for statement in FACET_INDEX_DDL["sqlite"]:
                cursor.execute(statement)


def _expression(terms, quote, and_, or_):
    """Every term must match, as itself or as all of its pieces (see ``query_plan``); an
    ``AnyOf`` by one of its options, a ``Phrase`` by its words."""

    def words_expression(words):
        clauses = []
        for alternatives in query_plan(words):
            options = [f" {and_} ".join(quote(t) for t in found) for found in alternatives]
            clauses.append(
                options[0] if len(options) == 1 else f"({options[0]} {or_} ({options[1]}))"
            )
        return f" {and_} ".join(clauses)

    def option_words(option):
        return list(option.words if isinstance(option, Phrase) else option)

    plain = [t for t in terms if isinstance(t, str)]
    parts = [words_expression(plain)] if plain else []
    for term in terms:
        if isinstance(term, Phrase):
            parts.append(words_expression(list(term.words)))
        elif isinstance(term, AnyOf):
            options = [f"({words_expression(option_words(o))})" for o in term.options]
            parts.append("(" + f" {or_} ".join(options) + ")")
    return f" {and_} ".join(parts)


def _sqlite_match(terms):
    # Each word as an FTS5 string: the tokenizer sees it exactly as it saw the index.
    return _expression(terms, lambda t: '"{}"'.format(t.replace('"', '""')), "AND", "OR")


def _postgres_query(terms):
    def quote(t):
        return "'{}'".format(t.replace("\\", "\\\\").replace("'", "''"))

    return _expression(terms, quote, "&", "|")


def _phrase_checks(terms, vendor, table):
    """``(sql, params)``: the condition on the row of ``table`` (an alias of the initiative
    table) that its title or text holds each phrase as typed; ``("", [])`` without phrases.

    In an OR group with a phrase the other options are tested again in the index, since
    the phrase's words alone may be why the row matched."""
    if vendor == "sqlite":
        holds = f"(instr({table}.text, %s) > 0 OR instr({table}.title, %s) > 0)"
        in_index = f"{table}.id IN (SELECT rowid FROM initiative_fts WHERE initiative_fts MATCH %s)"
        match = _sqlite_match
    else:
        holds = f"(strpos({table}.text, %s) > 0 OR strpos({table}.title, %s) > 0)"
        in_index = f"{table}.search_vector @@ to_tsquery('simple', %s)"
        match = _postgres_query
    conditions, params = [], []
    for term in terms:
        if isinstance(term, Phrase):
            conditions.append(holds)
            params += [term.text, term.text]
        elif isinstance(term, AnyOf) and any(isinstance(o, Phrase) for o in term.options):
            either = []
            for option in term.options:
                if isinstance(option, Phrase):
                    either.append(holds)
                    params += [option.text, option.text]
                else:
                    either.append(in_index)
                    params.append(match(list(option)))
            conditions.append("(" + " OR ".join(either) + ")")
    return " AND ".join(conditions), params


def _sqlite_where(terms):
    """``(FROM … WHERE …, params)`` over the FTS table: the rows matching ``terms``."""
    where = "FROM initiative_fts WHERE initiative_fts MATCH %s"
    params = [_sqlite_match(terms)]
    checks, check_params = _phrase_checks(terms, "sqlite", "p")
    if checks:
        # One primary-key lookup per candidate row.
        where += (
            " AND EXISTS (SELECT 1 FROM initiatives_initiative p"
            f" WHERE p.id = initiative_fts.rowid AND {checks})"
        )
        params += check_params
    return where, params


def matching(terms):
    """A ``Q`` selecting initiatives whose text holds every term."""
    if connection.vendor == "sqlite":
        where, params = _sqlite_where(terms)
        return Q(pk__in=RawSQL(f"SELECT initiative_fts.rowid {where}", params))
    found = Q(
        RawSQL(
            "search_vector @@ to_tsquery('simple', %s)",
            [_postgres_query(terms)],
            output_field=BooleanField(),
        )
    )
    checks, params = _phrase_checks(terms, "postgresql", "p")
    if checks:
        # A subquery, not the row's own columns: the document's title and text may be
        # joined into the same query under the same names.
        found &= Q(
            pk__in=RawSQL(f"SELECT p.id FROM initiatives_initiative p WHERE {checks}", params)
        )
    return found


def order_by_rank(queryset, terms, *then):
    """``queryset`` with the best matches first, then by ``then``.

    SQLite: bm25() is only available in a query that MATCHes the FTS table itself, so the
    table is joined (a correlated subquery per row would re-run the MATCH for every match:
    quadratic). bm25 is negative, lower is better. PostgreSQL: ts_rank on the stored vector.
    """
    if connection.vendor == "sqlite":
        return queryset.extra(  # noqa: S610  (fixed SQL; the query text is a parameter)
            tables=["initiative_fts"],
            where=[
                'initiative_fts.rowid = "initiatives_initiative"."id"',
                "initiative_fts MATCH %s",
            ],
            params=[_sqlite_match(terms)],
            select={"rank": "bm25(initiative_fts)"},
        ).order_by("rank", *then)
    rank = RawSQL(
        "ts_rank(search_vector, to_tsquery('simple', %s))",
        [_postgres_query(terms)],
        output_field=FloatField(),
    )
    return queryset.annotate(rank=rank).order_by(F("rank").desc(), *then)


def order_by_rank_or_last(queryset, terms, first, *then):
    """``queryset`` ordered by ``first``, then the best matches of ``terms``, the rows not
    matching them after those, then ``then``: for a queryset that also holds rows without
    the words (initiatives tagged with an instrument named in the query). On SQLite a
    correlated bm25 per row (a MATCH each: meant for the SQL ``qs``, not the search page,
    which orders from the facet index)."""
    if connection.vendor == "sqlite":
        rank = RawSQL(
            "(SELECT bm25(initiative_fts) FROM initiative_fts WHERE initiative_fts MATCH %s"
            ' AND initiative_fts.rowid = "initiatives_initiative"."id")',
            [_sqlite_match(terms)],
            output_field=FloatField(),
        )
        return queryset.annotate(rank=rank).order_by(first, F("rank").asc(nulls_last=True), *then)
    rank = RawSQL(
        "CASE WHEN search_vector @@ to_tsquery('simple', %s)"
        " THEN ts_rank(search_vector, to_tsquery('simple', %s)) END",
        [_postgres_query(terms)] * 2,
        output_field=FloatField(),
    )
    return queryset.annotate(rank=rank).order_by(first, F("rank").desc(nulls_last=True), *then)


def match_ids(terms, ranked, using="default", among=None):
    """``(ids, rank)`` of every initiative (hidden ones too) whose text holds every term;
    ``among`` (a list of ids) restricts it to those (on SQLite each id rescans the words'
    doclists: meant for a few ids, such as the initiatives an edit touched).

    ``rank`` (only if ``ranked``) orders best first when sorted ascending: SQLite's bm25 is
    negative, lower is better; PostgreSQL's ts_rank is negated. The same scores, ties and
    all, as ``order_by_rank``'s SQL. Without a rank the ids come as one comma-joined string
    (a third of the time of one Python row per match: 57,000 rows for 就业 at 100,000), and so
    do PostgreSQL's ranks.
    """
    connection = connections[using]
    if among is not None and not among:
        return np.empty(0, np.int64), (np.empty(0) if ranked else None)
    if connection.vendor == "sqlite":
        where, params = _sqlite_where(terms)
        if among is not None:
            return _sqlite_among(connection, where, params, among, ranked)
        ranked_sql = f"SELECT initiative_fts.rowid, bm25(initiative_fts) {where}"
        joined_sql = f"SELECT group_concat(initiative_fts.rowid) {where}"
        with connection.cursor() as cursor:
            return _read_matches(cursor, ranked_sql if ranked else joined_sql, params, ranked)
    query = "to_tsquery('simple', %s)"
    where = f"FROM initiatives_initiative p WHERE search_vector @@ {query}"
    params = [_postgres_query(terms)] * (2 if ranked else 1)
    checks, check_params = _phrase_checks(terms, "postgresql", "p")
    if checks:
        where += f" AND {checks}"
        params += check_params
    if among is not None:
        where += " AND id = ANY(%s)"
        params.append(among)
    # Two lists joined in one row (both aggregates read the rows in one order). A float4
    # as text is its shortest exact form: read back as float32 it is the same number, so
    # order and ties are those of ORDER BY ts_rank.
    ranked_sql = (
        "SELECT string_agg(id::text, ','),"
        f" string_agg((-ts_rank(search_vector, {query}))::text, ',') {where}"
    )
    joined_sql = f"SELECT string_agg(id::text, ',') {where}"
    sql = ranked_sql if ranked else joined_sql
    if among is not None:  # a primary-key lookup per id
        with connection.cursor() as cursor:
            return _read_matches(cursor, sql, params, ranked)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # Costed alike, the planner picks a scan testing @@ on every row; the GIN bitmap
        # reads only the matching rows (就业, 57 % of the rows: 78 ms instead of 106 ms).
        cursor.execute("SET LOCAL enable_seqscan = off")
        found = _read_matches(cursor, sql, params, ranked)
        # Inside a longer transaction (tests) the rest plans as usual. On an error the
        # rollback (to the savepoint) undoes the SET LOCAL.
        cursor.execute("RESET enable_seqscan")
        return found


def _sqlite_among(connection, where, params, among, ranked):
    found_ids, found_ranks = [], []
    with connection.cursor() as cursor:
        for start in range(0, len(among), CHUNK):
            chunk = among[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT initiative_fts.rowid, bm25(initiative_fts) {where}"
                f" AND initiative_fts.rowid IN ({marks})",
                params + chunk,
            )
            for pk, rank in cursor.fetchall():
                found_ids.append(pk)
                found_ranks.append(rank)
    ids = np.array(found_ids, dtype=np.int64)
    return ids, (np.array(found_ranks, dtype=np.float64) if ranked else None)


def _read_matches(cursor, sql, params, ranked):
    cursor.execute(sql, params)
    if cursor.db.vendor == "sqlite" and ranked:
        # bm25() cannot be aggregated: one row per match. A double as text would also
        # need 17 digits to read back exactly.
        rows = cursor.fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        return ids, np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))
    joined = cursor.fetchone()
    ids = _numbers(joined[0], np.int64)
    return ids, (_numbers(joined[1], np.float32).astype(np.float64) if ranked else None)


def _numbers(joined, dtype):
    return np.array(joined.split(","), dtype=dtype) if joined else np.empty(0, dtype)
