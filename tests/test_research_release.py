"""Releases: a version, licence and checksums; the same data gives the same bytes."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import call_command

from tests.test_data_page import corpus  # noqa: F401

pytestmark = pytest.mark.django_db


def download(client, **headers):
    response = client.get("/data/knowledge-base.zip", **headers)
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def package_of(body):
    archive = zipfile.ZipFile(io.BytesIO(body))
    return archive, json.loads(archive.read("datapackage.json"))


def test_two_downloads_without_a_change_are_byte_identical(client, corpus):  # noqa: F811
    first, _ = download(client)
    second, _ = download(client, HTTP_HOST="localhost")  # another host name: same bytes
    assert first == second


def test_package_declares_version_licence_and_checksums(client, corpus):  # noqa: F811
    body, response = download(client)
    archive, package = package_of(body)
    # The fixture's last write (hiding a target) is the newest data change.
    changed = corpus["hidden_target"].updated.astimezone(UTC)
    assert package["created"] == changed.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert package["version"].startswith(f"{changed.year}.{changed.month}.{changed.day}+")
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    for resource in package["resources"]:
        data = archive.read(resource["path"])
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
    # Member dates are the data's date, not the moment of the download.
    created = package["created"]
    dos_time = (*changed.timetuple()[:5], changed.second // 2 * 2)  # zip: 2-second steps
    assert {info.date_time for info in archive.infolist()} == {dos_time}
    assert response["Content-Disposition"].endswith(f'-{created[:10]}.zip"')


def test_a_data_change_changes_version_and_hashes(client, corpus):  # noqa: F811
    before = package_of(download(client)[0])[1]
    leshan = corpus["leshan"]
    leshan.title = "创业担保贷款（已订正）"
    leshan.save()
    after = package_of(download(client)[0])[1]
    assert after["version"] != before["version"]
    old, new = ({r["name"]: r["hash"] for r in p["resources"]} for p in (before, after))
    assert old["initiatives"] != new["initiatives"]
    assert old["regions"] == new["regions"]  # untouched tables keep their checksums


def test_a_removal_changes_the_version(client, corpus):  # noqa: F811
    before = package_of(download(client)[0])[1]
    corpus["reviewed"].delete()
    after = package_of(download(client)[0])[1]
    assert after["version"] != before["version"]


def test_licence_follows_the_setting(client, corpus, settings):  # noqa: F811
    settings.DATA_LICENSE = "CC0-1.0"
    archive, package = package_of(download(client)[0])
    assert package["licenses"][0]["name"] == "CC0-1.0"
    assert "CC0-1.0" in archive.read("README.txt").decode()


def test_urls_come_from_site_url_on_the_web_and_the_command(
    client,
    corpus,  # noqa: F811
    settings,
    tmp_path,
):
    settings.SITE_URL = "https://kb.example.org"
    response = client.get("/initiatives/export.csv", HTTP_HOST="localhost")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert {r["url"].split("/initiatives/")[0] for r in rows} == {"https://kb.example.org"}
    path = tmp_path / "out.csv"
    call_command("export", "initiatives", "--output", str(path), stderr=StringIO())
    assert path.read_bytes() == b"".join(client.get("/initiatives/export.csv").streaming_content)
    archive, package = package_of(download(client)[0])
    assert package["homepage"] == "https://kb.example.org/data/"


def test_csv_and_command_honour_sort(client, corpus, tmp_path):  # noqa: F811
    api = client.get("/api/initiatives?sort=region&page_size=200").json()
    expected = [str(r["id"]) for r in api["results"]]
    assert len(expected) == 3
    response = client.get("/initiatives/export.csv?sort=region")
    body = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == expected
    assert expected != sorted(expected, key=int)  # the order is the sort's, not the ids'
    path = tmp_path / "sorted.csv"
    call_command("export", "initiatives", "--sort", "region", "-o", str(path), stderr=StringIO())
    assert path.read_bytes() == body


def test_data_page_explains_releases_and_the_panel(client, corpus, settings):  # noqa: F811
    settings.DATA_LICENSE = "ODbL-1.0"
    page = client.get("/data/").content.decode()
    assert "datapackage.json 的 version" in page
    assert "<code>ODbL-1.0</code>" in page
    assert "右删失" in page and 'href="/data/adoption_panel.csv"' in page
    english = client.get("/en/data/").content.decode()
    assert "censored at its last covered year" in english
    assert "Each download is a release" in english
