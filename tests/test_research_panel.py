"""coverage.csv and adoption_panel.csv: checked against a corpus counted by hand."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import InitiativeRegion, PolicyInstrument
from tests.factories import make_document, make_initiative

pytestmark = pytest.mark.django_db

LOAN = "business-startup-guarantee-loan"  # 创业担保贷款
SUBSIDY = "one-off-startup-subsidy"  # 一次性创业补贴


@pytest.fixture
def corpus():
    leshan_2019 = make_document(issuing_region="511100", year=2019, kind="plan")
    leshan_2020 = make_document(issuing_region="511100", year=2020, kind="opinion")
    leshan_2020_plan = make_document(issuing_region="511100", year=2020, kind="plan")
    sichuan_2018 = make_document(issuing_region="510000", year=2018, kind="opinion")
    sichuan_2020 = make_document(issuing_region="510000", year=2020, kind="summary")
    julu_2021 = make_document(issuing_region="130529", year=2021, kind="summary")
    undated = make_document(issuing_region="130529", year=None, kind="news")
    i1 = make_initiative(
        document=leshan_2019, regions=("511100",), instruments=("创业担保贷款",), year=2019
    )
    i2 = make_initiative(
        document=leshan_2020, regions=("511100",), instruments=("一次性创业补贴",), year=2020
    )
    # Hidden: adopts nothing.
    make_initiative(
        document=leshan_2020_plan,
        regions=("511100",),
        instruments=("一次性创业补贴",),
        year=2020,
        status="hidden",
    )
    # The province's measure covers itself and names 乐山市: both adopt in 2020.
    i4 = make_initiative(
        document=sichuan_2020,
        regions=("510000", "511100"),
        instruments=("创业担保贷款",),
        year=2020,
    )
    # 巨鹿县 is only mentioned in its own summary: no adoption.
    i5 = make_initiative(
        document=julu_2021, regions=("130529",), instruments=("创业担保贷款",), year=2021
    )
    InitiativeRegion.objects.filter(initiative=i5).update(role=InitiativeRegion.Role.MENTIONED)
    return {"i1": i1, "i2": i2, "i4": i4, "i5": i5, "undated": undated, "s2018": sichuan_2018}


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def test_coverage_counted_by_hand(client, corpus):
    rows = read(client, "/data/coverage.csv")
    assert [list(r.values()) for r in rows] == [
        ["130529", "county", "2021", "1", "summary"],
        ["510000", "province", "2018", "1", "opinion"],
        ["510000", "province", "2020", "1", "summary"],
        ["511100", "prefecture", "2019", "1", "plan"],
        ["511100", "prefecture", "2020", "2", "opinion; plan"],
    ]


def test_adoption_panel_counted_by_hand(client, corpus):
    rows = read(client, "/data/adoption_panel.csv")
    instruments = PolicyInstrument.objects.count()
    assert len(rows) == 5 * instruments  # five covered region-years × every instrument
    adopted = {
        (r["region_code"], r["year"], r["instrument"]): r["initiative_ids"]
        for r in rows
        if r["adopted"] == "1"
    }
    i1, i2, i4 = corpus["i1"].pk, corpus["i2"].pk, corpus["i4"].pk
    assert adopted == {
        ("510000", "2020", LOAN): str(i4),
        ("511100", "2019", LOAN): str(i1),
        ("511100", "2020", LOAN): str(i4),
        ("511100", "2020", SUBSIDY): str(i2),
    }
    by_key = {(r["region_code"], r["year"], r["instrument"]): r for r in rows}
    # At risk before the first adoption: the province in 2018, first adopting in 2020.
    assert by_key["510000", "2018", LOAN]["adopted"] == "0"
    assert by_key["510000", "2018", LOAN]["first_year"] == "2020"
    assert by_key["511100", "2020", LOAN]["first_year"] == "2019"
    assert by_key["511100", "2019", SUBSIDY]["first_year"] == "2020"
    # Mentioned only: never adopted, censored.
    assert by_key["130529", "2021", LOAN]["adopted"] == "0"
    assert by_key["130529", "2021", LOAN]["first_year"] == ""
    row = by_key["130529", "2021", LOAN]
    assert (row["level"], row["prefecture_code"], row["province_code"]) == (
        "county",
        "130500",
        "130000",
    )
    assert by_key["510000", "2020", LOAN]["prefecture_code"] == ""


def test_research_tables_refuse_parameters_and_answer_head(client, corpus):
    response = client.get("/data/adoption_panel.csv?instrument=创业担保贷款")
    assert response.status_code == 400
    assert "instrument" in response.content.decode()
    head = client.head("/data/coverage.csv")
    assert head.status_code == 200
    assert head["Content-Type"] == "text/csv; charset=utf-8"


def test_full_download_holds_the_same_tables(client, corpus):
    import zipfile

    response = client.get("/data/knowledge-base.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    for name in ("coverage", "adoption_panel"):
        web = client.get(f"/data/{name}.csv")
        assert archive.read(f"{name}.csv") == b"".join(web.streaming_content), name


def test_export_command_writes_coverage_and_panel(client, corpus, tmp_path):
    for table, url in (("coverage", "/data/coverage.csv"), ("panel", "/data/adoption_panel.csv")):
        path = tmp_path / f"{table}.csv"
        call_command("export", table, "--output", str(path), stderr=StringIO())
        assert path.read_bytes() == b"".join(client.get(url).streaming_content), table


def test_export_command_refuses_filters_on_whole_tables(corpus):
    with pytest.raises(CommandError, match="panel takes no filters"):
        call_command("export", "panel", "--theme", "graduates", stderr=StringIO())


SAMPLES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "documents").glob("*.txt"))


def test_sample_corpus_against_a_hand_count(client):
    """The five sample documents, read by hand: who issued each in which year, and whether
    each region's own text adopts 创业担保贷款 (every regional document grants or expands it;
    the national roundup reports provinces' loans — 江西省, 陕西省 — not a national one)."""
    call_command("ingest", *map(str, SAMPLES), stdout=StringIO(), stderr=StringIO())
    coverage = read(client, "/data/coverage.csv")
    assert [list(r.values()) for r in coverage] == [
        ["000000", "national", "2017", "1", "roundup"],  # 2017年地方就业创新事件
        ["130529", "county", "2020", "1", "case_study"],  # 巨鹿县2020年就业创业工作经验
        ["230300", "prefecture", "2018", "1", "opinion"],  # 鸡西市 实施意见 (2018)
        ["511100", "prefecture", "2022", "1", "plan"],  # 乐山市“十四五”就业促进规划
        ["610900", "prefecture", "2017", "1", "summary"],  # 安康市2017年工作总结
    ]
    panel = read(client, "/data/adoption_panel.csv")
    assert len(panel) == 5 * PolicyInstrument.objects.count()
    loan = {(r["region_code"], r["year"]): r["adopted"] for r in panel if r["instrument"] == LOAN}
    assert loan == {
        ("000000", "2017"): "0",
        ("130529", "2020"): "1",
        ("230300", "2018"): "1",
        ("511100", "2022"): "1",
        ("610900", "2017"): "1",
    }
    # 巨鹿县 sits under 邢台市 in 河北省; 全国 has neither ancestor.
    julu = next(r for r in panel if r["region_code"] == "130529")
    assert (julu["prefecture_code"], julu["province_code"]) == ("130500", "130000")
    national = next(r for r in panel if r["region_code"] == "000000")
    assert (national["level"], national["prefecture_code"], national["province_code"]) == (
        "national",
        "",
        "",
    )
