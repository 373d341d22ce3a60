"""What every curated model's admin shares: read-only provenance, recorded edits."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives import curation
from initiatives.models import Initiative, Target

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
