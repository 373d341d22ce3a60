"""Curation rules: load documents in the admin, re-extract, and never lose curated work."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from ingest.pipeline import UnreadableDocument, ingest_bytes, reextract
from initiatives.models import (
    CurationActivity,
    CurationRecord,
    Document,
    Initiative,
    MergeRecord,
    PolicyInstrument,
    Target,
    Theme,
)
from regions.models import Region
from tests.factories import make_initiative, make_user
from tests.test_admin import admin_url, edit_initiative, form_data

pytestmark = pytest.mark.django_db

SUMMARY = """乐山市2017年就业创业工作总结
乐山市人力资源和社会保障局
一、主要工作
（一）强化创业扶持。一是全面落实创业担保贷款政策，全年发放贷款4.56亿元。二是建设返乡创业园区，新建孵化基地3个。
（二）促进高校毕业生就业。实施就业见习计划，组织见习岗位500个，城镇新增就业20321人。
（三）开展技能培训。全年开展职业技能培训1.2万人次，帮扶困难人员就业。
"""
FILE_NAME = "leshan-2017.txt"
UPLOAD_URL = "/admin/initiatives/document/upload/"
MERGE_URL = "/admin/initiatives/initiative/merge/"


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(superuser=True))
    return client


@pytest.fixture
def curator_client(client):
    client.force_login(make_user(groups=["Curators"]))
    return client


def ingest(text=SUMMARY, file_name=FILE_NAME, replaces=None):
    return ingest_bytes(text.encode("utf-8"), file_name=file_name, replaces=replaces)


def initiative_at(document, prefix):
    # An item's numbered heading on its line is part of its text (（二）促进…。实施…).
    return Initiative.objects.get(document=document, text__contains=prefix)


def upload(client, *files, follow=True):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return client.post(UPLOAD_URL, {"files": uploads}, follow=follow)


def run_action(client, action, objects, model=Initiative):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects]},
        follow=True,
    )


def merge(client, initiatives, survivor):
    """The curator's way: select, preview, pick the survivor, confirm."""
    preview = run_action(client, "merge_duplicates", initiatives)
    assert preview.status_code == 200
    assert preview.redirect_chain[-1][0].startswith(MERGE_URL)
    ids = ",".join(str(pk) for pk in sorted(i.pk for i in initiatives))
    return client.post(MERGE_URL, {"ids": ids, "survivor": survivor.pk}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def results_of(response):
    """What the upload's status page says of each file: (name, state, message)."""
    return [(f.name, f.state, f.message) for f in response.context["files"]]


# --- Upload ----------------------------------------------------------------------------


def test_the_document_list_links_to_the_upload_page(curator_client):
    page = curator_client.get(admin_url(Document, "changelist")).content.decode()
    assert UPLOAD_URL in page and "导入文件" in page
    form = curator_client.get(UPLOAD_URL)
    assert form.status_code == 200
    assert 'type="file"' in form.content.decode() and "multiple" in form.content.decode()


def test_an_uploaded_file_becomes_a_document_with_initiatives(curator_client):
    response = upload(curator_client, (FILE_NAME, SUMMARY.encode("gb18030")))
    document = Document.objects.get(file_name=FILE_NAME)
    assert document.title == "乐山市2017年就业创业工作总结"
    assert document.initiatives.count() == 4 and document.targets.count() == 5
    # The curator lands on the upload's status page, told what happened, with a link to
    # that document's initiatives.
    status_url, _status = response.redirect_chain[-1]
    assert status_url.startswith("/admin/initiatives/document/uploads/")
    assert results_of(response) == [
        (FILE_NAME, "done", f"已新建文件“{document.title}”，4 条举措，5 个指标。")
    ]
    changelist = (
        reverse("admin:initiatives_initiative_changelist") + f"?document__id__exact={document.pk}"
    )
    assert f'href="{changelist}"' in response.content.decode()
    assert LogEntry.objects.filter(object_id=str(document.pk)).exists()
    # The activity page names the upload, its user and what it brought.
    entry = CurationActivity.objects.get(object_id=str(document.pk))
    assert entry.action == CurationActivity.Action.ADD and entry.user.is_staff
    assert entry.note == f"上传导入《{FILE_NAME}》：4 条举措，5 个指标"
    assert entry.document_id == document.pk


def test_reextracting_with_a_change_is_in_the_activity_log(curator_client):
    document = ingest().document
    PolicyInstrument.objects.filter(name="社会保险补贴").update(synonyms=["帮扶困难人员"])
    run_action(curator_client, "reextract", [document], model=Document)
    entry = CurationActivity.objects.get(document_id=document.pk)
    assert entry.action == CurationActivity.Action.EDIT
    assert entry.note.startswith("重新抽取：举措 4 → 4")


def test_uploading_the_same_file_again_changes_nothing(curator_client):
    ingest()
    ids = set(Initiative.objects.values_list("pk", flat=True))
    response = upload(curator_client, ("copy.txt", SUMMARY.encode()))
    ((_name, state, message),) = results_of(response)
    assert state == "unchanged" and "内容相同，未作改动（4 条举措，5 个指标）" in message
    assert set(Initiative.objects.values_list("pk", flat=True)) == ids
    assert Document.objects.count() == 1


def test_several_files_get_a_result_each_and_a_bad_one_stops_nothing_else(curator_client):
    response = upload(
        curator_client,
        ("broken.txt", b"\x00\x01\x02binary" * 50),
        (FILE_NAME, SUMMARY.encode()),
        ("notes.xls", b"whatever"),
    )
    broken, good, sheet = results_of(response)
    assert broken[:2] == ("broken.txt", "refused")
    assert broken[2].startswith("无法读取：") and "未写入任何内容" in broken[2]
    assert good[:2] == (FILE_NAME, "done") and good[2].startswith("已新建文件")
    assert sheet[:2] == ("notes.xls", "refused") and "不支持这种文件类型" in sheet[2]
    assert list(Document.objects.values_list("file_name", flat=True)) == [FILE_NAME]


def test_an_unreadable_file_gives_a_message_and_writes_nothing(curator_client):
    response = upload(curator_client, ("scan.pdf", b"%PDF-1.4\x00\x00\x00 not text" * 20))
    assert response.status_code == 200
    ((name, state, message),) = results_of(response)
    assert name == "scan.pdf" and state == "refused"
    assert message.startswith("无法读取：") and message.endswith("未写入任何内容。")
    assert message in response.content.decode()
    assert not Document.objects.exists() and not Initiative.objects.exists()


@override_settings(INGEST_MAX_BYTES=1000)
def test_an_oversized_file_is_refused_with_a_message(curator_client):
    data = SUMMARY.encode() * 3
    assert len(data) > 1000
    response = upload(curator_client, (FILE_NAME, data))
    ((_name, state, message),) = results_of(response)
    assert state == "refused" and "超过上限" in message and "未导入" in message
    assert not Document.objects.exists()
    # The pipeline itself refuses too (the command shares the limit).
    with pytest.raises(UnreadableDocument):
        ingest(SUMMARY * 3)


def test_the_upload_form_needs_a_file(curator_client):
    response = curator_client.post(UPLOAD_URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["files"]


def test_accepted_extensions_are_left_to_the_pipeline(curator_client):
    # .html/.docx/.pdf are accepted by the form; whether they can be read is the
    # pipeline's call (an HTML page of plain Chinese text reads today).
    html = "<p>" + SUMMARY.replace("\n", "</p>\n<p>") + "</p>"
    response = upload(curator_client, ("leshan.html", html.encode()))
    ((_name, state, _message),) = results_of(response)
    assert state == "done"


# --- Curated work survives re-ingest and re-extract --------------------------------------


def curate(client):
    """A curator's afternoon on the sample document: one title, one year, one region,
    one target; returns the edited initiative and target."""
    document = ingest().document
    initiative = initiative_at(document, "实施就业见习计划")
    url = admin_url(Initiative, "change", initiative.pk)
    data = form_data(client.get(url))
    data["title"] = "就业见习计划（人工标题）"
    data["year"] = "2016"
    data["initiativeregion_set-0-region"] = "511102"
    # The target gets its own edit below; its region and year stay the machine's.
    del data["carry_to_targets"]
    response = client.post(url, data)
    assert response.status_code == 302
    target = Target.objects.get(document=document, indicator="城镇新增就业")
    target_url = admin_url(Target, "change", target.pk)
    data = form_data(client.get(target_url))
    data["value"] = "20322"
    assert client.post(target_url, data).status_code == 302
    initiative.refresh_from_db()
    target.refresh_from_db()
    return initiative, target


def assert_curation_intact(initiative, target):
    initiative.refresh_from_db()
    target.refresh_from_db()
    assert initiative.title == "就业见习计划（人工标题）"
    assert initiative.year == 2016
    assert [r.code for r in initiative.regions.all()] == ["511102"]
    assert set(initiative.curated_fields) == {"title", "year", "regions"}
    assert target.value == 20322 and target.curated_fields == ["value"]
    assert CurationRecord.objects.filter(initiative=initiative).count() == 3
    assert CurationRecord.objects.filter(target=target).count() == 1


def test_curated_work_survives_reingest_of_a_changed_text(curator_client):
    initiative, target = curate(curator_client)
    machine_before = set(Initiative.objects.machine_made().values_list("pk", flat=True))
    changed = SUMMARY.replace("（一）强化创业扶持。", "（一）强化创业扶持，优化营商环境。")
    outcome = ingest(changed, replaces=initiative.document_id)
    assert outcome.action == "updated"
    assert outcome.document.pk == initiative.document_id
    assert_curation_intact(initiative, target)
    # Re-anchored in the new text, and not duplicated by a machine row.
    document = outcome.document
    assert document.text[initiative.start : initiative.end] == initiative.text
    assert Initiative.objects.filter(document=document, text__contains="实施就业见习").count() == 1
    # Machine rows whose sentence did not change keep their ids (their permalinks).
    assert machine_before <= set(Initiative.objects.values_list("pk", flat=True))
    assert Initiative.objects.filter(document=document).count() == 4


def test_curated_work_survives_reextract(curator_client):
    initiative, target = curate(curator_client)
    insurance = PolicyInstrument.objects.get(name="社会保险补贴")
    PolicyInstrument.objects.filter(pk=insurance.pk).update(synonyms=["帮扶困难人员"])
    Region.objects.filter(code="511102").update(aliases=["乐山市中"])
    report = reextract(Document.objects.get(pk=initiative.document_id))
    assert report["changed"] and report["initiatives_updated"] == 1
    # The curated initiative and target kept their curated fields (and nothing else moved).
    assert report["initiatives_protected"] == 1 and report["targets_protected"] == 1
    assert report["initiatives_flagged"] == report["targets_flagged"] == 0
    assert_curation_intact(initiative, target)
    assert report["initiatives_before"] == report["initiatives_after"] == 4
    assert report["targets_before"] == report["targets_after"] == 5
    assert target.initiative_id == initiative.pk


def edit_loan_target(client, document):
    """A curated figure inside an initiative nobody edited."""
    loan = Target.objects.get(document=document, indicator="贷款")
    url = admin_url(Target, "change", loan.pk)
    data = form_data(client.get(url))
    data["indicator"] = "创业担保贷款发放额"
    assert client.post(url, data).status_code == 302
    return loan


def test_reextract_keeps_a_curated_target_linked_to_its_initiative(curator_client):
    document = ingest().document
    loan = edit_loan_target(curator_client, document)
    PolicyInstrument.objects.filter(name="社会保险补贴").update(synonyms=["发放贷款"])
    old = initiative_at(document, "一是全面落实创业担保贷款")
    report = reextract(document)
    assert report["initiatives_updated"] == 1
    new = initiative_at(document, "一是全面落实创业担保贷款")
    assert new.pk == old.pk  # the sentence is the same row, with its new instrument…
    assert "社会保险补贴" in {i.name for i in new.instruments.all()}
    loan.refresh_from_db()
    assert loan.indicator == "创业担保贷款发放额"
    assert loan.initiative_id == new.pk  # …and the curated figure stays linked to it


def test_reingest_keeps_a_curated_target_linked_to_the_replaced_initiative(curator_client):
    document = ingest().document
    loan = edit_loan_target(curator_client, document)
    ingest(
        SUMMARY.replace("（三）开展技能培训。", "（三）大力开展技能培训。"), replaces=document.pk
    )
    loan.refresh_from_db()
    assert loan.initiative_id == initiative_at(document, "一是全面落实创业担保贷款").pk


def test_reextract_after_a_new_synonym_updates_every_field_a_curator_did_not_set(superuser_client):
    document = ingest().document
    curated = initiative_at(document, "二是建设返乡创业园区")
    edit_initiative(superuser_client, curated, title="返乡创业园区（人工）")
    machine = initiative_at(document, "全年开展职业技能培训")
    insurance = PolicyInstrument.objects.get(name="社会保险补贴")
    # Nothing names the instrument yet; a curator adds words that appear in both texts.
    assert not Initiative.objects.filter(instruments=insurance).exists()
    PolicyInstrument.objects.filter(pk=insurance.pk).update(
        synonyms=[*insurance.synonyms, "帮扶困难人员", "新建孵化基地"]
    )
    response = run_action(superuser_client, "reextract", [document], model=Document)
    message = messages_of(response)[-1]  # after the edit's own "changed" message
    assert message == (
        f"“{document.title}”：举措 4 → 4（新增 0，移除 0，更新 2，保留人工修改 1，待复核 0）；"
        "指标 5 → 5（新增 0，移除 0，更新 0，保留人工修改 0，待复核 0）"
    )
    machine = initiative_at(document, "全年开展职业技能培训")
    assert insurance in machine.instruments.all()
    curated.refresh_from_db()
    # Only the field the curator changed is theirs: the title stays, the instruments follow
    # the new vocabulary like any machine row's.
    assert insurance in curated.instruments.all()
    assert curated.title == "返乡创业园区（人工）"
    entry = LogEntry.objects.filter(object_id=str(document.pk)).latest("action_time")
    assert "重新抽取" in entry.get_change_message()


def test_reextract_with_nothing_new_writes_nothing(curator_client):
    document = ingest().document
    ids = set(Initiative.objects.values_list("pk", flat=True))
    response = run_action(curator_client, "reextract", [document], model=Document)
    (message,) = [str(m) for m in response.context["messages"]]
    assert "结果与现有的相同，未作改动" in message
    assert set(Initiative.objects.values_list("pk", flat=True)) == ids


def test_reextract_uses_new_theme_cues_and_corrected_document_metadata():
    document = ingest().document
    housing = Theme.objects.create(key="housing", name_zh="住房", name_en="Housing", cues=["园区"])
    Document.objects.filter(pk=document.pk).update(issuing_region_id="511102")
    report = reextract(Document.objects.get(pk=document.pk))
    assert report["changed"] and report["initiatives_updated"] == 4
    park = initiative_at(document, "二是建设返乡创业园区")
    assert housing in park.themes.all()
    assert [r.code for r in park.regions.all()] == ["511102"]


# --- Machine original beside curated ----------------------------------------------------


def test_the_machine_original_is_kept_and_shown(curator_client):
    document = ingest().document
    initiative = initiative_at(document, "实施就业见习计划")
    machine_title = initiative.title
    graduates = Theme.objects.get(key="graduates")
    skills = Theme.objects.get(key="skills")
    edit_initiative(curator_client, initiative, title="见习（改一）")
    edit_initiative(
        curator_client,
        initiative,
        title="见习（改二）",
        themes=[str(graduates.pk), str(skills.pk)],
    )
    records = {r.field: r for r in CurationRecord.objects.filter(initiative=initiative)}
    assert set(records) == {"title", "themes"}
    # The machine value is the one before the *first* edit; the curated one follows.
    assert records["title"].machine_value == machine_title
    assert records["title"].curated_value == "见习（改二）"
    assert records["title"].extractor_version == initiative.extractor_version
    assert records["themes"].machine_value == [graduates.pk]
    assert sorted(records["themes"].curated_value) == sorted([graduates.pk, skills.pk])
    page = curator_client.get(admin_url(Initiative, "change", initiative.pk)).content.decode()
    assert "机器原值与人工修改" in page
    assert machine_title in page and "见习（改二）" in page
    assert "高校毕业生" in page  # theme names, not ids


def test_target_edits_keep_the_machine_value(curator_client):
    _initiative, target = curate(curator_client)
    record = CurationRecord.objects.get(target=target)
    assert (record.field, record.machine_value, record.curated_value) == ("value", "20321", "20322")
    page = curator_client.get(admin_url(Target, "change", target.pk)).content.decode()
    assert "20321" in page and "20322" in page


def test_rows_made_by_hand_and_status_changes_keep_no_machine_value(superuser_client):
    initiative = make_initiative()
    edit_initiative(superuser_client, initiative, status="reviewed")
    assert not CurationRecord.objects.exists()
    initiative.extractor_version = "manual"
    initiative.save()
    edit_initiative(superuser_client, initiative, title="手工条目")
    assert not CurationRecord.objects.exists()


def test_every_initiative_and_target_shows_machine_or_curated_and_the_version(superuser_client):
    document = ingest().document
    initiative = initiative_at(document, "实施就业见习计划")
    target = Target.objects.filter(document=document).first()
    for url in [
        admin_url(Initiative, "change", initiative.pk),
        admin_url(Target, "change", target.pk),
    ]:
        page = superuser_client.get(url).content.decode()
        assert "机器抽取（ingest-1.0）" in page and "抽取器版本" in page
    edit_initiative(superuser_client, initiative, title="人工标题")
    page = superuser_client.get(admin_url(Initiative, "changelist")).content.decode()
    assert "人工修改：标题" in page and "机器抽取（ingest-1.0）" in page
    page = superuser_client.get(admin_url(Target, "changelist")).content.decode()
    assert "机器抽取（ingest-1.0）" in page


# --- Merges ------------------------------------------------------------------------------


def test_a_merge_is_recorded_and_both_sources_kept(curator_client):
    first = ingest().document
    second = ingest(
        SUMMARY.replace("乐山市2017年", "乐山市2017年度")
        .replace("强化创业扶持", "强化扶持")
        .replace("4.56亿元", "4.6亿元"),  # a different figure: moved, not merged as a double
        "leshan-2017-b.txt",
    ).document
    keep = initiative_at(first, "一是全面落实创业担保贷款")
    dup = initiative_at(second, "一是全面落实创业担保贷款")
    run_action(curator_client, "mark_reviewed", [keep])
    response = merge(curator_client, [dup, keep], keep)
    assert f"已将 1 条并入 #{keep.pk}" in messages_of(response)[-1]
    record = MergeRecord.objects.get()
    assert (record.survivor_id, record.merged_id, record.merged_initiative_id) == (
        keep.pk,
        dup.pk,
        dup.pk,
    )
    assert (record.document_id, record.document_file) == (second.pk, "leshan-2017-b.txt")
    assert record.text == dup.text and record.user.groups.filter(name="Curators").exists()
    # Queryable provenance: "also reported in" for the survivor.
    assert list(keep.merge_records.values_list("document__file_name", flat=True)) == [
        "leshan-2017-b.txt"
    ]
    page = curator_client.get(admin_url(Initiative, "change", keep.pk)).content.decode()
    assert "也见于" in page and "leshan-2017-b.txt" in page
    page = curator_client.get(admin_url(Initiative, "change", dup.pk)).content.decode()
    assert "已并入" in page and f"#{keep.pk}" in page
    # Both sources survive a re-ingest of either document and a re-extract of both.
    ingest(SUMMARY.replace("。二是", "。\n二是"), replaces=first.pk)
    for document in Document.objects.all():
        reextract(document)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert (keep.status, dup.status) == ("reviewed", "hidden")
    assert MergeRecord.objects.get().merged_id == dup.pk
    # The duplicate's figure stays with the survivor (not re-created on the hidden row).
    moved = Target.objects.get(document=second, indicator="贷款")
    assert moved.initiative_id == keep.pk and moved.curated_fields == ["initiative"]
    assert CurationRecord.objects.get(target=moved).machine_value == dup.pk
    # Reviewing and merging protected no field of either row.
    assert "status" not in keep.curated_fields + dup.curated_fields


def test_merging_into_a_survivor_carries_earlier_merges_along(curator_client):
    a, b, c = (make_initiative(title=t) for t in ("甲", "乙", "丙"))
    merge(curator_client, [b, c], b)  # c → b
    merge(curator_client, [a, b], a)  # b (with c) → a
    assert set(a.merge_records.values_list("merged_initiative_id", flat=True)) == {b.pk, c.pk}


def test_a_merge_keeps_the_survivors_machine_classification():
    keep = make_initiative(regions=["510106"], themes=["skills"])
    dup = make_initiative(regions=["511100"], themes=["graduates"])
    from initiatives.curation import merging

    merging.merge_initiatives([keep, dup], make_user(superuser=True), survivor=keep)
    records = {r.field: r for r in CurationRecord.objects.filter(initiative=keep)}
    assert records["regions"].machine_value == ["510106"]
    assert records["regions"].curated_value == ["510106", "511100"]
    assert records["themes"].machine_value == [Theme.objects.get(key="skills").pk]


# --- The public site never shows hidden rows ---------------------------------------------


def test_hidden_initiatives_are_nowhere_on_the_public_site(client, curator_client):
    document = ingest().document
    hidden = initiative_at(document, "实施就业见习计划")
    shown = initiative_at(document, "二是建设返乡创业园区")
    run_action(curator_client, "mark_hidden", [hidden])
    client.logout()

    assert client.get(f"/initiatives/{hidden.pk}/").status_code == 410
    assert client.get(f"/initiatives/{shown.pk}/").status_code == 200

    def listed(url, **params):
        response = client.get(url, params)
        assert response.status_code == 200
        return response

    for q in ["见习", "创业"]:
        page = listed("/initiatives/", q=q).content.decode()
        assert f"/initiatives/{hidden.pk}/" not in page
    assert f"/initiatives/{shown.pk}/" in listed("/initiatives/", q="创业").content.decode()

    body = b"".join(listed("/initiatives/export.csv").streaming_content).decode("utf-8-sig")
    ids = {row["id"] for row in csv.DictReader(io.StringIO(body))}
    assert str(shown.pk) in ids and str(hidden.pk) not in ids
    body = b"".join(listed("/initiatives/export.csv", q="见习").streaming_content)
    assert str(hidden.pk) not in {
        row["id"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    }

    api = {r["id"] for r in listed("/api/initiatives").json()["results"]}
    assert shown.pk in api and hidden.pk not in api
    assert hidden.pk not in {
        r["id"] for r in listed("/api/initiatives", q="见习").json()["results"]
    }


# --- Vocabularies ------------------------------------------------------------------------


def test_a_synonym_cannot_name_two_instruments(curator_client):
    loan = PolicyInstrument.objects.get(name="创业担保贷款")
    other = PolicyInstrument.objects.get(name="社会保险补贴")
    url = admin_url(PolicyInstrument, "change", other.pk)
    data = form_data(curator_client.get(url))
    data["synonyms"] = "\n".join([*other.synonyms, loan.synonyms[0]])
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert f"“{loan.synonyms[0]}”已属于政策工具“创业担保贷款”" in response.content.decode()


def test_a_curator_edits_theme_cues(curator_client):
    theme = Theme.objects.get(key="graduates")
    url = admin_url(Theme, "change", theme.pk)
    data = form_data(curator_client.get(url))
    data["cues"] = data["cues"] + "\n就业见习基地"
    assert curator_client.post(url, data).status_code == 302
    theme.refresh_from_db()
    assert theme.cues[-1] == "就业见习基地"


# --- Who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [UPLOAD_URL, "/admin/initiatives/document/", "/admin/initiatives/initiative/1/change/"]
)
def test_anonymous_visitors_are_redirected_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    response = client.post(UPLOAD_URL, {"files": [SimpleUploadedFile(FILE_NAME, b"x")]})
    assert response.status_code == 302 and not Document.objects.exists()


def test_curators_may_upload_and_reextract_but_not_delete_regions_or_see_users(curator_client):
    group = Group.objects.get(name="Curators")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_document", "change_document", "view_curationrecord", "view_mergerecord"} <= (
        codenames
    )
    assert not {"delete_document", "delete_region", "change_curationrecord"} & codenames
    response = upload(curator_client, (FILE_NAME, SUMMARY.encode()))
    document = Document.objects.get()
    assert response.status_code == 200
    page = curator_client.get(admin_url(Document, "changelist")).content.decode()
    assert "reextract" in page
    response = run_action(curator_client, "reextract", [document], model=Document)
    assert "未作改动" in " ".join(str(m) for m in response.context["messages"])
    assert curator_client.get(admin_url(Region, "delete", "510106")).status_code == 403
    assert curator_client.get(admin_url(User, "changelist")).status_code == 403


def test_staff_without_add_document_cannot_upload_or_reextract(client):
    viewer = make_user()
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_document"))
    client.force_login(viewer)
    assert client.get(UPLOAD_URL).status_code == 403
    page = client.get(admin_url(Document, "changelist")).content.decode()
    assert UPLOAD_URL not in page and "reextract" not in page


def test_curation_records_cannot_be_edited_in_the_admin(curator_client):
    initiative, _target = curate(curator_client)
    response = curator_client.get(admin_url(Initiative, "change", initiative.pk))
    inline = next(
        i for i in response.context["inline_admin_formsets"] if i.formset.model is CurationRecord
    )
    assert not inline.has_add_permission and not inline.has_change_permission
    assert not inline.has_delete_permission
