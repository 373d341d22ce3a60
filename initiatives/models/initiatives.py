"""Initiatives, their regions, and targets: what the extractor finds in a document."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from initiatives.models import figures
from initiatives.models.documents import SANE_PERIOD, SANE_YEARS, Document, period_text
from initiatives.models.vocabularies import Indicator, PolicyInstrument, Theme


class Status(models.TextChoices):
    EXTRACTED = "extracted", _("未审核")
    REVIEWED = "reviewed", _("已审核")
    HIDDEN = "hidden", _("已隐藏")


class InitiativeQuerySet(models.QuerySet):
    def visible(self):
        return self.exclude(status=Status.HIDDEN)

    def machine_made(self):
        return self.filter(curated_fields=[])


class Initiative(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="initiatives"
    )
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("原文"))
    heading = models.CharField(_("所在章节"), max_length=500, blank=True)
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    regions = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("地区"),
        through="InitiativeRegion",
        through_fields=("initiative", "region"),
        related_name="initiatives",
    )
    # The document's year; the period the measure is in force for (the document's period
    # unless the sentence states its own). ``in_force`` filters on the period.
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    year_start = models.PositiveSmallIntegerField(_("实施起始年"), null=True, blank=True)
    year_end = models.PositiveSmallIntegerField(_("实施截止年"), null=True, blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("主题"), blank=True)
    instruments = models.ManyToManyField(
        PolicyInstrument, verbose_name=_("政策工具"), blank=True, related_name="initiatives"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.EXTRACTED
    )
    # Names of the fields a curator changed; re-ingest and re-extract leave those alone.
    curated_fields = models.JSONField(_("人工修改的字段"), default=list, blank=True, editable=False)
    extractor_version = models.CharField(_("抽取器版本"), max_length=32, editable=False)
    # Stable across installations: made from the document's first version and the sentence
    # (``ingest.identity.row_key``), never from ids or the order documents came in.
    key = models.CharField(_("稳定键"), max_length=20, blank=True, editable=False)
    # Set when a new version changed or removed the sentence of a curated row: the row is
    # not moved silently, the curator compares the two sentences and confirms.
    needs_review = models.BooleanField(_("待复核"), default=False)
    review_old_text = models.TextField(_("旧版本原句"), blank=True, editable=False)
    review_new_text = models.TextField(_("新版本原句"), blank=True, editable=False)
    # jieba search-mode tokens of title + text, space separated: what full-text search indexes.
    search_text = models.TextField(editable=False, blank=True)
    # Why the extractor chose the region and themes, in one line a curator can check
    # ("地区依据：发文机关 福州市人民政府办公厅；主题依据：创业担保贷款").
    evidence = models.CharField(_("抽取依据"), max_length=300, blank=True, editable=False)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("举措")
        verbose_name_plural = _("举措")
        ordering = ["document_id", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="initiative_span_not_empty"
            ),
            models.CheckConstraint(condition=SANE_YEARS, name="initiative_sane_year"),
            models.CheckConstraint(condition=SANE_PERIOD, name="initiative_sane_period"),
        ]
        indexes = [
            # Year facet and "newest" sort on the search page.
            models.Index(fields=["year", "id"], name="initiative_year_idx"),
            models.Index(fields=["status", "document"], name="initiative_review_idx"),
            # Permalink lookups by key, and the admin's "needs review" filter (few rows).
            models.Index(fields=["key"], name="initiative_key_idx"),
            models.Index(
                fields=["document"],
                condition=Q(needs_review=True),
                name="initiative_needs_review_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        _give_key(self, "i")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("initiative_detail", args=[self.pk])

    @property
    def is_curated(self):
        return bool(self.curated_fields)

    @property
    def period_text(self):
        return period_text(self.year_start, self.year_end)


def _give_key(row, kind):
    """A key for a row saved one at a time (made by hand in the admin): the ingest gives
    keys to the rows it bulk-creates itself."""
    from initiatives.identity import KeyMaker

    if row.key or row.document_id is None:
        return
    document = Document.objects.only("origin_hash", "content_hash").get(pk=row.document_id)
    taken = type(row).objects.filter(document_id=row.document_id).values_list("key", flat=True)
    row.key = KeyMaker(document.origin_hash or document.content_hash, kind, taken)(row.text)


class InitiativeRegion(models.Model):
    """An initiative's region, with the province copied alongside for the province facet."""

    class Role(models.TextChoices):
        # Facets, the map and region counts read issuers and covered regions only.
        ISSUER = "issuer", _("发文或实施地区")
        COVERED = "covered", _("适用地区")
        PARTNER = "partner", _("协作或输出地区")
        MENTIONED = "mentioned", _("仅提及")

    COUNTED_ROLES = (Role.ISSUER, Role.COVERED)

    # No index of their own: each column leads one of the indexes below (the unique pair
    # for ``initiative``), which answer the same lookups; every index costs each insert.
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, db_index=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.COVERED)
    province = models.ForeignKey(
        "regions.Region", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    prefecture = models.ForeignKey(
        "regions.Region", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("举措地区")
        verbose_name_plural = _("举措地区")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "region"], name="initiative_region_unique"
            ),
        ]
        indexes = [
            # Province facet counts and the province filter (search page, region pages).
            models.Index(fields=["province", "initiative"], name="initiative_province_idx"),
            models.Index(fields=["prefecture", "initiative"], name="initiative_prefecture_idx"),
            models.Index(fields=["region", "initiative"], name="initiative_region_idx"),
        ]

    def __str__(self):
        return f"{self.initiative_id} → {self.region_id}"

    def save(self, *args, **kwargs):
        self.province_id = self.region.province_id
        self.prefecture_id = self.region.prefecture_id
        super().save(*args, **kwargs)


