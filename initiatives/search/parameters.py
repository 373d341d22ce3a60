"""Reading the search parameters: what each accepts, the strict errors and notices, years,
places and kinds shared by the initiative and target filter sets."""

from functools import cached_property

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.models import Document, Target
from regions.gazetteer import COUNTY, NATIONAL, PREFECTURE, PROVINCE, gazetteer

MAX_QUERY_LENGTH = 200
YEAR_RANGE = (1949, 2100)

SORT_RELEVANCE, SORT_NEWEST, SORT_REGION = "relevance", "newest", "region"
SORTS = [SORT_RELEVANCE, SORT_NEWEST, SORT_REGION]

# What each parameter accepts, for the strict error messages (CSV, API, command).
_YEAR_FORM = gettext_lazy("1949–2100 之间的四位年份，如 2020")
ACCEPTED_FORMS = {
    "province": gettext_lazy("省级行政区划代码（6 位数字，如 510000）或不重名的省名（如 四川省）"),
    "region": gettext_lazy("行政区划代码（6 位数字，如 510100）或不重名的地名（如 成都市）"),
    "theme": gettext_lazy("主题键或主题名：%(choices)s"),
    "instrument": gettext_lazy("政策工具的标识（如 business-startup-guarantee-loan）、编号或名称"),
    "year": _YEAR_FORM,
    "year_min": _YEAR_FORM,
    "year_max": _YEAR_FORM,
    "in_force": _YEAR_FORM,
    "kind": gettext_lazy("文件类型：%(choices)s"),
    "sort": gettext_lazy("排序方式：%(choices)s"),
    "target_kind": gettext_lazy("指标类别：%(choices)s"),
    "indicator": gettext_lazy("指标名称（如 城镇新增就业）"),
}
# Parameters of one table that mean nothing for the other: refused there, never ignored.
# (Targets take q, theme and instrument through their initiative: filters.TargetFilter.)
INITIATIVE_ONLY = ("sort",)
TARGET_ONLY = ("indicator", "target_kind")


class FilterError:
    """One refused parameter value: ``message`` names the parameter and what it accepts."""

    def __init__(self, parameter, value, message):
        self.parameter = parameter
        self.value = value
        self.message = message

    def __str__(self):
        return self.message


# Facet groups: the parameters one facet's counts leave out (all other filters apply).
PLACE = ("province", "region")
YEARS = ("year", "year_min", "year_max")


def in_force_q(year):
    """Rows whose period contains ``year``; a row without a period: its own year."""
    return Q(year_start__lte=year, year_end__gte=year) | Q(year_start__isnull=True, year=year)


class LenientMultipleField(forms.Field):
    """A repeatable parameter whose values are checked one by one.

    ``parse`` turns a raw value into a clean one or ``None``; the rejected raw values are
    kept in ``rejected`` so the page can say what it ignored.
    """

    widget = forms.SelectMultiple

    def __init__(self, *, parse=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.parse = parse
        self.rejected = []

    def clean(self, value):
        if isinstance(value, str):
            value = [value]
        good, self.rejected = [], []
        for raw in value or []:
            raw = str(raw).strip()
            if not raw:
                continue
            parsed = self.parse(raw) if self.parse else raw
            if parsed is None:
                self.rejected.append(raw[:40])
            elif parsed not in good:
                good.append(parsed)
        return good


class MultiValueFilter(django_filters.Filter):
    field_class = LenientMultipleField


def parse_year(raw):
    try:
        year = int(raw)
    except ValueError:
        return None
    return year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1], **kwargs)


class YearFilter(django_filters.Filter):
    field_class = YearField


