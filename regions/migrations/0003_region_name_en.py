"""English names for the gazetteer, from Hanyu Pinyin (regions.english)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from regions.english import english_name

    Region = apps.get_model("regions", "Region")
    regions = list(Region.objects.only("code", "name", "level"))
    for region in regions:
        region.name_en = english_name(region.name, region.level)
    Region.objects.bulk_update(regions, ["name_en"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_load_gazetteer")]
    operations = [
        migrations.AddField(
            model_name="region",
            name="name_en",
            field=models.CharField(
                blank=True,
                default="",
                help_text="留空则按汉语拼音生成，如 四川省 → Sichuan Province",
                max_length=120,
                verbose_name="英文名",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
