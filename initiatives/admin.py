"""The curators' admin: review what the machine extracted, correct it, publish or hide it.

Built to stay quick at 100,000 initiatives: no full result count, related rows joined or
prefetched for the page only, long text columns left out of list queries, facets off.
Every field a curator changes is recorded in ``curated_fields`` (see ``curation``).
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives import curation
from initiatives.models import (
    Document,
    Initiative,
    InitiativeRegion,
    PolicyInstrument,
    Status,
    Target,
    Theme,
)
from regions.admin import LinesField, region_label
from regions.models import NATIONAL_CODE, Region

PROVENANCE = ["extractor_version", "curation_state", "created", "updated"]


# ---------------------------------------------------------------------------------------
# Sidebar filters


class ProvinceFilter(admin.SimpleListFilter):
    """By province, including everything below it; 全国 for nationwide rows."""

    title = _("省份")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return list(
            Region.objects.filter(level__lte=Region.Level.PROVINCE).values_list("code", "name")
        )

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        return self.narrow(queryset, code)

    def narrow(self, queryset, code):
        raise NotImplementedError


class InitiativeProvinceFilter(ProvinceFilter):
    def narrow(self, queryset, code):
        # A subquery rather than a join: an initiative in two cities of one province must
        # appear once, and the (province, initiative) index answers it directly.
        if code == NATIONAL_CODE:
            links = InitiativeRegion.objects.filter(region_id=code)
        else:
            links = InitiativeRegion.objects.filter(province_id=code)
        return queryset.filter(pk__in=links.values("initiative_id"))


class TargetProvinceFilter(ProvinceFilter):
    def narrow(self, queryset, code):
        if code == NATIONAL_CODE:
            return queryset.filter(region_id=code)
        return queryset.filter(region__province_id=code)


class DocumentProvinceFilter(ProvinceFilter):
    title = _("发文省份")

    def narrow(self, queryset, code):
        if code == NATIONAL_CODE:
            return queryset.filter(issuing_region_id=code)
        return queryset.filter(issuing_region__province_id=code)


class ReviewFilter(admin.SimpleListFilter):
    title = _("审核状态")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("needs_review", _("待审核")),
            (Status.REVIEWED, Status.REVIEWED.label),
            (Status.HIDDEN, Status.HIDDEN.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "needs_review":
            return queryset.filter(status=Status.EXTRACTED)
        if value in (Status.REVIEWED, Status.HIDDEN):
            return queryset.filter(status=value)
        return queryset


class CuratedFilter(admin.SimpleListFilter):
    title = _("来源")
    parameter_name = "curated"

    def lookups(self, request, model_admin):
        return [("no", _("机器抽取")), ("yes", _("人工修改"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(curated_fields=[])
        if self.value() == "yes":
            return queryset.exclude(curated_fields=[])
        return queryset


# ---------------------------------------------------------------------------------------
# Shared behaviour


class CuratedAdmin(admin.ModelAdmin):
    """Provenance read-only once a row exists; a curator's changes written down."""

    # Fields that locate a row in its source: set by ingest (or on a manual add), then fixed.
    provenance_fields = ["document", "start", "end"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return PROVENANCE
        return [*self.provenance_fields, *PROVENANCE]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.extractor_version = curation.MANUAL
        obj.curated_fields = curation.merged_fields(obj.curated_fields, form.changed_data)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Target:
            # Targets edited inline are curated too; new ones borrow the parent's source.
            parent = form.instance
            for target_form in formset.forms:
                target = target_form.instance
                if not target_form.has_changed() or target_form in formset.deleted_forms:
                    continue
                target.curated_fields = curation.merged_fields(
                    target.curated_fields, target_form.changed_data
                )
                if target.pk is None and isinstance(parent, Initiative):
                    target.document_id = parent.document_id
                    target.text, target.start, target.end = parent.text, parent.start, parent.end
                    target.extractor_version = curation.MANUAL
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("来源"))
    def curation_state(self, obj):
        if not obj.curated_fields:
            return format_html("{}（{}）", _("机器抽取"), obj.extractor_version or "?")
        names = []
        for name in obj.curated_fields:
            try:
                names.append(str(obj._meta.get_field(name).verbose_name))
            except Exception:  # a name recorded by another tool, shown as is
                names.append(name)
        return format_html("{}：{}", _("人工修改"), "、".join(names))


def deferred_document(queryset):
    """Join the document for its title without reading its full text (often 100 KB)."""
    return queryset.select_related("document").defer("document__text")


