"""Vocabulary the annotated documents read one way throughout.

- A public-welfare post (公益性岗位, 城乡 or 乡村 ones included) is a tool for people with
  difficulties in general: its sentences are about poverty alleviation only when they say so
  (扶贫公益岗, 脱贫劳动力). The cue 乡村公益性岗位 gave the theme to every such post.
- 乡村就业工厂 is the newer local name of 帮扶车间 / 扶贫车间: the instrument's synonym and a
  cue of the poverty-alleviation theme, like 社区工厂.
Only rows still holding the seeded values change: curators may have edited them in admin.
"""

from django.db import migrations

FACTORY = "乡村就业工厂"


def forwards(apps, schema_editor):
    Theme = apps.get_model("initiatives", "Theme")
    PolicyInstrument = apps.get_model("initiatives", "PolicyInstrument")
    theme = Theme.objects.filter(key="poverty_alleviation").first()
    if theme is not None:
        cues = [c for c in (theme.cues or []) if c != "乡村公益性岗位"]
        if FACTORY not in cues:
            cues.append(FACTORY)
        theme.cues = cues
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
        cues = [c for c in (theme.cues or []) if c != FACTORY]
        if "乡村公益性岗位" not in cues:
            cues.append("乡村公益性岗位")
        theme.cues = cues
        theme.save(update_fields=["cues"])
    workshop = PolicyInstrument.objects.filter(name="扶贫车间").first()
    if workshop is not None:
        workshop.synonyms = [s for s in (workshop.synonyms or []) if s != FACTORY]
        workshop.save(update_fields=["synonyms"])


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0015_tasks")]

    operations = [migrations.RunPython(forwards, backwards)]
