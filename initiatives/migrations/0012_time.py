"""Dates that mean something: document dates with their precision, periods, 文号, issuer,
source link and permanence; initiatives' and targets' periods (``year_start``/``year_end``)
and the targets' period type.

Rows written before this had ``year``…``year_end`` as their period: ``year_start`` takes
``year`` where an end was set, so the new "whole period or none" rule holds for them.
"""

from django.db import migrations, models
from django.db.models import F, Q

PRECISIONS = [("year", "年"), ("month", "月"), ("day", "日")]


def fill_period_starts(apps, schema_editor):
    Document = apps.get_model("initiatives", "Document")
    Document.objects.filter(period_end__isnull=False, year__lte=F("period_end")).update(
        period_start=F("year")
    )
    Document.objects.filter(period_end__isnull=False, period_start__isnull=True).update(
        period_start=F("period_end")
    )
    # Dates stored before precision was recorded were read as full dates.
    Document.objects.filter(published_on__isnull=False).update(published_precision="day")
    for name in ("Initiative", "Target"):
        model = apps.get_model("initiatives", name)
        model.objects.filter(year_end__isnull=False).update(year_start=F("year"))
        model.objects.filter(year_end__isnull=False, year_start__isnull=True).update(
            year_start=F("year_end")
        )


def watch_periods(apps, schema_editor):
    """Period edits move the in-force filter: the stamp triggers watch the new columns."""
    from initiatives.search.index_triggers import install_stamp

    if schema_editor.connection.vendor == "sqlite":
        # CREATE TRIGGER IF NOT EXISTS would keep the old column list.
        schema_editor.execute("DROP TRIGGER IF EXISTS initiatives_initiative_update_stamp")
    install_stamp(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0011_region_roles")]

    operations = [
        migrations.RemoveConstraint(model_name="document", name="document_sane_period"),
        migrations.RemoveConstraint(model_name="initiative", name="initiative_sane_period"),
        migrations.RemoveConstraint(model_name="target", name="target_sane_period"),
        migrations.RenameField(model_name="document", old_name="publisher", new_name="issuer"),
        migrations.AlterField(
            model_name="document",
            name="issuer",
            field=models.CharField(blank=True, max_length=200, verbose_name="发文机关"),
        ),
        migrations.RenameField(model_name="document", old_name="year_end", new_name="period_end"),
        migrations.AlterField(
            model_name="document",
            name="period_end",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="时期截止年"
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="period_start",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="时期起始年"
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="doc_number",
            field=models.CharField(blank=True, max_length=60, verbose_name="文号"),
        ),
        migrations.AddField(
            model_name="document",
            name="issued_on",
            field=models.DateField(blank=True, null=True, verbose_name="成文日期"),
        ),
        migrations.AddField(
            model_name="document",
            name="issued_precision",
            field=models.CharField(
                blank=True, choices=PRECISIONS, max_length=5, verbose_name="成文日期精度"
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="published_precision",
            field=models.CharField(
                blank=True, choices=PRECISIONS, max_length=5, verbose_name="发布日期精度"
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="permanence",
            field=models.CharField(blank=True, max_length=40, verbose_name="时效"),
        ),
        migrations.AddField(
            model_name="document",
            name="source_url",
            field=models.URLField(blank=True, max_length=500, verbose_name="原文链接"),
        ),
        migrations.AddField(
            model_name="initiative",
            name="year_start",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="实施起始年"
            ),
        ),
        migrations.AlterField(
            model_name="initiative",
            name="year_end",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="实施截止年"
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="year_start",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="起始年"),
        ),
        migrations.AlterField(
            model_name="target",
            name="year_end",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="截止年"),
        ),
        migrations.AddField(
            model_name="target",
            name="period_type",
            field=models.CharField(
                blank=True,
                choices=[("annual", "年度"), ("cumulative", "累计"), ("level", "水平")],
                max_length=10,
                verbose_name="时期类型",
            ),
        ),
        migrations.RunPython(fill_period_starts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=Q(period_start__isnull=True, period_end__isnull=True)
                | Q(period_start__isnull=False, period_end__gte=F("period_start")),
                name="document_sane_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="initiative",
            constraint=models.CheckConstraint(
                condition=Q(year_start__isnull=True, year_end__isnull=True)
                | Q(year_start__isnull=False, year_end__gte=F("year_start")),
                name="initiative_sane_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.CheckConstraint(
                condition=Q(year_start__isnull=True, year_end__isnull=True)
                | Q(year_start__isnull=False, year_end__gte=F("year_start")),
                name="target_sane_period",
            ),
        ),
        migrations.RunPython(watch_periods, migrations.RunPython.noop),
]
