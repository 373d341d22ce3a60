"""The change stamp of the in-memory facet index (initiatives.search.facet_index).

A one-row table ``initiative_index_stamp`` and triggers on the tables the index reads that
write a new random stamp on every change; raw SQL because the statements differ per database
(and SQLite's triggers are recreated after table rebuilds by ``install_stamp``, which the
post_migrate signal runs).
"""

from django.db import migrations

from initiatives.search.index_triggers import STAMP_TABLE, WATCHED, install_stamp


def forward(apps, schema_editor):
    install_stamp(schema_editor.connection)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    for table, events in WATCHED.items():
        if connection.vendor == "sqlite":
            for event in events:
                name = f"{table}_{event.split()[0].lower()}_stamp"
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
    if connection.vendor != "sqlite":
        schema_editor.execute("DROP FUNCTION IF EXISTS initiative_index_touch()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {STAMP_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0006_facet_indexes")]
    operations = [migrations.RunPython(forward, backward)]
