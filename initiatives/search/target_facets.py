"""The targets page's facets: each one counted in SQL with every other filter applied (a
GROUP BY over ``TargetFilter.filtered``), as the search page counts its own."""

from django.db.models import Count
from django.utils.translation import get_language

from initiatives.models import Document, PolicyInstrument, Target
from initiatives.search.facets import FacetValue, toggled
from regions.gazetteer import PROVINCE, gazetteer

MAX_VALUES = 30  # indicators, instruments: the most frequent ones, plus any chosen


def _counts(filter_set, leave_out, column):
    rows = (
        filter_set.filtered(leave_out=leave_out)
        .order_by()
        .values_list(column)
        .annotate(n=Count("pk", distinct=True))
    )
    return {value: n for value, n in rows if value is not None and value != ""}


def _facet(filter_set, name, items, limit=None):
    """FacetValues, chosen values first; ``items``: (value, label, count), biggest first."""
    chosen = [str(v) for v in (filter_set.cleaned().get(name) or [])]
    items = sorted(items, key=lambda item: (str(item[0]) not in chosen, -item[2]))
    if limit is not None:
        items = [item for n, item in enumerate(items) if n < limit or str(item[0]) in chosen]
    return [
        FacetValue(
            str(value), str(label), count, str(value) in chosen, _toggle(filter_set, name, value)
        )
        for value, label, count in items
    ]


def _toggle(filter_set, name, value):
    return toggled(filter_set.data, name, str(value))


def province_facet(filter_set):
    counts = _counts(filter_set, ("province", "region"), "region__province_id")
    places = [gazetteer().get(code) for code in counts]
    items = [
        (p.code, p.display_short_name, counts[p.code])
        for p in places
        if p is not None and p.level == PROVINCE
    ]
    return _facet(filter_set, "province", sorted(items, key=lambda item: item[0]))


def year_facet(filter_set):
    counts = _counts(filter_set, ("year", "year_min", "year_max"), "year")
    items = [(year, year, n) for year, n in sorted(counts.items(), reverse=True)]
    chosen = filter_set.cleaned().get("year") or []
    return [
        FacetValue(str(y), str(y), n, y in chosen, _toggle(filter_set, "year", y))
        for y, _label, n in items
    ]


def theme_facet(filter_set):
    counts = _counts(filter_set, ("theme",), "initiative__themes__key")
    english = get_language() == "en"
    items = [
        (key, theme.name_en if english else theme.name_zh, counts[key])
        for key, theme in filter_set.themes.items()
        if key in counts
    ]
    return _facet(filter_set, "theme", items)


def instrument_facet(filter_set):
    counts = _counts(filter_set, ("instrument",), "initiative__instruments")
    english = get_language() == "en"
    names = PolicyInstrument.objects.in_bulk(list(counts))
    items = [
        (pk, (i.name_en or i.name) if english else i.name, counts[pk]) for pk, i in names.items()
    ]
    return _facet(filter_set, "instrument", items, MAX_VALUES)


def indicator_facet(filter_set):
    counts = _counts(filter_set, ("indicator",), "indicator")
    return _facet(filter_set, "indicator", [(k, k, n) for k, n in counts.items()], MAX_VALUES)


def target_kind_facet(filter_set):
    counts = _counts(filter_set, ("target_kind",), "kind")
    items = [(value, label, counts.get(value, 0)) for value, label in Target.Kind.choices]
    return _facet(filter_set, "target_kind", items)


def document_kind_facet(filter_set):
    counts = _counts(filter_set, ("kind",), "document__kind")
    items = [(v, label, counts[v]) for v, label in Document.Kind.choices if v in counts]
    return _facet(filter_set, "kind", items)