class TargetQuerySet(InitiativeQuerySet):
    def visible(self):
        """Targets shown publicly: neither hidden themselves nor part of a hidden initiative."""
        # A subquery over the few hidden initiatives, not a join: PostgreSQL hash-joined
        # every initiative to test the targets' (90 ms at 100,000 initiatives, twice a page).
        hidden = Initiative.objects.filter(status=Status.HIDDEN).values("pk")
        return self.exclude(status=Status.HIDDEN).exclude(initiative__in=hidden)


class Target(models.Model):
    class Kind(models.TextChoices):
        TARGET = "target", _("目标")
        ACHIEVED = "achieved", _("完成")

    class Comparator(models.TextChoices):
        EQ = "=", "="
        GT = ">", ">"
        LT = "<", "<"
        GE = "≥", "≥"
        LE = "≤", "≤"

    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="targets"
    )
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("举措"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    indicator = models.CharField(_("指标"), max_length=80, db_index=True)
    # The recurring indicator this figure is (none: "other", its own label says what).
    canonical_indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("标准指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=12)
    comparator = models.CharField(
        _("比较"), max_length=1, choices=Comparator.choices, default=Comparator.EQ
    )

    class PeriodType(models.TextChoices):
        # The figure of one year (a result of 2017, 每年…不少于: each year of the period).
        ANNUAL = "annual", _("年度")
        # Summed over several years (十三五期间累计, a five-year plan's total).
        CUMULATIVE = "cumulative", _("累计")
        # A level at a point in time: a rate ceiling, a stock (控制在5.5%以内).
        LEVEL = "level", _("水平")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    # The year the figure refers to (a deadline, a result's year); a recurring yearly goal
    # has none. ``year_start``/``year_end``: the years it covers.
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    year_start = models.PositiveSmallIntegerField(_("起始年"), null=True, blank=True)
    year_end = models.PositiveSmallIntegerField(_("截止年"), null=True, blank=True)
    period_type = models.CharField(
        _("时期类型"), max_length=10, choices=PeriodType.choices, blank=True
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    text = models.TextField(_("原文"))
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.EXTRACTED
    )
    curated_fields = models.JSONField(_("人工修改的字段"), default=list, blank=True, editable=False)
    extractor_version = models.CharField(_("抽取器版本"), max_length=32, editable=False)
    # Stable across installations: made from the document's first version and the sentence
    # (``ingest.identity.row_key``), never from ids or the order documents came in.
    key = models.CharField(_("稳定键"), max_length=20, blank=True, editable=False)
    # Set when a new version changed or removed the sentence of a curated row: the row is
    # not moved silently, the curator compares the two sentences and confirms.
    needs_review = models.BooleanField(_("待复核"), default=False)
    review_old_text = models.TextField(_("旧版本原句"), blank=True, editable=False)
    review_new_text = models.TextField(_("新版本原句"), blank=True, editable=False)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["document_id", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="target_span_not_empty"),
            models.CheckConstraint(condition=SANE_YEARS, name="target_sane_year"),
            models.CheckConstraint(condition=SANE_PERIOD, name="target_sane_period"),
        ]
        indexes = [
            models.Index(fields=["indicator", "year"], name="target_indicator_idx"),
            models.Index(fields=["key"], name="target_key_idx"),
            models.Index(
                fields=["document"],
                condition=Q(needs_review=True),
                name="target_needs_review_idx",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.comparator} {self.value}{self.unit}"

    def save(self, *args, **kwargs):
        _give_key(self, "t")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("target_detail", args=[self.pk])

    @property
    def readable_text(self):
        """``> 20万人``: the value as a reader writes it (``exact_text`` for the digits)."""
        return figures.readable_figure(self)

    @property
    def exact_text(self):
        return figures.exact_figure(self)

    @property
    def plain_value(self):
        """The value as the CSV writes it, for ``<data value="…">``."""
        return figures.plain_value(self.value)

    @property
    def period_text(self):
        if self.year_start is not None:
            return period_text(self.year_start, self.year_end)
        return str(self.year) if self.year else ""
