"""The data version of the per-process caches built from regions and instruments
(regions.data_version): a one-row table ``vocabulary_stamp`` and triggers on
``regions_region`` and ``initiatives_policyinstrument`` that write a new random stamp on every
change. Raw SQL because the statements differ per database; SQLite's triggers are recreated
after table rebuilds by the post_migrate signal (initiatives.signals).
"""

from django.db import migrations

from regions import data_version


def forward(apps, schema_editor):
    data_version.install(schema_editor.connection)


def backward(apps, schema_editor):
    data_version.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0009_curation"),
        ("regions", "0002_load_gazetteer"),
    ]
    operations = [migrations.RunPython(forward, backward)]
