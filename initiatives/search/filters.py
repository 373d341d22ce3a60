"""The one filter layer behind the search page, the CSV export and the JSON API.

Query parameters (DESIGN.md, "Contracts"): ``q``, ``province``, ``region``, ``theme``,
``year``, ``year_min``, ``year_max``, ``in_force``, ``instrument``, ``kind``, ``sort`` (``page`` is the
view's). Several values of one parameter are OR, different parameters AND.

The querystring is input from anyone: each value is checked on its own; a bad one is dropped
and reported in ``notices`` (the page shows them), the good ones still apply. The CSV export,
the API and ``manage.py export`` ask ``strict_errors()`` instead and refuse the whole request:
a researcher's script must not receive every row because one value was misspelt. Names are
accepted where they name one thing (``province=四川省``, ``instrument=创业担保贷款``). Nothing
here raises on user input.
"""

from functools import cached_property

import django_filters
import numpy as np
from django import forms
from django.db import connections
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.models import Document, Initiative, InitiativeRegion, PolicyInstrument, Target
from initiatives.models import Theme as ThemeModel
from initiatives.search import facet_index, index_build, index_masks
from initiatives.search import fulltext as search
from initiatives.search import query as query_syntax
from initiatives.search.segmentation import MAX_QUERY_TERMS, query_plan, query_terms
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
INITIATIVE_ONLY = ("q", "theme", "instrument", "sort")
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


