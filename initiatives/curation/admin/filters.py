"""Sidebar filters; subqueries rather than joins, so nothing needs DISTINCT."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, InitiativeRegion, Status, Theme
from regions.models import NATIONAL_CODE, Region


class ProvinceFilter(admin.SimpleListFilter):
    """By province, including everything below it; 全国 for nationwide rows."""

    title = _("省份")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return list(
            Region.objects.filter(level__lte=Region.Level.PROVINCE).values_list("code", "name")
        )

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        return self.narrow(queryset, code)

    def narrow(self, queryset, code):
        raise NotImplementedError


class InitiativeProvinceFilter(ProvinceFilter):
    def narrow(self, queryset, code):
        # A subquery rather than a join: an initiative in two cities of one province must
        # appear once, and the (province, initiative) index answers it directly.
        if code == NATIONAL_CODE:
            links = InitiativeRegion.objects.filter(region_id=code)
        else:
            links = InitiativeRegion.objects.filter(province_id=code)
        return queryset.filter(pk__in=links.values("initiative_id"))


class TargetProvinceFilter(ProvinceFilter):
    def narrow(self, queryset, code):
        if code == NATIONAL_CODE:
            return queryset.filter(region_id=code)
        return queryset.filter(region__province_id=code)


class DocumentProvinceFilter(ProvinceFilter):
    title = _("发文省份")

    def narrow(self, queryset, code):
        if code == NATIONAL_CODE:
            return queryset.filter(issuing_region_id=code)
        return queryset.filter(issuing_region__province_id=code)


class ThemeFilter(admin.SimpleListFilter):
    """Like the stock m2m filter, but a subquery: no DISTINCT over 100,000 rows."""

    title = _("主题")
    parameter_name = "theme"

    def lookups(self, request, model_admin):
        return list(Theme.objects.values_list("key", "name_zh"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        links = Initiative.themes.through.objects.filter(theme__key=self.value())
        return queryset.filter(pk__in=links.values("initiative_id"))


class ReviewFilter(admin.SimpleListFilter):
    title = _("审核状态")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("needs_review", _("待审核")),
            (Status.REVIEWED, Status.REVIEWED.label),
            (Status.HIDDEN, Status.HIDDEN.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "needs_review":
            return queryset.filter(status=Status.EXTRACTED)
        if value in (Status.REVIEWED, Status.HIDDEN):
            return queryset.filter(status=value)
        return queryset


class CuratedFilter(admin.SimpleListFilter):
    title = _("来源")
    parameter_name = "curated"

    def lookups(self, request, model_admin):
        return [("no", _("机器抽取")), ("yes", _("人工修改"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(curated_fields=[])
        if self.value() == "yes":
            return queryset.exclude(curated_fields=[])
        return queryset
