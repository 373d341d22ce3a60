"""CSV export, JSON API and OpenAPI document: the contract columns and filters."""

import csv
import io
import tracemalloc

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import QueryDict, StreamingHttpResponse

from initiatives.exports import rows as exporting
from initiatives.exports.openapi import OPENAPI
from initiatives.exports.rows import INITIATIVE_COLUMNS, TARGET_COLUMNS
from initiatives.models import Initiative, InitiativeRegion
from initiatives.search.filters import InitiativeFilter
from regions.models import Region
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return {
        "leshan": make_initiative(
            text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
            regions=("511100",),
            themes=("entrepreneurship",),
            instruments=("创业担保贷款",),
            year=2019,
        ),
        "chengdu": make_initiative(
            text="成都市实施高校毕业生就业促进计划。",
            regions=("510100",),
            themes=("graduates",),
            year=2020,
        ),
        "julu": make_initiative(
            text="巨鹿县提供创业担保贷款并开展技能培训。",
            regions=("130533",),
            themes=("skills",),
            instruments=("创业担保贷款",),
            year=2017,
        ),
        "hidden": make_initiative(
            text="四川省隐藏的创业担保贷款举措。",
            regions=("510000",),
            themes=("graduates", "entrepreneurship"),
            year=2019,
            status="hidden",
        ),
    }


def csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def csv_ids(client, url, query=""):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    rows = csv_rows(response)
    return sorted(int(row[0]) for row in rows[1:])


def api_ids(client, url, query=""):
    response = client.get(f"{url}?{query}&page_size=200")
    assert response.status_code == 200
    return sorted(r["id"] for r in response.json()["results"])


def page_ids(query):
    params = QueryDict(query)
    qs = InitiativeFilter(params, queryset=Initiative.objects.visible()).qs
    return sorted(qs.values_list("pk", flat=True))


# CSV ---------------------------------------------------------------------------------------


def test_initiative_csv_header_bom_and_headers(client, corpus):
    response = client.get("/initiatives/export.csv?province=510000&theme=graduates")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "province-510000-theme-graduates.csv" in disposition
    assert disposition.isascii()
    rows = csv_rows(response)
    assert rows[0] == INITIATIVE_COLUMNS
    assert [int(r[0]) for r in rows[1:]] == [corpus["chengdu"].pk]


