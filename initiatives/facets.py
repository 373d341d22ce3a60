"""Facet counts for the search page, all from one statement over the text matches.

Each facet counts with every *other* active filter applied, so choosing a second value in a
facet (OR) shows what it would add. Counting each facet with its own query over every match
repeats the full-text match once per facet, which for a common word (就业) is most of the
table (DESIGN.md, "Search"). Instead ``facet_counts`` runs one statement: the matches of
the query text (and the visibility rule) are materialised once as ``m(id, year, kind)``, and
one GROUP BY per facet reads that set, each with the other facets' filters as conditions:

- year × document kind cells (place, theme and instrument filters applied): the year and
  kind facets are derived from them in Python, each under the other's filter, and the cells
  that pass both add up to the number of results (the page needs no COUNT of its own);
- provinces (distinct initiatives: one may have several regions in one province);
- themes, and without a theme filter by theme and year: summed, the theme facet; the cells
  with a year, the theme × year chart (``FacetCounts.theme_years``), which then needs no
  statement of its own (with a theme filter it is one narrow query, ``theme_year_cells``);
- instruments.

The result is kept on the filter set, so every facet function below (and the JSON API)
shares it. Names come from the in-memory gazetteer and the vocabularies the filter set has
already loaded. The place drill-down (only when a place is chosen) is one more query.
"""

import sqlite3
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count
from django.utils.translation import get_language

from initiatives import charts
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


# Counting ---------------------------------------------------------------------------------

# The facet groups: the parameters each facet leaves out of its own counts.
FACET_GROUPS = {
    "place": PLACE,
    "theme": ("theme",),
    "year": YEARS,
    "instrument": ("instrument",),
    "kind": ("kind",),
}
FACETED = tuple(name for group in FACET_GROUPS.values() for name in group)


@dataclass
class FacetCounts:
    """Every facet's counts for one filter set (see the module docstring)."""

    cells: list  # (year, kind, n): place, theme and instrument filters applied
    provinces: dict  # province code -> initiatives
    themes: dict  # theme id -> initiatives
    instruments: dict  # instrument id -> initiatives
    theme_years: dict | None  # (theme id, year) -> initiatives: the chart; None: theme filter


def facet_counts(filter_set):
    """The filter set's ``FacetCounts``, computed on first use (one query)."""
    counts = getattr(filter_set, "_facet_counts", None)
    if counts is None:
        counts = filter_set._facet_counts = _count(filter_set)
    return counts


def _count(filter_set):
    using = filter_set.queryset.db
    connection = connections[using]
    # The rows every facet starts from: the filter set's own queryset (visible initiatives)
    # and the query text, without any facet filter.
    base = filter_set.filtered(leave_out=FACETED).order_by()
    base = base.values_list("pk", "year", "document__kind")
    base_sql, params = base.query.get_compiler(using=using).as_sql()
    conditions = _conditions(filter_set, using)

    def where(leave_out, *extra):
        """``AND …`` for every active facet filter but ``leave_out``'s."""
        clauses, args = list(extra), []
        for group, (sql, group_params) in conditions.items():
            if group not in leave_out:
                clauses.append(sql)
                args.extend(group_params)
        return "".join(f" AND {clause}" for clause in clauses), args

    # CROSS JOIN … WHERE: SQLite then keeps m as the outer loop and seeks each match in the
    # link tables' (initiative_id, …) covering indexes (migration 0006) instead of building
    # an index on m and reading every link; PostgreSQL plans it like any inner join.
    region = InitiativeRegion._meta.db_table
    themes = Initiative.themes.through._meta.db_table
    instruments = Initiative.instruments.through._meta.db_table
    # Every branch: (tag, number, text, year, passes, n).
    selects = []
    clause, args = where(("year", "kind"))
    selects.append(
        (
            f"SELECT 'c', m.year, m.kind, CAST(NULL AS INTEGER), 1, COUNT(*) FROM m WHERE 1 = 1{clause}"
            " GROUP BY m.year, m.kind",
            args,
        )
    )
    clause, args = where(("place",), "r.province_id IS NOT NULL")
    selects.append(
        (
            # An initiative with two regions in one province counts once there.
            "SELECT 'p', NULL, p.province_id, NULL, 1, COUNT(*) FROM (SELECT DISTINCT"
            f" r.initiative_id, r.province_id FROM m CROSS JOIN {region} r"
            f" WHERE r.initiative_id = m.id{clause}) p GROUP BY p.province_id",
            args,
        )
    )
    clause, args = where(("theme",))
    # Without a theme filter, the theme facet's cells per year are the chart's. With one,
    # the chart (every filter applied) is a narrow query of its own: testing the theme
    # filter on every link row here cost more than it (theme_year_cells below).
    by_year = "theme" not in conditions
    selects.append(
        (
            f"SELECT 't', t.theme_id, NULL, {'m.year' if by_year else 'NULL'}, 1, COUNT(*)"
            f" FROM m CROSS JOIN {themes} t WHERE t.initiative_id = m.id{clause}"
            f" GROUP BY t.theme_id{', m.year' if by_year else ''}",
            args,
        )
    )
    clause, args = where(("instrument",))
    selects.append(
        (
            f"SELECT 'i', t.policyinstrument_id, NULL, NULL, 1, COUNT(*) FROM m CROSS JOIN"
            f" {instruments} t WHERE t.initiative_id = m.id{clause}"
            " GROUP BY t.policyinstrument_id",
            args,
        )
    )
    sql = "WITH m (id, year, kind) AS {}({}) {}".format(
        _materialized(connection, bool(filter_set.terms) or not conditions),
        base_sql,
        " UNION ALL ".join(sql for sql, _ in selects),
    )
    params = [*params, *(arg for _, args in selects for arg in args)]
    counts = FacetCounts([], {}, {}, {}, {} if by_year else None)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for tag, number, text, year, _, n in cursor.fetchall():
            if tag == "c":
                counts.cells.append((number, text, n))
            elif tag == "p":
                counts.provinces[text] = n
            elif tag == "t":
                counts.themes[number] = counts.themes.get(number, 0) + n
                if by_year and year is not None:
                    counts.theme_years[(number, year)] = n
            else:
                counts.instruments[number] = n
    return counts


