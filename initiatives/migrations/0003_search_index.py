"""The full-text index over ``Initiative.search_text`` (jieba tokens, space separated).

``search_text`` is the single source of truth; the database keeps the index in step by itself:
- SQLite: a regular FTS5 table (rowid = initiative id) fed by triggers on insert, update of
  ``search_text`` and delete, so bulk_create, queryset.update() and cascade deletes all follow.
- PostgreSQL: a stored generated ``tsvector`` column (``simple`` config) with a named GIN
  index. The column is deliberately not a model field: Django never writes it, and SQLite has
  no such column.

Both tokenizers (``unicode61`` and the ``simple`` parser) see each space-separated token as
one word, because initiatives.search.segmentation only emits runs of letters and digits.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE initiative_fts USING fts5(
        search_text, tokenize = 'unicode61 remove_diacritics 0'
    )""",
    """INSERT INTO initiative_fts(rowid, search_text)
        SELECT id, search_text FROM initiatives_initiative""",
    """CREATE TRIGGER initiative_fts_insert AFTER INSERT ON initiatives_initiative BEGIN
        INSERT INTO initiative_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER initiative_fts_update AFTER UPDATE OF search_text
        ON initiatives_initiative BEGIN
        DELETE FROM initiative_fts WHERE rowid = old.id;
        INSERT INTO initiative_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER initiative_fts_delete AFTER DELETE ON initiatives_initiative BEGIN
        DELETE FROM initiative_fts WHERE rowid = old.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS initiative_fts_insert",
    "DROP TRIGGER IF EXISTS initiative_fts_update",
    "DROP TRIGGER IF EXISTS initiative_fts_delete",
    "DROP TABLE IF EXISTS initiative_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE initiatives_initiative ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED""",
    # The search page, CSV export and API: `search_vector @@ tsquery`.
    "CREATE INDEX initiative_search_idx ON initiatives_initiative USING gin (search_vector)",
    # The "newest" sort (the search page default without a query): PostgreSQL sorts NULLs
    # first in DESC order, so the model's (year, id) index cannot serve `year DESC NULLS LAST`.
    """CREATE INDEX initiative_newest_idx
        ON initiatives_initiative (year DESC NULLS LAST, id DESC)""",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS initiative_newest_idx",
    "DROP INDEX IF EXISTS initiative_search_idx",
    "ALTER TABLE initiatives_initiative DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0002_seed_vocabularies")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
