"""The gazetteer loaded by migrations: the hierarchy every region filter relies on."""

import pytest
from django.db.models import Count

from regions.gazetteer import gazetteer
from regions.models import Region

pytestmark = pytest.mark.django_db

L = Region.Level


def test_it_has_exactly_34_province_level_units():
    names = set(Region.objects.provinces().values_list("name", flat=True))
    assert len(names) == 34
    assert {
        "北京市",
        "四川省",
        "内蒙古自治区",
        "香港特别行政区",
        "澳门特别行政区",
        "台湾省",
    } <= names


def test_it_has_the_national_root():
    root = Region.objects.get(code="000000")
    assert root.name == "全国"
    assert root.level == L.NATIONAL
    assert root.parent is None


def test_every_province_hangs_on_the_root():
    assert not Region.objects.provinces().exclude(parent_id="000000").exists()


def test_every_prefectures_parent_is_a_province():
    prefectures = Region.objects.filter(level=L.PREFECTURE)
    assert prefectures.count() > 300
    assert not prefectures.exclude(parent__level=L.PROVINCE).exists()


def test_every_countys_parent_is_a_prefecture_or_province():
    counties = Region.objects.filter(level=L.COUNTY)
    assert counties.count() > 2800
    assert not counties.exclude(parent__level__in=[L.PROVINCE, L.PREFECTURE]).exists()


def test_codes_are_unique_six_digits():
    duplicates = Region.objects.values("code").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()
    assert all(len(c) == 6 and c.isdigit() for c in Region.objects.values_list("code", flat=True))


def test_denormalised_ancestors_match_the_parents():
    # within() trusts province/prefecture; they must agree with the parent chain.
    for county in Region.objects.filter(level=L.COUNTY).select_related("parent")[:500]:
        if county.parent.level == L.PREFECTURE:
            assert (county.province_id, county.prefecture_id) == (
                county.parent.parent_id,
                county.parent_id,
            )
        else:
            assert (county.province_id, county.prefecture_id) == (county.parent_id, None)


@pytest.mark.parametrize(
    "code, name, level, parent",
    [
        ("510000", "四川省", L.PROVINCE, "000000"),
        ("511100", "乐山市", L.PREFECTURE, "510000"),
        ("510106", "金牛区", L.COUNTY, "510100"),
        ("130529", "巨鹿县", L.COUNTY, "130500"),
        ("230300", "鸡西市", L.PREFECTURE, "230000"),
        ("513225", "九寨沟县", L.COUNTY, "513200"),
    ],
)
def test_spot_checks(code, name, level, parent):
    region = Region.objects.get(code=code)
    assert (region.name, region.level, region.parent_id) == (name, level, parent)


def test_within_a_province_reaches_its_counties_only():
    sichuan = Region.objects.get(name="四川省")
    inside = Region.objects.within(sichuan)
    assert inside.filter(name="金牛区").exists()
    assert inside.filter(name="乐山市").exists()
    assert not inside.filter(name="巨鹿县").exists()


def test_within_a_prefecture():
    chengdu = Region.objects.get(code="510100")
    codes = set(Region.objects.within(chengdu).values_list("code", flat=True))
    assert {"510100", "510106"} <= codes
    assert "511100" not in codes


def test_short_names_resolve():
    [code] = gazetteer().codes_for_name("内蒙古")
    assert code == "150000"
    assert "510000" in gazetteer().codes_for_name("四川")
    assert Region.objects.named("四川省").get().code == "510000"


def test_path_name_runs_from_the_province_down():
    assert Region.objects.get(code="510106").path_name == "四川省/成都市/金牛区"
    assert Region.objects.get(code="130529").path_name == "河北省/邢台市/巨鹿县"
    assert Region.objects.get(code="000000").path_name == "全国"
    assert gazetteer().path_name("510106") == "四川省/成都市/金牛区"


def test_gazetteer_cache_follows_an_alias_added_by_a_curator():
    region = Region.objects.get(code="130529")
    assert "130529" not in gazetteer().codes_for_name("巨鹿古城")
    region.aliases = [*region.aliases, "巨鹿古城"]
    region.save()
    assert "130529" in gazetteer().codes_for_name("巨鹿古城")


def test_counties_within_a_place_are_those_the_full_scan_finds():
    from regions.gazetteer import COUNTY, NATIONAL_CODE, PREFECTURE, PROVINCE, gazetteer

    g = gazetteer()
    scanned = 0
    for place in g.by_code.values():
        if place.level in (PROVINCE, PREFECTURE) or place.code == NATIONAL_CODE:
            expected = {
                p.code
                for p in g.by_code.values()
                if p.level == COUNTY and g.is_within(p.code, place.code)
            }
            assert {p.code for p in g.counties_within(place.code)} == expected, place.code
            scanned += len(expected)
    assert scanned > 2000  # every county under some province, and again under a city
