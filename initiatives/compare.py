"""Regions side by side: the policy instruments each uses, and their targets per indicator.

``/compare/?region=A&region=B`` (+ ``theme`` and ``year``, as on the search page). The
instrument counts come from the facet index, one filter set per region, so every count is
what the search page shows for that region and links to it; the targets are one bounded
query per region.
"""

from urllib.parse import urlencode

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from initiatives.models import Target, Theme
from initiatives.search import facets
from initiatives.search.filters import TARGET_REGION_COLUMNS, InitiativeFilter, region_q
from initiatives.search.parameters import parse_year
from regions.gazetteer import NATIONAL, gazetteer
from regions.models import Region

MAX_REGIONS = 6
# Targets read per region (newest first); a region with more shows these and says so.
MAX_TARGETS_PER_REGION = 300


def _choices(params):
    """``(region codes, theme key or None, year or None, notices)`` from the parameters."""
    gaz, notices, codes = gazetteer(), [], []
    for raw in params.getlist("region"):
        place = gaz.get(raw) if raw.isascii() and raw.isdigit() else None
        if place is None or place.level == NATIONAL:
            if raw:
                notices.append(_("“%(value)s”不是地区代码，已忽略。") % {"value": raw[:40]})
        elif raw not in codes:
            codes.append(raw)
    if len(codes) > MAX_REGIONS:
        notices.append(_("一次最多比较 %(n)d 个地区，只用了前 %(n)d 个。") % {"n": MAX_REGIONS})
        codes = codes[:MAX_REGIONS]
    theme = params.get("theme") or None
    if theme is not None and not Theme.objects.filter(key=theme).exists():
        notices.append(_("“%(value)s”不是主题，已忽略。") % {"value": theme[:40]})
        theme = None
    raw_year = params.get("year") or None
    year = parse_year(raw_year) if raw_year else None
    if raw_year and year is None:
        notices.append(_("“%(value)s”不是年份，已忽略。") % {"value": raw_year[:40]})
    return codes, theme, year, notices


def _scope(code, theme, year):
    """The search page's parameters for one region under the chosen filters."""
    pairs = [("region", code)]
    if theme:
        pairs.append(("theme", theme))
    if year is not None:
        pairs.append(("year", str(year)))
    return pairs


def instrument_matrix(codes, theme, year):
    """Rows of ``(instrument, [(count, search url) per region])``, most used first."""
    english = get_language() == "en"
    search = reverse("initiative_list")
    counts, instruments = [], {}
    for code in codes:
        filter_set = InitiativeFilter(QueryDict(urlencode(_scope(code, theme, year))))
        counts.append(facets.facet_counts(filter_set).instruments)
        instruments = filter_set.instruments
    used = {pk for region_counts in counts for pk, n in region_counts.items() if n}
    rows = []
    for pk in used:
        instrument = instruments[pk]
        cells = []
        for code, region_counts in zip(codes, counts, strict=True):
            n = region_counts.get(pk, 0)
            query = urlencode([*_scope(code, theme, year), ("instrument", instrument.slug)])
            cells.append((n, f"{search}?{query}" if n else ""))
        label = instrument.name_en if english else instrument.name
        rows.append({"instrument": instrument, "label": label, "cells": cells})
    rows.sort(key=lambda row: (-sum(n for n, _url in row["cells"]), row["label"]))
    return rows


def target_rows(codes, year):
    """Targets side by side: one row per canonical indicator (or label), kind and period;
    in each region's cell its figures for that row. Returns ``(rows, cut)``: ``cut`` names
    the regions whose targets were more than ``MAX_TARGETS_PER_REGION``."""
    english = get_language() == "en"
    by_row, cut = {}, []
    for column, code in enumerate(codes):
        qs = Target.objects.visible().select_related("canonical_indicator")
        condition = region_q([code], TARGET_REGION_COLUMNS)
        if condition is not None:
            qs = qs.filter(condition)
        if year is not None:
            qs = qs.filter(year=year)
        found = list(
            qs.only(
                "indicator",
                "value",
                "unit",
                "comparator",
                "kind",
                "year",
                "year_start",
                "year_end",
                "canonical_indicator__name",
                "canonical_indicator__name_en",
                "canonical_indicator__position",
            ).order_by("-year", "pk")[: MAX_TARGETS_PER_REGION + 1]
        )
        if len(found) > MAX_TARGETS_PER_REGION:
            cut.append(gazetteer().get(code).display_name)
            found = found[:MAX_TARGETS_PER_REGION]
        for target in found:
            canonical = target.canonical_indicator
            if canonical is not None:
                name = canonical.name_en if english else canonical.name
                order = (0, canonical.position, name)
            else:
                name = target.indicator
                order = (1, 0, name)
            key = (order, target.kind, target.period_text)
            row = by_row.setdefault(
                key,
                {
                    "indicator": name,
                    "kind": target.get_kind_display(),
                    "period": target.period_text,
                    "cells": [[] for _code in codes],
                },
            )
            row["cells"][column].append(target)
    ordered = sorted(by_row.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]), reverse=False)
    return [row for _key, row in ordered], cut


def compare(request):
    codes, theme, year, notices = _choices(request.GET)
    gaz = gazetteer()
    regions = [
        {"code": c, "name": gaz.get(c).display_name, "path": gaz.display_path_name(c)}
        for c in codes
    ]
    ctx = {
        "notices": notices,
        "regions": regions,
        "theme": theme,
        "year": year,
        "themes": Theme.objects.order_by("position", "key"),
        "suggestions": _suggestions(codes, theme, year),
        "matrix": [],
        "targets": [],
        "cut": [],
    }
    if len(codes) >= 2:
        ctx["matrix"] = instrument_matrix(codes, theme, year)
        ctx["targets"], ctx["cut"] = target_rows(codes, year)
    return render(request, "initiatives/compare.html", ctx)


def _suggestions(codes, theme, year):
    """Regions to add: the first region's siblings (its neighbours in the gazetteer), else
    the provinces; each a link with that region added."""
    if len(codes) >= MAX_REGIONS:
        return []
    if codes:
        first = Region.objects.filter(code=codes[0]).only("parent_id").first()
        candidates = (
            Region.objects.filter(parent_id=first.parent_id) if first else Region.objects.none()
        )
    else:
        candidates = Region.objects.provinces()
    base = [("region", c) for c in codes]
    if theme:
        base.append(("theme", theme))
    if year is not None:
        base.append(("year", str(year)))
    return [
        {"name": r.display_name, "url": "?" + urlencode([*base, ("region", r.code)])}
        for r in candidates.exclude(code__in=codes).only("code", "name", "name_en").order_by("code")
    ]
