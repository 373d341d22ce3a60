"""Uploads read and extracted in the background.

The upload request (admin) or ``manage.py ingest --background`` stores the files' bytes in
an ``Upload`` and queues ``ingest_upload``; a worker (``manage.py db_worker``) takes the
files one by one through ``ingest.pipeline.ingest_bytes`` and records on each file what
became of it, which the upload's status page shows. A file that cannot be read, or is
refused, ends with its reason; the files after it go on.
"""

import logging
from pathlib import PurePath

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from initiatives.curation import records as curation
from initiatives.models import CurationActivity, Document, Upload, UploadFile
from regions import data_version

logger = logging.getLogger(__name__)

# What the upload form accepts; the pipeline decides what it can actually read.
UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")


def megabytes(n):
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


def queue_upload(files, *, user=None, replaces=None, suffixes=UPLOAD_SUFFIXES):
    """Store ``files`` (uploaded files, or anything with name, size and read()) as one upload
    and queue it; the ``Upload``.

    Files of a type the site does not read, or over the size limit, are refused here (their
    bytes are not kept) and appear so on the status page with the others.
    """
    limit = settings.INGEST_MAX_BYTES
    # The bytes are written before the queue row commits; a file over the limit is never
    # read into memory, its size alone refuses it.
    with transaction.atomic():
        upload = Upload.objects.create(
            uploaded_by=user, replaces_id=replaces, language=translation.get_language() or ""
        )
        for position, file in enumerate(files):
            name = PurePath(file.name).name[:255]
            row = UploadFile(upload=upload, position=position, name=name, size=file.size)
            if PurePath(name).suffix.lower() not in suffixes:
                row.state = UploadFile.State.REFUSED
                row.message = _("不支持这种文件类型，请上传 %(suffixes)s 文件。未导入。") % {
                    "suffixes": " ".join(suffixes)
                }
                row.data = b""
            elif file.size > limit:
                row.state = UploadFile.State.REFUSED
                row.message = _("文件大小 %(size)s MB，超过上限 %(limit)s MB。未导入。") % {
                    "size": megabytes(file.size),
                    "limit": megabytes(limit),
                }
                row.data = b""
            else:
                row.data = file.read()
            # One row at a time: a long batch never holds every file's bytes at once.
            row.save()
        # Enqueued in the same transaction: the database queue's row commits with the
        # upload's, so a worker never sees one without the other.
        result = ingest_upload.enqueue(upload.pk)
        Upload.objects.filter(pk=upload.pk).update(task_id=str(result.id)[:64])
    upload.refresh_from_db()
    return upload


@task()
def ingest_upload(upload_id):
    """Ingest every waiting file of the upload, in order; returns the count of documents."""
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or upload.is_finished:
        # Deleted meanwhile, or a second run of a task already done: nothing to redo.
        return 0
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.RUNNING, started=timezone.now())
    # A task is this worker's "request": the gazetteer and the segmenter's dictionary are
    # checked against the vocabulary stamp again, so edits curators made in the web workers
    # since the worker started are used.
    data_version.forget()
    # A file left reading or extracting by a worker that was stopped is taken again: nothing
    # of it was written (one transaction per document), or it is written and comes out
    # "unchanged".
    waiting = [UploadFile.State.QUEUED, UploadFile.State.READING, UploadFile.State.EXTRACTING]
    try:
        with translation.override(upload.language or settings.LANGUAGE_CODE):
            for row in upload.files.filter(state__in=waiting).order_by("position"):
                ingest_file(upload, row)
    except Exception as exc:
        # A fault of the site, not of a file: the upload says it stopped and why, and the
        # worker's log has the traceback.
        logger.exception("upload %s stopped", upload.pk)
        Upload.objects.filter(pk=upload.pk).update(
            state=Upload.State.FAILED,
            finished=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.DONE, finished=timezone.now())
    return upload.files.exclude(document=None).count()


def requeue_interrupted():
    """Queue again the uploads a stopped worker left half done; their ids.

    Run when no worker is running (before one starts): an upload marked running then
    belongs to a worker that is gone. Queued uploads still have their task waiting.
    """
    ids = list(Upload.objects.filter(state=Upload.State.RUNNING).values_list("pk", flat=True))
    for pk in ids:
        result = ingest_upload.enqueue(pk)
        Upload.objects.filter(pk=pk).update(task_id=str(result.id)[:64])
    return ids


