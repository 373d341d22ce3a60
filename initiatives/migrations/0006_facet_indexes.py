"""Covering indexes for the search page's facet counts (initiatives.search.facets).

The facet statement materialises the text matches once and joins them to the regions,
themes and instruments by initiative id; these indexes let every join read an index alone:
- both databases: region links by (initiative, province) — the province facet;
- SQLite: initiatives by (id, status, year, document), documents by (id, kind) — the match
  set's columns without reading the wide rows (text, search_text) of either table.
  PostgreSQL reads those rows for the full-text test anyway (the GIN index holds no ids).

Theme and instrument links already have covering unique indexes (initiative, theme /
instrument). Raw SQL, not model indexes: the statements are per database (and the SQLite
ones are recreated after a table rebuild by ``initiatives.search.fulltext.ensure_index``).
"""

from django.db import migrations

from initiatives.search.fulltext import FACET_INDEX_DDL

BACKWARD = [
    "DROP INDEX IF EXISTS initiative_facet_idx",
    "DROP INDEX IF EXISTS document_facet_idx",
    "DROP INDEX IF EXISTS initiative_region_facet_idx",
]


def forward(apps, schema_editor):
    for statement in FACET_INDEX_DDL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0005_curation_records")]
    operations = [migrations.RunPython(forward, backward)]
