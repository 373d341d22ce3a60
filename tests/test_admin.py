"""The curators' admin: every page renders, filters narrow, edits are remembered."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative, PolicyInstrument, Target, Theme
from regions.models import Region
from tests.factories import make_document, make_initiative, make_target, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(superuser=True))
    return client


def some_object(model):
    """One saved row of ``model`` to open its change page."""
    if model is Region:
        return Region.objects.get(code="510106")
    if model is Initiative:
        return make_initiative()
    if model is Target:
        return make_target(initiative=make_initiative())
    if model is User:
        return make_user()
    if model is Group:
        return Group.objects.create(name="Readers")
    if model._meta.label == "initiatives.Document":
        return make_document()
    if model._meta.label == "initiatives.CurationActivity":
        from initiatives.curation import records as curation

        curation.log([curation.activity(make_user(), make_initiative(), model.Action.EDIT)])
    if model._meta.label == "django_tasks_database.DBTaskResult":
        # A row of the upload queue: an upload queued while the database backend is on.
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import override_settings

        from initiatives.curation.uploads import queue_upload

        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            queue_upload([SimpleUploadedFile("a.txt", "文本".encode())])
    return model.objects.first()


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_admin_page_renders_for_a_superuser(superuser_client, model):
    obj = some_object(model)
    assert obj is not None
    # The activity log is written by the admin itself, the task queue by uploads: nobody
    # adds to them by hand.
    can_add = model._meta.label not in (
        "initiatives.CurationActivity",
        "django_tasks_database.DBTaskResult",
    )
    for url in [
        admin_url(model, "changelist"),
        *([admin_url(model, "add")] if can_add else []),
        admin_url(model, "change", obj.pk),
        admin_url(model, "history", obj.pk),
    ]:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
    if not can_add:
        assert superuser_client.get(admin_url(model, "add")).status_code == 403


def test_the_admin_index_lists_the_curators_models(superuser_client):
    page = superuser_client.get("/admin/").content.decode()
    for label in ["举措", "指标", "文件", "主题", "政策工具", "行政区划"]:
        assert label in page


@pytest.mark.parametrize("url", ["/admin/", "/admin/initiatives/initiative/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_staff_without_permissions_sees_nothing(client):
    client.force_login(make_user())
    assert client.get(admin_url(Initiative, "changelist")).status_code == 403


# --- Regions ---------------------------------------------------------------------------


def test_regions_can_be_found_by_code_name_short_name_and_alias(superuser_client):
    url = admin_url(Region, "changelist")

    def found(q):
        return [r.code for r in superuser_client.get(url, {"q": q}).context["cl"].result_list]

    assert found("510106") == ["510106"]
    assert "130529" in found("巨鹿县")
    assert "150000" in found("内蒙古")
    Region.objects.filter(code="130529").update(aliases=["巨鹿古城"])
    from regions.gazetteer import clear_cache

    clear_cache()
    assert found("巨鹿古城") == ["130529"]


def test_region_list_filters_by_level(superuser_client):
    response = superuser_client.get(admin_url(Region, "changelist"), {"level__exact": "1"})
    assert {r.level for r in response.context["cl"].result_list} == {1}


def test_a_curator_adds_aliases_one_per_line(superuser_client):
    url = admin_url(Region, "change", "513225")
    page = superuser_client.get(url)
    assert "九寨沟县" in page.content.decode()
    response = superuser_client.post(
        url, {"name": "九寨沟县", "short_name": "九寨沟", "aliases": "南坪县\n\n 九寨 \n南坪县"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    region = Region.objects.get(code="513225")
    assert region.aliases == ["南坪县", "九寨"]
    assert region.parent_id == "513200"  # not editable here, and left alone
    # The edit form shows them back one per line.
    assert "南坪县\n九寨</textarea>" in superuser_client.get(url).content.decode()


def test_nobody_can_delete_a_region(superuser_client):
    assert superuser_client.get(admin_url(Region, "delete", "510106")).status_code == 403
    response = superuser_client.get(admin_url(Region, "changelist"))
    assert "delete_selected" not in response.content.decode()
    assert Region.objects.filter(code="510106").exists()


def test_region_autocomplete_tells_namesakes_apart(superuser_client):
    response = superuser_client.get(
        "/admin/autocomplete/",
        {
            "term": "鼓楼区",
            "app_label": "initiatives",
            "model_name": "initiativeregion",
            "field_name": "region",
        },
    )
    assert response.status_code == 200
    labels = [r["text"] for r in response.json()["results"]]
    assert len(labels) >= 3
    assert "鼓楼区（江苏省/南京市，320106）" in labels


# --- Vocabularies ----------------------------------------------------------------------


def instrument_form(**overrides):
    data = {
        "name": "返乡创业贷",
        "name_en": "Returnee start-up loan",
        "slug": "returnee-startup-loan",
        "category": "loan",
        "synonyms": "返乡创业专项贷",
    }
    data.update(overrides)
    return data


def test_a_new_instrument_is_saved_with_its_synonyms(superuser_client):
    response = superuser_client.post(admin_url(PolicyInstrument, "add"), instrument_form())
    assert response.status_code == 302
    assert PolicyInstrument.objects.get(slug="returnee-startup-loan").synonyms == ["返乡创业专项贷"]


def test_a_synonym_taken_by_another_instrument_is_refused(superuser_client):
    response = superuser_client.post(
        admin_url(PolicyInstrument, "add"), instrument_form(synonyms="返乡创业专项贷\n小额担保贷款")
    )
    assert response.status_code == 200
    assert "“小额担保贷款”已属于政策工具“创业担保贷款”" in response.content.decode()
    assert not PolicyInstrument.objects.filter(slug="returnee-startup-loan").exists()


def test_a_name_taken_as_another_instruments_synonym_is_refused(superuser_client):
    response = superuser_client.post(
        admin_url(PolicyInstrument, "add"), instrument_form(name="小额担保贷款")
    )
    assert response.status_code == 200
    assert "已是政策工具“创业担保贷款”的同义词" in response.content.decode()


def test_an_instrument_keeps_its_own_synonyms_when_edited(superuser_client):
    loan = PolicyInstrument.objects.get(name="创业担保贷款")
    data = instrument_form(
        name=loan.name, name_en=loan.name_en, slug=loan.slug, synonyms="\n".join(loan.synonyms)
    )
    response = superuser_client.post(admin_url(PolicyInstrument, "change", loan.pk), data)
    assert response.status_code == 302


def test_instruments_are_found_by_synonym(superuser_client):
    response = superuser_client.get(admin_url(PolicyInstrument, "changelist"), {"q": "社保补贴"})
    assert [i.name for i in response.context["cl"].result_list] == ["社会保险补贴"]


def test_theme_cues_are_edited_one_per_line(superuser_client):
    theme = Theme.objects.get(key="graduates")
    page = superuser_client.get(admin_url(Theme, "change", theme.pk)).content.decode()
    assert "\n".join(theme.cues[:2]) in page


def test_the_five_themes_cannot_be_deleted(superuser_client):
    theme = Theme.objects.get(key="skills")
    assert superuser_client.get(admin_url(Theme, "delete", theme.pk)).status_code == 403
    extra = Theme.objects.create(key="housing", name_zh="住房", name_en="Housing")
    selection = {"action": "delete_selected", "_selected_action": [theme.pk, extra.pk]}
    confirm = superuser_client.post(admin_url(Theme, "changelist"), selection)
    assert confirm.context["perms_lacking"] == {"主题"}  # the page says what it cannot delete
    response = superuser_client.post(admin_url(Theme, "changelist"), {**selection, "post": "yes"})
    assert response.status_code == 403
    assert Theme.objects.filter(key__in=["skills", "housing"]).count() == 2


# --- Initiatives: list -----------------------------------------------------------------


def changelist(client, **params):
    response = client.get(admin_url(Initiative, "changelist"), params)
    assert response.status_code == 200
    return response


def titles(response):
    return {i.title for i in response.context["cl"].result_list}


@pytest.fixture
def three_initiatives():
    return [
        make_initiative(title="金牛区创业孵化", regions=["510106"], themes=["entrepreneurship"]),
        make_initiative(title="巨鹿县扶贫车间", regions=["130529"], year=2018),
        make_initiative(title="全国稳岗返还", regions=["000000"], status="reviewed"),
    ]


def test_province_filter_includes_counties_below_it(superuser_client, three_initiatives):
    assert titles(changelist(superuser_client, province="510000")) == {"金牛区创业孵化"}
    assert titles(changelist(superuser_client, province="130000")) == {"巨鹿县扶贫车间"}
    assert titles(changelist(superuser_client, province="000000")) == {"全国稳岗返还"}


def test_an_initiative_in_two_cities_of_one_province_is_listed_once(superuser_client):
    make_initiative(title="成都乐山联动", regions=["510106", "511100"])
    response = changelist(superuser_client, province="510000")
    assert [i.title for i in response.context["cl"].result_list] == ["成都乐山联动"]


def test_other_filters(superuser_client, three_initiatives):
    assert titles(changelist(superuser_client, theme="entrepreneurship")) == {"金牛区创业孵化"}
    assert titles(changelist(superuser_client, year=2018)) == {"巨鹿县扶贫车间"}
    assert titles(changelist(superuser_client, review="needs_review")) == {
        "金牛区创业孵化",
        "巨鹿县扶贫车间",
    }
    assert len(titles(changelist(superuser_client, document__kind__exact="summary"))) == 3
    assert titles(changelist(superuser_client, q="扶贫车间")) == {"巨鹿县扶贫车间"}
    assert titles(changelist(superuser_client, q="巨鹿 扶贫")) == {"巨鹿县扶贫车间"}
    pk = three_initiatives[2].pk
    assert titles(changelist(superuser_client, q=str(pk))) == {"全国稳岗返还"}


def test_the_list_shows_regions_document_and_provenance(superuser_client, three_initiatives):
    page = changelist(superuser_client).content.decode()
    assert "金牛区" in page and "巨鹿县" in page
    assert "机器抽取（test）" in page
    assert three_initiatives[0].document.title in page


def test_the_initiative_list_makes_no_query_per_row(superuser_client):
    def queries_for_list():
        with CaptureQueriesContext(connection) as ctx:
            changelist(superuser_client)
        return len(ctx.captured_queries)

    make_initiative(regions=["510106"], themes=["skills"])
    few = queries_for_list()
    document = make_document(text="一二三四五六七八九十" * 5)
    for i in range(20):
        make_initiative(document=document, regions=["510106", "511100"], start=i, text="一二")
    assert queries_for_list() == few


# --- Initiatives: change form ----------------------------------------------------------


def test_the_change_form_highlights_the_sentence_in_its_context(superuser_client):
    text = "前文<b>不可信</b>。实施创业担保贷款贴息政策。后文。"
    document = make_document(text=text)
    initiative = make_initiative(document=document, text="实施创业担保贷款贴息政策。")
    page = superuser_client.get(admin_url(Initiative, "change", initiative.pk)).content.decode()
    assert "前文&lt;b&gt;不可信&lt;/b&gt;。<mark>实施创业担保贷款贴息政策。</mark>后文。" in page
    assert "<b>不可信</b>" not in page


def test_provenance_is_read_only(superuser_client):
    initiative = make_initiative()
    form = (
        superuser_client.get(admin_url(Initiative, "change", initiative.pk))
        .context["adminform"]
        .form
    )
    for name in ["document", "start", "end", "text"]:
        assert name not in form.fields
    for name in ["title", "year", "themes", "instruments", "status"]:
        assert name in form.fields


# --- Curation --------------------------------------------------------------------------


def form_data(response):
    """What the browser would send back for the change form as rendered, untouched."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = [str(v) for v in value]
            data[form.add_prefix(name)] = value
    return data


