"""The national gazetteer (GB/T 2260): province → prefecture → county, under a root 全国."""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

NATIONAL_CODE = "000000"


class RegionQuerySet(models.QuerySet):
    def provinces(self):
        return self.filter(level=Region.Level.PROVINCE)

    def within(self, region):
        """The region itself and everything below it, in one indexed lookup.

        Each row carries its province and prefecture, so "all descendants of X" is a
        single equality filter instead of a recursive walk.
        """
        if region.level == Region.Level.NATIONAL:
            return self.all()
        if region.level == Region.Level.PROVINCE:
            return self.filter(province=region)
        if region.level == Region.Level.PREFECTURE:
            return self.filter(prefecture=region)
        return self.filter(pk=region.pk)

    def named(self, name):
        """Regions whose official name, short name or one alias equals ``name``."""
        from regions.gazetteer import gazetteer

        codes = gazetteer().codes_for_name(name)
        return self.filter(code__in=codes)


class Region(models.Model):
    class Level(models.IntegerChoices):
        NATIONAL = 0, _("全国")
        PROVINCE = 1, _("省级")
        PREFECTURE = 2, _("地级")
        COUNTY = 3, _("县级")

    code = models.CharField(_("代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64, db_index=True)
    short_name = models.CharField(_("简称"), max_length=32, db_index=True)
    name_en = models.CharField(
        _("英文名"),
        max_length=120,
        blank=True,
        default="",
        help_text=_("留空则按汉语拼音生成，如 四川省 → Sichuan Province"),
    )
    aliases = models.JSONField(
        _("别名"), default=list, blank=True, help_text=_("其他常见写法，每项一个名称")
    )
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Denormalised ancestors: they make "everything in 四川省" a single indexed equality.
    province = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    prefecture = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "code"], name="region_level_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_ancestors()
        if not self.name_en:
            from regions.english import english_name

            self.name_en = english_name(self.name, self.level)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("region_detail", args=[self.code])

    def fill_ancestors(self):
        if self.level == self.Level.PROVINCE:
            self.province_id, self.prefecture_id = self.code, None
        elif self.level == self.Level.PREFECTURE:
            self.province_id, self.prefecture_id = self.parent_id, self.code
        elif self.level == self.Level.COUNTY and self.parent is not None:
            if self.parent.level == self.Level.PREFECTURE:
                self.province_id, self.prefecture_id = self.parent.parent_id, self.parent_id
            else:  # counties directly under a province or municipality
                self.province_id, self.prefecture_id = self.parent_id, None
        else:
            self.province_id = self.prefecture_id = None

    def ancestors(self):
        """From the province down to the parent (the national root left out)."""
        chain, node = [], self.parent
        while node is not None and node.level != self.Level.NATIONAL:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def path(self):
        return [*self.ancestors(), self]

    @property
    def display_name(self):
        """The name in the page's language: 四川省, or Sichuan Province on English pages."""
        return (self.name_en or self.name) if get_language() == "en" else self.name

    @property
    def path_name(self):
        """``四川省/乐山市``; the root is ``全国``."""
        return "/".join(r.name for r in self.path())
