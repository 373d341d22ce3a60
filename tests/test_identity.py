"""Document identity, versions, ids that last, stable keys, permalinks and withdrawal."""

import csv
import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ingest.pipeline import RefusedVersion, ingest_bytes, reextract
from initiatives.curation import merging
from initiatives.curation import records as curation
from initiatives.identity import match, row_key, sentence_diff
from initiatives.models import Document, DocumentVersion, Initiative, PolicyInstrument, Target
from tests.factories import make_initiative, make_target, make_user
from tests.test_admin import admin_url

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
SUMMARY = SAMPLES / "002_b76dda904da25238.txt"
OPINION = SAMPLES / "003_491a0ddbe42c3406.txt"
UPLOAD_URL = "/admin/initiatives/document/upload/"
# One sentence of the summary, and the same sentence with its figure revised.
OLD_SENTENCE = "失业人员实现再就业7372人"
NEW_SENTENCE = "失业人员实现再就业7480人"


@pytest.fixture
def curator_client(client):
    client.force_login(make_user(groups=["Curators"]))
    return client


def ingest(*paths, replaces=None):
    out, err = StringIO(), StringIO()
    options = {} if replaces is None else {"replaces": replaces}
    call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue()


def revised_summary(tmp_path, name="summary-v2.txt"):
    text = SUMMARY.read_text(encoding="utf-8")
    assert text.count(OLD_SENTENCE) == 1
    path = tmp_path / name
    path.write_text(text.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    return path


def exported(kind, tmp_path):
    path = tmp_path / f"{kind}.csv"
    call_command("export", kind, "--output", str(path), stderr=StringIO())
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --- Identity: content, not file name ------------------------------------------------------


def test_two_documents_with_one_file_name_from_two_folders_stay_two(tmp_path):
    for folder, source in (("a", SUMMARY), ("b", OPINION)):
        (tmp_path / folder).mkdir()
        shutil.copy(source, tmp_path / folder / "notice.txt")
    out = ingest(tmp_path)
    assert "2 documents: 2 created" in out
    summary, opinion = Document.objects.order_by("pk")
    assert {summary.file_name, opinion.file_name} == {"notice.txt"}
    assert summary.issuing_region_id == "610900" and opinion.issuing_region_id == "230300"
    # Each keeps its own rows, each row inside its own document's text.
    for document in (summary, opinion):
        assert document.initiatives.count() > 10
        for row in document.initiatives.all():
            assert document.text[row.start : row.end] == row.text
    # The same content again (from either folder) changes nothing.
    before = sorted(Initiative.objects.values_list("pk", "key"))
    assert "2 unchanged" in ingest(tmp_path)
    assert sorted(Initiative.objects.values_list("pk", "key")) == before


def test_two_admin_uploads_of_one_file_name_are_two_documents(curator_client):
    first = SUMMARY.read_bytes()
    second = OPINION.read_bytes()
    curator_client.post(UPLOAD_URL, {"files": [SimpleUploadedFile("附件1.txt", first)]})
    response = curator_client.post(
        UPLOAD_URL,
        {"files": [SimpleUploadedFile("附件1.txt", second)], "mode": "new"},
        follow=True,
    )
    one, two = Document.objects.order_by("pk")
    assert one.file_name == two.file_name == "附件1.txt"
    assert one.initiatives.exists() and two.initiatives.exists()
    assert one.text != two.text and one.uploaded_by is not None
    # The curator is told about the namesake, and the choice stays theirs.
    (message,) = [f.message for f in response.context["files"]]
    assert "已新建文件" in message and f"另有同名文件 #{one.pk}" in message
    # The upload page knows the name, so a script can pre-select it as a suggestion.
    page = curator_client.get(UPLOAD_URL).content.decode()
    data = page.split('<script id="same-names" type="application/json">')[1].split("</script>")[0]
    assert json.loads(data) == {"附件1.txt": [one.pk, two.pk]} or json.loads(data) == {
        "附件1.txt": [two.pk, one.pk]
    }
    assert "js/upload_suggest.js" in page and "新文档" in page


def test_an_admin_upload_as_a_new_version_keeps_the_old_text(curator_client, tmp_path):
    document = ingest_bytes(SUMMARY.read_bytes(), file_name="附件1.txt").document
    # "Upload a new version" on the document's admin page opens the form with it chosen.
    change = curator_client.get(admin_url(Document, "change", document.pk)).content.decode()
    assert f"{UPLOAD_URL}?replaces={document.pk}" in change
    page = curator_client.get(f"{UPLOAD_URL}?replaces={document.pk}").content.decode()
    assert re.search(r'<input type="radio" name="mode" value="version"[^>]*checked', page)
    assert re.search(rf'<option value="{document.pk}" selected>', page)
    revised = revised_summary(tmp_path).read_bytes()
    response = curator_client.post(
        UPLOAD_URL,
        {
            "files": [SimpleUploadedFile("附件1（修订）.txt", revised)],
            "mode": "version",
            "replaces": document.pk,
        },
        follow=True,
    )
    (message,) = [f.message for f in response.context["files"]]
    assert "第 2 版" in message and "待复核 0" in message
    assert Document.objects.count() == 1
    document.refresh_from_db()
    assert NEW_SENTENCE in document.text and document.version == 2
    old = DocumentVersion.objects.get(document=document)
    assert OLD_SENTENCE in old.text and old.file_name == "附件1.txt" and old.number == 1


def test_a_version_needs_a_document_and_one_file(curator_client):
    response = curator_client.post(
        UPLOAD_URL,
        {
            "files": [
                SimpleUploadedFile("a.txt", SUMMARY.read_bytes()),
                SimpleUploadedFile("b.txt", OPINION.read_bytes()),
            ],
            "mode": "version",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "请选择这个文件是哪份文件的新版本。" in errors["replaces"]
    assert "新版本一次只能上传一个文件。" in errors["files"]
    assert not Document.objects.exists()


# --- Versions: explicit, nothing lost, ids kept -----------------------------------------------


def replace_with_curated_rows(tmp_path):
    """The summary, two initiatives and one target curated, then a version with one figure
    revised; returns what the test needs to compare before and after."""
    ingest(SUMMARY)
    document = Document.objects.get()
    changed = Initiative.objects.get(document=document, text__contains=OLD_SENTENCE)
    Initiative.objects.filter(pk=changed.pk).update(
        title="就业目标（人工）", curated_fields=["title"]
    )
    steady = Initiative.objects.filter(document=document).exclude(pk=changed.pk).first()
    Initiative.objects.filter(pk=steady.pk).update(title="人工标题", curated_fields=["title"])
    figure = Target.objects.get(document=document, value=7372)
    Target.objects.filter(pk=figure.pk).update(indicator="再就业人数", curated_fields=["indicator"])
    initiatives_before = dict(Initiative.objects.values_list("pk", "text"))
    targets_before = dict(Target.objects.values_list("pk", "text"))
    keys_before = dict(Initiative.objects.values_list("pk", "key"))
    out = ingest(revised_summary(tmp_path), replaces=document.pk)
    document.refresh_from_db()
    return out, document, changed, steady, figure, initiatives_before, targets_before, keys_before


def test_replaces_keeps_ids_of_unchanged_sentences_and_flags_curated_changed_rows(tmp_path):
    out, document, changed, steady, figure, initiatives_before, targets_before, keys_before = (
        replace_with_curated_rows(tmp_path)
    )
    assert "1 updated" in out and "v2" in out
    assert (
        "initiatives: 0 added, 0 removed, 0 updated, 2 with protected fields kept, 1 flagged" in out
    )
    assert Document.objects.count() == 1
    for before, model in ((initiatives_before, Initiative), (targets_before, Target)):
        unchanged = {pk: text for pk, text in before.items() if OLD_SENTENCE not in text}
        kept = set(model.objects.filter(pk__in=unchanged).values_list("pk", "text")) & set(
            unchanged.items()
        )
        assert len(kept) >= 0.9 * len(unchanged), model.__name__
        for row in model.objects.filter(document=document):
            assert document.text[row.start : row.end] == row.text
    assert dict(Initiative.objects.values_list("pk", "key")) == keys_before
    # The curated row whose sentence changed: same id, on the new sentence, flagged with both.
    changed.refresh_from_db()
    assert changed.needs_review and changed.title == "就业目标（人工）"
    assert OLD_SENTENCE in changed.review_old_text and NEW_SENTENCE in changed.review_new_text
    assert NEW_SENTENCE in changed.text
    figure.refresh_from_db()
    assert figure.needs_review and figure.indicator == "再就业人数"
    assert "7372" in figure.review_old_text
    assert "7480" in figure.review_new_text and figure.value == 7480
    # A curated row whose sentence is unchanged is not flagged and keeps its curated title.
    steady.refresh_from_db()
    assert not steady.needs_review and steady.title == "人工标题"
    version = DocumentVersion.objects.get(document=document)
    assert OLD_SENTENCE in version.text and version.number == 1 and document.version == 2


def test_a_flagged_row_tells_its_public_page_readers(client, tmp_path):
    _out, _document, changed, _steady, figure, *_before = replace_with_curated_rows(tmp_path)
    for row in (changed, figure):
        page = client.get(row.get_absolute_url()).content.decode()
        assert 'id="needs-review"' in page and "这句话有改动" in page
    steady = Initiative.objects.filter(needs_review=False, status="extracted").first()
    assert 'id="needs-review"' not in client.get(steady.get_absolute_url()).content.decode()


def test_a_curated_row_whose_sentence_vanished_is_hidden_and_flagged(tmp_path, curator_client):
    ingest(SUMMARY)
    document = Document.objects.get()
    doomed = Initiative.objects.get(document=document, text__contains=OLD_SENTENCE)
    curation.set_status(Initiative.objects.filter(pk=doomed.pk), "reviewed", make_user())
    path = tmp_path / "v2.txt"
    path.write_text(SUMMARY.read_text(encoding="utf-8").replace(doomed.text, ""), "utf-8")
    ingest(path, replaces=document.pk)
    doomed.refresh_from_db()
    assert doomed.needs_review and doomed.status == "hidden"
    assert doomed.review_old_text == doomed.text and doomed.review_new_text == ""
    # The admin finds it with the filter, shows both sentences, and a curator confirms it.
    listing = curator_client.get(admin_url(Initiative, "changelist") + "?needs_review=yes")
    assert [r.pk for r in listing.context["cl"].result_list] == [doomed.pk]
    page = curator_client.get(admin_url(Initiative, "change", doomed.pk)).content.decode()
    assert "新版本待复核" in page and "新版本中已没有这句话" in page
    curator_client.post(
        admin_url(Initiative, "changelist"),
        {"action": "confirm_sentence", "_selected_action": [doomed.pk]},
    )
    doomed.refresh_from_db()
    assert not doomed.needs_review


def test_an_earlier_version_ingested_again_changes_nothing(tmp_path):
    ingest(SUMMARY)
    document = Document.objects.get()
    ingest(revised_summary(tmp_path), replaces=document.pk)
    out = ingest(SUMMARY)
    assert "1 unchanged" in out and "earlier version" in out
    document.refresh_from_db()
    assert NEW_SENTENCE in document.text and Document.objects.count() == 1


def test_replaces_refuses_what_it_cannot_do(tmp_path):
    ingest(SUMMARY, OPINION)
    summary = Document.objects.get(file_name=SUMMARY.name)
    with pytest.raises(CommandError, match="exactly one file"):
        ingest(SAMPLES, replaces=summary.pk)
    with pytest.raises(CommandError, match="1 document"):
        ingest(revised_summary(tmp_path), replaces=999999)
    # The opinion's text is not a version of the summary.
    with pytest.raises(RefusedVersion, match="already document"):
        ingest_bytes(OPINION.read_bytes(), file_name="x.txt", replaces=summary.pk)
    assert Document.objects.count() == 2 and not DocumentVersion.objects.exists()


def test_the_document_page_lists_versions_and_shows_what_changed(client, tmp_path):
    ingest(SUMMARY)
    document = Document.objects.get()
    ingest(revised_summary(tmp_path), replaces=document.pk)
    page = client.get(document.get_absolute_url()).content.decode()
    assert "第 1 版" in page and "第 2 版" in page and "summary-v2.txt" in page
    assert "<del>" in page and "<ins>" in page
    deleted = page[page.index("<del>") : page.index("</del>")]
    inserted = page[page.index("<ins>") : page.index("</ins>")]
    assert "7372" in deleted and "7480" in inserted
    # An unknown version number falls back to the last change, never an error.
    assert client.get(document.get_absolute_url() + "?compare=abc").status_code == 200


# --- Re-extraction protects fields, not rows --------------------------------------------------


def test_a_reviewed_row_is_still_updated_by_reextraction(curator_client):
    document = ingest_bytes(SUMMARY.read_bytes(), file_name="s.txt").document
    row = Initiative.objects.get(document=document, text__contains=OLD_SENTENCE)
    curator_client.post(
        admin_url(Initiative, "changelist"),
        {"action": "mark_reviewed", "_selected_action": [row.pk]},
    )
    insurance = PolicyInstrument.objects.get(name="社会保险补贴")
    PolicyInstrument.objects.filter(pk=insurance.pk).update(synonyms=["再就业"])
    report = reextract(document)
    row.refresh_from_db()
    assert row.status == "reviewed"
    assert insurance in row.instruments.all()
    assert report["initiatives_updated"] >= 1 and report["initiatives_flagged"] == 0


# --- Stable keys ---------------------------------------------------------------------------


def test_keys_are_the_same_whatever_order_the_documents_come_in(tmp_path):
    files = sorted(p for p in SAMPLES.glob("*.txt"))
    for path in files:
        ingest(path)
    first = {kind: exported(kind, tmp_path) for kind in ("initiatives", "targets")}
    ids_first = {row["id"] for row in first["initiatives"]}
    Document.objects.all().delete()
    for path in reversed(files):
        ingest(path)
    second = {kind: exported(kind, tmp_path) for kind in ("initiatives", "targets")}
    for kind in ("initiatives", "targets"):
        keyed = {row["key"]: row["text"] for row in first[kind]}
        assert len(keyed) == len(first[kind]) > 50  # one key per row
        assert all(keyed)
        assert {row["key"]: row["text"] for row in second[kind]} == keyed
    # The ids differ between the two runs; the keys do not.
    assert ids_first.isdisjoint({row["id"] for row in second["initiatives"]})


def test_a_key_is_made_from_the_first_version_and_the_sentence():
    assert row_key("abc", "i", "一是 就业", 0) == row_key("abc", "i", "一是就业", 0)
    assert row_key("abc", "i", "一是就业", 0) != row_key("abc", "i", "一是就业", 1)
    assert row_key("abc", "i", "一是就业", 0) != row_key("abd", "i", "一是就业", 0)
    assert len(row_key("abc", "t", "x", 0)) == 20


def test_sentences_are_paired_in_order_and_by_likeness():
    pairs, lost, fresh = match(
        ["甲。", "乙新增就业100人。", "甲。", "丙。"],
        ["甲。", "乙新增就业120人。", "甲。", "丁丁丁丁丁。"],
    )
    assert (0, 0, True) in pairs and (2, 2, True) in pairs and (1, 1, False) in pairs
    assert lost == [3] and fresh == [3]
    (hunk,) = sentence_diff("甲。乙100人。丙。", "甲。乙120人。丙。")
    assert ("-", "乙100人。") in hunk and ("+", "乙120人。") in hunk


# --- Permalinks --------------------------------------------------------------------------


def test_a_target_has_a_page_with_its_sentence_in_context(client):
    ingest(SUMMARY)
    target = Target.objects.get(value=20321)
    response = client.get(f"/targets/{target.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<mark>{target.text}</mark>" in page
    assert target.initiative.get_absolute_url() in page
    assert target.document.get_absolute_url() in page
    assert client.get("/targets/999999/").status_code == 404
    listing = client.get("/targets/").content.decode()
    assert f"/targets/{target.pk}/" in listing


def test_hidden_rows_answer_410_and_merged_ones_redirect_to_their_survivor(client):
    ingest(SUMMARY)
    user = make_user()
    keep, dup = Initiative.objects.filter(targets__isnull=False).distinct()[:2]
    survivor = merging.merge_initiatives([keep, dup], user).survivor
    merged = dup if survivor.pk == keep.pk else keep
    response = client.get(f"/initiatives/{merged.pk}/")
    assert response.status_code == 302 and response["Location"] == survivor.get_absolute_url()
    curation.set_status(Initiative.objects.filter(pk=survivor.pk), "hidden", user)
    for url in (f"/initiatives/{survivor.pk}/", f"/initiatives/{merged.pk}/"):
        response = client.get(url)
        assert response.status_code == 410 and "已下线" in response.content.decode()
    target = survivor.targets.first()
    assert client.get(f"/targets/{target.pk}/").status_code == 410
    assert client.get("/initiatives/999999/").status_code == 404


# --- Withdrawal ----------------------------------------------------------------------------


def test_a_withdrawn_document_leaves_the_site_and_comes_back_as_it_was(
    client, curator_client, tmp_path
):
    document = ingest_bytes(SUMMARY.read_bytes(), file_name="s.txt").document
    hidden_before = document.initiatives.first()
    Initiative.objects.filter(pk=hidden_before.pk).update(status="hidden")
    shown = document.initiatives.exclude(pk=hidden_before.pk).first()
    target = document.targets.first()
    changelist = admin_url(Document, "changelist")
    # First a confirmation page, and nothing changes yet.
    response = curator_client.post(
        changelist, {"action": "withdraw", "_selected_action": [document.pk]}
    )
    assert response.status_code == 200 and "确认撤回" in response.content.decode()
    assert client.get(document.get_absolute_url()).status_code == 200
    curator_client.post(
        changelist,
        {"action": "withdraw", "_selected_action": [document.pk], "confirmed": "yes"},
    )
    for url in (document.get_absolute_url(), shown.get_absolute_url(), f"/targets/{target.pk}/"):
        assert client.get(url).status_code == 410, url
    assert not [r for r in exported("initiatives", tmp_path) if r["document_file"] == "s.txt"]
    assert document.get_absolute_url() not in client.get("/").content.decode()
    assert Initiative.objects.filter(document=document).count() > 0  # nothing deleted
    curator_client.post(changelist, {"action": "restore", "_selected_action": [document.pk]})
    assert client.get(document.get_absolute_url()).status_code == 200
    assert document.get_absolute_url() in client.get("/").content.decode()
    assert client.get(shown.get_absolute_url()).status_code == 200
    hidden_before.refresh_from_db()
    assert hidden_before.status == "hidden"  # hidden before the withdrawal: still hidden


def test_rows_made_one_at_a_time_get_distinct_keys_too():
    first = make_initiative(text="四川省出台就业创业促进条例。")
    second = make_initiative(document=first.document, text=first.text)
    figure = make_target(document=first.document, text=first.text)
    assert len({first.key, second.key, figure.key}) == 3 and all(
        len(k) == 20 for k in (first.key, second.key, figure.key)
    )
    assert first.document.origin_hash == first.document.content_hash


def test_a_curated_row_the_extraction_now_cuts_differently_stays_put():
    document = ingest_bytes(SUMMARY.read_bytes(), file_name="s.txt").document
    row = Initiative.objects.get(document=document, text__contains=OLD_SENTENCE)
    # As an earlier extractor might have cut it: the first half of today's unit.
    half = row.text[: len(row.text) // 2]
    Initiative.objects.filter(pk=row.pk).update(
        text=half, end=row.start + len(half), title="人工标题", curated_fields=["title"]
    )
    report = reextract(document)
    row.refresh_from_db()
    assert (row.text, row.title, row.status, row.needs_review) == (
        half,
        "人工标题",
        "extracted",
        False,
    )
    assert report["initiatives_flagged"] == 0
    overlapping = Initiative.objects.filter(
        document=document, start__lt=row.end, end__gt=row.start
    ).exclude(pk=row.pk)
    assert not overlapping.exists()  # not doubled by a machine row over the same words
