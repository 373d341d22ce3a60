"""changes.csv: what changed since the previous release, by stable key."""

import csv
import hashlib
import io
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from initiatives.models import Initiative, Release, Target
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "documents"
SAMPLE_FILE = SAMPLE / "001_117505e515acb558.txt"


def download(client):
    response = client.get("/data/knowledge-base.zip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return body, zipfile.ZipFile(io.BytesIO(body))


def changes(archive):
    text = archive.read("changes.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def version(archive):
    return json.loads(archive.read("datapackage.json"))["version"]


@pytest.fixture
def ingested():
    call_command("ingest", str(SAMPLE_FILE), stdout=StringIO(), stderr=StringIO())
    assert Initiative.objects.visible().count() > 3
    return Initiative.objects.visible().order_by("pk")


def test_first_release_lists_every_row_as_added(client, ingested):
    _, archive = download(client)
    rows = changes(archive)
    initiatives = {i.key: i.pk for i in ingested}
    targets = {t.key: t.pk for t in Target.objects.visible()}
    assert {r["key"]: int(r["id"]) for r in rows if r["table"] == "initiatives"} == initiatives
    assert {r["key"]: int(r["id"]) for r in rows if r["table"] == "targets"} == targets
    assert {r["change"] for r in rows} == {"added"}
    assert {r["since"] for r in rows} == {""}
    assert list(Release.objects.values_list("version", flat=True)) == [version(archive)]


def test_a_second_release_lists_exactly_what_changed(client, ingested):
    first_body, first = download(client)
    edited, removed, hidden = list(ingested[:3])
    edited.title = "订正后的标题"
    edited.save()
    removed_key, removed_id = removed.key, removed.pk
    removed.targets.all().delete()
    removed.delete()
    hidden.status = "hidden"
    hidden.save()
    added = make_initiative(text="新录入的一条举措：开展就业见习。", regions=("511100",), year=2024)

    body, second = download(client)
    assert version(second) != version(first)
    rows = [
        (r["table"], r["change"], r["key"], r["id"], r["since"])
        for r in changes(second)
        if r["table"] == "initiatives"
    ]
    since = version(first)
    assert sorted(rows) == sorted(
        [
            ("initiatives", "changed", edited.key, str(edited.pk), since),
            ("initiatives", "removed", removed_key, str(removed_id), since),
            ("initiatives", "removed", hidden.key, str(hidden.pk), since),
            ("initiatives", "added", added.key, str(added.pk), since),
        ]
    )
    # The targets of the deleted initiative are gone; no other target changed.
    target_changes = {(r["change"]) for r in changes(second) if r["table"] == "targets"}
    assert target_changes <= {"removed"}
    # changes.csv is declared, typed and checksummed like every other table.
    package = json.loads(second.read("datapackage.json"))
    resource = next(r for r in package["resources"] if r["name"] == "changes")
    assert resource["hash"] == "sha256:" + hashlib.sha256(second.read("changes.csv")).hexdigest()
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["id"]["type"] == "integer"
    assert fields["change"]["constraints"]["enum"] == ["added", "changed", "removed"]
    # Downloading the same data again gives the same bytes, compared with the same release.
    again, _ = download(client)
    assert again == body
    assert Release.objects.count() == 2


def test_no_change_means_no_change_rows_against_itself(client, corpus_with_release):
    """A re-download of an unchanged release still compares with the release before it,
    never with itself (which would list nothing)."""
    _, archive = download(client)
    assert changes(archive) and {r["change"] for r in changes(archive)} == {"added"}


@pytest.fixture
def corpus_with_release(client):
    make_initiative(text="乐山市推出创业担保贷款。", regions=("511100",), year=2019)
    download(client)
    return Release.objects.get()


def test_the_command_writes_the_same_package_and_records_the_release(client, ingested, tmp_path):
    path = tmp_path / "kb.zip"
    err = StringIO()
    call_command("export", "package", "--output", str(path), stderr=err)
    assert "(new)" in err.getvalue()
    archive = zipfile.ZipFile(path)
    assert Release.objects.get().version == version(archive)
    body, _ = download(client)
    assert body == path.read_bytes()
    assert Release.objects.count() == 1
    row = ingested[0]
    row.title = "又改了"
    row.save()
    _, after = download(client)
    assert [r["change"] for r in changes(after)] == ["changed"]
    assert changes(after)[0]["since"] == version(archive)


def test_a_revert_compares_with_the_release_just_before(client, ingested):
    row = ingested[0]
    original = row.title
    _, first = download(client)
    row.title = "临时改动"
    row.save()
    _, second = download(client)
    row.title = original
    row.save()
    _, third = download(client)
    assert [r["change"] for r in changes(third)] == ["changed"]
    assert changes(third)[0]["since"] == version(second)