class InitiativeFilter(RegionFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", strip=True)
    province = MultiValueFilter(method="filter_province")
    region = MultiValueFilter(method="filter_region")
    theme = MultiValueFilter(method="filter_theme")
    year = MultiValueFilter(method="filter_year")
    year_min = YearFilter(field_name="year", lookup_expr="gte")
    year_max = YearFilter(field_name="year", lookup_expr="lte")
    in_force = YearFilter(method="filter_in_force")
    instrument = MultiValueFilter(method="filter_instrument")
    kind = MultiValueFilter(method="filter_kind")
    sort = django_filters.ChoiceFilter(
        choices=[(s, s) for s in SORTS], method="keep", empty_label=None
    )

    not_applicable = TARGET_ONLY
    table_label = gettext_lazy("举措")

    class Meta:
        model = Initiative
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Initiative.objects.visible()
        super().__init__(data, queryset=queryset, **kwargs)
        self._setup_parsers()

    def parsers(self):
        return {
            "province": self._parse_province,
            "region": self._parse_region,
            "theme": self._parse_theme,
            "year": parse_year,
            "instrument": self._parse_instrument,
            "kind": self._parse_kind,
        }

    # Vocabularies, loaded once per request: for checking values and for facet labels.
    @cached_property
    def themes(self):
        # The extractor's cue lists are JSON: not decoded for a search.
        return {t.key: t for t in ThemeModel.objects.defer("cues", "heading_cues")}

    @cached_property
    def instruments(self):
        return {i.pk: i for i in PolicyInstrument.objects.defer("synonyms")}

    def _parse_theme(self, raw):
        if raw in self.themes:
            return raw
        # A theme's Chinese or English name; else the one theme whose name contains it.
        folded = raw.casefold()
        for key, theme in self.themes.items():
            if folded in (theme.name_zh.casefold(), theme.name_en.casefold()):
                return key
        partial = [key for key, theme in self.themes.items() if raw in theme.name_zh]
        return partial[0] if len(partial) == 1 else None

    def _parse_instrument(self, raw):
        if raw.isascii() and raw.isdigit() and int(raw) in self.instruments:
            return int(raw)
        folded = raw.casefold()
        for instrument in self.instruments.values():
            if raw in (instrument.slug, instrument.name) or folded == instrument.name_en.casefold():
                return instrument.pk
        return None

    # The query text.
    @cached_property
    def query(self):
        """``(text, terms, notices)`` for the ``q`` parameter: ``text`` as typed, ``terms``
        the words searched for once places and exclusions are taken out (``parsed``)."""
        text = (self.cleaned().get("q") or "").strip()
        notices = []
        if len(text) > MAX_QUERY_LENGTH:
            text = text[:MAX_QUERY_LENGTH]
            notices.append(_("查询过长，只使用了前 %(n)d 个字符。") % {"n": MAX_QUERY_LENGTH})
        parsed = self.parsed_for(text)
        words = parsed.text
        terms = query_syntax.search_terms(parsed, query_terms(words) if words else [])
        if words and not terms:
            notices.append(_("查询“%(q)s”中没有可检索的词，已忽略。") % {"q": words[:40]})
        elif len(terms) >= MAX_QUERY_TERMS:
            notices.append(_("查询词过多，只使用了前 %(n)d 个词。") % {"n": MAX_QUERY_TERMS})
        return text, terms, notices

    def parsed_for(self, text):
        if getattr(self, "_parsed", (None,))[0] != text:
            self._parsed = (text, query_syntax.parse(text))
        return self._parsed[1]

    @property
    def parsed(self):
        """The ``query.ParsedQuery`` of ``q``: places, exclusions and words."""
        return self.parsed_for(self.query[0])

    @cached_property
    def excluded_terms(self):
        """One list of query terms per excluded word (``-贷款``, ``NOT 贷款``)."""
        found = []
        for word in self.parsed.excluded:
            terms = query_terms(word)
            if terms and terms not in found:
                found.append(terms)
        return found

    @property
    def terms(self):
        return self.query[1]

    @property
    def highlight_terms(self):
        """The query words and the pieces they may be matched by; phrases as typed."""
        words, phrases = [], []
        for term in self.terms:
            options = term.options if isinstance(term, query_syntax.AnyOf) else (term,)
            for option in options:
                if isinstance(option, query_syntax.Phrase):
                    phrases.append(option.text)
                else:
                    words += [option] if isinstance(option, str) else list(option)
        return phrases + [
            word for alternatives in query_plan(words) for found in alternatives for word in found
        ]

    @property
    def notices(self):
        return self.query[2] + self.rejected_notices()

    @property
    def sort_key(self):
        chosen = self.cleaned().get("sort")
        if chosen in SORTS and (chosen != SORT_RELEVANCE or self.terms):
            return chosen
        return SORT_RELEVANCE if self.terms else SORT_NEWEST

    def active(self, name):
        """The clean value(s) of one parameter (a list for repeatable ones)."""
        return self.cleaned().get(name)

    # Filter methods: M2M and region filters are `id IN (subquery)`, never joins, so the
    # result has one row per initiative and facet counts need no DISTINCT.
    def keep(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        # Words, places named in the box and excluded words: all parts of ``q``, AND.
        terms = self.terms
        if terms:
            queryset = queryset.filter(search.matching(terms))
        codes = self.parsed.region_codes
        if codes:
            queryset = self._restrict(queryset, "region", codes)
        for excluded in self.excluded_terms:
            queryset = queryset.exclude(search.matching(excluded))
        return queryset

    def filter_province(self, queryset, name, value):
        return self._restrict(queryset, name, value)

    def filter_region(self, queryset, name, value):
        return self._restrict(queryset, name, value)

    def filter_theme(self, queryset, name, value):
        return self._restrict(queryset, name, value)

    def filter_instrument(self, queryset, name, value):
        return self._restrict(queryset, name, value)

    def _restrict(self, queryset, name, value):
        ids = self.ids_matching(name, value)
        return queryset if ids is None else queryset.filter(pk__in=Subquery(ids))

    def ids_matching(self, name, value):
        """The ``initiative_id`` subquery behind a region/theme/instrument filter (``None``:
        no restriction), for the SQL queryset (``filtered``, the CSV export). The facet index
        (``selection``) applies the same rules to its arrays; tests compare the two."""
        # As in the facet index: only issuers and covered regions place an initiative.
        counted = InitiativeRegion.objects.filter(role__in=InitiativeRegion.COUNTED_ROLES)
        if name == "province":
            return counted.filter(province__in=value).values("initiative_id")
        if name == "region":
            for_region = region_q(value)
            if for_region is None:
                return None
            return counted.filter(for_region).values("initiative_id")
        if name == "theme":
            through = Initiative.themes.through
            return through.objects.filter(theme__key__in=value).values("initiative_id")
        if name == "instrument":
            through = Initiative.instruments.through
            return through.objects.filter(policyinstrument_id__in=value).values("initiative_id")
        raise ValueError(name)

    def filter_year(self, queryset, name, value):
        return queryset.filter(year__in=value)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(document__kind__in=value)

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(in_force_q(value))

    # The filters as masks over the in-memory facet index: counts and result order.
    @cached_property
    def selection(self):
        """A ``index_masks.Selection``: one mask per active filter, named like its parameter
        (``year`` covers ``year_min``/``year_max``). Same meaning as ``filtered()``; the
        index holds the visible initiatives, which is this filter set's queryset."""
        index = facet_index.current(self.queryset.db)
        masks = {}
        provinces = self.active("province")
        if provinces:
            hit = np.isin(index.link_province, index.code_positions(provinces))
            masks["province"] = index_masks.links_mask(index, index.link_row, hit)
        regions = self.active("region")
        if regions and region_q(regions) is not None:
            masks["region"] = region_mask(index, regions)
        themes = self.active("theme")
        if themes:
            hit = np.isin(index.theme_id, [self.themes[key].pk for key in themes])
            masks["theme"] = index_masks.links_mask(index, index.theme_row, hit)
        instruments = self.active("instrument")
        if instruments:
            hit = np.isin(index.instrument_id, instruments)
            masks["instrument"] = index_masks.links_mask(index, index.instrument_row, hit)
        years, low, high = (self.active(name) for name in YEARS)
        if years or low is not None or high is not None:
            mask = index.year != index_build.NO_YEAR
            if years:
                mask &= np.isin(index.year, years)
            if low is not None:
                mask &= index.year >= low
            if high is not None:
                mask &= index.year <= high
            masks["year"] = mask
        kinds = self.active("kind")
        if kinds:
            positions = [index_build.KINDS.index(kind) for kind in kinds]
            masks["kind"] = np.isin(index.kind, positions)
        in_force = self.active("in_force")
        if in_force is not None:
            masks["in_force"] = index_masks.in_force_mask(index, in_force)
        text = None
        if self.terms:
            # Rank while matching when every match is a result (no other filter): the
            # ranking scan also finds the matches. SQLite always: bm25 needs that scan.
            rank_now = self.sort_key == SORT_RELEVANCE and (
                not masks or connections[self.queryset.db].vendor == "sqlite"
            )
            text = facet_index.text_matches(index, self.terms, rank_now, using=self.queryset.db)
            masks["q"] = index_masks.rows_mask(index, text.rows)
        # Places named in the box and excluded words belong to ``q`` (one chip, one
        # relaxation): they narrow its mask.
        codes = self.parsed.region_codes
        if codes:
            masks["q"] = masks.get("q", index.live()) & region_mask(index, codes)
        for excluded in self.excluded_terms:
            found = facet_index.text_matches(index, excluded, False, using=self.queryset.db)
            masks["q"] = masks.get("q", index.live()) & ~index_masks.rows_mask(index, found.rows)
        return index_masks.Selection(index, masks, text)

    def results(self, queryset):
        """The results in order, as rows of ``queryset`` fetched a page at a time."""
        return ResultList(self.selection.ordered_ids(self.sort_key), queryset)

    # Querysets.
    def filtered(self, leave_out=()):
        """Every active filter except the parameters in ``leave_out``; not sorted."""
        qs = self.queryset.all()
        for name, value in self.cleaned().items():
            if name == "sort" or name in leave_out:
                continue
            qs = self.filters[name].filter(qs, value)
        return qs

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.sorted(self.filtered())
        return self._qs

    def sorted(self, qs):
        sort = self.sort_key
        if sort == SORT_RELEVANCE:
            return search.order_by_rank(qs, self.terms, F("year").desc(nulls_last=True), "pk")
        if sort == SORT_REGION:
            first_region = InitiativeRegion.objects.filter(initiative=OuterRef("pk")).order_by(
                "region_id"
            )
            return qs.annotate(
                first_region=Subquery(first_region.values("region_id")[:1])
            ).order_by(
                F("first_region").asc(nulls_last=True), F("year").desc(nulls_last=True), "pk"
            )
        # Matches the PostgreSQL index initiative_newest_idx (and SQLite's DESC default).
        return qs.order_by(F("year").desc(nulls_last=True), F("pk").desc())


class ResultList:
    """Ordered initiative ids standing for their rows: a Paginator's ``object_list`` that
    fetches only the slice a page shows (one query, plus the queryset's prefetches)."""

    def __init__(self, ids, queryset):
        self.ids = ids
        self.queryset = queryset

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("ResultList is read a page (a slice) at a time")
        ids = self.ids[key].tolist()
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


# Which column says "at or below this place", by the place's level.
INITIATIVE_REGION_COLUMNS = {
    PROVINCE: "province_id",
    PREFECTURE: "prefecture_id",
    COUNTY: "region_id",
}
TARGET_REGION_COLUMNS = {
    PROVINCE: "region__province_id",
    PREFECTURE: "region__prefecture_id",
    COUNTY: "region_id",
}


def region_mask(index, codes):
    """Rows of the facet index linked (as issuer or covered) at or below any of ``codes``,
    as ``region_q`` selects them in SQL."""
    hit = np.zeros(len(index.link_row), dtype=bool)
    for level, column in (
        (PROVINCE, index.link_province),
        (PREFECTURE, index.link_prefecture),
        (COUNTY, index.link_region),
    ):
        chosen = [c for c in codes if gazetteer().get(c).level == level]
        if chosen:
            hit |= np.isin(column, index.code_positions(chosen))
    return index_masks.links_mask(index, index.link_row, hit)


def region_q(codes, columns=INITIATIVE_REGION_COLUMNS):
    """A ``Q`` for rows at or below any of ``codes``; ``None`` when one of them is 全国
    (everything is below it)."""
    condition = Q()
    for code in codes:
        place = gazetteer().get(code)
        if place is None:
            continue
        if place.level == NATIONAL:
            return None
        condition |= Q(**{columns[place.level]: code})
    return condition


class TargetFilter(RegionFilterMixin, django_filters.FilterSet):
    """Targets: the same region/year/document-kind parameters, plus indicator and kind."""

    province = MultiValueFilter(method="filter_province")
    region = MultiValueFilter(method="filter_region")
    year = MultiValueFilter(method="filter_year")
    year_min = YearFilter(field_name="year", lookup_expr="gte")
    year_max = YearFilter(field_name="year", lookup_expr="lte")
    in_force = YearFilter(method="filter_in_force")
    indicator = MultiValueFilter(method="filter_indicator")
    target_kind = MultiValueFilter(method="filter_target_kind")
    kind = MultiValueFilter(method="filter_kind")

    not_applicable = INITIATIVE_ONLY
    table_label = gettext_lazy("指标")

    class Meta:
        model = Target
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Target.objects.visible()
        super().__init__(data, queryset=queryset, **kwargs)
        self._setup_parsers()

    def parsers(self):
        return {
            "province": self._parse_province,
            "region": self._parse_region,
            "year": parse_year,
            "indicator": lambda raw: None if "\x00" in raw else raw[:80],
            "target_kind": lambda raw: raw if raw in Target.Kind.values else None,
            "kind": self._parse_kind,
        }

    @property
    def notices(self):
        return self.rejected_notices()

    def filter_province(self, queryset, name, value):
        return queryset.filter(region__province_id__in=value)

    def filter_region(self, queryset, name, value):
        condition = region_q(value, TARGET_REGION_COLUMNS)
        return queryset if condition is None else queryset.filter(condition)

    def filter_year(self, queryset, name, value):
        return queryset.filter(year__in=value)

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(in_force_q(value))

    def filter_indicator(self, queryset, name, value):
        return queryset.filter(indicator__in=value)

    def filter_target_kind(self, queryset, name, value):
        return queryset.filter(kind__in=value)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(document__kind__in=value)

    def filtered(self, leave_out=()):
        qs = self.queryset.all()
        for name, value in self.cleaned().items():
            if name not in leave_out:
                qs = self.filters[name].filter(qs, value)
        return qs

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.filtered().order_by(F("year").desc(nulls_last=True), "indicator", "pk")
        return self._qs
