"""The search page's facets, chips and suggestions, from the filter set's facet-index masks.

Each facet counts with every *other* active filter applied, so choosing a second value in a
facet (OR) shows what it would add. The counting is array work on the in-memory facet index
(``initiatives.search.facet_index``: ``InitiativeFilter.selection``), gathered once per filter set
in ``FacetCounts``:

- year × document kind cells (every filter but the year and kind ones): the year and kind
  facets are derived from them in Python, each under the other's filter, and the cells
  that pass both add up to the number of results;
- provinces (distinct initiatives: one may have several regions in one province);
- themes, instruments; and the theme × year chart of the results (every filter).

The place drill-down counts cities and counties the same way with only the ``region``
filter left out. Names come from the in-memory gazetteer and the vocabularies the filter
set has already loaded.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from initiatives.models import Document
from initiatives.search.parameters import PLACE, YEARS
from initiatives.search.query import EXCLUDE, INSTRUMENT, REGION, WORD
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
    """The querystring with ``value`` added to or removed from ``name`` (page reset).

    Removing also removes ``also_drop``'s ``(name, values)``. Built from the pairs rather
    than a copied QueryDict: the search page makes about eighty of these per request.
    """
    values = [v for v in data.getlist(name) if v]
    removing = value in values
    if removing:
        values.remove(value)
    else:
        values.append(value)
    dropped = dict(also_drop) if removing else {}
    pairs = []
    for key, key_values in data.lists():
        if key == "page":
            continue
        if key == name:
            pairs.extend((key, v) for v in values)
            values = None
            continue
        pairs.extend((key, v) for v in key_values if v not in dropped.get(key, ()))
    if values:
        pairs.extend((name, v) for v in values)
    return "?" + urlencode(pairs)


def without(data, *names):
    pairs = [
        (key, v)
        for key, key_values in data.lists()
        if key != "page" and key not in names
        for v in key_values
    ]
    return "?" + urlencode(pairs)


def _facet(filter_set, name, items):
    """FacetValues with their toggle links; ``items`` is (value, label, count, selected)."""
    return [
        FacetValue(value, label, count, selected, toggled(filter_set.data, name, value))
        for value, label, count, selected in items
    ]


# Counting ---------------------------------------------------------------------------------


@dataclass
class FacetCounts:
    """Every facet's counts for one filter set (see the module docstring)."""

    cells: list  # (year, kind, n): every filter but the year and kind ones applied
    provinces: dict  # province code -> initiatives
    themes: dict  # theme id -> initiatives
    instruments: dict  # instrument id -> initiatives
    theme_years: dict  # (theme id, year) -> initiatives, every filter applied: the chart


def facet_counts(filter_set):
    """The filter set's ``FacetCounts``, computed on first use."""
    counts = getattr(filter_set, "_facet_counts", None)
    if counts is None:
        selection = filter_set.selection
        index = selection.index
        counts = filter_set._facet_counts = FacetCounts(
            cells=selection.year_kind_cells(leave_out=(*YEARS, "kind")),
            provinces=selection.region_counts(index.province_row, index.province, PLACE),
            themes=selection.link_counts(index.theme_row, index.theme_id, ("theme",)),
            instruments=selection.link_counts(
                index.instrument_row, index.instrument_id, ("instrument",)
            ),
            theme_years=selection.theme_years(),
        )
    return counts


def theme_year_cells(filter_set):
    """The theme × year chart's ``{(theme id, year): n}`` under every filter."""
    return facet_counts(filter_set).theme_years


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
                place.display_short_name,
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
    # The province filter applies, the region filter does not. An initiative may reach a
    # city through two of its counties: distinct per city.
    selection = filter_set.selection
    index = selection.index
    by_level = {
        PREFECTURE: selection.region_counts(index.prefecture_row, index.prefecture, ("region",)),
        COUNTY: selection.region_counts(index.link_row, index.link_region, ("region",)),
    }
    groups = []
    for parent in parents:
        place = gaz.get(parent)
        children = sorted(
            (p for p in gaz.by_code.values() if p.parent_code == parent), key=lambda p: p.code
        )
        items = [
            (
                child.code,
                child.display_name,
                by_level[child.level].get(child.code, 0),
                child.code in chosen_regions,
            )
            for child in children
            if child.level in (PREFECTURE, COUNTY)
        ]
        items = [item for item in items if item[2] or item[3]]
        head = FacetValue(parent, place.display_name, 0, True)
        groups.append((head, _facet(filter_set, "region", items)))
    return groups


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
    chips.extend(query_chips(filter_set))
    kinds = dict(Document.Kind.choices)
    labels = {
        "province": lambda v: gaz.get(v).display_name,
        "region": lambda v: gaz.display_path_name(v) or gaz.get(v).display_name,
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


def with_query(data, text):
    """The querystring with ``q`` set to ``text`` (dropped when empty), page reset."""
    pairs = [
        (key, v) for key, key_values in data.lists() if key not in ("page", "q") for v in key_values
    ]
    if text:
        pairs.insert(0, ("q", text))
    return "?" + urlencode(pairs)


def query_chips(filter_set):
    """The chips of the search box: its words (one chip), each place it names ("在 四川省
    范围内") and each excluded word; each removes only its own part of ``q``."""
    data, gaz, parsed = filter_set.data, gazetteer(), filter_set.parsed
    english = get_language() == "en"
    chips = []
    if filter_set.searched:
        chips.append(Chip(f"“{parsed.searched_text}”", with_query(data, parsed.without(kind=WORD))))
    for position, token in enumerate(parsed.tokens):
        if token.kind == REGION:
            names = (", " if english else "、").join(
                gaz.get(code).display_name for code in token.codes
            )
            label = _("在 %(place)s 范围内") % {"place": names}
        elif token.kind == EXCLUDE and token.text in parsed.excluded:
            label = _("不含“%(word)s”") % {"word": token.text}
        else:
            continue
        chips.append(Chip(label, with_query(data, parsed.without(position=position))))
    return chips


def instrument_offers(filter_set):
    """``[(instrument name, url)]`` per instrument named in ``q`` ("含政策工具：创业担保贷款"):
    the url makes it a strict filter (``instrument=<slug>``, its word taken out of ``q``)."""
    data, parsed = filter_set.data, filter_set.parsed
    english = get_language() == "en"
    offers = []
    for position, token in enumerate(parsed.tokens):
        if token.kind != INSTRUMENT:
            continue
        pk, slug, name = token.instrument
        instrument = filter_set.instruments.get(pk)
        label = instrument.name_en if english and instrument and instrument.name_en else name
        url = with_query(data, parsed.without(position=position))
        if slug not in data.getlist("instrument") and str(pk) not in data.getlist("instrument"):
            url += ("&" if url != "?" else "") + urlencode({"instrument": slug})
        offers.append((label, url))
    return offers


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


GROUPS = [("q",), PLACE, ("theme",), YEARS, ("in_force",), ("instrument",), ("kind",)]


def relaxations(filter_set):
    """For an empty result: which filter to drop, and how many results that would give."""
    cleaned = filter_set.cleaned()
    suggestions = []
    for group in GROUPS:
        if not any(cleaned.get(name) not in (None, "", []) for name in group):
            continue
        if group == ("q",) and "q" not in filter_set.selection.masks:
            continue
        count = filter_set.selection.count(leave_out=group)
        if count:
            suggestions.append((group[0], count, without(filter_set.data, *group)))
    suggestions.sort(key=lambda s: -s[1])
    return suggestions
