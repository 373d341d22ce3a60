"""Region links lose the four single-column indexes Django makes for foreign keys.

Each of those columns already leads an index that answers the same lookups (the unique pair
``initiative_region_unique`` for ``initiative``; ``initiative_region_idx``,
``initiative_province_idx`` and ``initiative_prefecture_idx`` for the others), and every
index costs each inserted link: ingest writes several links per initiative. On SQLite the
indexes are dropped by name (Django's ``AlterField`` would copy the table four times); on
PostgreSQL ``alter_field`` also drops the ``_like`` indexes of the code columns.
"""

import django.db.models.deletion
from django.db import migrations, models

FIELDS = {
    "initiative": models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        to="initiatives.initiative",
    ),
    "region": models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="regions.region",
    ),
    "province": models.ForeignKey(
        db_index=False,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="regions.region",
    ),
    "prefecture": models.ForeignKey(
        db_index=False,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="regions.region",
    ),
}


def _change(apps, schema_editor, drop):
    model = apps.get_model("initiatives", "InitiativeRegion")
    table = model._meta.db_table
    postgres = schema_editor.connection.vendor == "postgresql"
    for name in FIELDS:
        column = model._meta.get_field(name).column
        indexes = [(schema_editor._create_index_name(table, [column]), "")]
        if postgres and name != "initiative":
            # PostgreSQL's second index of a varchar key, for LIKE.
            indexes.append(
                (
                    schema_editor._create_index_name(table, [column], suffix="_like"),
                    "varchar_pattern_ops",
                )
            )
        for index, opclass in indexes:
            if drop:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')
            else:
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}" {opclass})'
                )


def forward(apps, schema_editor):
    _change(apps, schema_editor, drop=True)


def backward(apps, schema_editor):
    _change(apps, schema_editor, drop=False)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0017_village_factories"),
        ("regions", "0002_load_gazetteer"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(model_name="initiativeregion", name=name, field=field)
                for name, field in FIELDS.items()
            ],
        )
    ]
