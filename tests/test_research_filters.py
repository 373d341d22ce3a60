"""Strict filters: every bad value of every filter parameter is refused by every export (400
naming the parameter and the accepted form; a CommandError for ``manage.py export``), a
filter a table does not have is refused rather than ignored, and names are accepted where
they name one thing."""

import csv
import html
import io
import re

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db

# Bad values, with what makes each bad.
SHARED_BAD = [
    ("province", "999999"),  # no such code
    ("province", "510100"),  # a prefecture, not a province
    ("province", "四川"[::-1]),  # no such name
    ("region", "123456"),
    ("region", "朝阳区"),  # two districts of that name
    ("year", "abc"),
    ("year", "1800"),
    ("year_min", "abc"),
    ("year_max", "20x"),
    ("in_force", "3000"),
    ("kind", "bogus"),
]
INITIATIVE_BAD = [
    *SHARED_BAD,
    ("theme", "bogus"),
    ("instrument", "bogus"),
    ("instrument", "99999"),
    ("sort", "evil"),
    ("kind", "achieved"),  # a target kind, not a document kind
    ("indicator", "城镇新增就业"),  # a targets filter
    ("target_kind", "target"),
]
TARGET_BAD = [
    *SHARED_BAD,
    ("target_kind", "bogus"),
    ("kind", "achieved"),
    # Theme and instrument apply through the target's initiative: bad values are refused.
    ("theme", "bogus"),
    ("instrument", "bogus"),
    ("instrument", "99999"),
    # The search page's sort means nothing for targets: refused, not ignored.
    ("sort", "newest"),
]
INITIATIVE_CSVS = [
    "/initiatives/export.csv",
    "/initiatives/regions.csv",
    "/initiatives/themes.csv",
    "/initiatives/instruments.csv",
]


@pytest.fixture
def corpus():
    sichuan = make_initiative(
        regions=("510104",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    hebei = make_initiative(
        document=make_document(kind="news", year=2020, issuing_region="130000"),
        regions=("130533",),
        themes=("skills",),
        year=2020,
    )
    make_target(initiative=sichuan, region="510100", year=2019)
    make_target(kind="achieved", region="130533", year=2020)
    return {"sichuan": sichuan, "hebei": hebei}


def csv_rows(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def assert_csv_refused(response, parameter, value):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert f"参数 {parameter}" in body
    assert value in body


@pytest.mark.parametrize("url", INITIATIVE_CSVS)
@pytest.mark.parametrize("parameter, value", INITIATIVE_BAD)
def test_initiative_csvs_refuse(client, corpus, url, parameter, value):
    assert_csv_refused(client.get(url, {parameter: value}), parameter, value)


@pytest.mark.parametrize("parameter, value", TARGET_BAD)
def test_target_csv_refuses(client, corpus, parameter, value):
    assert_csv_refused(client.get("/targets/export.csv", {parameter: value}), parameter, value)


@pytest.mark.parametrize(
    "url, parameter, value",
    [("/api/initiatives", *bad) for bad in INITIATIVE_BAD]
    + [("/api/targets", *bad) for bad in TARGET_BAD],
)
def test_api_refuses_with_a_json_body(client, corpus, url, parameter, value):
    response = client.get(url, {parameter: value})
    assert response.status_code == 400
    body = response.json()
    assert body["parameters"] == {parameter: value}
    assert f"参数 {parameter}" in body["error"]


@pytest.mark.parametrize(
    "table, parameter, value",
    [("initiatives", *bad) for bad in INITIATIVE_BAD] + [("targets", *bad) for bad in TARGET_BAD],
)
def test_export_command_exits_with_an_error(tmp_path, corpus, table, parameter, value):
    out = tmp_path / "out.csv"
    option = "--" + parameter.replace("_", "-")
    with pytest.raises(CommandError, match=parameter):
        call_command("export", table, option, value, "--output", str(out))
    assert not out.exists()


def test_the_message_says_what_is_accepted(client, corpus):
    body = client.get("/initiatives/export.csv?year_min=abc").content.decode()
    assert "1949–2100" in body
    body = client.get("/initiatives/export.csv?theme=bogus").content.decode()
    assert "entrepreneurship" in body and "graduates" in body
    # A name standing for two places: their codes, to choose from.
    body = client.get("/initiatives/export.csv?region=朝阳区").content.decode()
    assert "110105" in body and "220104" in body
    body = client.get("/targets/export.csv?kind=achieved").content.decode()
    assert "target_kind" in body


def test_several_bad_values_are_all_named(client, corpus):
    response = client.get("/api/initiatives?theme=bogus&year=abc&province=999999")
    assert response.status_code == 400
    assert response.json()["parameters"] == {"theme": "bogus", "year": "abc", "province": "999999"}


@pytest.mark.parametrize(
    "name, code",
    [
        ("province=四川省", "province=510000"),
        ("province=四川", "province=510000"),
        ("region=成都市", "region=510100"),
        ("instrument=创业担保贷款", "instrument=business-startup-guarantee-loan"),
        ("theme=创业", "theme=entrepreneurship"),
        ("kind=工作总结", "kind=summary"),
    ],
)
def test_a_name_selects_what_its_code_selects(client, corpus, name, code):
    by_name = [row["id"] for row in csv_rows(client.get(f"/initiatives/export.csv?{name}"))]
    by_code = [row["id"] for row in csv_rows(client.get(f"/initiatives/export.csv?{code}"))]
    assert by_name == by_code == [str(corpus["sichuan"].pk)]


def test_names_work_for_targets_and_the_command(client, corpus, tmp_path):
    rows = csv_rows(client.get("/targets/export.csv?province=四川省"))
    assert [row["region_codes"] for row in rows] == ["510100"]
    out = tmp_path / "i.csv"
    call_command(
        "export", "initiatives", "--province", "四川省", "--output", str(out), stderr=io.StringIO()
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row["id"] for row in rows] == [str(corpus["sichuan"].pk)]


def test_the_search_page_still_shows_a_notice(client, corpus):
    response = client.get("/initiatives/?theme=bogus&province=四川省")
    assert response.status_code == 200
    page = response.content.decode()
    assert "bogus" in page
    # The name was understood: the Sichuan initiative is the one result.
    assert f"/initiatives/{corpus['sichuan'].pk}/" in page
    assert f"/initiatives/{corpus['hebei'].pk}/" not in page


@pytest.mark.parametrize(
    "url",
    [*INITIATIVE_CSVS, "/targets/export.csv", "/api/initiatives", "/api/targets", "/data/"],
)
def test_head_answers_200(client, corpus, url):
    response = client.head(url)
    assert response.status_code == 200
    assert response.content == b""


def test_the_pages_csv_link_exports_what_the_page_shows(client, corpus):
    page = client.get("/initiatives/?theme=bogus&theme=entrepreneurship&year_min=abc")
    link = re.search(r'id="csv-export" href="([^"]+)"', page.content.decode()).group(1)
    assert "bogus" not in link and "abc" not in link and "entrepreneurship" in link
    rows = csv_rows(client.get(html.unescape(link)))
    assert [row["id"] for row in rows] == [str(corpus["sichuan"].pk)]
    page = client.get("/targets/?target_kind=bogus&province=四川省")
    link = re.search(r'class="export" href="([^"]+)"', page.content.decode()).group(1)
    rows = csv_rows(client.get(html.unescape(link)))
    assert [row["region_codes"] for row in rows] == ["510100"]