class RegionFilterMixin:
    """``province`` and ``region`` parameters, shared by initiatives and targets."""

    def _parse_province(self, raw):
        place = gazetteer().get(raw)
        if place is not None:
            return raw if place.level == PROVINCE else None
        return self._place_by_name("province", raw, (PROVINCE,))

    def _parse_region(self, raw):
        if gazetteer().get(raw) is not None:
            return raw
        return self._place_by_name("region", raw, (NATIONAL, PROVINCE, PREFECTURE, COUNTY))

    def _place_by_name(self, parameter, name, levels):
        """The code of the one place at ``levels`` called ``name`` (official names first,
        then short names and aliases); ``None`` when none or several are, the candidates
        kept for the error message."""
        g = gazetteer()
        official = [c for c in g.official.get(name, []) if g.get(c).level in levels]
        candidates = official or [c for c in g.short.get(name, []) if g.get(c).level in levels]
        candidates = list(dict.fromkeys(candidates))
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            self.ambiguous[(parameter, name[:40])] = sorted(candidates)
        return None

    def _parse_kind(self, raw):
        if raw in Document.Kind.values:
            return raw
        by_label = {str(label): value for value, label in Document.Kind.choices}
        return by_label.get(raw)

    @cached_property
    def ambiguous(self):
        return {}

    def _choices(self, name):
        if name == "theme":
            return ", ".join(self.themes)
        if name == "kind":
            return ", ".join(Document.Kind.values)
        if name == "sort":
            return " | ".join(SORTS)
        if name == "target_kind":
            return " | ".join(Target.Kind.values)
        return ""

    def _error(self, name, raw, reason=None):
        accepted = ACCEPTED_FORMS.get(name)
        accepted = str(accepted) % {"choices": self._choices(name)} if accepted else ""
        if reason is None:
            reason = _("无法识别“%(value)s”") % {"value": raw}
        message = _("参数 %(param)s：%(reason)s；应为%(accepted)s。") % {
            "param": name,
            "reason": reason,
            "accepted": accepted,
        }
        return FilterError(name, raw, message)

    def strict_errors(self):
        """Every refused value, as ``FilterError``s (empty: the request is sound).

        A value the page would drop, a parameter the table does not have, a name that
        stands for several places (their codes are in the message)."""
        if not self.is_bound:
            return []
        self.cleaned()
        errors = []
        for name in self.not_applicable:
            given = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            values = [v for v in given if str(v).strip()]
            if values:
                reason = _("不适用于%(table)s") % {"table": self.table_label}
                message = _("参数 %(param)s（“%(value)s”）%(reason)s。") % {
                    "param": name,
                    "value": values[0][:40],
                    "reason": reason,
                }
                errors.append(FilterError(name, values[0][:40], message))
        for name, field in self.form.fields.items():
            for raw in getattr(field, "rejected", ()):
                codes = self.ambiguous.get((name, raw))
                reason = None
                if (
                    name == "kind"
                    and raw in Target.Kind.values
                    and "target_kind" in self.form.fields
                ):
                    reason = _("“%(value)s”是指标类别，请用 target_kind") % {"value": raw}
                if codes:
                    reason = _("“%(value)s”对应多个地区（%(codes)s），请用代码") % {
                        "value": raw,
                        "codes": ", ".join(codes[:10]),
                    }
                errors.append(self._error(name, raw, reason))
        for name in self.form.errors:
            errors.append(self._error(name, str(self.data.get(name, ""))[:40]))
        return errors

    def rejected_notices(self):
        labels = {
            "province": _("省份"),
            "region": _("地区"),
            "theme": _("主题"),
            "year": _("年份"),
            "instrument": _("政策工具"),
            "kind": _("文件类型"),
            "target_kind": _("指标类别"),
            "indicator": _("指标"),
        }
        notices = []
        for name, field in self.form.fields.items():
            for raw in getattr(field, "rejected", ()):
                notices.append(
                    _("已忽略无法识别的%(param)s：“%(value)s”")
                    % {"param": labels.get(name, name), "value": raw}
                )
        for name in self.form.errors:
            if name in ("year_min", "year_max", "in_force"):
                notices.append(
                    _("已忽略无效的年份范围：“%(value)s”") % {"value": self.data.get(name, "")[:40]}
                )
            elif name == "sort":
                notices.append(_("已忽略未知的排序方式"))
        return notices

    def export_data(self):
        """The request's parameters without the values ``strict_errors`` refuses: for the
        page's CSV link, which should export what the page shows rather than answer 400
        for a value the page dropped."""
        data = self.data.copy()
        for error in self.strict_errors():
            name = error.parameter
            if name in self.not_applicable:
                data.pop(name, None)
            elif hasattr(data, "setlist"):
                kept = [v for v in data.getlist(name) if str(v).strip()[:40] != error.value]
                data.setlist(name, kept)
            else:
                data.pop(name, None)
        return data

    def cleaned(self):
        if not self.is_bound:
            return {}
        self.errors  # noqa: B018  (validates the form)
        return self.form.cleaned_data

    def _setup_parsers(self):
        for name, parse in self.parsers().items():
            self.form.fields[name].parse = parse
