"""Documents: the source texts every offset points into."""

import hashlib

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.admin.base import CuratedAdmin
from initiatives.admin.filters import DocumentProvinceFilter
from initiatives.admin.initiatives import DocumentTargetInline
from initiatives.models import Document, Initiative


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


class DocumentChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("text")

    def get_results(self, request):
        # Count initiatives for the page's documents only: an annotation would also slow
        # down the total count and every sidebar filter's query.
        super().get_results(request)
        ids = [document.pk for document in self.result_list]
        counts = dict(
            Initiative.objects.filter(document_id__in=ids)
            .order_by()
            .values_list("document_id")
            .annotate(n=Count("pk"))
        )
        for document in self.result_list:
            document.n_initiatives = counts.get(document.pk, 0)


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

    def get_changelist(self, request, **kwargs):
        return DocumentChangeList

    def save_model(self, request, obj, form, change):
        if not change:
            obj.content_hash = content_hash(obj.text)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("举措数"))
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