@pytest.fixture
def curator_client(client):
    client.force_login(make_user(groups=["Curators"]))
    return client


def edit_initiative(client, initiative, **changes):
    url = admin_url(Initiative, "change", initiative.pk)
    data = form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    initiative.refresh_from_db()
    return initiative


def test_saving_an_untouched_form_marks_nothing_as_curated(superuser_client):
    initiative = edit_initiative(superuser_client, make_initiative(themes=["skills"]))
    assert initiative.curated_fields == []


def test_fields_a_curator_changes_are_recorded(curator_client):
    initiative = make_initiative(title="旧标题", themes=["skills"])
    graduates = Theme.objects.get(key="graduates")
    edit_initiative(curator_client, initiative, title="新标题", themes=[str(graduates.pk)])
    assert initiative.title == "新标题"
    assert [t.key for t in initiative.themes.all()] == ["graduates"]
    assert initiative.curated_fields == ["themes", "title"]
    # Later edits add to the list rather than replace it.
    loan = PolicyInstrument.objects.get(name="创业担保贷款")
    edit_initiative(curator_client, initiative, instruments=[str(loan.pk)])
    assert initiative.curated_fields == ["instruments", "themes", "title"]


def test_the_edit_is_in_the_history(curator_client):
    from django.contrib.admin.models import CHANGE, LogEntry

    initiative = edit_initiative(curator_client, make_initiative(), year="2019")
    entry = LogEntry.objects.get(object_id=str(initiative.pk), action_flag=CHANGE)
    assert "年份" in entry.get_change_message()
    history = curator_client.get(admin_url(Initiative, "history", initiative.pk))
    assert "年份" in history.content.decode()


