"""What curators leave behind: machine values kept, the activity log, merges, uploads."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from initiatives.models.documents import Document
from initiatives.models.initiatives import Initiative, Target


class CurationRecord(models.Model):
    """What the machine had in a field before a curator first changed it, and what they set.

    One row per (initiative or target, field): written on the first edit of a machine-made
    field, its curated value kept up to date by later edits. Re-ingest and re-extract never
    touch curated rows, so the record lives as long as the row it describes.
    """

    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("举措"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="curation_records",
    )
    target = models.ForeignKey(
        Target,
        verbose_name=_("指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="curation_records",
    )
    field = models.CharField(_("字段"), max_length=40)
    # Plain JSON: strings and numbers as they are, decimals as strings, related rows as
    # their keys (ids, region codes), many-to-many as sorted lists of keys.
    machine_value = models.JSONField(_("机器抽取的值"), null=True, blank=True)
    curated_value = models.JSONField(_("人工修改后的值"), null=True, blank=True)
    extractor_version = models.CharField(_("抽取器版本"), max_length=32, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("首次修改时间"), auto_now_add=True)
    updated = models.DateTimeField(_("最近修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("人工修改记录")
        verbose_name_plural = _("人工修改记录（机器原值）")
        ordering = ["field", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(initiative__isnull=False, target__isnull=True)
                | Q(initiative__isnull=True, target__isnull=False),
                name="curation_record_one_owner",
            ),
            models.UniqueConstraint(
                fields=["initiative", "field"],
                condition=Q(initiative__isnull=False),
                name="curation_record_initiative_field_unique",
            ),
            models.UniqueConstraint(
                fields=["target", "field"],
                condition=Q(target__isnull=False),
                name="curation_record_target_field_unique",
            ),
        ]

    def __str__(self):
        owner = f"#{self.initiative_id}" if self.initiative_id else f"T{self.target_id}"
        return f"{owner} {self.field}"


class CurationActivity(models.Model):
    """One change a person made in the admin: who, when, which row, which field, old → new.

    Every admin change writes here: form edits, bulk status changes, merges and unmerges,
    reverts to the machine value, corrections carried from an initiative to its targets,
    additions and deletions. Old and new values are stored as a curator reads them (region
    names, theme names, choice labels) at the time of the change, so the activity page needs
    no lookups per row and still reads right after a theme is renamed or a row deleted.
    """

    class Action(models.TextChoices):
        ADD = "add", _("新增")
        EDIT = "edit", _("修改")
        STATUS = "status", _("审核状态")
        REVERT = "revert", _("恢复机器值")
        CARRY = "carry", _("随举措修改")
        MERGE = "merge", _("合并")
        UNMERGE = "unmerge", _("撤销合并")
        DELETE = "delete", _("删除")

    created = models.DateTimeField(_("时间"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("类型"), on_delete=models.CASCADE
    )
    # A string: regions are keyed by their code.
    object_id = models.CharField(_("编号"), max_length=64)
    object_repr = models.CharField(_("条目"), max_length=200)
    # The source document of the row (or the document itself), for "everything done to
    # this document"; kept as a title too in case the document goes.
    document = models.ForeignKey(
        Document,
        verbose_name=_("文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    field = models.CharField(_("字段"), max_length=40, blank=True)
    field_label = models.CharField(_("字段名称"), max_length=60, blank=True)
    old_value = models.TextField(_("原值"), blank=True)
    new_value = models.TextField(_("新值"), blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("修改记录")
        verbose_name_plural = _("修改记录")
        ordering = ["-created", "-pk"]
        indexes = [
            # The activity page: newest first, by user, by document, by row.
            models.Index(fields=["-created"], name="activity_latest_idx"),
            models.Index(fields=["user", "-created"], name="activity_user_idx"),
            models.Index(fields=["document", "-created"], name="activity_document_idx"),
            models.Index(fields=["content_type", "object_id"], name="activity_row_idx"),
        ]

    def __str__(self):
        return f"{self.object_repr} {self.field_label or self.get_action_display()}"


class MergeRecord(models.Model):
    """One initiative folded into another by a curator: both sources stay on record.

    The merged initiative is hidden, not deleted; its id, document and text are copied here
    too, so "also reported in" survives even if that row or its document is removed later.
    """

    survivor = models.ForeignKey(
        Initiative,
        verbose_name=_("保留的举措"),
        on_delete=models.CASCADE,
        related_name="merge_records",
    )
    merged = models.ForeignKey(
        Initiative,
        verbose_name=_("被并入的举措"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_into_records",
    )
    merged_initiative_id = models.PositiveBigIntegerField(_("被并入举措编号"))
    document = models.ForeignKey(
        Document,
        verbose_name=_("来源文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document_title = models.CharField(_("文件标题"), max_length=300)
    document_file = models.CharField(_("文件名"), max_length=255, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("原文"))
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("合并人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("合并时间"), auto_now_add=True)
    # What the merge changed, so that an unmerge can put both rows back: the duplicate's
    # status, the survivor's regions/themes/instruments it added, the targets it moved or
    # hid as doubles, the earlier merges it re-pointed (see ``curation.merge_initiatives``).
    undo = models.JSONField(_("撤销所需信息"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("合并记录")
        verbose_name_plural = _("合并记录（也见于）")
        ordering = ["pk"]
        indexes = [models.Index(fields=["merged_initiative_id"], name="merge_record_merged_idx")]

    def __str__(self):
        return f"#{self.merged_initiative_id} → #{self.survivor_id}"


class Upload(models.Model):
    """Files a curator uploaded in one go, read and extracted in the background.

    The request only stores the bytes and queues the work (``initiatives.curation.uploads``); this row
    and its files are what the status page shows while a worker goes through them.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("中断")

    created = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.QUEUED)
    # Kept as an id, not a foreign key: the version upload is refused with its reason if the
    # document has gone by the time a worker reaches it, rather than losing the choice.
    replaces_id = models.PositiveIntegerField(_("新版本所替换的文件"), null=True, blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    # The uploader's interface language: the worker writes each file's result in it.
    language = models.CharField(_("语言"), max_length=10, blank=True)
    started = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("中断原因"), blank=True)

    class Meta:
        verbose_name = _("上传")
        verbose_name_plural = _("上传")
        ordering = ["-pk"]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def is_finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)


class UploadFile(models.Model):
    """One file of an upload: its bytes until read, then what became of it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        READING = "reading", _("读取中")
        EXTRACTING = "extracting", _("抽取中")
        DONE = "done", _("已导入")
        UNCHANGED = "unchanged", _("内容未变")
        REFUSED = "refused", _("未导入")

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"))
    # Emptied once the file is read: the document keeps the text, the bytes are not needed.
    data = models.BinaryField(editable=False)
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.QUEUED)
    message = models.TextField(_("结果"), blank=True)
    document = models.ForeignKey(
        Document,
        verbose_name=_("文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("上传的文件")
        verbose_name_plural = _("上传的文件")
        ordering = ["upload", "position"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "position"], name="upload_file_position")
        ]

    def __str__(self):
        return self.name

    FINISHED = (State.DONE, State.UNCHANGED, State.REFUSED)

    @property
    def is_finished(self):
        return self.state in self.FINISHED
