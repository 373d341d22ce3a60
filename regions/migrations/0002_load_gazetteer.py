"""Load the national gazetteer from fixtures/regions/regions.csv (see its SOURCES.md)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "regions" / "regions.csv"
LEVELS = {"national": 0, "province": 1, "prefecture": 2, "county": 3}


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_code = {row["code"]: row for row in rows}

    def ancestor(code, level):
        row = by_code.get(code)
        while row is not None and LEVELS[row["level"]] > level:
            row = by_code.get(row["parent_code"])
        if row is not None and LEVELS[row["level"]] == level:
            return row["code"]
        return None

    regions = []
    # Parents before children, so foreign keys resolve on databases that check them at once.
    for row in sorted(rows, key=lambda r: (LEVELS[r["level"]], r["code"])):
        level = LEVELS[row["level"]]
        regions.append(
            Region(
                code=row["code"],
                name=row["name"],
                short_name=row["short_name"] or row["name"],
                aliases=[a for a in row["aliases"].split("|") if a],
                level=level,
                parent_id=row["parent_code"] or None,
                province_id=ancestor(row["code"], 1) if level >= 1 else None,
                prefecture_id=ancestor(row["code"], 2) if level >= 2 else None,
            )
        )
    Region.objects.bulk_create(regions, batch_size=500)


def unload(apps, schema_editor):
    apps.get_model("regions", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
