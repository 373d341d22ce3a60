"""Source documents and their earlier versions, with the date and period helpers they use."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SANE_YEARS = Q(year__isnull=True) | Q(year__gte=1949, year__lte=2100)
# A period is whole or absent: both ends, in order (2021–2025), or neither.
SANE_PERIOD = Q(year_start__isnull=True, year_end__isnull=True) | Q(
    year_start__isnull=False, year_end__gte=F("year_start")
)
SANE_DOCUMENT_PERIOD = Q(period_start__isnull=True, period_end__isnull=True) | Q(
    period_start__isnull=False, period_end__gte=F("period_start")
)


class Precision(models.TextChoices):
    """How much of a date the source states: ``2022年4月`` is a month, never 2022-04-01."""

    YEAR = "year", _("年")
    MONTH = "month", _("月")
    DAY = "day", _("日")


def dated(value, precision):
    """A date as precise as its source: ``2022年4月``, ``2018年5月22日``, ``2015年``."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return f"{value.year}年"
    if precision == Precision.MONTH:
        return f"{value.year}年{value.month}月"
    return f"{value.year}年{value.month}月{value.day}日"


def iso_date(value, precision):
    """``2022-04`` for a month, ``2015`` for a year: what a ``<time datetime>`` may say."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def period_text(start, end):
    if start is None:
        return ""
    return f"{start}–{end}" if end is not None and end != start else str(start)


class DocumentQuerySet(models.QuerySet):
    def public(self):
        """Documents on the public site: every one not withdrawn by a curator."""
        return self.filter(withdrawn_at__isnull=True)


class Document(models.Model):
    class Kind(models.TextChoices):
        ROUNDUP = "roundup", _("综述汇编")
        CASE_STUDY = "case_study", _("案例")
        SUMMARY = "summary", _("工作总结")
        OPINION = "opinion", _("实施意见")
        PLAN = "plan", _("规划")
        NEWS = "news", _("新闻")
        OTHER = "other", _("其他")

    title = models.CharField(_("标题"), max_length=300)
    file_name = models.CharField(_("文件名"), max_length=255)
    content_hash = models.CharField(_("内容哈希"), max_length=64, editable=False)
    text = models.TextField(_("正文"), help_text=_("清洗后的全文；所有偏移量都指向它"))
    # 发文机关 / 来源: who issued the document (a reprint names its source).
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    issuing_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("发文地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    # 成文日期: the date under the signature, or a news item's dateline. A date stored with
    # precision "month" stands for that month only (the day is the 1st by convention).
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    issued_precision = models.CharField(
        _("成文日期精度"), max_length=5, choices=Precision.choices, blank=True
    )
    # When the page carrying it appeared: a 2016 page may reprint a 2015 document.
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    published_precision = models.CharField(
        _("发布日期精度"), max_length=5, choices=Precision.choices, blank=True
    )
    # The document's year: of issue, or the year of the work a summary reports.
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    # The period it states (十四五 → 2021–2025; 今后三年 from 2019 → 2019–2021).
    period_start = models.PositiveSmallIntegerField(_("时期起始年"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("时期截止年"), null=True, blank=True)
    # 试行 / 暂行 / 有效期5年, as the document says it.
    permanence = models.CharField(_("时效"), max_length=40, blank=True)
    source_url = models.URLField(_("原文链接"), max_length=500, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    extractor_version = models.CharField(_("抽取器版本"), max_length=32, editable=False)
    curated_fields = models.JSONField(_("人工修改的字段"), default=list, blank=True, editable=False)
    # The content hash of the document's first version: with the sentence, what every row's
    # ``key`` is made from, so keys do not move when a new version comes in.
    origin_hash = models.CharField(
        _("首个版本的内容哈希"), max_length=64, blank=True, editable=False
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1, editable=False)
    # When and by whom the current text came in (the first version: ``ingested_at``).
    version_ingested_at = models.DateTimeField(
        _("本版本导入时间"), null=True, blank=True, editable=False
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Withdrawn: its rows are hidden from the public site; ``withdrawn_statuses`` keeps the
    # status each row had, so restoring gives back exactly what was public before.
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawn_statuses = models.JSONField(default=dict, blank=True, editable=False)
    ingested_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("文件")
        verbose_name_plural = _("文件")
        ordering = ["-year", "-ingested_at"]
        constraints = [
            models.UniqueConstraint(fields=["content_hash"], name="document_unique_content_hash"),
            models.CheckConstraint(condition=SANE_YEARS, name="document_sane_year"),
            models.CheckConstraint(condition=SANE_DOCUMENT_PERIOD, name="document_sane_period"),
        ]
        indexes = [
            # The home page lists the latest documents.
            models.Index(fields=["-ingested_at"], name="document_latest_idx"),
            models.Index(fields=["kind"], name="document_kind_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A document added by hand in the admin is its own first version.
        if not self.origin_hash:
            self.origin_hash = self.content_hash
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("document_detail", args=[self.pk])

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def issued_text(self):
        return dated(self.issued_on, self.issued_precision)

    @property
    def published_text(self):
        return dated(self.published_on, self.published_precision)

    @property
    def issued_iso(self):
        return iso_date(self.issued_on, self.issued_precision)

    @property
    def published_iso(self):
        return iso_date(self.published_on, self.published_precision)

    @property
    def period_text(self):
        return period_text(self.period_start, self.period_end)


class DocumentVersion(models.Model):
    """A text a document had before a newer version replaced it (nothing is thrown away)."""

    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=300)
    file_name = models.CharField(_("文件名"), max_length=255)
    content_hash = models.CharField(_("内容哈希"), max_length=64)
    text = models.TextField(_("正文"))
    ingested_at = models.DateTimeField(_("导入时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_at = models.DateTimeField(_("被替换时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文件旧版本")
        verbose_name_plural = _("文件旧版本")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="document_version_unique_number"
            ),
        ]
        indexes = [
            # An old version ingested again is recognised by its hash (and changes nothing).
            models.Index(fields=["content_hash"], name="document_version_hash_idx"),
        ]

    def __str__(self):
        return f"{self.document_id} v{self.number}"
