from urllib.parse import parse_qsl, urlencode

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from initiatives.pictures import charts
from initiatives.search import facets
from initiatives.search.filters import InitiativeFilter, TargetFilter
from initiatives.search.highlight import snippet
from initiatives.search.parameters import PLACE
from initiatives.views import PAGE_SIZE, RESULT_ROWS, region_paths, result_rows
from regions.models import Region

# Target rows paired and drawn on a region page; the full list is on /targets/.
MAX_TARGET_ROWS = 300


def region_detail(request, code):
    """The region's initiatives with the search page's filters (``q``, theme, year, in force,
    instrument, kind, sort) as parameters of this page; the place is the page's own.

    One ``InitiativeFilter`` with ``region`` fixed to the page's code counts the facets, the
    subregion tiles and the chart, and picks the results; the facet links keep the reader
    on this page. The targets follow the same filters (as the targets page reads them)."""
    region = get_object_or_404(Region, code=code)
    own = _page_data(request.GET)
    scope = own.copy()
    if region.level != Region.Level.NATIONAL:
        scope.setlist("region", [region.code])
    filter_set = InitiativeFilter(scope)
    years, kinds, total = facets.year_and_kind_facets(filter_set)
    paginator = Paginator(filter_set.results(RESULT_ROWS), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    terms = filter_set.highlight_terms
    results = result_rows(filter_set, page)
    for row in results:  # the search page's snippet: the query's words marked
        row["snippet"] = snippet(row["initiative"].text, terms)
    notices = list(filter_set.notices)
    if any(request.GET.getlist(name) for name in PLACE):
        notices.append(
            _("本页只列出 %(name)s 及其下辖地区的举措，地区条件已忽略。")
            % {"name": region.display_name}
        )
    target_data = scope.copy()
    target_data.pop("sort", None)
    targets = TargetFilter(target_data).qs
    # The fixed place's chip would change nothing on this page: left out.
    here = sorted(parse_qsl(own.urlencode(), keep_blank_values=True))
    chips = []
    for chip in facets.active_chips(filter_set):
        chip.url = _on_page(chip.url)
        if sorted(parse_qsl(chip.url[1:], keep_blank_values=True)) != here:
            chips.append(chip)
    ctx = {
        "region": region,
        "breadcrumb": region_paths([region.code])[0],
        "children": children_with_counts(region, filter_set.selection),
        "page": page,
        "results": results,
        "total": paginator.count,
        "filter": filter_set,
        "q": filter_set.query[0],
        "notices": notices,
        "sort": filter_set.sort_key,
        "sorts": [("relevance", _("相关度")), ("newest", _("最新")), ("region", _("地区"))],
        "chips": chips,
        "themes": _local_facet(facets.theme_facet(filter_set)),
        "instruments": _local_facet(facets.instrument_facet(filter_set)),
        "years": _local_facet(years),
        "kinds": _local_facet(kinds),
        "relaxations": [
            (name, count, _on_page(url))
            for name, count, url in facets.relaxations(filter_set)
            if name not in PLACE
        ]
        if paginator.count == 0
        else [],
        "year_min": filter_set.active("year_min"),
        "year_max": filter_set.active("year_max"),
        "in_force": filter_set.active("in_force"),
        "hidden_params": [(k, v) for k, values in own.lists() if k != "q" for v in values if v],
        # The subregion tiles carry the filters (the values the page dropped left out).
        "page_query": _on_page(facets.without(filter_set.export_data())).lstrip("?"),
        "target_pairs": charts.draw_pairs(charts.pair_targets(targets[:MAX_TARGET_ROWS])),
        "target_count": targets.count(),
        "max_target_rows": MAX_TARGET_ROWS,
        "theme_year": charts.theme_year_chart(
            facets.theme_year_cells(filter_set) if total else {},
            list(filter_set.themes.values()),
        ),
        "search_query": facets.without(scope).lstrip("?"),
        "targets_query": facets.without(target_data).lstrip("?"),
        "compare_query": _compare_query(region, filter_set),
        # The feed follows what the page shows: the values the page dropped are left out.
        "feed_query": _on_page(facets.without(filter_set.export_data(), "sort")).lstrip("?"),
    }
    return render(request, "regions/region_detail.html", ctx)


def _page_data(params):
    """The page's own parameters: the search page's, without the places and the page."""
    data = QueryDict(mutable=True)
    for name, values in params.lists():
        if name not in PLACE and name != "page":
            data.setlist(name, values)
    return data


def _on_page(url):
    """A facet or chip link (a querystring made from the filter set's data) for this page:
    the fixed place taken out, so the link stays on the region page."""
    pairs = [
        (k, v) for k, v in parse_qsl(url.lstrip("?"), keep_blank_values=True) if k not in PLACE
    ]
    return "?" + urlencode(pairs)


def _local_facet(items):
    for item in items:
        item.url = _on_page(item.url)
    return items


def _compare_query(region, filter_set):
    """The compare page's link for this region, with the one theme and year it accepts."""
    if region.level == Region.Level.NATIONAL:
        return ""
    pairs = [("region", region.code)]
    for name in ("theme", "year"):
        values = filter_set.active(name) or []
        if len(values) == 1:
            pairs.append((name, str(values[0])))
    return urlencode(pairs)


def children_with_counts(region, selection):
    """The region's children, each with the number of visible initiatives at or below it
    (from the facet index: ``selection`` is the region page's filter set's, so the counts
    follow its filters)."""
    children = list(region.children.order_by("code"))
    index = selection.index
    links = {  # per child level: the (row, code) pairs that say "at or below"
        Region.Level.PROVINCE: (index.province_row, index.province),
        Region.Level.PREFECTURE: (index.prefecture_row, index.prefecture),
        Region.Level.COUNTY: (index.link_row, index.link_region),
    }
    counts = {}
    for level in {child.level for child in children}:
        counts.update(selection.region_counts(*links[level], leave_out=()))
    return [(child, counts.get(child.code, 0)) for child in children]
