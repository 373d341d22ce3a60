"""Documents, the initiatives and targets extracted from them, and the vocabularies."""

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


class Theme(models.Model):
    key = models.SlugField(_("键"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名"), max_length=40)
    name_en = models.CharField(_("英文名"), max_length=80)
    cues = models.JSONField(_("句内线索词"), default=list, blank=True)
    heading_cues = models.JSONField(_("标题线索词"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["position", "key"]

    def __str__(self):
        return self.name_zh


class PolicyInstrument(models.Model):
    class Category(models.TextChoices):
        LOAN = "loan", _("贷款")
        SUBSIDY = "subsidy", _("补贴")
        TRAINING = "training", _("培训")
        TRAINEESHIP = "traineeship", _("见习")
        PUBLIC_JOB = "public_job", _("公益性岗位")
        INSURANCE = "insurance", _("保险")
        INCUBATOR = "incubator", _("孵化载体")
        PLATFORM = "platform", _("平台")
        SERVICE = "service", _("服务")
        FUND = "fund", _("基金")
        TAX_RELIEF = "tax_relief", _("税费减免")
        CARRIER = "carrier", _("就业载体")
        OTHER = "other", _("其他")

    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    name_en = models.CharField(_("英文名"), max_length=120)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    synonyms = models.JSONField(_("同义词"), default=list, blank=True)

    class Meta:
        verbose_name = _("政策工具")
        verbose_name_plural = _("政策工具")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("instrument_detail", args=[self.slug])


class Indicator(models.Model):
    """A canonical employment indicator (城镇新增就业, 城镇登记失业率…) that targets link to.

    A target's own ``indicator`` keeps the label the document used; the link says which
    recurring indicator it is, so figures from different documents can be compared. A
    word may name two indicators that differ by unit (创业担保贷款: 元 for the amount, 笔
    for the count).
    """

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    name_en = models.CharField(_("英文名"), max_length=120)
    units = models.JSONField(_("单位"), default=list, help_text=_("基本单位，如 人、%、元、笔"))
    synonyms = models.JSONField(_("同义词"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("标准指标")
        verbose_name_plural = _("标准指标")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


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

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.COVERED)
    province = models.ForeignKey(
        "regions.Region", null=True, on_delete=models.PROTECT, related_name="+"
    )
    prefecture = models.ForeignKey(
        "regions.Region", null=True, on_delete=models.PROTECT, related_name="+"
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
        from initiatives.pictures.charts import readable_figure

        return readable_figure(self)

    @property
    def exact_text(self):
        from initiatives.pictures.charts import _figure

        return _figure(self)

    @property
    def period_text(self):
        if self.year_start is not None:
            return period_text(self.year_start, self.year_end)
        return str(self.year) if self.year else ""


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

    The request only stores the bytes and queues the work (``ingest.background``); this row
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