# ---------------------------------------------------------------------------------------
# Inlines


class InitiativeRegionInline(admin.TabularInline):
    model = InitiativeRegion
    fields = ["region"]
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
        "year_end",
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


# ---------------------------------------------------------------------------------------
# Initiatives


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
            "year_end",
            "themes",
            "instruments",
            "status",
        ]
        widgets = {"themes": forms.CheckboxSelectMultiple}


class InitiativeChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # Only the page is fetched, so the prefetch is one query for up to 50 rows.
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer("text", "search_text").prefetch_related(
            Prefetch("regions", queryset=Region.objects.only("code", "name"))
        )


@admin.register(Initiative)
class InitiativeAdmin(CuratedAdmin):
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
        "themes",
        "year",
        "document__kind",
        CuratedFilter,
    ]
    search_fields = ["title", "text", "heading", "document__title"]
    # Newest first, on the primary key: the model's (document, start) order has no index.
    ordering = ["-id"]
    list_select_related = ["document"]
    autocomplete_fields = ["document", "instruments"]
    inlines = [InitiativeRegionInline, InitiativeTargetInline]
    actions = ["mark_reviewed", "mark_hidden", "mark_needs_review"]
    provenance_fields = ["document", "start", "end", "text"]

    def get_changelist(self, request, **kwargs):
        return InitiativeChangeList

    def get_queryset(self, request):
        return deferred_document(super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["document", "title", "text", "heading", "start", "end"]}),
                (_("归类"), {"fields": ["year", "year_end", "themes", "instruments", "status"]}),
            ]
        return [
            (None, {"fields": ["title", "status", "source_in_context", "heading"]}),
            (_("归类"), {"fields": ["year", "year_end", "themes", "instruments"]}),
            (
                _("出处"),
                {"fields": ["document", "start", "end", "text", *PROVENANCE, "curated_fields"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        return [*fields, "source_in_context", "curated_fields"]

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
        super().save_related(request, form, formsets, change)
        if any(fs.model is InitiativeRegion and fs.has_changed() for fs in formsets):
            curation.record_curated(form.instance, ["regions"])

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


# ---------------------------------------------------------------------------------------
# Targets


@admin.register(Target)
class TargetAdmin(CuratedAdmin):
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
    list_filter = [ReviewFilter, "kind", TargetProvinceFilter, "year", "document__kind"]
    search_fields = ["indicator", "text", "document__title"]
    ordering = ["-id"]
    list_select_related = ["document", "region"]
    autocomplete_fields = ["document", "initiative", "region"]
    actions = ["mark_reviewed", "mark_hidden"]
    provenance_fields = ["document", "start", "end", "text"]
    fields = [
        "indicator",
        "comparator",
        "value",
        "unit",
        "kind",
        "year",
        "year_end",
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


# ---------------------------------------------------------------------------------------
# Documents


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = [
            "title",
            "file_name",
            "text",
            "publisher",
            "issuing_region",
            "published_on",
            "year",
            "year_end",
            "kind",
        ]

    def clean_text(self):
        # Same rule as ingest: one text, one document. The hash is computed on save.
        text = self.cleaned_data["text"]
        if self.instance.pk is None:
            digest = content_hash(text)
            existing = Document.objects.filter(content_hash=digest).first()
            if existing is not None:
                raise forms.ValidationError(
                    _("这段正文已作为文件“%(title)s”导入。"), params={"title": existing.title}
                )
        return text


def content_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@admin.register(Document)
class DocumentAdmin(CuratedAdmin):
    form = DocumentForm
    list_display = [
        "title",
        "kind",
        "year",
        "issuing_region",
        "file_name",
        "initiative_count",
        "extractor_version",
        "ingested_at",
    ]
    list_filter = ["kind", DocumentProvinceFilter, "year", "extractor_version"]
    search_fields = ["title", "file_name", "publisher", "=content_hash"]
    list_select_related = ["issuing_region"]
    autocomplete_fields = ["issuing_region"]
    inlines = [DocumentTargetInline]
    # The text is what every offset points into: changing it would misplace every span.
    provenance_fields = ["file_name", "text_box", "content_hash", "ingested_at"]

    def get_fields(self, request, obj=None):
        fields = [
            "title",
            "kind",
            "issuing_region",
            "publisher",
            "published_on",
            "year",
            "year_end",
        ]
        if obj is None:
            return [*fields, "file_name", "text"]
        return [*fields, "file_name", "content_hash", "initiatives_link", "text_box"] + [
            "extractor_version",
            "curation_state",
            "ingested_at",
            "updated",
        ]

    def get_readonly_fields(self, request, obj=None):
        base = ["extractor_version", "curation_state", "updated"]
        if obj is None:
            return base
        return [*self.provenance_fields, "initiatives_link", *base]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer("text").annotate(n_initiatives=Count("initiatives"))
        return queryset

    def save_model(self, request, obj, form, change):
        if not change:
            obj.content_hash = content_hash(obj.text)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("举措数"), ordering="n_initiatives")
    def initiative_count(self, document):
        return document.n_initiatives

    @admin.display(description=_("举措"))
    def initiatives_link(self, document):
        from django.urls import reverse

        url = reverse("admin:initiatives_initiative_changelist")
        return format_html(
            '<a href="{}?document__id__exact={}">{}</a>', url, document.pk, _("查看本文件的举措")
        )

    @admin.display(description=_("正文"))
    def text_box(self, document):
        return format_html('<div class="document-text">{}</div>', document.text)


# ---------------------------------------------------------------------------------------
# Vocabularies

CORE_THEMES = {
    "entrepreneurship",
    "poverty_alleviation",
    "graduates",
    "skills",
    "unemployment_insurance",
}


class ThemeForm(forms.ModelForm):
    cues = LinesField(label=_("句内线索词"))
    heading_cues = LinesField(label=_("标题线索词"))

    class Meta:
        model = Theme
        fields = ["key", "name_zh", "name_en", "cues", "heading_cues", "position"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = ThemeForm
    list_display = ["name_zh", "key", "name_en", "cue_count", "position"]
    list_editable = ["position"]
    search_fields = ["key", "name_zh", "name_en"]
    ordering = ["position", "key"]

    @admin.display(description=_("线索词数"))
    def cue_count(self, theme):
        return len(theme.cues or []) + len(theme.heading_cues or [])

    def get_readonly_fields(self, request, obj=None):
        # Keys appear in URLs, CSV exports and the extractor's rules.
        return ["key"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.key in CORE_THEMES:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action asks once for the whole model; keep the five themes regardless.
        super().delete_queryset(request, queryset.exclude(key__in=CORE_THEMES))


class PolicyInstrumentForm(forms.ModelForm):
    synonyms = LinesField(label=_("同义词"), help_text=_("文件中的其他写法，每行一个"))

    class Meta:
        model = PolicyInstrument
        fields = ["name", "name_en", "slug", "category", "synonyms"]

    def clean(self):
        """No word may name two instruments: the extractor would not know which one is meant."""
        cleaned = super().clean()
        name = cleaned.get("name")
        synonyms = [s for s in cleaned.get("synonyms") or [] if s != name]
        cleaned["synonyms"] = synonyms
        owners = {}
        for other in PolicyInstrument.objects.exclude(pk=self.instance.pk).only(
            "name", "synonyms"
        ):
            for word in [other.name, *(other.synonyms or [])]:
                owners.setdefault(word, other.name)
        # A name equal to another instrument's name is the unique constraint's message.
        if name and name in owners and owners[name] != name:
            self.add_error(
                "name",
                _("“%(word)s”已是政策工具“%(owner)s”的同义词。")
                % {"word": name, "owner": owners[name]},
            )
        clashes = [s for s in synonyms if s in owners]
        if clashes:
            self.add_error(
                "synonyms",
                "；".join(
                    _("“%(word)s”已属于政策工具“%(owner)s”") % {"word": s, "owner": owners[s]}
                    for s in clashes
                ),
            )
        return cleaned


@admin.register(PolicyInstrument)
class PolicyInstrumentAdmin(admin.ModelAdmin):
    form = PolicyInstrumentForm
    list_display = ["name", "name_en", "category", "synonym_list", "slug"]
    list_filter = ["category"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    ordering = ["name"]

    @admin.display(description=_("同义词"))
    def synonym_list(self, instrument):
        return "、".join(instrument.synonyms or [])

    def get_search_results(self, request, queryset, search_term):
        """Also match synonyms (a JSON list, \\u-escaped on SQLite, so not LIKE-able).

        The vocabulary is a few hundred rows at most: reading it is cheaper than clever SQL.
        """
        narrowed = queryset
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        term = search_term.strip()
        if term:
            ids = [
                pk
                for pk, synonyms in PolicyInstrument.objects.values_list("pk", "synonyms")
                if any(term in s for s in synonyms or [])
            ]
            if ids:
                queryset |= narrowed.filter(pk__in=ids)
        return queryset, may_have_duplicates

