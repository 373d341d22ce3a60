"""Documents: the source texts every offset points into.

Curators load new files here (the upload page, linked from the document list) and run the
extraction again after improving a vocabulary (the "re-extract" action). Both go through
``ingest.pipeline``, imported where used: the admin is the one place where ``initiatives``
calls into ``ingest`` (the apps otherwise depend the other way round).
"""

import hashlib
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.admin.base import CuratedAdmin
from initiatives.admin.filters import DocumentProvinceFilter
from initiatives.admin.initiatives import DocumentTargetInline
from initiatives.models import Document, Initiative


class DocumentForm(forms.ModelForm):
    source_url = forms.URLField(
        label=_("原文链接"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Document
        fields = [
            "title",
            "file_name",
            "text",
            "issuer",
            "doc_number",
            "issuing_region",
            "issued_on",
            "issued_precision",
            "published_on",
            "published_precision",
            "year",
            "period_start",
            "period_end",
            "permanence",
            "source_url",
            "kind",
        ]

    def clean(self):
        cleaned = super().clean()
        # A date without its precision would read as a full day: ask for both.
        for date, precision in (
            ("issued_on", "issued_precision"),
            ("published_on", "published_precision"),
        ):
            if cleaned.get(date) and not cleaned.get(precision):
                self.add_error(precision, _("请说明这个日期精确到年、月还是日。"))
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if (start is None) != (end is None) or (start and end and end < start):
            self.add_error("period_end", _("时期需要起止两年，且截止年不早于起始年。"))
        return cleaned

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


# What the upload form accepts; the pipeline decides what it can actually read.
UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")
# One request ingests the files one after another; keep it well under a proxy's timeout.
MAX_FILES_PER_UPLOAD = 20
MAX_DOCUMENTS_PER_REEXTRACT = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked on its own when ingested."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("文件"),
        help_text=_("可一次选择多个文件（%(suffixes)s），每个不超过 %(mb)s MB。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["files"]
        field.help_text = field.help_text % {
            "suffixes": " ".join(UPLOAD_SUFFIXES),
            "mb": _megabytes(settings.INGEST_MAX_BYTES),
        }

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                _("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES_PER_UPLOAD}
            )
        return files


def _megabytes(n):
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


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
    search_fields = ["title", "file_name", "issuer", "doc_number", "=content_hash"]
    list_select_related = ["issuing_region"]
    autocomplete_fields = ["issuing_region"]
    inlines = [DocumentTargetInline]
    actions = ["reextract"]
    change_list_template = "admin/initiatives/document/change_list.html"
    # The text is what every offset points into: changing it would misplace every span.
    provenance_fields = ["file_name", "text_box", "content_hash", "ingested_at"]

    def get_fields(self, request, obj=None):
        fields = [
            "title",
            "kind",
            "issuing_region",
            "issuer",
            "doc_number",
            ("issued_on", "issued_precision"),
            ("published_on", "published_precision"),
            "year",
            ("period_start", "period_end"),
            "permanence",
            "source_url",
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
        url = reverse("admin:initiatives_initiative_changelist")
        return format_html(
            '<a href="{}?document__id__exact={}">{}</a>', url, document.pk, _("查看本文件的举措")
        )

    @admin.display(description=_("正文"))
    def text_box(self, document):
        return format_html('<div class="document-text">{}</div>', document.text)

    # --- Upload ----------------------------------------------------------------------------

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="initiatives_document_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """Ingest uploaded files exactly as ``manage.py ingest`` would, one at a time."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
        else:
            form = UploadForm()
        if form.is_bound and form.is_valid():
            documents = [
                document
                for upload in form.cleaned_data["files"]
                if (document := self._ingest_upload(request, upload)) is not None
            ]
            if documents:
                url = reverse("admin:initiatives_initiative_changelist")
                return HttpResponseRedirect(f"{url}?document__id__exact={documents[0].pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("导入文件"),
            "form": form,
            "suffixes": UPLOAD_SUFFIXES,
            "max_mb": _megabytes(settings.INGEST_MAX_BYTES),
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/initiatives/document/upload.html", context)

    def _ingest_upload(self, request, upload):
        """One file: a message saying what happened; the document, or None if refused."""
        from ingest.pipeline import UnreadableDocument, ingest_bytes

        name = PurePath(upload.name).name
        limit = settings.INGEST_MAX_BYTES
        if PurePath(name).suffix.lower() not in UPLOAD_SUFFIXES:
            self.message_user(
                request,
                _("《%(name)s》：不支持这种文件类型，请上传 %(suffixes)s 文件。未导入。")
                % {"name": name, "suffixes": " ".join(UPLOAD_SUFFIXES)},
                messages.ERROR,
            )
            return None
        if upload.size > limit:
            self.message_user(
                request,
                _("《%(name)s》：文件大小 %(size)s MB，超过上限 %(limit)s MB。未导入。")
                % {"name": name, "size": _megabytes(upload.size), "limit": _megabytes(limit)},
                messages.ERROR,
            )
            return None
        try:
            outcome = ingest_bytes(upload.read(), file_name=name)
        except UnreadableDocument as exc:
            self.message_user(
                request,
                _("《%(name)s》无法读取：%(reason)s。未写入任何内容。")
                % {"name": name, "reason": exc},
                messages.ERROR,
            )
            return None
        document = outcome.document
        counts = {
            "name": name,
            "title": document.title,
            "initiatives": outcome.initiatives,
            "targets": outcome.targets,
        }
        if outcome.action == "unchanged":
            self.message_user(
                request,
                _(
                    "《%(name)s》：与已导入的文件“%(title)s”内容相同，未作改动"
                    "（%(initiatives)d 条举措，%(targets)d 个指标）。"
                )
                % counts,
                messages.INFO,
            )
            return document
        if outcome.action == "created":
            text = _(
                "《%(name)s》：已新建文件“%(title)s”，%(initiatives)d 条举措，%(targets)d 个指标。"
            )
        else:
            text = _(
                "《%(name)s》：已更新同名文件“%(title)s”，%(initiatives)d 条举措，"
                "%(targets)d 个指标；人工修改过的内容已保留。"
            )
        self.message_user(request, text % counts, messages.SUCCESS)
        LogEntry.objects.log_actions(
            request.user.pk,
            [document],
            ADDITION if outcome.action == "created" else CHANGE,
            f"上传导入《{name}》：{outcome.initiatives} 条举措，{outcome.targets} 个指标",
        )
        return document

    # --- Re-extract ------------------------------------------------------------------------

    @admin.action(description=_("用当前词表和地名库重新抽取"), permissions=["change"])
    def reextract(self, request, queryset):
        from ingest.pipeline import fresh_extractor, reextract

        documents = list(queryset[: MAX_DOCUMENTS_PER_REEXTRACT + 1])
        if len(documents) > MAX_DOCUMENTS_PER_REEXTRACT:
            self.message_user(
                request,
                _("一次最多重新抽取 %(n)d 个文件，请缩小选择。")
                % {"n": MAX_DOCUMENTS_PER_REEXTRACT},
                messages.WARNING,
            )
            return
        extractor = fresh_extractor()
        for document in documents:
            report = reextract(document, extractor=extractor)
            summary = reextract_summary(report)
            if report["changed"]:
                self.message_user(request, f"“{document.title}”：{summary}", messages.SUCCESS)
                LogEntry.objects.log_actions(
                    request.user.pk, [document], CHANGE, f"重新抽取：{summary}"
                )
            else:
                self.message_user(
                    request,
                    _("“%(title)s”：重新抽取的结果与现有的相同，未作改动（%(summary)s）。")
                    % {"title": document.title, "summary": summary},
                    messages.INFO,
                )


def reextract_summary(report):
    """举措 12 → 13（新增 1，移除 0，变化 2）；指标 5 → 5（…）"""
    parts = []
    for key, label in (("initiatives", "举措"), ("targets", "指标")):
        parts.append(
            f"{label} {report[f'{key}_before']} → {report[f'{key}_after']}"
            f"（新增 {report[f'{key}_added']}，移除 {report[f'{key}_removed']}，"
            f"变化 {report[f'{key}_changed']}）"
        )
    return "；".join(parts)
