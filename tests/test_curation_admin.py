"""Curation a curator can trust: field-level protection, revert, corrections carried to
targets, merge preview and unmerge, the activity page, and onboarding a curator."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from initiatives.models import (
    CurationActivity,
    CurationRecord,
    Initiative,
    MergeRecord,
    Target,
    Theme,
)
from tests.factories import make_document, make_initiative, make_target, make_user
from tests.test_admin import admin_url, form_data

pytestmark = pytest.mark.django_db

MERGE_URL = "/admin/initiatives/initiative/merge/"
ACTIVITY_URL = "/admin/initiatives/curationactivity/"


@pytest.fixture
def curator(db):
    return make_user(username="wangfang", groups=["Curators"])


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def post_edit(client, obj, model=Initiative, **changes):
    url = admin_url(model, "change", obj.pk)
    data = form_data(client.get(url))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    obj.refresh_from_db()
    return response


# --- Field-level protection ---------------------------------------------------------------


def test_marking_reviewed_in_the_form_protects_nothing_but_is_logged(curator_client):
    initiative = make_initiative(title="创业担保贷款")
    post_edit(curator_client, initiative, status="reviewed")
    assert initiative.status == "reviewed"
    assert initiative.curated_fields == []
    assert not CurationRecord.objects.exists()
    entry = CurationActivity.objects.get()
    assert (entry.action, entry.field_label, entry.old_value, entry.new_value) == (
        "status",
        "状态",
        "未审核",
        "已审核",
    )


def test_only_the_fields_changed_are_protected_and_kept(curator_client):
    initiative = make_initiative(title="旧标题", year=2017, themes=["skills"])
    post_edit(curator_client, initiative, title="新标题", status="reviewed")
    assert initiative.curated_fields == ["title"]
    assert list(CurationRecord.objects.values_list("field", "machine_value")) == [
        ("title", "旧标题")
    ]
    # Saving again without a change adds nothing.
    post_edit(curator_client, initiative)
    assert initiative.curated_fields == ["title"]
    assert CurationRecord.objects.count() == 1
    assert CurationActivity.objects.filter(action="edit").count() == 1


def test_a_target_edit_protects_only_that_field(curator_client):
    target = make_target(initiative=make_initiative(), value=20000)
    post_edit(curator_client, target, model=Target, value="21000", status="reviewed")
    assert target.curated_fields == ["value"] and target.status == "reviewed"


# --- Revert to machine value --------------------------------------------------------------


def test_revert_puts_the_machine_value_back_and_unprotects_the_field(curator_client):
    initiative = make_initiative(title="机器标题")
    post_edit(curator_client, initiative, title="人工标题")
    page = curator_client.get(admin_url(Initiative, "change", initiative.pk)).content.decode()
    revert_url = f"/admin/initiatives/initiative/{initiative.pk}/revert/title/"
    assert revert_url in page and "恢复机器值" in page
    confirm = curator_client.get(revert_url).content.decode()
    assert "人工标题" in confirm and "机器标题" in confirm
    assert Initiative.objects.get(pk=initiative.pk).title == "人工标题"  # GET changes nothing

    response = curator_client.post(revert_url, follow=True)
    initiative.refresh_from_db()
    assert initiative.title == "机器标题"
    assert initiative.curated_fields == []
    assert not CurationRecord.objects.exists()
    assert "“标题”已恢复为机器抽取的值：人工标题 → 机器标题" in messages_of(response)[0]
    # The search index follows the title back.
    assert "机器" in initiative.search_text.split()
    entry = CurationActivity.objects.filter(action="revert").get()
    assert (entry.old_value, entry.new_value) == ("人工标题", "机器标题")


def test_reverting_regions_and_themes_restores_the_machine_links(curator_client):
    initiative = make_initiative(regions=["511100"], themes=["skills"])
    graduates = Theme.objects.get(key="graduates")
    post_edit(
        curator_client,
        initiative,
        themes=[str(graduates.pk)],
        **{"initiativeregion_set-0-region": "511102", "carry_to_targets": None},
    )
    assert initiative.curated_fields == ["regions", "themes"]
    for field in ("regions", "themes"):
        curator_client.post(f"/admin/initiatives/initiative/{initiative.pk}/revert/{field}/")
    initiative.refresh_from_db()
    assert [r.code for r in initiative.regions.all()] == ["511100"]
    assert initiative.initiativeregion_set.get().province_id == "510000"
    assert [t.key for t in initiative.themes.all()] == ["skills"]
    assert initiative.curated_fields == []


def test_revert_of_a_field_never_changed_says_so(curator_client):
    initiative = make_initiative()
    response = curator_client.get(
        f"/admin/initiatives/initiative/{initiative.pk}/revert/year/", follow=True
    )
    assert "“年份”没有记录机器抽取的值，无需恢复。" in messages_of(response)
    response = curator_client.get("/admin/initiatives/initiative/999999/revert/year/")
    assert response.status_code == 302  # to the list, with Django's "does not exist" message


def test_revert_of_a_target_value(curator_client):
    target = make_target(initiative=make_initiative(), value=20000)
    post_edit(curator_client, target, model=Target, value="21000")
    curator_client.post(f"/admin/initiatives/target/{target.pk}/revert/value/")
    target.refresh_from_db()
    assert target.value == 20000 and target.curated_fields == []


# --- Corrections carried to targets -------------------------------------------------------


@pytest.fixture
def plan_with_targets():
    document = make_document(text="乐山市城镇新增就业20000人，到2020年培训1万人。", year=2017)
    initiative = make_initiative(document=document, regions=["510000"], year=2017)
    same = make_target(initiative=initiative, region="510000", year=2017)
    goal = make_target(
        initiative=initiative, region="510000", year=2020, indicator="培训", value=10000
    )
    return initiative, same, goal


def test_correcting_region_and_year_carries_to_targets_that_had_them(
    curator_client, plan_with_targets
):
    initiative, same, goal = plan_with_targets
    page = curator_client.get(admin_url(Initiative, "change", initiative.pk)).content.decode()
    assert 'name="carry_to_targets"' in page and "checked" in page
    response = post_edit(
        curator_client, initiative, year="2016", **{"initiativeregion_set-0-region": "511100"}
    )
    same.refresh_from_db()
    goal.refresh_from_db()
    assert (same.region_id, same.year) == ("511100", 2016)
    assert (goal.region_id, goal.year) == ("511100", 2020)  # a 2020 goal keeps its year
    assert same.curated_fields == ["region", "year"] and goal.curated_fields == ["region"]
    assert CurationRecord.objects.get(target=same, field="region").machine_value == "510000"
    assert (
        "已同时修改指标：2 个指标的地区改为四川省/乐山市；1 个指标的年份改为 2016。"
        in messages_of(response)
    )
    carried = CurationActivity.objects.filter(action="carry", object_id=str(same.pk))
    assert {(e.field, e.old_value, e.new_value) for e in carried} == {
        ("region", "四川省", "四川省/乐山市"),
        ("year", "2017", "2016"),
    }


def test_unticking_the_box_leaves_targets_alone(curator_client, plan_with_targets):
    initiative, same, _goal = plan_with_targets
    post_edit(curator_client, initiative, year="2016", carry_to_targets=None)
    same.refresh_from_db()
    assert same.year == 2017 and same.curated_fields == []
    assert initiative.curated_fields == ["year"]


def test_a_target_corrected_by_hand_keeps_its_own_value(curator_client, plan_with_targets):
    initiative, same, _goal = plan_with_targets
    post_edit(curator_client, same, model=Target, year="2018")
    post_edit(curator_client, same, model=Target, year="2017")  # still the curator's choice
    response = post_edit(curator_client, initiative, year="2016")
    same.refresh_from_db()
    assert same.year == 2017
    assert "1 个人工改过或期限不符的指标未改。" in " ".join(messages_of(response))


# --- Merge preview and unmerge ------------------------------------------------------------


@pytest.fixture
def duplicates():
    first = make_document(text="乐山市发放创业担保贷款4.56亿元。城镇新增就业20000人。")
    second = make_document(text="乐山市：全年发放创业担保贷款4.56亿元。新建孵化基地3个。")
    keep = make_initiative(
        document=first, text="乐山市发放创业担保贷款4.56亿元。", regions=["511100"]
    )
    dup = make_initiative(
        document=second,
        text="乐山市：全年发放创业担保贷款4.56亿元。",
        regions=["511102"],
        themes=["entrepreneurship"],
    )
    loan = dict(indicator="贷款", value=456000000, unit="元", year=2017, region="511100")
    kept_loan = make_target(initiative=keep, text="4.56亿元", **loan)
    double = make_target(initiative=dup, text="4.56亿元", **loan)
    moved = make_target(initiative=dup, indicator="孵化基地", value=3, unit="个", text="3个")
    return keep, dup, kept_loan, double, moved


def test_the_preview_shows_both_candidates_and_the_targets_that_move(curator_client, duplicates):
    keep, dup, kept_loan, double, moved = duplicates
    response = curator_client.post(
        admin_url(Initiative, "changelist"),
        {"action": "merge_duplicates", "_selected_action": [keep.pk, dup.pk]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{MERGE_URL}?ids={keep.pk},{dup.pk}"
    page = response.content.decode()
    for text in [keep.text, dup.text, "四川省/乐山市", "四川省/乐山市/市中区", "创业"]:
        assert text in page
    # The first row is suggested; the plan under it lists the moving and doubled figures.
    plan = response.context["plan"]
    assert plan.survivor == keep
    assert plan.moves == [moved] and plan.doubles == [(double, kept_loan)]
    assert "孵化基地" in page and f"#{kept_loan.pk}" in page
    assert "456000000 元" in page  # the figure as written, not 4.56E+8
    # Nothing happened yet.
    dup.refresh_from_db()
    assert dup.status == "extracted" and not MergeRecord.objects.exists()


def test_the_curator_picks_the_survivor_and_no_target_is_doubled(
    client, curator_client, duplicates
):
    keep, dup, kept_loan, double, moved = duplicates
    preview = curator_client.get(MERGE_URL, {"ids": f"{keep.pk},{dup.pk}", "survivor": dup.pk})
    assert preview.context["plan"].survivor == dup
    response = curator_client.post(
        MERGE_URL, {"ids": f"{keep.pk},{dup.pk}", "survivor": keep.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == admin_url(Initiative, "change", keep.pk)
    assert messages_of(response) == [
        f"已将 1 条并入 #{keep.pk} “{keep.title}”，移入 1 个指标。"
        "另有 1 个指标与保留条目已有的相同，已合并（不重复发布）。"
    ]
    dup.refresh_from_db()
    moved.refresh_from_db()
    double.refresh_from_db()
    assert dup.status == "hidden" and dup.curated_fields == []
    assert moved.initiative_id == keep.pk
    assert double.status == "hidden" and double.initiative_id == dup.pk
    public = Target.objects.visible().filter(indicator="贷款")
    assert list(public) == [kept_loan]
    api = client.get("/api/targets", {"q": ""}).json()["results"]
    assert [r["id"] for r in api if r["indicator"] == "贷款"] == [kept_loan.pk]
    assert {r.code for r in keep.regions.all()} == {"511100", "511102"}


def test_merging_hidden_or_missing_rows_is_refused_with_a_message(curator_client, duplicates):
    keep, dup, *_ = duplicates
    Initiative.objects.filter(pk=dup.pk).update(status="hidden")
    response = curator_client.get(MERGE_URL, {"ids": f"{keep.pk},{dup.pk}"}, follow=True)
    assert f"已隐藏的举措不能合并：#{dup.pk}。" in messages_of(response)
    response = curator_client.get(MERGE_URL, {"ids": f"{keep.pk},999999"}, follow=True)
    assert "找不到举措 #999999，可能已被删除。" in messages_of(response)
    response = curator_client.get(MERGE_URL, {"ids": "abc"}, follow=True)
    assert "没有选择要合并的举措，或编号无效。" in messages_of(response)
    response = curator_client.post(
        MERGE_URL, {"ids": f"{keep.pk},{dup.pk}", "survivor": "7x"}, follow=True
    )
    assert response.status_code == 200 and not MergeRecord.objects.exists()


def test_unmerge_restores_both_rows(curator_client, duplicates):
    keep, dup, kept_loan, double, moved = duplicates
    Initiative.objects.filter(pk=keep.pk).update(status="reviewed")
    curator_client.post(MERGE_URL, {"ids": f"{keep.pk},{dup.pk}", "survivor": keep.pk})
    record = MergeRecord.objects.get()
    page = curator_client.get(admin_url(Initiative, "change", keep.pk)).content.decode()
    unmerge_url = f"/admin/initiatives/initiative/unmerge/{record.pk}/"
    assert unmerge_url in page and "撤销合并" in page
    confirm = curator_client.get(unmerge_url).content.decode()
    assert "孵化基地" in confirm and "贷款" in confirm  # what will move back / be shown again

    response = curator_client.post(unmerge_url, follow=True)
    assert f"已撤销合并：#{dup.pk}" in messages_of(response)[0]
    keep.refresh_from_db()
    dup.refresh_from_db()
    moved.refresh_from_db()
    double.refresh_from_db()
    assert (keep.status, dup.status) == ("reviewed", "extracted")
    assert [r.code for r in keep.regions.all()] == ["511100"]
    assert [t.key for t in dup.themes.all()] == ["entrepreneurship"]
    assert not keep.themes.exists()
    assert keep.curated_fields == [] and dup.curated_fields == []
    assert (moved.initiative_id, moved.curated_fields) == (dup.pk, [])
    assert double.status == "extracted"
    assert not CurationRecord.objects.exists() and not MergeRecord.objects.exists()
    assert CurationActivity.objects.filter(action="unmerge").count() >= 3
    # A second click on a stale link explains rather than fails.
    response = curator_client.post(unmerge_url, follow=True)
    assert "找不到这条合并记录，可能已经撤销。" in messages_of(response)


def test_unmerging_one_of_two_keeps_what_the_other_brought(curator_client):
    keep = make_initiative(regions=["511100"])
    b = make_initiative(regions=["511102"])
    c = make_initiative(regions=["511102"])
    curator_client.post(MERGE_URL, {"ids": f"{keep.pk},{b.pk},{c.pk}", "survivor": keep.pk})
    record = MergeRecord.objects.get(merged=b)
    curator_client.post(f"/admin/initiatives/initiative/unmerge/{record.pk}/")
    assert {r.code for r in keep.regions.all()} == {"511100", "511102"}  # c still brings it
    b.refresh_from_db()
    assert b.status == "extracted"


# --- The activity page --------------------------------------------------------------------


def test_the_activity_page_lists_edits_in_readable_words(curator_client, curator):
    document = make_document(title="乐山市就业工作总结")
    initiative = make_initiative(document=document, regions=["510000"], themes=["skills"])
    graduates = Theme.objects.get(key="graduates")
    post_edit(
        curator_client,
        initiative,
        themes=[str(graduates.pk)],
        **{"initiativeregion_set-0-region": "511100"},
    )
    assert ACTIVITY_URL in curator_client.get("/admin/").content.decode()
    page = curator_client.get(ACTIVITY_URL).content.decode()
    assert "wangfang" in page and "乐山市就业工作总结" in page
    assert "四川省 → 四川省/乐山市" in page  # names, not codes
    skills = Theme.objects.get(key="skills").name_zh
    assert f"{skills} → {graduates.name_zh}" in page  # theme names, not ids
    changes = {e.field: (e.old_value, e.new_value) for e in CurationActivity.objects.all()}
    assert changes == {
        "themes": (skills, graduates.name_zh),
        "regions": ("四川省", "四川省/乐山市"),
    }


def test_the_activity_page_filters_by_user_date_and_document(curator_client, curator):
    other = make_user(username="lisi", superuser=True)
    mine = make_initiative(document=make_document(title="甲文件"))
    theirs = make_initiative(document=make_document(title="乙文件"))
    post_edit(curator_client, mine, title="甲的新标题")
    from initiatives.curation import records as curation

    curation.log_changes(other, theirs, {"title": theirs.title}, {"title": "乙的新标题"})
    yesterday = timezone.now() - datetime.timedelta(days=1)
    CurationActivity.objects.filter(user=other).update(created=yesterday)

    def rows(**params):
        response = curator_client.get(ACTIVITY_URL, params)
        assert response.status_code == 200
        return {e.new_value for e in response.context["cl"].result_list}

    assert rows() == {"甲的新标题", "乙的新标题"}
    assert rows(user__id__exact=curator.pk) == {"甲的新标题"}
    assert rows(document=theirs.document_id) == {"乙的新标题"}
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert rows(created__gte=str(midnight)) == {"甲的新标题"}
    assert rows(object=f"initiative:{mine.pk}") == {"甲的新标题"}
    assert rows(document="x") == set()  # a bad value narrows to nothing, never a 500
    page = curator_client.get(admin_url(Initiative, "change", mine.pk)).content.decode()
    assert f"{ACTIVITY_URL}?object=initiative:{mine.pk}" in page


def test_bulk_status_changes_merges_and_reverts_are_all_logged(curator_client):
    a, b = make_initiative(), make_initiative()
    curator_client.post(
        admin_url(Initiative, "changelist"),
        {"action": "mark_reviewed", "_selected_action": [a.pk, b.pk]},
    )
    assert CurationActivity.objects.filter(action="status", new_value="已审核").count() == 2
    curator_client.post(MERGE_URL, {"ids": f"{a.pk},{b.pk}", "survivor": a.pk})
    assert CurationActivity.objects.filter(action="merge", object_id=str(b.pk)).exists()


def test_the_activity_log_cannot_be_edited(curator_client):
    initiative = make_initiative()
    post_edit(curator_client, initiative, title="改")
    entry = CurationActivity.objects.get()
    assert curator_client.get(admin_url(CurationActivity, "add")).status_code == 403
    response = curator_client.post(admin_url(CurationActivity, "change", entry.pk), {"note": "x"})
    assert response.status_code == 403
    assert curator_client.get(admin_url(CurationActivity, "delete", entry.pk)).status_code == 403


# --- Onboarding ---------------------------------------------------------------------------


def test_create_curator_prints_a_password_that_logs_in(client):
    out = io.StringIO()
    call_command("create_curator", "zhaolei", stdout=out)
    text = out.getvalue()
    assert "已创建审核员 zhaolei" in text
    password = text.split("一次性密码：")[1].split()[0]
    user = User.objects.get(username="zhaolei")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Curators"]
    assert client.login(username="zhaolei", password=password)
    assert client.get(admin_url(Initiative, "changelist")).status_code == 200


def test_create_curator_refuses_an_existing_name():
    make_user(username="zhaolei")
    with pytest.raises(CommandError, match="用户“ZhaoLei”已存在，未作改动"):
        call_command("create_curator", "ZhaoLei")
    with pytest.raises(CommandError, match="无效"):
        call_command("create_curator", "bad name!")
    assert User.objects.count() == 1


def test_create_curator_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    make_user(username="taken")
    # A subprocess sees its own database: use the command's own error path directly.
    result = subprocess.run(
        [sys.executable, "manage.py", "create_curator", ""],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/none.sqlite3", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "用户名" in result.stderr and "Traceback" not in result.stderr


# --- In the curator's language ------------------------------------------------------------


def test_curation_pages_in_english_leak_no_chinese_interface_text(curator_client, duplicates):
    from tests.test_translations import INTERFACE, _data_strings, _visible_strings

    keep, dup, *_ = duplicates
    post_edit(curator_client, keep, title="人工标题")
    curator_client.post(MERGE_URL, {"ids": f"{keep.pk},{dup.pk}", "survivor": keep.pk})
    record = MergeRecord.objects.get()
    curator_client.cookies["django_language"] = "en"
    # Indicators are data too (贷款 is also an instrument category's label).
    data = _data_strings() | set(Target.objects.values_list("indicator", flat=True))
    other = make_initiative()  # dup is hidden now: preview keep with another row
    for url in [
        f"{MERGE_URL}?ids={keep.pk},{other.pk}",
        f"/admin/initiatives/initiative/{keep.pk}/revert/title/",
        f"/admin/initiatives/initiative/unmerge/{record.pk}/",
        admin_url(Initiative, "change", keep.pk),
        ACTIVITY_URL,
    ]:
        response = curator_client.get(url)
        assert response.status_code == 200, url
        leaked = (_visible_strings(response.content.decode()) & INTERFACE) - data
        assert sorted(leaked) == [], url
    forbidden = curator_client.post("/admin/regions/region/520328/change/", {"name": "x"})
    assert forbidden.status_code == 403 and "Permission denied" in forbidden.content.decode()


def test_a_superusers_deletions_are_logged_even_of_a_whole_document(client):
    client.force_login(make_user(username="root", superuser=True))
    document = make_document(title="要删除的文件")
    initiative = make_initiative(document=document)
    response = client.post(admin_url(Initiative, "delete", initiative.pk), {"post": "yes"})
    assert response.status_code == 302
    response = client.post(
        admin_url(type(document), "delete", document.pk), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    deleted = CurationActivity.objects.filter(action="delete")
    assert {e.object_repr for e in deleted} == {initiative.title, "要删除的文件"}
    assert all(e.document_id is None for e in deleted)  # the document is gone, its name kept
    # A document keeps no machine values: its revert page explains instead of failing.
    other = make_document()
    response = client.get(f"/admin/initiatives/document/{other.pk}/revert/title/", follow=True)
    assert "“标题”没有记录机器抽取的值，无需恢复。" in messages_of(response)


def test_the_public_site_has_its_own_styled_403_page(rf):
    from django.core.exceptions import PermissionDenied

    from config.errors import permission_denied

    response = permission_denied(rf.get("/initiatives/"), PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>没有权限</h1>" in html and 'class="site-header"' in html


def test_the_activity_page_makes_no_query_per_row(curator_client, curator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from initiatives.curation import records as curation

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert curator_client.get(ACTIVITY_URL).status_code == 200
        return len(queries)

    initiative = make_initiative()
    curation.log_changes(curator, initiative, {"title": "甲"}, {"title": "乙"})
    few = page_queries()
    for n in range(30):
        other = make_initiative(document=make_document(title=f"文件{n}"))
        curation.log_changes(curator, other, {"year": 2017}, {"year": 2018})
    assert page_queries() == few


def test_two_new_regions_are_not_guessed_for_the_targets(curator_client, plan_with_targets):
    initiative, same, _goal = plan_with_targets
    url = admin_url(Initiative, "change", initiative.pk)
    data = form_data(curator_client.get(url))
    data.update(
        {
            "initiativeregion_set-0-region": "511100",
            "initiativeregion_set-1-region": "511102",
            "initiativeregion_set-1-initiative": str(initiative.pk),
            "initiativeregion_set-1-role": "covered",
            "initiativeregion_set-TOTAL_FORMS": "2",
        }
    )
    response = curator_client.post(url, data, follow=True)
    assert {r.code for r in initiative.regions.all()} == {"511100", "511102"}
    same.refresh_from_db()
    assert same.region_id == "510000"
    assert "无法确定 2 个指标应改为哪一个，请逐个修改。" in " ".join(messages_of(response))


def test_the_migration_lifts_the_old_whole_row_freeze():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("initiatives.migrations.0009_curation")
    reviewed = make_initiative()
    merged_into = make_initiative()
    target = make_target(initiative=reviewed)
    Initiative.objects.filter(pk=reviewed.pk).update(curated_fields=["status", "title"])
    Initiative.objects.filter(pk=merged_into.pk).update(curated_fields=["targets"])
    Target.objects.filter(pk=target.pk).update(curated_fields=["status"])
    migration.forward(apps, None)
    assert Initiative.objects.get(pk=reviewed.pk).curated_fields == ["title"]
    assert Initiative.objects.get(pk=merged_into.pk).curated_fields == []
    assert Target.objects.get(pk=target.pk).curated_fields == []


def test_vocabulary_and_gazetteer_edits_are_logged_too(client, curator_client):
    theme = Theme.objects.get(key="graduates")
    url = admin_url(Theme, "change", theme.pk)
    data = form_data(curator_client.get(url))
    data["cues"] = data["cues"] + "\n就业见习基地"
    assert curator_client.post(url, data).status_code == 302
    entry = CurationActivity.objects.get(field="cues")
    assert entry.new_value.endswith("、就业见习基地") and entry.user.username == "wangfang"

    client.force_login(make_user(username="root", superuser=True))
    region_url = "/admin/regions/region/130529/change/"
    data = {"name": "巨鹿县", "short_name": "巨鹿", "aliases": "巨鹿古城"}
    assert client.post(region_url, data).status_code == 302
    entry = CurationActivity.objects.get(field="aliases")
    assert (entry.object_id, entry.old_value, entry.new_value) == ("130529", "—", "巨鹿古城")
