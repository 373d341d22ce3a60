"""Canonical indicators: the vocabulary (seeded from fixtures/vocabulary/indicators.json)
and each target's link to one; existing targets are linked by the same rule as ingest."""

import json
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

VOCABULARY = Path(__file__).resolve().parents[2] / "fixtures" / "vocabulary"


def seed(apps, schema_editor):
    from ingest.indicators import IndicatorVocabulary

    Indicator = apps.get_model("initiatives", "Indicator")
    Target = apps.get_model("initiatives", "Target")
    items = json.loads((VOCABULARY / "indicators.json").read_text(encoding="utf-8"))
    for position, item in enumerate(items):
        Indicator.objects.get_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "units": item["units"],
                "synonyms": item["synonyms"],
                "position": position,
            },
        )
    vocabulary = IndicatorVocabulary(Indicator.objects.values_list("pk", "name", "units", "synonyms"))
    for target in Target.objects.only("pk", "indicator", "unit").iterator(chunk_size=2000):
        pk = vocabulary.link(target.indicator, target.unit)
        if pk is not None:
            Target.objects.filter(pk=target.pk).update(canonical_indicator_id=pk)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0012_time")]

    operations = [
        migrations.CreateModel(
            name="Indicator",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="代码")),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="名称")),
                ("name_en", models.CharField(max_length=120, verbose_name="英文名")),
                ("units", models.JSONField(default=list, help_text="基本单位，如 人、%、元、笔", verbose_name="单位")),
                ("synonyms", models.JSONField(blank=True, default=list, verbose_name="同义词")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
            ],
            options={
                "verbose_name": "标准指标",
                "verbose_name_plural": "标准指标",
                "ordering": ["position", "code"],
            },
        ),
        migrations.AddField(
            model_name="target",
            name="canonical_indicator",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="targets",
                to="initiatives.indicator",
                verbose_name="标准指标",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
