"""The full download as a data package: link tables, keys, code types, validation."""

import json
import subprocess
import sys

import pytest

from tests.test_data_page import corpus, read_zip, zip_csv  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(client, corpus):  # noqa: F811
    return read_zip(client.get("/data/knowledge-base.zip"))


def resource(package, name):
    return next(r for r in package["resources"] if r["name"] == name)


def test_link_tables_are_in_the_download_as_on_the_web(client, archive):
    for table in ("regions", "themes", "instruments"):
        response = client.get(f"/initiatives/{table}.csv")
        web = b"".join(response.streaming_content).decode("utf-8-sig")
        assert archive.read(f"initiative_{table}.csv").decode("utf-8-sig") == web, table


def test_link_tables_hold_the_visible_initiatives_links(archive, corpus):  # noqa: F811
    regions = zip_csv(archive, "initiative_regions.csv")
    assert regions[0] == [
        "initiative_id",
        "region_code",
        "role",
        "level",
        "prefecture_code",
        "province_code",
    ]
    by_initiative = {int(r[0]): r for r in regions[1:]}
    assert by_initiative[corpus["leshan"].pk][1:] == [
        "511100",
        "covered",
        "prefecture",
        "511100",
        "510000",
    ]
    assert corpus["hidden"].pk not in by_initiative
    themes = zip_csv(archive, "initiative_themes.csv")
    assert [str(corpus["leshan"].pk), "entrepreneurship"] in themes
    instruments = zip_csv(archive, "initiative_instruments.csv")
    assert any(r[0] == str(corpus["leshan"].pk) and r[2] == "创业担保贷款" for r in instruments)


def test_datapackage_declares_keys_code_types_and_vintage(archive):
    package = json.loads(archive.read("datapackage.json"))
    keys = {
        (r["name"], fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
        for r in package["resources"]
        for fk in r["schema"].get("foreignKeys", [])
    }
    assert {
        ("initiative_regions", "initiative_id", "initiatives", "id"),
        ("initiative_themes", "initiative_id", "initiatives", "id"),
        ("initiative_instruments", "initiative_id", "initiatives", "id"),
        ("initiatives", "document_id", "documents", "id"),
        ("targets", "document_id", "documents", "id"),
        ("targets", "initiative_id", "initiatives", "id"),
    } <= keys
    fields = {f["name"]: f for f in resource(package, "initiative_regions")["schema"]["fields"]}
    for name in ("region_code", "prefecture_code", "province_code"):
        assert fields[name]["type"] == "string"
        assert fields[name]["constraints"]["pattern"] == r"^[0-9]{6}$"
    assert "2023年统计用区划代码" in package["division_codes"]
    assert "2023年统计用区划代码" in resource(package, "regions")["description"]


def test_frictionless_validates_the_unpacked_download(archive, tmp_path):
    archive.extractall(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    errors = [
        (task["name"], error["type"], error.get("note", ""))
        for task in report["tasks"]
        for error in task["errors"]
    ] + [(error["type"], error.get("note", "")) for error in report.get("errors", [])]
    assert report["valid"], errors
    assert {task["name"] for task in report["tasks"]} >= {"initiative_regions", "targets"}


def test_frictionless_catches_a_broken_key(archive, tmp_path):
    """The validation above is not vacuous: a link to a missing initiative is reported."""
    archive.extractall(tmp_path)
    path = tmp_path / "initiative_themes.csv"
    path.write_text(path.read_text("utf-8-sig") + "999999,graduates\r\n", "utf-8-sig")
    result = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert not report["valid"]
    types = {e["type"] for t in report["tasks"] for e in t["errors"]}
    assert "foreign-key" in types
