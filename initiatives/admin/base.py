"""What every curated model's admin shares: read-only provenance, recorded edits."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives import curation
from initiatives.models import CurationRecord, Initiative, Target

PROVENANCE = ["extractor_version", "curation_state", "created", "updated"]


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
        else:
            remember_edit(obj, form, request.user)
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
                if target.pk is not None:
                    remember_edit(target, target_form, request.user)
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


def remember_edit(obj, form, user):
    """Before a changed row is saved: keep the machine's values of the fields it changes."""
    names = [name for name in form.changed_data if name in form.cleaned_data]
    if not names:
        return
    before = {name: form[name].initial for name in names}
    after = {name: form.cleaned_data[name] for name in names}
    curation.remember_machine_values(obj, before, after, user)


class CurationRecordInline(admin.TabularInline):
    """ "Machine: X / curated: Y" for every field a curator changed (read-only)."""

    model = CurationRecord
    fields = ["field_label", "machine", "curated", "extractor_version", "user", "updated"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("机器原值与人工修改")
    verbose_name_plural = _("机器原值与人工修改")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("字段"))
    def field_label(self, record):
        try:
            return str(self.parent_model._meta.get_field(record.field).verbose_name)
        except Exception:
            return record.field

    @admin.display(description=_("机器"))
    def machine(self, record):
        return curation.describe(self.parent_model, record.field, record.machine_value)

    @admin.display(description=_("人工"))
    def curated(self, record):
        return curation.describe(self.parent_model, record.field, record.curated_value)


def deferred_document(queryset):
    """Join the document for its title without reading its full text (often 100 KB)."""
    return queryset.select_related("document").defer("document__text")