def test_initiative_csv_cells(client, corpus):
    rows = csv_rows(client.get("/initiatives/export.csv?region=511100"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["regions"] == "四川省/乐山市"
    assert record["region_codes"] == "511100"
    assert record["provinces"] == "四川省"
    assert record["themes"] == "entrepreneurship"
    assert record["instruments"] == "创业担保贷款"
    assert record["url"] == f"{settings.SITE_URL}/initiatives/{corpus['leshan'].pk}/"
    document = corpus["leshan"].document
    assert record["document_file"] == document.file_name
    assert document.text[int(record["start"]) : int(record["end"])] == record["text"]


def test_target_csv_header_and_bom(client):
    target = make_target(region="610900")
    make_target(region="511100", kind="achieved")
    response = client.get("/targets/export.csv?province=610000")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "targets-" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == TARGET_COLUMNS
    assert [int(r[0]) for r in rows[1:]] == [target.pk]
    assert rows[1][TARGET_COLUMNS.index("value")] == "20000"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_cells_are_neutralised(client, start):
    text = f'{start}HYPERLINK("http://evil")就业'
    make_initiative(text=text, title=text, regions=("510000",))
    rows = csv_rows(client.get("/initiatives/export.csv"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["text"] == "'" + text
    assert record["title"] == "'" + text


@pytest.mark.parametrize(
    "query",
    [
        "",
        "province=510000",
        "province=130000&province=510000",
        "theme=entrepreneurship",
        "theme=graduates&theme=skills",
        "year=2019",
        "year=2019&year=2017",
        "year_min=2018",
        "q=创业担保贷款",
        "q=创业担保贷款&province=510000",
        "province=510000&theme=graduates&year=2020",
        "province=四川省&theme=毕业生",  # names, resolved as the page resolves them
        "page=2",
    ],
)
def test_same_ids_in_csv_api_and_search_page(client, corpus, query):
    expected = page_ids(query)
    assert corpus["hidden"].pk not in expected
    assert csv_ids(client, "/initiatives/export.csv", query) == expected
    assert api_ids(client, "/api/initiatives", query.replace("page=2", "")) == expected


def test_hidden_initiatives_never_appear(client, corpus):
    hidden = corpus["hidden"].pk
    for query in ("", "province=510000", "theme=graduates", "year=2019", "q=隐藏"):
        assert hidden not in csv_ids(client, "/initiatives/export.csv", query)
        assert hidden not in api_ids(client, "/api/initiatives", query)


def test_bad_filter_values_are_refused_never_500(client, corpus):
    for query in ("province=%00", "year=99999999999999999999", "region=x" * 50, "sort=evil"):
        assert client.get(f"/initiatives/export.csv?{query}").status_code == 400
        assert client.get(f"/targets/export.csv?{query}").status_code == 400
        assert client.get(f"/api/initiatives?{query}").status_code == 400
        assert client.get(f"/api/targets?{query}").status_code == 400


def test_file_name_is_ascii_for_chinese_query(client, corpus):
    response = client.get("/initiatives/export.csv?q=创业&instrument=创业担保贷款")
    disposition = response["Content-Disposition"]
    assert disposition.isascii()
    assert "-q" in disposition and "instrument-business_startup_guarantee_loan" in disposition


def test_export_streams_without_holding_rows(client, monkeypatch):
    """3,000 rows of ~2,000 characters: the streamed export's peak stays a fraction of the
    rows held at once (the generator works chunk by chunk)."""
    monkeypatch.setattr(exporting, "CHUNK", 500)
    document = make_document(text="就" * 10)
    sichuan = Region.objects.get(code="510000")
    text = "四川省开展创业担保贷款工作。" * 150  # 2,100 characters
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            document=document,
            title=f"举措{n}",
            text=text,
            start=0,
            end=len(text),
            year=2019,
            extractor_version="test",
        )
        for n in range(3000)
    )
    InitiativeRegion.objects.bulk_create(
        InitiativeRegion(initiative=i, region=sichuan, province=sichuan) for i in initiatives
    )

    response = client.get("/initiatives/export.csv?province=510000")
    assert isinstance(response, StreamingHttpResponse)
    tracemalloc.start()
    try:
        rows = size = 0
        for chunk in response.streaming_content:
            rows += chunk.count(b"\n")
            size += len(chunk)
        streamed_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == 3001
    assert size > 3000 * len(text) * 3  # UTF-8: 3 bytes a character
    assert streamed_peak < 20 * 1024 * 1024
    # Holding the encoded file alone would take `size` bytes.
    assert streamed_peak < size / 3


# JSON API ----------------------------------------------------------------------------------


def test_api_fields_match_csv_columns(client, corpus):
    data = client.get("/api/initiatives?region=511100").json()
    assert data["count"] == 1
    record = data["results"][0]
    assert list(record) == INITIATIVE_COLUMNS
    assert record["regions"] == ["四川省/乐山市"]
    assert record["region_codes"] == ["511100"]
    assert record["themes"] == ["entrepreneurship"]
    assert record["instruments"] == ["创业担保贷款"]
    assert record["url"] == f"{settings.SITE_URL}/initiatives/{corpus['leshan'].pk}/"


def test_api_targets(client):
    target = make_target(region="610900", value=12000)
    data = client.get("/api/targets?province=610000").json()
    assert data["count"] == 1
    record = data["results"][0]
    assert list(record) == TARGET_COLUMNS
    assert record["id"] == target.pk
    assert record["value"] == 12000
    assert record["region_codes"] == ["610900"]


def test_api_pagination(client, corpus, settings):
    settings.SITE_URL = "https://kb.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    # Links come from SITE_URL, whatever Host the request named.
    first = client.get("/api/initiatives?page_size=2&sort=newest", HTTP_HOST="evil.example").json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert first["next"].startswith("https://kb.example.org/api/initiatives?")
    second = client.get(first["next"].removeprefix("https://kb.example.org")).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert second["previous"].startswith("https://kb.example.org/api/initiatives?")
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert ids == list(InitiativeFilter(QueryDict("sort=newest")).qs.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=99", "page"),
        ("page_size=100000", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=x", "page_size"),
        ("page=１", "page"),  # full-width digit
        ("facets=maybe", "facets"),
    ],
)
def test_api_bad_page_parameters_are_400(client, corpus, query, parameter):
    for url in ("/api/initiatives", "/api/targets"):
        if url == "/api/targets" and parameter == "facets":
            continue
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {"error", "parameters"}
        assert parameter in body["parameters"]


def test_api_facets(client, corpus):
    data = client.get("/api/initiatives?facets=1&province=510000").json()
    provinces = {f["value"]: f for f in data["facets"]["province"]}
    assert provinces["510000"]["count"] == 2
    assert provinces["510000"]["selected"] is True
    assert provinces["130000"]["count"] == 1
    themes = {f["value"]: f["count"] for f in data["facets"]["theme"]}
    assert themes["graduates"] == 1
    assert "facets" not in client.get("/api/initiatives").json()


def test_api_refuses_unknown_values(client, corpus):
    response = client.get("/api/initiatives?province=999999")
    assert response.status_code == 400
    assert response.json()["parameters"] == {"province": "999999"}


# OpenAPI -----------------------------------------------------------------------------------


def test_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) >= {
        "/api/initiatives",
        "/api/targets",
        "/initiatives/export.csv",
        "/targets/export.csv",
    }
    schemas = doc["components"]["schemas"]
    assert list(schemas["Initiative"]["properties"]) == INITIATIVE_COLUMNS
    assert list(schemas["Target"]["properties"]) == TARGET_COLUMNS
    assert doc == OPENAPI


# Command -----------------------------------------------------------------------------------


def test_command_writes_same_ids_as_web(client, corpus, tmp_path):
    output = tmp_path / "out.csv"
    call_command("export", "initiatives", "--output", str(output), "--province", "510000")
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(output, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == INITIATIVE_COLUMNS
    command_ids = sorted(int(r[0]) for r in rows[1:])
    assert command_ids == csv_ids(client, "/initiatives/export.csv", "province=510000")
    assert command_ids == sorted([corpus["leshan"].pk, corpus["chengdu"].pk])


@pytest.mark.parametrize("chunk", [1, 2, 1000])
def test_chunked_export_matches_page(client, corpus, monkeypatch, chunk):
    """Dense chunks are read by id range, sparse ones by IN: both give the page's ids."""
    monkeypatch.setattr(exporting, "CHUNK", chunk)
    for query in ("", "province=510000", "theme=skills&theme=entrepreneurship", "year=2017"):
        assert csv_ids(client, "/initiatives/export.csv", query) == page_ids(query)
    targets = [make_target(region=code) for code in ("610900", "511100", "610900")]
    targets[1].delete()
    assert csv_ids(client, "/targets/export.csv", "province=610000") == [
        targets[0].pk,
        targets[2].pk,
    ]


def test_command_with_query_matches_web(client, corpus, tmp_path):
    output = tmp_path / "q.csv"
    call_command("export", "initiatives", "--output", str(output), "--q", "创业担保贷款")
    with open(output, encoding="utf-8-sig", newline="") as f:
        command_ids = sorted(int(r[0]) for r in list(csv.reader(f))[1:])
    assert command_ids == csv_ids(client, "/initiatives/export.csv", "q=创业担保贷款")
    assert command_ids == page_ids("q=创业担保贷款")
    assert corpus["julu"].pk in command_ids
