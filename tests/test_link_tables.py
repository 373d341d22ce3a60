"""The link tables (/initiatives/regions.csv, themes.csv, instruments.csv) on a corpus small
enough to be checked by hand."""

import csv
import io

import pytest

from initiatives.models import InitiativeRegion
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    # The csv module reads every cell as text: what pandas gives with dtype=str.
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def set_role(initiative, code, role):
    InitiativeRegion.objects.filter(initiative=initiative, region_id=code).update(role=role)


@pytest.fixture
def corpus():
    sichuan = make_initiative(
        regions=("510000", "510104"),
        themes=("entrepreneurship", "graduates"),
        instruments=("创业担保贷款", "一次性创业补贴"),
        year=2019,
    )
    set_role(sichuan, "510000", "issuer")
    # 仙桃市 is a county-level city directly under 湖北省: no prefecture.
    xiantao = make_initiative(regions=("429004", "130533"), themes=("skills",), year=2020)
    set_role(xiantao, "130533", "partner")
    nationwide = make_initiative(regions=("000000",), year=2021)
    hidden = make_initiative(
        regions=("510000",), themes=("skills",), instruments=("创业担保贷款",), status="hidden"
    )
    return {"sichuan": sichuan, "xiantao": xiantao, "nationwide": nationwide, "hidden": hidden}


def test_region_links_with_roles_and_gazetteer_ancestors(client, corpus):
    rows = read_csv(client.get("/initiatives/regions.csv"))
    s, x, n = (corpus[k].pk for k in ("sichuan", "xiantao", "nationwide"))
    assert rows == [
        ["initiative_id", "region_code", "role", "level", "prefecture_code", "province_code"],
        [str(s), "510000", "issuer", "province", "", "510000"],
        [str(s), "510104", "covered", "county", "510100", "510000"],
        # Never 429000 (code[:4] + "00" names no place): the county has no prefecture.
        [str(x), "130533", "partner", "county", "130500", "130000"],
        [str(x), "429004", "covered", "county", "", "420000"],
        # The national code keeps its leading zeros.
        [str(n), "000000", "covered", "national", "", ""],
    ]


def test_theme_and_instrument_links(client, corpus):
    s, x = corpus["sichuan"].pk, corpus["xiantao"].pk
    assert read_csv(client.get("/initiatives/themes.csv")) == [
        ["initiative_id", "theme"],
        [str(s), "entrepreneurship"],
        [str(s), "graduates"],
        [str(x), "skills"],
    ]
    assert read_csv(client.get("/initiatives/instruments.csv")) == [
        ["initiative_id", "instrument_slug", "instrument"],
        [str(s), "business-startup-guarantee-loan", "创业担保贷款"],
        [str(s), "one-off-startup-subsidy", "一次性创业补贴"],
    ]


def test_link_tables_follow_the_initiative_filters(client, corpus):
    s, x = corpus["sichuan"].pk, corpus["xiantao"].pk
    # 仙桃市's partner 威县 (Hebei) does not place the initiative in Hebei.
    assert read_csv(client.get("/initiatives/regions.csv?province=130000")) == [
        read_csv(client.get("/initiatives/regions.csv"))[0]
    ]
    themes = read_csv(client.get("/initiatives/themes.csv?province=湖北省"))
    assert themes[1:] == [[str(x), "skills"]]
    by_name = read_csv(client.get("/initiatives/instruments.csv?instrument=创业担保贷款"))
    assert {row[0] for row in by_name[1:]} == {str(s)}
    by_year = read_csv(client.get("/initiatives/regions.csv?year=2020"))
    assert {row[0] for row in by_year[1:]} == {str(x)}


@pytest.mark.parametrize("table", ["regions", "themes", "instruments"])
def test_link_tables_refuse_bad_filters_and_answer_head(client, corpus, table):
    response = client.get(f"/initiatives/{table}.csv?theme=bogus")
    assert response.status_code == 400
    assert "theme" in response.content.decode()
    head = client.head(f"/initiatives/{table}.csv?province=510000")
    assert head.status_code == 200
    assert head["Content-Type"].startswith("text/csv")
    assert f"initiative_{table}-" in head["Content-Disposition"]
    assert head.content == b""
