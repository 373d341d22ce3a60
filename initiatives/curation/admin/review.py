"""Rows a new document version put in doubt: a curated row whose sentence changed or vanished.

The pipeline flags them (``needs_review``) with the old and the new sentence; here a curator
finds them (a sidebar filter), compares the two sentences side by side on the row's page,
and confirms the row once it is right again (an action that clears the flag).
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("新版本待复核")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", _("原句有变，待复核")), ("no", _("无"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(needs_review=True)
        if self.value() == "no":
            return queryset.filter(needs_review=False)
        return queryset


class NeedsReviewAdmin(admin.ModelAdmin):
    """The comparison on top of a flagged row's page, and the action that clears the flag."""

    def review_fieldsets(self, obj):
        if obj is not None and obj.needs_review:
            return [(_("新版本待复核"), {"fields": ["review_comparison"]})]
        return []

    def get_fieldsets(self, request, obj=None):
        # Admins with their own get_fieldsets put ``review_fieldsets`` first themselves.
        return [*self.review_fieldsets(obj), *super().get_fieldsets(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.needs_review:
            fields.append("review_comparison")
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            action = type(self).confirm_sentence
            actions["confirm_sentence"] = (
                action,
                "confirm_sentence",
                action.short_description,
            )
        return actions

    @admin.display(description=_("旧版本原句 → 新版本原句"))
    def review_comparison(self, obj):
        new = obj.review_new_text or _("（新版本中已没有这句话，本条已隐藏）")
        return format_html(
            '<table class="review-comparison"><tr><th>{}</th><th>{}</th></tr>'
            "<tr><td><del>{}</del></td><td><ins>{}</ins></td></tr></table>",
            _("旧版本"),
            _("新版本"),
            obj.review_old_text,
            new,
        )

    @admin.action(description=_("已对照新原句复核：清除待复核标记"))
    def confirm_sentence(self, request, queryset):
        model = queryset.model
        pks = list(queryset.filter(needs_review=True).values_list("pk", flat=True))
        rows = list(model.objects.filter(pk__in=pks).only("pk", *self._label_fields()))
        model.objects.filter(pk__in=pks).update(
            needs_review=False, review_old_text="", review_new_text=""
        )
        if rows:
            LogEntry.objects.log_actions(
                request.user.pk, rows, CHANGE, "已对照新版本原句复核，清除待复核标记"
            )
        self.message_user(
            request, _("%(n)d 条记录已清除待复核标记。") % {"n": len(rows)}, messages.SUCCESS
        )

    def _label_fields(self):
        return ["title"] if hasattr(self.model, "title") else ["indicator"]
