"""Facet counts for the search page: one function per facet.

Each facet counts with every *other* active filter applied (``filter_set.filtered(leave_out=…)``),
so choosing a second value in a facet (OR) shows what it would add. Counts come from
GROUP BYs in the database; names come from the in-memory gazetteer and the vocabularies
the filter set already loaded, so a facet costs one query (the place drill-down two).
"""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import get_language

from initiatives.filters import PLACE, YEARS
from initiatives.models import Document, Initiative, InitiativeRegion
from regions.gazetteer import COUNTY, PREFECTURE, PROVINCE, gazetteer

MAX_INSTRUMENTS = 20


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str = ""


def toggled(data, name, value, also_drop=()):
    """The querystring with ``value`` added to or removed from ``name`` (page reset)."""
    params = data.copy()
    params.pop("page", None)
    values = [v for v in params.getlist(name) if v]
    if value in values:
        values.remove(value)
        for other_name, other_values in also_drop:
            params.setlist(
                other_name, [v for v in params.getlist(other_name) if v not in other_values]
            )
    else:
        values.append(value)
    params.setlist(name, values)
    return "?" + params.urlencode()


def without(data, *names):
    params = data.copy()
    params.pop("page", None)
    for name in names:
        params.pop(name, None)
    return "?" + params.urlencode()


def _facet(filter_set, name, items):
    """FacetValues with their toggle links; ``items`` is (value, label, count, selected)."""
    return [
        FacetValue(value, label, count, selected, toggled(filter_set.data, name, value))
        for value, label, count, selected in items
    ]


def province_facet(filter_set):
    """All provinces with counts; the place filters (province, region) left out."""
    base = filter_set.filtered(leave_out=PLACE)
    counts = dict(
        InitiativeRegion.objects.filter(initiative__in=base.values("pk"), province__isnull=False)
        .values_list("province_id")
        .annotate(n=Count("initiative_id", distinct=True))
        .order_by()
    )
    chosen = filter_set.active("province") or []
    places = sorted(
        (p for p in gazetteer().by_code.values() if p.level == PROVINCE), key=lambda p: p.code
    )
    facet = []
    for place in places:
        # Removing a province also removes the cities and counties chosen inside it.
        inside = [
            code for code in (filter_set.active("region") or []) if _is_below(code, place.code)
        ]
        url = toggled(filter_set.data, "province", place.code, also_drop=[("region", inside)])
        facet.append(
            FacetValue(
                place.code,
                place.short_name if get_language() != "en" else place.name,
                counts.get(place.code, 0),
                place.code in chosen,
                url,
            )
        )
    return facet


def _is_below(code, ancestor):
    place = gazetteer().get(code)
    return place is not None and ancestor in (place.province_code, place.prefecture_code)


def place_children_facet(filter_set):
    """Under each chosen province (and chosen city), its cities and counties with counts.

    Returns ``[(parent FacetValue, [child FacetValue…])…]``; the ``region`` filter is left
    out, the ``province`` filter applies.
    """
    gaz = gazetteer()
    chosen_regions = filter_set.active("region") or []
    parents = list(filter_set.active("province") or [])
    parents += [c for c in chosen_regions if gaz.get(c).level in (PROVINCE, PREFECTURE)]
    parents = list(dict.fromkeys(parents))
    if not parents:
        return []
    base = filter_set.filtered(leave_out=("region",)).values("pk")
    rows = InitiativeRegion.objects.filter(initiative__in=base)
    provinces = [c for c in parents if gaz.get(c).level == PROVINCE]
    counts = {}
    if provinces:
        counts.update(
            rows.filter(province_id__in=provinces, prefecture__isnull=False)
            .values_list("prefecture_id")
            .annotate(n=Count("initiative_id", distinct=True))
            .order_by()
        )
    # Counties: below a chosen city, or directly below a chosen province (municipalities).
    county_rows = rows.filter(region_id__in=_county_codes(parents))
    counts.update(
        county_rows.values_list("region_id")
        .annotate(n=Count("initiative_id", distinct=True))
        .order_by()
    )
    groups = []
    for parent in parents:
        place = gaz.get(parent)
        children = sorted(
            (p for p in gaz.by_code.values() if p.parent_code == parent), key=lambda p: p.code
        )
        items = [
            (child.code, child.name, counts.get(child.code, 0), child.code in chosen_regions)
            for child in children
            if child.level in (PREFECTURE, COUNTY)
        ]
        items = [item for item in items if item[2] or item[3]]
        head = FacetValue(parent, place.name, 0, True)
        groups.append((head, _facet(filter_set, "region", items)))
    return groups


def _county_codes(parents):
    parents = set(parents)
    return [
        p.code
        for p in gazetteer().by_code.values()
        if p.level == COUNTY and p.parent_code in parents
    ]


def theme_facet(filter_set):
    base = filter_set.filtered(leave_out=("theme",)).values("pk")
    through = Initiative.themes.through
    counts = dict(
        through.objects.filter(initiative_id__in=base)
        .values_list("theme_id")
        .annotate(n=Count("initiative_id"))
        .order_by()
    )
    chosen = filter_set.active("theme") or []
    english = get_language() == "en"
    items = [
        (key, theme.name_en if english else theme.name_zh, counts.get(theme.pk, 0), key in chosen)
        for key, theme in filter_set.themes.items()
    ]
    return _facet(filter_set, "theme", items)


