"""The in-memory facet index follows every kind of write (initiatives.search.facet_index)."""

import re

import numpy as np
import pytest
from django.db import connection, transaction
from django.http import QueryDict

from initiatives.models import Document, Initiative, InitiativeRegion, Status, Theme
from initiatives.search import facet_index, facets, index_triggers
from initiatives.search.filters import InitiativeFilter
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def counts(query=""):
    filter_set = InitiativeFilter(QueryDict(query))
    years, kinds, total = facets.year_and_kind_facets(filter_set)
    return {
        "total": total,
        "province": {f.value: f.count for f in facets.province_facet(filter_set) if f.count},
        "theme": {f.value: f.count for f in facets.theme_facet(filter_set) if f.count},
        "year": {f.value: f.count for f in years},
        "kind": {f.value: f.count for f in kinds},
    }


@pytest.fixture
def two():
    sichuan = make_initiative(text="四川推出创业担保贷款。", regions=("510000",), year=2019)
    sichuan.themes.add(Theme.objects.get(key="entrepreneurship"))
    hebei = make_initiative(text="河北开展技能培训。", regions=("130000",), year=2020)
    return sichuan, hebei


def test_counts_follow_creates_updates_and_deletes(two):
    sichuan, hebei = two
    assert counts()["province"] == {"510000": 1, "130000": 1}
    make_initiative(text="广东开展技能培训。", regions=("440000",), year=2020)
    assert counts()["province"] == {"510000": 1, "130000": 1, "440000": 1}
    # Bulk update (no signals), as the admin's bulk actions do.
    Initiative.objects.filter(pk=hebei.pk).update(status=Status.HIDDEN, year=2021)
    assert counts()["province"] == {"510000": 1, "440000": 1}
    assert counts()["year"] == {"2020": 1, "2019": 1}
    Initiative.objects.filter(pk=sichuan.pk).update(year=2018)
    assert counts()["year"] == {"2020": 1, "2018": 1}
    # Links: regions, themes; and the document kind.
    InitiativeRegion.objects.filter(initiative=sichuan).update(province_id="130000")
    assert counts()["province"] == {"130000": 1, "440000": 1}
    sichuan.themes.clear()
    assert counts()["theme"] == {}
    Document.objects.filter(pk=sichuan.document_id).update(kind=Document.Kind.PLAN)
    assert counts("kind=plan")["total"] == 1
    sichuan.document.delete()  # cascades to the initiative and its links
    assert counts()["total"] == 1


def test_raw_sql_writes_are_seen(two):
    sichuan, _ = two
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM initiatives_initiativeregion WHERE initiative_id = %s", [sichuan.pk]
        )
    assert counts()["province"] == {"130000": 1}


def test_a_rolled_back_change_does_not_stay_in_the_index(two):
    before = counts()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_initiative(text="广东开展技能培训。", regions=("440000",), year=2020)
        assert counts()["province"]["440000"] == 1  # seen inside the transaction
        raise RuntimeError("rolled back")
    assert counts() == before
    # A later, different change is seen too (a new stamp, never the rolled-back one).
    make_initiative(text="北京开展技能培训。", regions=("110000",), year=2020)
    assert counts()["province"] == {**before["province"], "110000": 1}


def test_the_index_is_built_once_per_change(two, django_assert_num_queries):
    facet_index.current()
    with django_assert_num_queries(1):  # the stamp only
        index = facet_index.current()
    make_initiative(text="广东开展技能培训。", regions=("440000",), year=2020)
    assert facet_index.current() is not index
    assert len(facet_index.current().ids) == 3


@pytest.fixture
def frequent_and_rare():
    # 就业 in 8 of 10 texts, one, two or three times; 创业 in 2, 担保 in 1.
    for n in range(8):
        make_initiative(
            text="就业" * (n % 3 + 1) + f"第{n}项措施，稳定就业岗位。" + ("创业" if n < 2 else ""),
            regions=("510000",),
            year=2010 + n,
        )
    make_initiative(text="发放担保贷款。", regions=("130000",), year=2020)
    make_initiative(text="开展技能培训。", regions=("130000",), year=2021)
    return facet_index.current()


def result_ids(client, query):
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200
    return [
        int(pk)
        for pk in re.findall(r'<h3><a href="/initiatives/(\d+)/"', response.content.decode())
    ]


