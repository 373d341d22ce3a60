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

How each parameter is read and reported (forms, errors, places, years) is
``initiatives.search.parameters``; this module holds the two filter sets.
"""

from functools import cached_property

import django_filters
import numpy as np
from django.db import connections
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.models import Initiative, InitiativeRegion, PolicyInstrument, Target
from initiatives.models import Theme as ThemeModel
from initiatives.search import facet_index, index_build, index_masks
from initiatives.search import fulltext as search
from initiatives.search import query as query_syntax
from initiatives.search.parameters import (
    INITIATIVE_ONLY,
    MAX_QUERY_LENGTH,
    SORT_NEWEST,
    SORT_REGION,
    SORT_RELEVANCE,
    SORTS,
    TARGET_ONLY,
    YEARS,
    MultiValueFilter,
    RegionFilterMixin,
    YearFilter,
    in_force_q,
    parse_year,
)
from initiatives.search.segmentation import MAX_QUERY_TERMS, query_plan, query_terms
from regions.gazetteer import COUNTY, NATIONAL, PREFECTURE, PROVINCE, gazetteer


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
        # With their synonyms: the query parser reads instruments' names in ``q``.
        return {i.pk: i for i in PolicyInstrument.objects.all()}

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
            names = query_syntax.instrument_names(self.instruments.values()) if text else {}
            self._parsed = (text, query_syntax.parse(text, names))
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

    @cached_property
    def instrument_terms(self):
        """``[(instrument id, terms)]`` per instrument named in ``q`` (``创业担保贷款``): each
        matches the initiatives whose text holds its ``terms`` OR tagged with it."""
        found = []
        for token, (pk, _slug, _name) in self.parsed.instruments:
            terms = tuple(query_terms(token.text))
            if terms and (pk, terms) not in found:
                found.append((pk, terms))
        return found

    @property
    def searched(self):
        """Whether ``q`` searches anything (words, phrases, OR groups, instruments)."""
        return bool(self.terms or self.instrument_terms)

    @property
    def rank_terms(self):
        """The terms whose text rank orders the results by relevance: the words searched,
        or with only instruments named, any of their names (rows tagged without the word
        come after those holding it)."""
        if self.terms or not self.instrument_terms:
            return self.terms
        options = tuple(dict.fromkeys(terms for _pk, terms in self.instrument_terms))
        if len(options) == 1:
            return list(options[0])
        return [query_syntax.AnyOf(options)]

    def instrument_q(self, pk, terms):
        """A ``Q`` over initiatives: the text holds ``terms`` or it is tagged with ``pk``."""
        return search.matching(list(terms)) | Q(
            pk__in=Subquery(self.ids_matching("instrument", [pk]))
        )

    @property
    def highlight_terms(self):
        """The query words and the pieces they may be matched by; phrases as typed."""
        words, phrases = [], []
        named = [list(terms) for _pk, terms in self.instrument_terms]
        for term in [*self.terms, *named]:
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
        if chosen in SORTS and (chosen != SORT_RELEVANCE or self.searched):
            return chosen
        return SORT_RELEVANCE if self.searched else SORT_NEWEST

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
        for pk, words in self.instrument_terms:
            queryset = queryset.filter(self.instrument_q(pk, words))
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
        # Rank while matching when every match is a result (no other filter): the
        # ranking scan also finds the matches. SQLite always: bm25 needs that scan.
        rank_now = self.sort_key == SORT_RELEVANCE and (
            not masks or connections[self.queryset.db].vendor == "sqlite"
        )
        if self.terms:
            text = facet_index.text_matches(index, self.terms, rank_now, using=self.queryset.db)
            masks["q"] = index_masks.rows_mask(index, text.rows)
        # An instrument named: its word in the text or its tag; tagged rows rank first.
        boost = None
        for pk, words in self.instrument_terms:
            ranked = rank_now and list(words) == self.rank_terms  # ranks the results too
            found = facet_index.text_matches(index, words, ranked, using=self.queryset.db)
            tagged = index_masks.links_mask(index, index.instrument_row, index.instrument_id == pk)
            either = index_masks.rows_mask(index, found.rows) | tagged
            masks["q"] = masks.get("q", index.live()) & either
            boost = tagged.astype(np.int64) + (0 if boost is None else boost)
        if boost is not None and text is None and self.sort_key == SORT_RELEVANCE:
            text = facet_index.text_matches(index, self.rank_terms, False, using=self.queryset.db)
        # Places named in the box and excluded words belong to ``q`` (one chip, one
        # relaxation): they narrow its mask.
        codes = self.parsed.region_codes
        if codes:
            masks["q"] = masks.get("q", index.live()) & region_mask(index, codes)
        for excluded in self.excluded_terms:
            found = facet_index.text_matches(index, excluded, False, using=self.queryset.db)
            masks["q"] = masks.get("q", index.live()) & ~index_masks.rows_mask(index, found.rows)
        return index_masks.Selection(index, masks, text, boost)

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
        if sort == SORT_RELEVANCE and self.instrument_terms:
            # As ``selection``: tagged with more named instruments first, then text rank.
            tagged = Initiative.instruments.through.objects.filter(
                initiative_id=OuterRef("pk"),
                policyinstrument_id__in=[pk for pk, _terms in self.instrument_terms],
            )
            qs = qs.annotate(
                boost=Coalesce(
                    Subquery(
                        tagged.order_by()
                        .values("initiative_id")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                )
            )
            if not self.terms:
                # Only instruments named: tagged rows may not hold any word (no rank).
                return search.order_by_rank_or_last(
                    qs, self.rank_terms, F("boost").desc(), F("year").desc(nulls_last=True), "pk"
                )
            ranked = search.order_by_rank(qs, self.terms, F("year").desc(nulls_last=True), "pk")
            return ranked.order_by(F("boost").desc(), *ranked.query.order_by)
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
    """Targets: the same region/year/document-kind parameters, plus indicator and kind.

    ``q``, ``theme`` and ``instrument`` select targets through the initiative they belong to,
    read exactly as the search page reads them (one ``InitiativeFilter`` holds them): the
    words of ``q`` are searched in the initiatives' full-text index, so a target that belongs
    to no initiative is never matched by a word (its own sentence is a short figure, not
    indexed); places named in ``q`` restrict the target's own region, as ``region`` does;
    excluded words (``-贷款``) drop targets whose initiative matches them."""

    q = django_filters.CharFilter(method="filter_q", strip=True)
    province = MultiValueFilter(method="filter_province")
    region = MultiValueFilter(method="filter_region")
    theme = MultiValueFilter(method="filter_through_initiative")
    year = MultiValueFilter(method="filter_year")
    year_min = YearFilter(field_name="year", lookup_expr="gte")
    year_max = YearFilter(field_name="year", lookup_expr="lte")
    in_force = YearFilter(method="filter_in_force")
    instrument = MultiValueFilter(method="filter_through_initiative")
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

    @cached_property
    def initiative_side(self):
        """The ``q`` text read by the initiatives' filter set (its parser, terms and notices);
        its theme and instrument vocabularies check this filter set's values."""
        data = QueryDict(mutable=True)
        if self.is_bound and self.data.get("q"):
            data["q"] = self.data.get("q")
        return InitiativeFilter(data, queryset=Initiative.objects.all())

    @property
    def themes(self):
        return self.initiative_side.themes

    @property
    def instruments(self):
        return self.initiative_side.instruments

    @property
    def terms(self):
        return self.initiative_side.terms

    @property
    def parsed(self):
        return self.initiative_side.parsed

    def parsers(self):
        return {
            "province": self._parse_province,
            "region": self._parse_region,
            "theme": self.initiative_side._parse_theme,
            "year": parse_year,
            "instrument": self.initiative_side._parse_instrument,
            "indicator": lambda raw: None if "\x00" in raw else raw[:80],
            "target_kind": lambda raw: raw if raw in Target.Kind.values else None,
            "kind": self._parse_kind,
        }

    @property
    def notices(self):
        query_notices = self.initiative_side.query[2] if self.cleaned().get("q") else []
        return query_notices + self.rejected_notices()

    def filter_q(self, queryset, name, value):
        side = self.initiative_side
        if side.terms:
            found = Initiative.objects.filter(search.matching(side.terms)).values("pk")
            queryset = queryset.filter(initiative_id__in=Subquery(found))
        for pk, words in side.instrument_terms:
            found = Initiative.objects.filter(side.instrument_q(pk, words)).values("pk")
            queryset = queryset.filter(initiative_id__in=Subquery(found))
        codes = side.parsed.region_codes
        if codes:
            condition = region_q(codes, TARGET_REGION_COLUMNS)
            if condition is not None:
                queryset = queryset.filter(condition)
        for excluded in side.excluded_terms:
            found = Initiative.objects.filter(search.matching(excluded)).values("pk")
            queryset = queryset.exclude(initiative_id__in=Subquery(found))
        return queryset

    def filter_through_initiative(self, queryset, name, value):
        ids = self.initiative_side.ids_matching(name, value)
        return queryset.filter(initiative_id__in=Subquery(ids))

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