def instrument_facet(filter_set):
    """Instruments used by the matching initiatives (most used first), plus chosen ones."""
    base = filter_set.filtered(leave_out=("instrument",)).values("pk")
    through = Initiative.instruments.through
    counts = dict(
        through.objects.filter(initiative_id__in=base)
        .values_list("policyinstrument_id")
        .annotate(n=Count("initiative_id"))
        .order_by()
    )
    chosen = filter_set.active("instrument") or []
    english = get_language() == "en"
    items = [
        (str(pk), inst.name_en if english else inst.name, counts.get(pk, 0), pk in chosen)
        for pk, inst in filter_set.instruments.items()
        if counts.get(pk) or pk in chosen
    ]
    items.sort(key=lambda item: (-item[2], item[1]))
    # The most used ones (and every chosen one): a list of ninety helps nobody.
    items = [item for n, item in enumerate(items) if n < MAX_INSTRUMENTS or item[3]]
    # Links carry the slug, which reads better in a shared URL than an id.
    slugs = {str(pk): inst.slug for pk, inst in filter_set.instruments.items()}
    data = filter_set.data.copy()
    data.setlist("instrument", [_slug_of(v, filter_set) for v in data.getlist("instrument")])
    return [
        FacetValue(slugs[value], label, count, selected, toggled(data, "instrument", slugs[value]))
        for value, label, count, selected in items
    ]


def _slug_of(raw, filter_set):
    if raw.isdigit() and int(raw) in filter_set.instruments:
        return filter_set.instruments[int(raw)].slug
    return raw


def year_and_kind_facets(filter_set):
    """Both facets from one GROUP BY (year × document kind), each side filtered in Python.

    Returns ``(years, kinds, total)``: the cells that pass both filters add up to the number
    of results, which spares the page a COUNT over every match.
    """
    base = filter_set.filtered(leave_out=(*YEARS, "kind"))
    cells = list(base.values_list("year", "document__kind").annotate(n=Count("pk")).order_by())
    kinds_chosen = filter_set.active("kind") or []
    years_chosen = filter_set.active("year") or []
    year_min, year_max = filter_set.active("year_min"), filter_set.active("year_max")

    def year_passes(year):
        if not (years_chosen or year_min or year_max):
            return True
        if year is None:
            return False
        return (
            (not years_chosen or year in years_chosen)
            and (year_min is None or year >= year_min)
            and (year_max is None or year <= year_max)
        )

    by_year, by_kind, total = {}, {}, 0
    for year, kind, n in cells:
        kind_passes = not kinds_chosen or kind in kinds_chosen
        if year is not None and kind_passes:
            by_year[year] = by_year.get(year, 0) + n
        if year_passes(year):
            by_kind[kind] = by_kind.get(kind, 0) + n
            if kind_passes:
                total += n
    years = sorted(set(by_year) | set(years_chosen), reverse=True)
    year_items = [(str(y), str(y), by_year.get(y, 0), y in years_chosen) for y in years]
    kind_items = [
        (value, label, by_kind.get(value, 0), value in kinds_chosen)
        for value, label in Document.Kind.choices
        if by_kind.get(value) or value in kinds_chosen
    ]
    return _facet(filter_set, "year", year_items), _facet(filter_set, "kind", kind_items), total


@dataclass
class Chip:
    label: str
    url: str


def active_chips(filter_set):
    """One removable chip per active filter value (the order of the querystring)."""
    data, gaz = filter_set.data, gazetteer()
    english = get_language() == "en"
    chips = []
    text = filter_set.query[0]
    if text and filter_set.terms:
        chips.append(Chip(f"“{text}”", without(data, "q")))
    kinds = dict(Document.Kind.choices)
    labels = {
        "province": lambda v: gaz.get(v).name,
        "region": lambda v: gaz.path_name(v) or gaz.get(v).name,
        "theme": lambda v: (
            filter_set.themes[v].name_en if english else filter_set.themes[v].name_zh
        ),
        "year": str,
        "instrument": lambda v: (
            filter_set.instruments[v].name_en if english else filter_set.instruments[v].name
        ),
        "kind": lambda v: str(kinds[v]),
    }
    raw_values = {"instrument": data.getlist("instrument"), "year": data.getlist("year")}
    for name, label in labels.items():
        for value in filter_set.active(name) or []:
            raw = _raw_for(name, value, raw_values, filter_set)
            chips.append(Chip(label(value), toggled(data, name, raw)))
    for name, sign in (("year_min", "≥"), ("year_max", "≤")):
        value = filter_set.active(name)
        if value is not None:
            chips.append(Chip(f"{sign} {value}", without(data, name)))
    return chips


def _raw_for(name, value, raw_values, filter_set):
    """The querystring spelling of a clean value (instrument id or slug, year "2019")."""
    if name == "instrument":
        for raw in raw_values["instrument"]:
            if raw in (str(value), filter_set.instruments[value].slug):
                return raw
    if name == "year":
        for raw in raw_values["year"]:
            if raw.strip() == str(value):
                return raw
    return str(value)


GROUPS = [("q",), PLACE, ("theme",), YEARS, ("instrument",), ("kind",)]


def relaxations(filter_set):
    """For an empty result: which filter to drop, and how many results that would give.

    Only called when nothing matched; costs one COUNT per active filter group.
    """
    cleaned = filter_set.cleaned()
    suggestions = []
    for group in GROUPS:
        if not any(cleaned.get(name) not in (None, "", []) for name in group):
            continue
        if group == ("q",) and not filter_set.terms:
            continue
        count = filter_set.filtered(leave_out=group).count()
        if count:
            suggestions.append((group[0], count, without(filter_set.data, *group)))
    suggestions.sort(key=lambda s: -s[1])
    return suggestions
