"""The change log of the in-memory facet index (initiatives.search.facet_index).

A table ``initiative_index_changes`` listing the initiatives each write touched, filled by
triggers beside the stamp's, so that each process applies only what changed instead of
rebuilding its index. Raw SQL because the statements differ per database (SQLite's triggers
are recreated after table rebuilds by ``install_stamp``, which the post_migrate signal runs).
"""

from django.db import migrations

from initiatives.search.index_triggers import CHANGES_TABLE, WATCHED, install_changes


def forward(apps, schema_editor):
    install_changes(schema_editor.connection)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    for table, events in WATCHED.items():
        if connection.vendor == "sqlite":
            for event in events:
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {table}_{event.split()[0].lower()}_change"
                )
        else:
            for event in (*events, "TRUNCATE"):
                kind = event.split()[0].lower()
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {table}_stamp_{kind}_change ON {table}"
                )
                if kind != "truncate":
                    schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_{kind}_change()")
    if connection.vendor != "sqlite":
        schema_editor.execute("DROP FUNCTION IF EXISTS initiative_index_truncated()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {CHANGES_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0013_time_indicators")]
    operations = [migrations.RunPython(forward, backward)]