def _set(row, state, **fields):
    row.state = state
    for name, value in fields.items():
        setattr(row, name, value)
    UploadFile.objects.filter(pk=row.pk).update(state=state, **fields)


def ingest_file(upload, row):
    """One file: read, extract and write it, leaving the outcome on ``row``."""
    from ingest.pipeline import RefusedVersion, UnreadableDocument, ingest_bytes

    _set(row, UploadFile.State.READING)
    data = bytes(UploadFile.objects.filter(pk=row.pk).values_list("data", flat=True).get())
    try:
        outcome = ingest_bytes(
            data,
            file_name=row.name,
            replaces=upload.replaces_id,
            uploaded_by=upload.uploaded_by,
            on_read=lambda: _set(row, UploadFile.State.EXTRACTING),
        )
    except RefusedVersion as exc:
        if exc.document is not None:
            text = _(
                "这段正文已是文件 #%(pk)d“%(title)s”，不能作为另一份文件的新版本。未导入。"
            ) % {"pk": exc.document.pk, "title": exc.document.title}
        elif Document.objects.filter(pk=upload.replaces_id).exists():
            text = _("所选文件已撤回，请先恢复再上传新版本。未导入。")
        else:
            text = _("所选文件已不存在。未导入。")
        _set(row, UploadFile.State.REFUSED, message=text, data=b"")
        return
    except UnreadableDocument as exc:
        text = _("无法读取：%(reason)s。未写入任何内容。") % {"reason": exc}
        _set(row, UploadFile.State.REFUSED, message=text, data=b"")
        return
    document = outcome.document
    counts = {
        "title": document.title,
        "initiatives": outcome.initiatives,
        "targets": outcome.targets,
    }
    if outcome.action == "unchanged":
        if outcome.old_version:
            text = _("与文件“%(title)s”的一个旧版本内容相同，未作改动（当前版本保持不变）。")
        else:
            text = _(
                "与已导入的文件“%(title)s”内容相同，未作改动"
                "（%(initiatives)d 条举措，%(targets)d 个指标）。"
            )
        _set(row, UploadFile.State.UNCHANGED, message=text % counts, document=document, data=b"")
        return
    if outcome.action == "created":
        text = _("已新建文件“%(title)s”，%(initiatives)d 条举措，%(targets)d 个指标。")
        namesakes = (
            Document.objects.filter(file_name=row.name, withdrawn_at__isnull=True)
            .exclude(pk=document.pk)
            .values_list("pk", flat=True)
        )
        if namesakes:
            # Said, not acted on: same name is no proof of same document.
            text += _(
                "另有同名文件 %(others)s；如果这份其实是它的新版本，请撤回本文件，"
                "再以“新版本”方式上传。"
            ) % {"others": "、".join(f"#{pk}" for pk in namesakes)}
    else:
        counts["version"] = document.version
        counts["summary"] = write_summary(outcome.report.as_dict())
        text = _(
            "已作为文件“%(title)s”的第 %(version)d 版导入，旧正文已保留为历史版本。%(summary)s。"
        )
    _set(row, UploadFile.State.DONE, message=text % counts, document=document, data=b"")
    note = (
        f"上传导入《{row.name}》"
        + (f"（第 {document.version} 版）" if outcome.action != "created" else "")
        + f"：{outcome.initiatives} 条举措，{outcome.targets} 个指标"
    )
    user = upload.uploaded_by
    if user is not None:
        LogEntry.objects.log_actions(
            user.pk, [document], ADDITION if outcome.action == "created" else CHANGE, note
        )
    # The activity page is where curators look for who loaded what.
    action = (
        CurationActivity.Action.ADD if outcome.action == "created" else CurationActivity.Action.EDIT
    )
    curation.log([curation.activity(user, document, action, note=note)])


def write_summary(report):
    """举措 12 → 13（新增 1，移除 0，更新 2，保留人工修改 1，待复核 0）；指标 …"""
    parts = []
    for key, label in (("initiatives", "举措"), ("targets", "指标")):
        parts.append(
            f"{label} {report[f'{key}_before']} → {report[f'{key}_after']}"
            f"（新增 {report[f'{key}_added']}，移除 {report[f'{key}_removed']}，"
            f"更新 {report[f'{key}_updated']}，保留人工修改 {report[f'{key}_protected']}，"
            f"待复核 {report[f'{key}_flagged']}）"
        )
    return "；".join(parts)
