"""乡村就业工厂 is the newer local name of 帮扶车间 / 扶贫车间: the instrument's synonym and a
cue of the poverty-alleviation theme, like 社区工厂. Only what a database lacks is added:
curators may have edited these rows in admin.
"""

from django.db import migrations

FACTORY = "乡村就业工厂"


def forwards(apps, schema_editor):
    Theme = apps.get_model("initiatives", "Theme")
    PolicyInstrument = apps.get_model("initiatives", "PolicyInstrument")
    theme = Theme.objects.filter(key="poverty_alleviation").first()
    if theme is not None and FACTORY not in (theme.cues or []):
        theme.cues = [*(theme.cues or []), FACTORY]
        theme.save(update_fields=["cues"])
    taken = {
        s
        for synonyms in PolicyInstrument.objects.values_list("synonyms", flat=True)
        for s in synonyms or ()
    }
    workshop = PolicyInstrument.objects.filter(name="扶贫车间").first()
    if workshop is not None and FACTORY not in taken:
        workshop.synonyms = [*(workshop.synonyms or []), FACTORY]
        workshop.save(update_fields=["synonyms"])


def backwards(apps, schema_editor):
    Theme = apps.get_model("initiatives", "Theme")
    PolicyInstrument = apps.get_model("initiatives", "PolicyInstrument")
    theme = Theme.objects.filter(key="poverty_alleviation").first()
    if theme is not None:
        theme.cues = [c for c in (theme.cues or []) if c != FACTORY]
        theme.save(update_fields=["cues"])
    workshop = PolicyInstrument.objects.filter(name="扶贫车间").first()
    if workshop is not None:
        workshop.synonyms = [s for s in (workshop.synonyms or []) if s != FACTORY]
        workshop.save(update_fields=["synonyms"])


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0016_release")]

    operations = [migrations.RunPython(forwards, backwards)]
