"""Seed the five themes and the policy-instrument vocabulary from fixtures/vocabulary/."""

import json
from pathlib import Path

from django.db import migrations

VOCABULARY = Path(__file__).resolve().parents[2] / "fixtures" / "vocabulary"


def seed(apps, schema_editor):
    Theme = apps.get_model("initiatives", "Theme")
    PolicyInstrument = apps.get_model("initiatives", "PolicyInstrument")
    themes = json.loads((VOCABULARY / "themes.json").read_text(encoding="utf-8"))
    for position, theme in enumerate(themes):
        Theme.objects.get_or_create(
            key=theme["key"],
            defaults={
                "name_zh": theme["name_zh"],
                "name_en": theme["name_en"],
                "cues": theme["cues"],
                "heading_cues": theme["heading_cues"],
                "position": position,
            },
        )
    instruments = json.loads((VOCABULARY / "instruments.json").read_text(encoding="utf-8"))
    for item in instruments:
        PolicyInstrument.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "category": item["category"],
                "synonyms": item["synonyms"],
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("initiatives", "PolicyInstrument").objects.all().delete()
    apps.get_model("initiatives", "Theme").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
