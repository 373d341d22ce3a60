"""The vocabularies curators edit: themes, policy instruments, indicators."""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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

    @property
    def display_name(self):
        """The name in the page's language."""
        return self.name_en if get_language() == "en" and self.name_en else self.name_zh


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

    @property
    def display_name(self):
        """The name in the page's language."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


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

    @property
    def display_name(self):
        """The name in the page's language."""
        return self.name_en if get_language() == "en" and self.name_en else self.name
