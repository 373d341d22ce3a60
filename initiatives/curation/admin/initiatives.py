"""Initiatives and targets: the rows curators review."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.curation import records as curation
from initiatives.curation.admin.base import (
    PROVENANCE,
    CuratedAdmin,
    CurationRecordInline,
    deferred_document,
)
from initiatives.curation.admin.filters import (
    CuratedFilter,
    InitiativeProvinceFilter,
    ReviewFilter,
    TargetProvinceFilter,
    ThemeFilter,
)
from initiatives.curation.admin.merges import MergeViews, unmerge_link
from initiatives.curation.admin.review import NeedsReviewAdmin, NeedsReviewFilter
from initiatives.models import Initiative, InitiativeRegion, MergeRecord, Status, Target
from initiatives.search import fulltext as search
from initiatives.search.segmentation import query_terms
from regions.admin import region_label
from regions.models import Region


class InitiativeRegionInline(admin.TabularInline):
    model = InitiativeRegion
    fields = ["region", "role"]
    autocomplete_fields = ["region"]
    extra = 0
    verbose_name = _("地区")
    verbose_name_plural = _("地区（最具体的已知地区）")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region":
            field.label_from_instance = region_label
        return field


class TargetFieldsMixin:
    model = Target
    extra = 0
    show_change_link = True
    readonly_fields = ["text"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region", "initiative")


class InitiativeTargetInline(TargetFieldsMixin, admin.TabularInline):
    fk_name = "initiative"
    fields = [
        "indicator",
        "value",
        "unit",
        "comparator",
        "kind",
        "year",
        "year_start",
        "year_end",
        "period_type",
        "region",
        "status",
        "text",
    ]
    autocomplete_fields = ["region"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region":
            field.label_from_instance = region_label
        return field


class DocumentTargetInline(TargetFieldsMixin, admin.TabularInline):
    """A document's targets at a glance; region and initiative are changed on the target's
    own page (one select per row would cost a query per row on long documents)."""

    fk_name = "document"
    fields = [
        "indicator",
        "value",
        "unit",
        "comparator",
        "kind",
        "year",
        "region",
        "initiative",
        "status",
        "text",
    ]
    readonly_fields = ["region", "initiative", "text"]

    def has_add_permission(self, request, obj=None):
        return False


class InitiativeCurationInline(CurationRecordInline):
    fk_name = "initiative"


class TargetCurationInline(CurationRecordInline):
    fk_name = "target"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def initiative_link(pk):
    url = reverse("admin:initiatives_initiative_change", args=[pk])
    return format_html('<a href="{}">#{}</a>', url, pk)


class MergeRecordInline(ReadOnlyInline):
    """Initiatives folded into this one: the other sources of the same measure."""

    model = MergeRecord
    fk_name = "survivor"
    fields = ["merged_link", "source", "title", "text", "user", "created", "unmerge_link"]
    readonly_fields = fields
    verbose_name = _("也见于（已并入本条）")
    verbose_name_plural = _("也见于（已并入本条的重复举措）")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("举措"))
    def merged_link(self, record):
        if record.merged_id is None:
            return f"#{record.merged_initiative_id}（{_('已删除')}）"
        return initiative_link(record.merged_id)

    @admin.display(description=_("操作"))
    def unmerge_link(self, record):
        return unmerge_link(record)

    @admin.display(description=_("来源文件"))
    def source(self, record):
        label = f"{record.document_title}（{record.document_file}）"
        if record.document_id is None:
            return label
        url = reverse("admin:initiatives_document_change", args=[record.document_id])
        return format_html('<a href="{}">{}</a>', url, label)


class MergedIntoInline(ReadOnlyInline):
    """Where this initiative went when a curator merged it into another."""

    model = MergeRecord
    fk_name = "merged"
    fields = ["survivor_link", "user", "created", "unmerge_link"]
    readonly_fields = fields
    verbose_name = _("已并入")
    verbose_name_plural = _("已并入（本条是重复项）")

    @admin.display(description=_("保留的举措"))
    def survivor_link(self, record):
        return initiative_link(record.survivor_id)

    @admin.display(description=_("操作"))
    def unmerge_link(self, record):
        return unmerge_link(record)


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = [
            "document",
            "title",
            "text",
            "heading",
            "start",
            "end",
            "year",
            "year_start",
            "year_end",
            "themes",
            "instruments",
            "status",
        ]
        widgets = {"themes": forms.CheckboxSelectMultiple}

    # Not a model field: steers the save (see InitiativeAdmin.save_related).
    carry_to_targets = forms.BooleanField(
        label=_("同时修改指标"),
        required=False,
        initial=True,
        help_text=_(
            "更正地区或年份时，把同样的更正用于本条举措下地区或年份与原值相同的指标"
            "（人工改过的指标不变）。"
        ),
    )


class InitiativeChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # Only the page is fetched, so the prefetch is one query for up to 50 rows.
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer("text", "search_text").prefetch_related(
            Prefetch("regions", queryset=Region.objects.only("code", "name"))
        )


@admin.register(Initiative)
class InitiativeAdmin(NeedsReviewAdmin, MergeViews, CuratedAdmin):
    form = InitiativeForm
    list_display = [
        "title",
        "region_names",
        "year",
        "document_title",
        "status",
        "curation_state",
    ]
    list_filter = [
        ReviewFilter,
        InitiativeProvinceFilter,
        ThemeFilter,
        "year",
        "document__kind",
        CuratedFilter,
        NeedsReviewFilter,
    ]
    # Searched through the full-text index (see get_search_results), not LIKE.
    search_fields = ["title"]
    search_help_text = _("按标题和原文全文检索（与前台相同的分词）；输入数字按编号查找")
    # Newest first, on the primary key: the model's (document, start) order has no index.
    ordering = ["-id"]
    list_select_related = ["document"]
    autocomplete_fields = ["document", "instruments"]
    inlines = [
        InitiativeRegionInline,
        InitiativeTargetInline,
        InitiativeCurationInline,
        MergeRecordInline,
        MergedIntoInline,
    ]
    actions = ["mark_reviewed", "mark_hidden", "mark_needs_review", "merge_duplicates"]
    provenance_fields = ["document", "start", "end", "text"]

    def get_changelist(self, request, **kwargs):
        return InitiativeChangeList

    def get_queryset(self, request):
        return deferred_document(super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["document", "title", "text", "heading", "start", "end"]}),
                (
                    _("归类"),
                    {
                        "fields": [
                            "year",
                            "year_start",
                            "year_end",
                            "themes",
                            "instruments",
                            "status",
                        ]
                    },
                ),
            ]
        return [
            *self.review_fieldsets(obj),
            (None, {"fields": ["title", "status", "source_in_context", "heading"]}),
            # The evidence line says why the machine chose the region and themes.
            (_("归类"), {"fields": self._classification_fields(obj)}),
            (
                _("出处"),
                {"fields": ["document", "start", "end", "text", *PROVENANCE, "curated_fields"]},
            ),
        ]

    def _classification_fields(self, obj):
        fields = ["year", "year_start", "year_end", "themes", "instruments", "evidence"]
        if obj.targets.exists():
            return [*fields, "carry_to_targets"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        return [*fields, "source_in_context", "curated_fields", "evidence"]

    def get_search_results(self, request, queryset, search_term):
        """The site's own full-text search: a LIKE over 100,000 texts takes 100+ ms."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(pk=int(term)), False
        terms = query_terms(term)
        if not terms:
            return queryset.none(), False
        return queryset.filter(search.matching(terms)), False

    @admin.display(description=_("地区"))
    def region_names(self, initiative):
        return "、".join(region.name for region in initiative.regions.all())

    @admin.display(description=_("文件"), ordering="document__title")
    def document_title(self, initiative):
        return initiative.document.title

    @admin.display(description=_("原文（上下文中）"))
    def source_in_context(self, initiative):
        return curation.source_in_context(
            initiative.document.text, initiative.start, initiative.end
        )

    def save_related(self, request, form, formsets, change):
        initiative = form.instance
        regions_changed = any(fs.model is InitiativeRegion and fs.has_changed() for fs in formsets)
        before = region_codes(initiative) if change else None
        super().save_related(request, form, formsets, change)
        if not change:
            if regions_changed:  # a row made by hand: its regions are the curator's too
                curation.record_curated(initiative, ["regions"])
            return
        after = region_codes(initiative) if regions_changed else before
        if after != before:
            curation.remember_machine_values(
                initiative, {"regions": before}, {"regions": after}, request.user
            )
            curation.record_curated(initiative, ["regions"])
            curation.log_changes(request.user, initiative, {"regions": before}, {"regions": after})
        year = None
        if "year" in form.changed_data:
            year = (form["year"].initial, form.cleaned_data["year"])
        regions = (before, after) if after != before else None
        if (regions or year) and form.cleaned_data.get("carry_to_targets"):
            outcome = curation.carry_to_targets(
                initiative, request.user, regions=regions, year=year
            )
            self.message_user(request, carried_message(outcome, year), messages.SUCCESS)

    @admin.action(description=_("标记为已审核"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        self._set_status(request, queryset, Status.REVIEWED)

    @admin.action(description=_("标记为已隐藏"), permissions=["change"])
    def mark_hidden(self, request, queryset):
        self._set_status(request, queryset, Status.HIDDEN)

    @admin.action(description=_("退回待审核"), permissions=["change"])
    def mark_needs_review(self, request, queryset):
        self._set_status(request, queryset, Status.EXTRACTED)

    def _set_status(self, request, queryset, status):
        changed = curation.set_status(queryset, status, request.user)
        self.message_user(
            request,
            _("%(n)d 条记录已设为“%(status)s”。") % {"n": changed, "status": status.label},
            messages.SUCCESS,
        )


def region_codes(initiative):
    return sorted(initiative.initiativeregion_set.values_list("region_id", flat=True))


def carried_message(outcome, year):
    """What an initiative's correction did to its targets, in one sentence."""
    parts = []
    if outcome["regions"]:
        parts.append(
            _("%(n)d 个指标的地区改为%(region)s")
            % {"n": outcome["regions"], "region": curation.region_name(outcome["region"])}
        )
    if outcome["year"]:
        parts.append(
            _("%(n)d 个指标的年份改为 %(year)s")
            % {"n": outcome["year"], "year": curation.describe(Target, "year", year[1])}
        )
    if not parts and outcome["ambiguous"]:
        text = ""
    elif not parts:
        text = _("没有指标随之修改（没有指标的地区或年份与举措原来的相同）。")
    else:
        text = _("已同时修改指标：%(changes)s。") % {"changes": "；".join(parts)}
    if outcome["kept"]:
        text += _("%(n)d 个人工改过或期限不符的指标未改。") % {"n": outcome["kept"]}
    if outcome["ambiguous"]:
        text += _("举措现有多个新地区，无法确定 %(n)d 个指标应改为哪一个，请逐个修改。") % {
            "n": outcome["ambiguous"]
        }
    return text


@admin.register(Target)
class TargetAdmin(NeedsReviewAdmin, CuratedAdmin):
    inlines = [TargetCurationInline]
    list_display = [
        "indicator",
        "comparator",
        "value_with_unit",
        "kind",
        "year",
        "region",
        "document_title",
        "status",
        "curation_state",
    ]
    list_filter = [
        ReviewFilter,
        "kind",
        TargetProvinceFilter,
        "year",
        "document__kind",
        NeedsReviewFilter,
    ]
    search_fields = ["indicator", "text", "document__title"]
    ordering = ["-id"]
    list_select_related = ["document", "region"]
    autocomplete_fields = ["document", "initiative", "region"]
    actions = ["mark_reviewed", "mark_hidden"]
    provenance_fields = ["document", "start", "end", "text"]
    fields = [
        "indicator",
        "canonical_indicator",
        "comparator",
        "value",
        "unit",
        "kind",
        "year",
        "year_start",
        "year_end",
        "period_type",
        "region",
        "initiative",
        "status",
        "document",
        "text",
        "start",
        "end",
        *PROVENANCE,
    ]

    def get_queryset(self, request):
        return deferred_document(super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region":
            field.label_from_instance = region_label
        return field

    @admin.display(description=_("数值"), ordering="value")
    def value_with_unit(self, target):
        return f"{target.value.normalize():f} {target.unit}"

    @admin.display(description=_("文件"), ordering="document__title")
    def document_title(self, target):
        return target.document.title

    @admin.action(description=_("标记为已审核"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        changed = curation.set_status(queryset, Status.REVIEWED, request.user)
        self.message_user(request, _("%d 条记录已标记为已审核。") % changed, messages.SUCCESS)

    @admin.action(description=_("标记为已隐藏"), permissions=["change"])
    def mark_hidden(self, request, queryset):
        changed = curation.set_status(queryset, Status.HIDDEN, request.user)
        self.message_user(request, _("%d 条记录已标记为已隐藏。") % changed, messages.SUCCESS)