def test_frequent_words_are_ranked_ahead_and_found_as_by_any_search(
    client, frequent_and_rare, monkeypatch, django_assert_num_queries
):
    index = frequent_and_rare
    monkeypatch.setattr(facet_index, "FREQUENT_SHARE", 0.5)
    terms = facet_index.frequent_terms(index)
    assert ("就业",) in terms and ("创业",) not in terms and ("担保",) not in terms
    # Ranked by the database as every search is: the same pages as without it.
    expected = {q: result_ids(client, q) for q in ("q=就业", "q=就业&year_min=2013", "q=创业")}
    facet_index.clear_match_cache()
    facet_index.rank_frequent_terms(index)
    with django_assert_num_queries(0):
        match = facet_index.text_matches(index, ["就业"], ranked=True)
        assert len(match.rows) == 8
    for query, ids in expected.items():
        assert result_ids(client, query) == ids
    # Kept through the cache of recent matches being emptied, and carried over to the next
    # index: only the new initiative is matched and ranked again.
    facet_index.clear_match_cache()
    assert facet_index.text_matches(index, ["就业"], ranked=False) is match
    added = make_initiative(text="新增就业岗位。", regions=("440000",), year=2022)
    published = facet_index.current()
    assert published is not index
    with django_assert_num_queries(0):
        carried = facet_index.text_matches(published, ["就业"], ranked=True)
    assert len(carried.rows) == 9 and added.pk in published.ids[carried.rows]
    found = result_ids(client, "q=就业")
    assert result_ids(client, "q=就业&sort=newest")[0] == added.pk
    # The same results as a ranking from scratch finds.
    facet_index._frequent.clear()
    facet_index.clear_match_cache()
    assert sorted(result_ids(client, "q=就业")) == sorted(found)


def test_a_ranking_finished_after_an_edit_is_carried_to_the_published_index(
    frequent_and_rare, monkeypatch
):
    index = frequent_and_rare
    monkeypatch.setattr(facet_index, "FREQUENT_SHARE", 0.5)
    added = make_initiative(text="新增就业岗位。", regions=("440000",), year=2022)
    published = facet_index.current()  # another request applied the edit meanwhile
    match = facet_index.rank_frequent_terms(index)[("就业",)]
    assert match.index is published
    assert added.pk in published.ids[match.rows]


def test_a_ranking_the_log_cannot_carry_is_discarded(frequent_and_rare, monkeypatch):
    index = frequent_and_rare
    monkeypatch.setattr(facet_index, "FREQUENT_SHARE", 0.5)
    make_initiative(text="新增就业岗位。", regions=("440000",), year=2022)
    with connection.cursor() as cursor:  # the entries since the index was built pruned
        cursor.execute(f"DELETE FROM {index_triggers.CHANGES_TABLE}")
    make_initiative(text="再增就业岗位。", regions=("440000",), year=2023)
    assert len(facet_index.current().ids) == 12  # rebuilt from scratch
    assert facet_index.rank_frequent_terms(index) == {}


def same_index(index, fresh):
    """Whether two indexes hold the same columns (every array field equal)."""
    return all(
        np.array_equal(getattr(index, name), getattr(fresh, name))
        for name, value in vars(fresh).items()
        if isinstance(value, np.ndarray)
    )


def test_patched_index_equals_a_fresh_build(two, monkeypatch):
    sichuan, hebei = two
    facet_index.current()
    build = facet_index.build
    monkeypatch.setattr(facet_index, "build", lambda *args: pytest.fail("rebuilt, not patched"))
    added = make_initiative(text="广东开展技能培训。", regions=("440100", "440300"), year=None)
    added.themes.add(Theme.objects.get(key="skills"))
    Initiative.objects.filter(pk=hebei.pk).update(status=Status.HIDDEN)
    InitiativeRegion.objects.filter(initiative=sichuan).update(region_id="510100")
    Document.objects.filter(pk=sichuan.document_id).update(kind=Document.Kind.PLAN)
    patched = facet_index.current()
    assert same_index(patched, build(connection, patched.stamp))
    assert sorted(patched.ids.tolist()) == [sichuan.pk, added.pk]
    # Unhidden again: back in the index.
    Initiative.objects.filter(pk=hebei.pk).update(status=Status.EXTRACTED)
    assert hebei.pk in facet_index.current().ids