def test_changing_regions_in_the_inline_marks_regions_curated(superuser_client):
    initiative = make_initiative(regions=["510000"])
    url = admin_url(Initiative, "change", initiative.pk)
    data = form_data(superuser_client.get(url))
    data["initiativeregion_set-0-region"] = "510106"
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert [r.code for r in initiative.regions.all()] == ["510106"]
    assert initiative.initiativeregion_set.get().province_id == "510000"
    assert initiative.curated_fields == ["regions"]


def test_a_target_added_by_hand_points_at_the_initiatives_sentence(superuser_client):
    initiative = make_initiative(text="四川省出台就业创业促进条例。")
    url = admin_url(Initiative, "change", initiative.pk)
    data = form_data(superuser_client.get(url))
    data.update(
        {
            "targets-TOTAL_FORMS": "1",
            "targets-0-indicator": "城镇新增就业",
            "targets-0-value": "20000",
            "targets-0-unit": "人",
            "targets-0-comparator": "=",
            "targets-0-kind": "target",
            "targets-0-year": "2017",
            "targets-0-status": "reviewed",
        }
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    target = initiative.targets.get()
    assert (target.document_id, target.start, target.end) == (
        initiative.document_id,
        initiative.start,
        initiative.end,
    )
    assert target.extractor_version == "manual"
    assert "indicator" in target.curated_fields


def test_the_list_tells_machine_made_from_curated(superuser_client):
    make_initiative(title="机器的")
    edit_initiative(superuser_client, make_initiative(title="人改前"), title="人改后")
    page = changelist(superuser_client).content.decode()
    assert "机器抽取（test）" in page
    assert "人工修改：标题" in page
    assert titles(changelist(superuser_client, curated="yes")) == {"人改后"}
    assert titles(changelist(superuser_client, curated="no")) == {"机器的"}


def test_extractor_version_and_provenance_are_shown_read_only(superuser_client):
    initiative = make_initiative()
    page = superuser_client.get(admin_url(Initiative, "change", initiative.pk)).content.decode()
    assert "抽取器版本" in page and "机器抽取（test）" in page
    assert 'name="start"' not in page and 'name="document"' not in page


def run_action(client, action, initiatives):
    return client.post(
        admin_url(Initiative, "changelist"),
        {"action": action, "_selected_action": [i.pk for i in initiatives]},
        follow=True,
    )


def test_bulk_mark_reviewed(curator_client):
    from django.contrib.admin.models import LogEntry

    first, second = make_initiative(), make_initiative()
    untouched = make_initiative()
    response = run_action(curator_client, "mark_reviewed", [first, second])
    assert "2 条记录已设为“已审核”" in response.content.decode()
    statuses = dict(Initiative.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "reviewed", second.pk: "reviewed", untouched.pk: "extracted"}
    first.refresh_from_db()
    # A verdict, not a correction: re-extraction may still update every field.
    assert first.curated_fields == []
    assert LogEntry.objects.filter(object_id__in=[str(first.pk), str(second.pk)]).count() == 2
    # Reviewed rows leave the "needs review" list.
    assert titles(changelist(curator_client, review="needs_review")) == {untouched.title}


def test_bulk_hide_keeps_earlier_curation(curator_client):
    initiative = edit_initiative(curator_client, make_initiative(), title="改过的标题")
    run_action(curator_client, "mark_hidden", [initiative])
    initiative.refresh_from_db()
    assert initiative.status == "hidden"
    assert initiative.curated_fields == ["title"]
    assert not Initiative.objects.visible().filter(pk=initiative.pk).exists()


# --- Who may do what -------------------------------------------------------------------


def test_the_curators_group_exists_with_no_user_permissions():
    group = Group.objects.get(name="Curators")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_initiative", "view_region", "change_target", "view_document"} <= codenames
    assert not {"delete_region", "delete_initiative", "delete_document"} & codenames
    assert "change_region" not in codenames  # the gazetteer is GB/T 2260's
    assert not group.permissions.filter(content_type__app_label="auth").exists()


def test_a_curator_can_change_an_initiative(curator_client):
    initiative = make_initiative()
    assert curator_client.get(admin_url(Initiative, "changelist")).status_code == 200
    edit_initiative(curator_client, initiative, status="reviewed")
    assert initiative.status == "reviewed"


def test_a_curator_can_view_but_not_change_or_delete_a_region(curator_client):
    url = admin_url(Region, "change", "520328")
    page = curator_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "湄潭县" in html and 'name="name"' not in html  # read-only, no form field
    response = curator_client.post(url, {"name": "湄谭县", "short_name": "湄谭"})
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()  # the styled page, not a bare 403
    assert Region.objects.get(code="520328").name == "湄潭县"
    assert curator_client.get(admin_url(Region, "delete", "520328")).status_code == 403
    assert curator_client.get(admin_url(Region, "add")).status_code == 403


def test_a_superuser_edits_a_region_under_a_warning(superuser_client):
    url = admin_url(Region, "change", "130529")
    html = superuser_client.get(url).content.decode()
    assert "GB/T 2260" in html and 'name="name"' in html
    data = {"name": "巨鹿县", "short_name": "巨鹿", "aliases": "巨鹿古城"}
    assert superuser_client.post(url, data).status_code == 302
    assert Region.objects.get(code="130529").aliases == ["巨鹿古城"]


def test_a_curator_cannot_delete_initiatives(curator_client):
    initiative = make_initiative()
    assert curator_client.get(admin_url(Initiative, "delete", initiative.pk)).status_code == 403
    page = curator_client.get(admin_url(Initiative, "changelist")).content.decode()
    assert "delete_selected" not in page
    assert "mark_hidden" in page


def test_a_curator_cannot_see_users(curator_client):
    assert curator_client.get(admin_url(User, "changelist")).status_code == 403
    assert curator_client.get(admin_url(Group, "changelist")).status_code == 403
    index = curator_client.get("/admin/").content.decode()
    assert "/admin/auth/user/" not in index
    assert "/admin/initiatives/initiative/" in index


def test_a_superuser_can_delete_an_initiative(superuser_client):
    initiative = make_initiative()
    response = superuser_client.post(
        admin_url(Initiative, "delete", initiative.pk), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Initiative.objects.filter(pk=initiative.pk).exists()


def test_merging_duplicates_keeps_one_and_hides_the_rest(curator_client):
    from django.contrib.admin.models import LogEntry

    keep = make_initiative(title="创业担保贷款", regions=["510106"], status="reviewed")
    dup = make_initiative(title="创业担保贷款（重复）", regions=["511100"], themes=["skills"])
    target = make_target(initiative=dup)
    run_action(curator_client, "merge_duplicates", [dup, keep])
    response = curator_client.post(
        admin_url(Initiative, "merge"), {"ids": f"{keep.pk},{dup.pk}", "survivor": keep.pk}
    )
    assert response.status_code == 302
    page = curator_client.get(response.url).content.decode()
    assert f"已将 1 条并入 #{keep.pk}" in page
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.status == "hidden" and dup.curated_fields == []
    assert {r.code for r in keep.regions.all()} == {"510106", "511100"}
    assert [t.key for t in keep.themes.all()] == ["skills"]
    target.refresh_from_db()
    assert target.initiative_id == keep.pk
    assert keep.curated_fields == ["regions", "themes"]
    entry = LogEntry.objects.filter(object_id=str(keep.pk)).latest("action_time")
    assert f"#{dup.pk}" in entry.get_change_message()


def test_merging_needs_at_least_two(curator_client):
    initiative = make_initiative()
    response = run_action(curator_client, "merge_duplicates", [initiative])
    assert "请选择 2 到 50 条" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.status == "extracted"
