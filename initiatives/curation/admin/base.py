"""What every curated model's admin shares: read-only provenance, recorded edits, the
activity log, and "revert to machine value"."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.curation import records as curation
from initiatives.models import CurationActivity, CurationRecord, Initiative, Target

PROVENANCE = ["extractor_version", "curation_state", "created", "updated"]


class LoggedAdmin(admin.ModelAdmin):
    """Every add, change and delete made through this admin goes to the activity log."""

    def save_model(self, request, obj, form, change):
        before, after = form_changes(form) if change else ({}, {})
        super().save_model(request, obj, form, change)
        if change:
            curation.log_changes(request.user, obj, before, after)
        else:
            curation.log([curation.activity(request.user, obj, CurationActivity.Action.ADD)])

    def delete_model(self, request, obj):
        entry = curation.activity(request.user, obj, CurationActivity.Action.DELETE)
        super().delete_model(request, obj)
        curation.log_deletions([entry])

    def delete_queryset(self, request, queryset):
        entries = [
            curation.activity(request.user, obj, CurationActivity.Action.DELETE) for obj in queryset
        ]
        super().delete_queryset(request, queryset)
        curation.log_deletions(entries)


class CuratedAdmin(LoggedAdmin):
    """Provenance read-only once a row exists; a curator's changes written down.

    Only the fields an edit really changes are protected from re-extraction (and get their
    machine value kept); a status change is logged but protects nothing.
    """

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
            # A row made by hand is the curator's in every field it was given.
            obj.extractor_version = curation.MANUAL
            obj.curated_fields = curation.protected(form_changes(form)[1])
        else:
            before, after = form_changes(form)
            curation.remember_machine_values(obj, before, after, request.user)
            obj.curated_fields = curation.merged_fields(
                obj.curated_fields, curation.protected(after)
            )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Target:
            super().save_formset(request, form, formset, change)
            return
        # Targets edited inline are curated too; new ones borrow the parent's source.
        parent = form.instance
        edits, added = [], []
        for target_form in formset.forms:
            target = target_form.instance
            if not target_form.has_changed() or target_form in formset.deleted_forms:
                continue
            if target.pk is None:
                added.append(target)
                target.curated_fields = curation.protected(form_changes(target_form)[1])
                if isinstance(parent, Initiative):
                    target.document_id = parent.document_id
                    target.text, target.start, target.end = parent.text, parent.start, parent.end
                    target.extractor_version = curation.MANUAL
                continue
            before, after = form_changes(target_form)
            curation.remember_machine_values(target, before, after, request.user)
            target.curated_fields = curation.merged_fields(
                target.curated_fields, curation.protected(after)
            )
            edits.append((target, before, after))
        deleted = [
            curation.activity(request.user, f.instance, CurationActivity.Action.DELETE)
            for f in formset.deleted_forms
            if f.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)
        for target, before, after in edits:
            curation.log_changes(request.user, target, before, after)
        curation.log_deletions(
            [
                *deleted,
                *(
                    curation.activity(request.user, t, CurationActivity.Action.ADD)
                    for t in added
                    if t.pk is not None
                ),
            ]
        )

    @admin.display(description=_("来源"))
    def curation_state(self, obj):
        if not obj.curated_fields:
            return format_html("{}（{}）", _("机器抽取"), obj.extractor_version or "?")
        names = [curation.field_label(type(obj), name) for name in obj.curated_fields]
        return format_html("{}：{}", _("人工修改"), "、".join(names))

    # --- Revert to the machine value ------------------------------------------------------

    def get_urls(self):
        revert = path(
            "<path:object_id>/revert/<str:field>/",
            self.admin_site.admin_view(self.revert_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_revert",
        )
        return [revert, *super().get_urls()]

    def revert_view(self, request, object_id, field):
        """Confirm, then put the machine's value back into one field and un-protect it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        try:
            record = curation.machine_record(obj, field)
        except curation.NothingToRevert:
            self.message_user(
                request,
                _("“%(field)s”没有记录机器抽取的值，无需恢复。")
                % {"field": curation.field_label(type(obj), field)},
                messages.WARNING,
            )
            return HttpResponseRedirect(change_url)
        label = curation.field_label(type(obj), field)
        if request.method == "POST":
            old, new = curation.revert_field(obj, field, request.user)
            self.message_user(
                request,
                _(
                    "“%(field)s”已恢复为机器抽取的值：%(old)s → %(new)s。重新抽取时此字段将随机器结果更新。"
                )
                % {"field": label, "old": old, "new": new},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": _("恢复机器值"),
            "field_label": label,
            "current": curation.describe(type(obj), field, curation.current_value(obj, field)),
            "machine": curation.describe(type(obj), field, record.machine_value),
            "record": record,
            "change_url": change_url,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/initiatives/revert.html", context)


def form_changes(form):
    """``(before, after)`` of the model fields an edit really changed (form-only fields,
    such as a checkbox that steers the save, are left out)."""
    model_fields = {f.name for f in form._meta.model._meta.get_fields()}
    names = [
        name for name in form.changed_data if name in form.cleaned_data and name in model_fields
    ]
    before = {name: form[name].initial for name in names}
    after = {name: form.cleaned_data[name] for name in names}
    return before, after


class CurationRecordInline(admin.TabularInline):
    """ "Machine: X / curated: Y" for every field a curator changed (read-only)."""

    model = CurationRecord
    fields = [
        "field_label",
        "machine",
        "curated",
        "extractor_version",
        "user",
        "updated",
        "revert_link",
    ]
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
        return curation.field_label(self.parent_model, record.field)

    @admin.display(description=_("操作"))
    def revert_link(self, record):
        owner = record.initiative_id or record.target_id
        opts = self.parent_model._meta
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_revert", args=[owner, record.field]
        )
        return format_html('<a href="{}">{}</a>', url, _("恢复机器值"))

    @admin.display(description=_("机器"))
    def machine(self, record):
        return curation.describe(self.parent_model, record.field, record.machine_value)

    @admin.display(description=_("人工"))
    def curated(self, record):
        return curation.describe(self.parent_model, record.field, record.curated_value)


def deferred_document(queryset):
    """Join the document for its title without reading its full text (often 100 KB)."""
    return queryset.select_related("document").defer("document__text")
