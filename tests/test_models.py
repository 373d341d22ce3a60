"""Database constraints and the vocabularies seeded by migrations."""

import pytest
from django.db import IntegrityError, transaction

from initiatives.models import Document, Initiative, PolicyInstrument, Target, Theme
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db

FIVE_THEMES = {
    "entrepreneurship",
    "poverty_alleviation",
    "graduates",
    "skills",
    "unemployment_insurance",
}


def test_the_five_themes_exist_after_migrate():
    assert FIVE_THEMES <= set(Theme.objects.values_list("key", flat=True))
    assert all(
        t.name_zh and t.name_en and t.cues for t in Theme.objects.filter(key__in=FIVE_THEMES)
    )


def test_instrument_vocabulary_is_seeded():
    assert PolicyInstrument.objects.count() >= 30
    loan = PolicyInstrument.objects.get(name="创业担保贷款")
    assert loan.category == PolicyInstrument.Category.LOAN
    assert "小额担保贷款" in loan.synonyms


def test_the_same_content_cannot_be_stored_twice():
    document = make_document()
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            title="重复", file_name="copy.txt", content_hash=document.content_hash, text="x"
        )
    assert Document.objects.count() == 1


@pytest.mark.parametrize("start, end", [(5, 5), (5, 3)])
def test_an_initiative_span_cannot_be_empty(start, end):
    document = make_document()
    with pytest.raises(IntegrityError), transaction.atomic():
        Initiative.objects.create(document=document, title="t", text="t", start=start, end=end)
    assert not Initiative.objects.exists()


def test_a_target_span_cannot_be_empty():
    initiative = make_initiative()
    target = make_target(initiative=initiative)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.filter(pk=target.pk).update(end=target.start)


@pytest.mark.parametrize("model", ["document", "initiative", "target"])
def test_a_year_of_1800_is_refused(model):
    initiative = make_initiative()
    target = make_target(initiative=initiative)
    row = {"document": initiative.document, "initiative": initiative, "target": target}[model]
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(year=1800)


def test_a_period_cannot_end_before_it_starts():
    document = make_document(year=2022, period=(2021, 2025))
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(period_end=2020)
    with pytest.raises(IntegrityError), transaction.atomic():
        # Half a period (an end without a start) says nothing a reader could use.
        Document.objects.filter(pk=document.pk).update(period_start=None)
    initiative = make_initiative(document=document, period=(2021, 2025))
    with pytest.raises(IntegrityError), transaction.atomic():
        Initiative.objects.filter(pk=initiative.pk).update(year_start=2026)


def test_an_initiative_region_carries_its_province():
    initiative = make_initiative(regions=["510106", "130529"])
    links = {link.region_id: link for link in initiative.initiativeregion_set.all()}
    assert (links["510106"].province_id, links["510106"].prefecture_id) == ("510000", "510100")
    assert links["130529"].province_id == "130000"
    assert [r.name for r in initiative.regions.order_by("code")] == ["巨鹿县", "金牛区"]


def test_targets_of_a_hidden_initiative_are_not_visible():
    from initiatives.models import Target
    from tests.factories import make_initiative, make_target

    initiative = make_initiative(text="全年实现城镇新增就业20000人。", status="hidden")
    make_target(initiative=initiative, text="城镇新增就业20000人")
    shown = make_target(text="城镇新增就业30000人", value=30000)
    assert list(Target.objects.visible()) == [shown]
