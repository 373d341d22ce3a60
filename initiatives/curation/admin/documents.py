"""Documents: the source texts every offset points into.

Curators load new files here (the upload page, linked from the document list) and run the
extraction again after improving a vocabulary (the "re-extract" action). Both go through
``ingest.pipeline``, imported where used: the admin is the one place where ``initiatives``
calls into ``ingest`` (the apps otherwise depend the other way round).
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from initiatives.curation import records as curation
from initiatives.curation.admin.base import CuratedAdmin
from initiatives.curation.admin.filters import DocumentProvinceFilter
from initiatives.curation.admin.initiatives import DocumentTargetInline
from initiatives.curation.uploads import UPLOAD_SUFFIXES, queue_upload, write_summary
from initiatives.models import CurationActivity, Document, Initiative, Upload, UploadFile

Action = CurationActivity.Action


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


# One request stores the files' bytes for the worker; the limit bounds that request.
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


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, document):
        return f"#{document.pk} {document.title}（{document.file_name}）"


class UploadForm(forms.Form):
    NEW, VERSION = "new", "version"

    files = MultipleFileField(
        label=_("文件"),
        help_text=_("可一次选择多个文件（%(suffixes)s），每个不超过 %(mb)s MB。"),
    )
    # Asked every time, never guessed from the file name: 附件1.docx from two cities are two
    # documents, and only the curator knows whether a file revises an earlier one.
    mode = forms.ChoiceField(
        label=_("这是"),
        choices=[(NEW, _("新文档")), (VERSION, _("已有文件的新版本"))],
        widget=forms.RadioSelect,
        initial=NEW,
        # Left out (a script posting files only), it means a new document: the choice that
        # never replaces anything.
        required=False,
    )
    replaces = DocumentChoiceField(
        label=_("……的新版本"),
        queryset=Document.objects.filter(withdrawn_at__isnull=True)
        .order_by("-ingested_at")
        .only("pk", "title", "file_name"),
        required=False,
        help_text=_(
            "选择“新版本”时必填。旧正文作为历史版本保留；原句未变的举措和指标保留编号，"
            "人工修改过且原句有变的条目标为“待复核”。"
        ),
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

    def clean_mode(self):
        return self.cleaned_data["mode"] or self.NEW

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.VERSION:
            if data.get("replaces") is None:
                self.add_error("replaces", _("请选择这个文件是哪份文件的新版本。"))
            if len(data.get("files") or ()) > 1:
                self.add_error("files", _("新版本一次只能上传一个文件。"))
        return data

    def same_names(self):
        """{file name: [document id, …]}: the upload page suggests a same-named document
        (pre-selected in the list, the choice left to the curator)."""
        names = {}
        for pk, name in self.fields["replaces"].queryset.values_list("pk", "file_name"):
            names.setdefault(name, []).append(pk)
        return names


def _megabytes(n):
    from initiatives.curation.uploads import megabytes

    return megabytes(n)


def content_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class WithdrawnFilter(admin.SimpleListFilter):
    title = _("公开状态")
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return [("yes", _("已撤回")), ("no", _("公开"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(withdrawn_at__isnull=True)
        return queryset


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
        "version",
        "public_state",
        "ingested_at",
    ]
    list_filter = [
        "kind",
        DocumentProvinceFilter,
        "year",
        "extractor_version",
        WithdrawnFilter,
    ]
    search_fields = ["title", "file_name", "issuer", "doc_number", "=content_hash"]
    list_select_related = ["issuing_region"]
    autocomplete_fields = ["issuing_region"]
    inlines = [DocumentTargetInline]
    actions = ["reextract", "withdraw", "restore"]
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
            "version_history",
            "public_state",
            "extractor_version",
            "curation_state",
            "ingested_at",
            "updated",
        ]

    def get_readonly_fields(self, request, obj=None):
        base = ["extractor_version", "curation_state", "updated"]
        if obj is None:
            return base
        return [
            *self.provenance_fields,
            "initiatives_link",
            "version_history",
            "public_state",
            *base,
        ]

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

    @admin.display(description=_("公开状态"))
    def public_state(self, document):
        if document.is_withdrawn:
            return _("已撤回（%(when)s）") % {
                "when": document.withdrawn_at.strftime("%Y-%m-%d %H:%M")
            }
        return _("公开")

    @admin.display(description=_("版本"))
    def version_history(self, document):
        upload = reverse("admin:initiatives_document_upload") + f"?replaces={document.pk}"
        rows = [
            format_html(
                "<li>第 {} 版（当前）· {} · {}</li>",
                document.version,
                (document.version_ingested_at or document.ingested_at).strftime("%Y-%m-%d %H:%M"),
                document.file_name,
            )
        ]
        for version in document.versions.select_related("uploaded_by").order_by("-number"):
            rows.append(
                format_html(
                    '<li>第 {} 版 · {} · {} · {} · <a href="{}?compare={}#changes-heading">{}</a>'
                    "</li>",
                    version.number,
                    version.ingested_at.strftime("%Y-%m-%d %H:%M"),
                    version.file_name,
                    version.uploaded_by or "—",
                    document.get_absolute_url(),
                    version.number,
                    _("查看其后的改动"),
                )
            )
        return format_html(
            '<ul class="versions">{}</ul><a class="addlink" href="{}">{}</a>',
            format_html("".join(["{}"] * len(rows)), *rows),
            upload,
            _("上传新版本"),
        )

    @admin.display(description=_("正文"))
    def text_box(self, document):
        return format_html('<div class="document-text">{}</div>', document.text)

    # --- Upload ----------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="initiatives_document_upload"),
            path("uploads/", view(self.uploads_view), name="initiatives_document_uploads"),
            path(
                "uploads/<int:upload_id>/",
                view(self.upload_status_view),
                name="initiatives_document_upload_status",
            ),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        """Store the uploaded files and queue them; the status page follows the worker."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
        else:
            # "Upload a new version" on a document's page comes here with ?replaces=<id>.
            initial = {}
            wanted = request.GET.get("replaces", "")
            if wanted.isdigit() and Document.objects.filter(pk=wanted).exists():
                initial = {"mode": UploadForm.VERSION, "replaces": int(wanted)}
            form = UploadForm(initial=initial)
        if form.is_bound and form.is_valid():
            replaces = None
            if form.cleaned_data["mode"] == UploadForm.VERSION:
                replaces = form.cleaned_data["replaces"].pk
            upload = queue_upload(form.cleaned_data["files"], user=request.user, replaces=replaces)
            return HttpResponseRedirect(
                reverse("admin:initiatives_document_upload_status", args=[upload.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("导入文件"),
            "form": form,
            "same_names": form.same_names(),
            "suffixes": UPLOAD_SUFFIXES,
            "max_mb": _megabytes(settings.INGEST_MAX_BYTES),
            "has_view_permission": self.has_view_permission(request),
            "recent_uploads": self._recent_uploads(request)[:5],
        }
        return TemplateResponse(request, "admin/initiatives/document/upload.html", context)

    def _recent_uploads(self, request):
        """Curators see every upload (they share the work); counts per state for the list."""
        return (
            Upload.objects.select_related("uploaded_by")
            .annotate(
                n_files=Count("files"),
                n_finished=Count("files", filter=Q(files__state__in=UploadFile.FINISHED)),
                n_documents=Count("files", filter=Q(files__document__isnull=False)),
                n_refused=Count("files", filter=Q(files__state=UploadFile.State.REFUSED)),
            )
            .order_by("-pk")
        )

    def uploads_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("最近的上传"),
            "uploads": self._recent_uploads(request)[:50],
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/initiatives/document/uploads.html", context)

    def upload_status_view(self, request, upload_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload = self._recent_uploads(request).filter(pk=upload_id).first()
        if upload is None:
            raise Http404(_("没有这次上传。"))
        files = list(upload.files.defer("data").select_related("document").order_by("position"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("上传 #%(pk)d") % {"pk": upload.pk},
            "upload": upload,
            "files": files,
            "replaces": Document.objects.filter(pk=upload.replaces_id).only("pk", "title").first()
            if upload.replaces_id
            else None,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/initiatives/document/upload_status.html", context)

    # --- Withdraw and restore ---------------------------------------------------------------

    @admin.action(description=_("撤回所选文件（不再公开，可恢复）"), permissions=["change"])
    def withdraw(self, request, queryset):
        """A confirmation page first: withdrawing takes every row of a document offline."""
        from initiatives.curation.withdrawal import withdraw

        documents = list(queryset.defer("text"))
        if request.POST.get("confirmed") != "yes":
            counts = dict(
                Initiative.objects.filter(document__in=documents)
                .order_by()
                .values_list("document_id")
                .annotate(n=Count("pk"))
            )
            for document in documents:
                document.n_initiatives = counts.get(document.pk, 0)
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("确认撤回文件"),
                "documents": documents,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/initiatives/document/withdraw_confirmation.html", context
            )
        done = [d for d in documents if withdraw(d, request.user)]
        self.message_user(
            request,
            _("已撤回 %(n)d 份文件：它们的举措和指标不再公开，可随时恢复。") % {"n": len(done)},
            messages.SUCCESS,
        )

    @admin.action(description=_("恢复公开所选的已撤回文件"), permissions=["change"])
    def restore(self, request, queryset):
        from initiatives.curation.withdrawal import restore

        done = [d for d in queryset.defer("text") if restore(d, request.user)]
        self.message_user(
            request,
            _("已恢复 %(n)d 份文件，其举措和指标恢复撤回前的状态。") % {"n": len(done)},
            messages.SUCCESS,
        )

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
            if document.is_withdrawn:
                self.message_user(
                    request,
                    _("“%(title)s”已撤回，未重新抽取。") % {"title": document.title},
                    messages.WARNING,
                )
                continue
            report = reextract(document, extractor=extractor)
            summary = write_summary(report)
            if report["changed"]:
                self.message_user(request, f"“{document.title}”：{summary}", messages.SUCCESS)
                LogEntry.objects.log_actions(
                    request.user.pk, [document], CHANGE, f"重新抽取：{summary}"
                )
                curation.log(
                    [
                        curation.activity(
                            request.user, document, Action.EDIT, note=f"重新抽取：{summary}"
                        )
                    ]
                )
            else:
                self.message_user(
                    request,
                    _("“%(title)s”：重新抽取的结果与现有的相同，未作改动（%(summary)s）。")
                    % {"title": document.title, "summary": summary},
                    messages.INFO,
                )
