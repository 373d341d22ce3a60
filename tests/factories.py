"""Small keyword-argument factories for tests: each makes one valid row and returns it."""

import hashlib
import itertools

from initiatives.models import (
    Document,
    Initiative,
    InitiativeRegion,
    PolicyInstrument,
    Target,
    Theme,
)
from regions.models import Region

_counter = itertools.count(1)


def make_document(
    *,
    text="四川省出台就业创业促进条例。",
    title=None,
    kind="summary",
    year=2017,
    period=None,
    issuing_region="510000",
    file_name=None,
    **fields,
):
    n = next(_counter)
    return Document.objects.create(
        title=title or f"测试文件{n}",
        file_name=file_name or f"doc{n}.txt",
        content_hash=hashlib.sha256(f"{text}#{n}".encode()).hexdigest(),
        text=text,
        kind=kind,
        year=year,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        issuing_region_id=issuing_region,
        extractor_version="test",
        **fields,
    )


def make_initiative(
    *,
    document=None,
    text=None,
    title=None,
    regions=("510000",),
    themes=(),
    instruments=(),
    year=2017,
    period=None,
    status="extracted",
    start=None,
):
    if document is None:
        document = make_document(text=text or "四川省出台就业创业促进条例。", year=year)
    text = text or document.text
    if start is None:
        found = document.text.find(text)
        start = found if found >= 0 else 0
    initiative = Initiative.objects.create(
        document=document,
        title=title or text[:30],
        text=text,
        start=start,
        end=start + len(text),
        year=year,
        year_start=period[0] if period else None,
        year_end=period[1] if period else None,
        status=status,
        extractor_version="test",
    )
    for code in regions:
        InitiativeRegion.objects.create(initiative=initiative, region=Region.objects.get(code=code))
    if themes:
        initiative.themes.set(Theme.objects.filter(key__in=themes))
    if instruments:
        initiative.instruments.set(PolicyInstrument.objects.filter(name__in=instruments))
    return initiative


def make_target(
    *,
    document=None,
    initiative=None,
    indicator="城镇新增就业",
    value=20000,
    unit="人",
    comparator="=",
    kind="target",
    year=2017,
    period=None,
    period_type="",
    region="610900",
    text="城镇新增就业20000人",
):
    if document is None:
        document = initiative.document if initiative else make_document(text=text)
    found = document.text.find(text)
    start = found if found >= 0 else 0
    return Target.objects.create(
        document=document,
        initiative=initiative,
        indicator=indicator,
        value=value,
        unit=unit,
        comparator=comparator,
        kind=kind,
        year=year,
        year_start=period[0] if period else None,
        year_end=period[1] if period else None,
        period_type=period_type,
        region_id=region,
        text=text,
        start=start,
        end=start + len(text),
        extractor_version="test",
    )


def make_user(*, username=None, superuser=False, staff=True, groups=()):
    """A user who can log in to the admin; ``groups`` by name (e.g. "Curators")."""
    from django.contrib.auth.models import Group, User

    n = next(_counter)
    username = username or f"user{n}"
    if superuser:
        user = User.objects.create_superuser(username=username, password="pw", email="")
    else:
        user = User.objects.create_user(username=username, password="pw", is_staff=staff)
    if groups:
        user.groups.set(Group.objects.filter(name__in=groups))
    return user
