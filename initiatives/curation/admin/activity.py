"""The activity page: every change made in the admin, newest first, in readable words.

Read-only for everyone: the rows are written by the admin itself (see ``curation.log``).
Filtered by user, date, document and kind of change; a row's own history is one click
away from its change page (``?object=initiative:12``).
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.curation import records as curation
from initiatives.models import CurationActivity, Document


class RowFilter(admin.SimpleListFilter):
    """One row's history, reached from its change page; no sidebar list of its own."""

    title = _("条目")
    parameter_name = "object"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        return [(value, value)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        model_name, _sep, object_id = value.partition(":")
        content_type = ContentType.objects.filter(model=model_name).first()
        if content_type is None or not object_id:
            return queryset.none()
        return queryset.filter(content_type=content_type, object_id=object_id)


class DocumentFilter(admin.SimpleListFilter):
    """Only the documents something was done to, newest first (titles only: a document's
    text is often 100 KB)."""

    title = _("文件")
    parameter_name = "document"
    LIMIT = 200

    def lookups(self, request, model_admin):
        ids = (
            CurationActivity.objects.exclude(document=None)
            .order_by()
            .values_list("document_id", flat=True)
            .distinct()
        )
        documents = Document.objects.filter(pk__in=ids).order_by("-pk")
        return [
            (str(pk), title) for pk, title in documents.values_list("pk", "title")[: self.LIMIT]
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(document_id=int(value))


@admin.register(CurationActivity)
class CurationActivityAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "action", "row", "field_name", "change", "document_link"]
    list_display_links = None
    list_filter = [
        ("user", admin.RelatedOnlyFieldListFilter),
        ("created", admin.DateFieldListFilter),
        DocumentFilter,
        "action",
        RowFilter,
    ]
    date_hierarchy = "created"
    search_fields = ["object_repr", "old_value", "new_value", "note"]
    list_select_related = ["user", "content_type", "document"]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("条目"))
    def row(self, entry):
        label = f"{entry.content_type.name} #{entry.object_id} {entry.object_repr}"
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                args=[entry.object_id],
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("字段"))
    def field_name(self, entry):
        # In the reader's language; the label stored at the time is the fallback for a
        # field that no longer exists.
        model = entry.content_type.model_class()
        if not entry.field:
            return "—"
        if model is None:
            return entry.field_label or entry.field
        return curation.field_label(model, entry.field)

    @admin.display(description=_("修改"))
    def change(self, entry):
        if not (entry.old_value or entry.new_value):
            return entry.note or "—"
        if entry.note:
            return format_html(
                "{} → {}<br><span class='help'>{}</span>",
                entry.old_value,
                entry.new_value,
                entry.note,
            )
        return format_html("{} → {}", entry.old_value, entry.new_value)

    @admin.display(description=_("文件"), ordering="document__title")
    def document_link(self, entry):
        if entry.document is None:
            return "—"
        url = reverse("admin:initiatives_document_change", args=[entry.document_id])
        return format_html('<a href="{}">{}</a>', url, entry.document.title)
