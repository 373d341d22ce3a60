"""Full-text search over initiatives: keeping the index in step and querying it.

``Initiative.search_text`` (jieba tokens of title + text, see initiatives.segmentation) is what
both databases index; migration 0003 built the index on top of it:
- SQLite: FTS5 table ``initiative_fts`` (rowid = initiative id), maintained by triggers.
- PostgreSQL: generated column ``search_vector`` (``to_tsvector('simple', search_text)``) with
  the GIN index ``initiative_search_idx``.

So indexing is just writing ``search_text``; the database does the rest, on bulk_create,
update() and delete (cascades included) alike. Query terms are ANDed on both databases.
"""

from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

from initiatives.segmentation import segment_for_index

# Statements that (re)create the SQLite triggers; also run after every migrate, because
# Django's SQLite schema editor rebuilds a table to alter it and the rebuild drops triggers.
SQLITE_INDEX_DDL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS initiative_fts USING fts5(
        search_text, tokenize = 'unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER IF NOT EXISTS initiative_fts_insert
        AFTER INSERT ON initiatives_initiative BEGIN
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

CHUNK = 500


def search_document(title, text):
    """What gets indexed for one initiative."""
    return segment_for_index(f"{title}\n{text}")


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


def _sqlite_match(terms):
    # Each term as an FTS5 string: the tokenizer sees it exactly as it saw the index.
    return " AND ".join('"{}"'.format(t.replace('"', '""')) for t in terms)


def _postgres_query(terms):
    return " & ".join("'{}'".format(t.replace("\\", "\\\\").replace("'", "''")) for t in terms)


def matching(terms):
    """A ``Q`` selecting initiatives whose text holds every term."""
    if connection.vendor == "sqlite":
        sql = "SELECT rowid FROM initiative_fts WHERE initiative_fts MATCH %s"
        return Q(pk__in=RawSQL(sql, [_sqlite_match(terms)]))
    return Q(
        RawSQL(
            "search_vector @@ to_tsquery('simple', %s)",
            [_postgres_query(terms)],
            output_field=BooleanField(),
        )
    )


def rank(terms):
    """An expression ordering the best matches first when sorted ascending."""
    if connection.vendor == "sqlite":
        # bm25() is negative: lower is better.
        sql = (
            "(SELECT bm25(initiative_fts) FROM initiative_fts "
            'WHERE initiative_fts MATCH %s AND initiative_fts.rowid = "initiatives_initiative"."id")'
        )
        return RawSQL(sql, [_sqlite_match(terms)], output_field=FloatField())
    return RawSQL(
        "-ts_rank(search_vector, to_tsquery('simple', %s))",
        [_postgres_query(terms)],
        output_field=FloatField(),
    )