def _materialized(connection, share):
    """Compute the matches once, not once per GROUP BY (SQLite 3.35+, PostgreSQL 12+).

    SQLite without a query text but with facet filters: nothing costly to share, and each
    GROUP BY inlined starts from its most selective filter (province=440000&theme=skills:
    3× faster at 100,000 rows). PostgreSQL is faster materialised in every case measured.
    """
    if connection.vendor != "sqlite":
        return "MATERIALIZED "
    if sqlite3.sqlite_version_info < (3, 35):
        return ""
    return "MATERIALIZED " if share else "NOT MATERIALIZED "


def _conditions(filter_set, using):
    """``{facet group: (SQL over m, params)}`` for each active facet filter.

    Region, theme and instrument filters are the filter set's own ``initiative_id``
    subqueries (``InitiativeFilter.ids_matching``); years and kinds test m's columns the way
    ``filter_year``, ``year_min``/``year_max`` and ``filter_kind`` do.
    """
    conditions = {}

    def add(group, sql, args):
        if group in conditions:
            sql = f"{conditions[group][0]} AND {sql}"
            args = [*conditions[group][1], *args]
        conditions[group] = (sql, list(args))

    for group, name in (
        ("place", "province"),
        ("place", "region"),
        ("theme", "theme"),
        ("instrument", "instrument"),
    ):
        value = filter_set.active(name)
        if not value:
            continue
        ids = filter_set.ids_matching(name, value)
        if ids is not None:
            sub_sql, sub_params = ids.query.get_compiler(using=using).as_sql()
            add(group, f"m.id IN ({sub_sql})", sub_params)
    years = filter_set.active("year")
    if years:
        add("year", "m.year IN ({})".format(", ".join(["%s"] * len(years))), years)
    for name, sign in (("year_min", ">="), ("year_max", "<=")):
        value = filter_set.active(name)
        if value is not None:
            add("year", f"m.year {sign} %s", [value])
    kinds = filter_set.active("kind")
    if kinds:
        add("kind", "m.kind IN ({})".format(", ".join(["%s"] * len(kinds))), kinds)
    return conditions


def theme_year_cells(filter_set):
    """The theme × year chart's ``{(theme id, year): n}`` under every filter."""
    cells = facet_counts(filter_set).theme_years
    if cells is None:
        cells = charts.theme_year_cells(filter_set.filtered())
    return cells


def province_facet(filter_set):
    """All provinces with counts; the place filters (province, region) left out."""
    counts = facet_counts(filter_set).provinces
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
    counts = facet_counts(filter_set).themes
    chosen = filter_set.active("theme") or []
    english = get_language() == "en"
    items = [
        (key, theme.name_en if english else theme.name_zh, counts.get(theme.pk, 0), key in chosen)
        for key, theme in filter_set.themes.items()
    ]
    return _facet(filter_set, "theme", items)


def instrument_facet(filter_set):
    """Instruments used by the matching initiatives (most used first), plus chosen ones."""
    counts = facet_counts(filter_set).instruments
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
    if raw.isascii() and raw.isdigit() and int(raw) in filter_set.instruments:
        return filter_set.instruments[int(raw)].slug
    return raw


def year_and_kind_facets(filter_set):
    """Both facets from the year × document kind cells, each side filtered in Python.

    Returns ``(years, kinds, total)``: the cells that pass both filters add up to the number
    of results, which spares the page a COUNT over every match.
    """
    cells = facet_counts(filter_set).cells
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
