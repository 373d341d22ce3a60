from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render

from initiatives.pictures import charts
from initiatives.search import facets
from initiatives.search.filters import InitiativeFilter, TargetFilter
from initiatives.search.highlight import snippet
from initiatives.views import PAGE_SIZE, RESULT_ROWS, region_paths, result_rows
from regions.models import Region

# Target rows paired and drawn on a region page; the full list is on /targets/.
MAX_TARGET_ROWS = 300


def region_detail(request, code):
    region = get_object_or_404(Region, code=code)
    scope = QueryDict(mutable=True)
    if region.level != Region.Level.NATIONAL:
        scope["region"] = region.code
    filter_set = InitiativeFilter(scope)
    page = Paginator(filter_set.results(RESULT_ROWS), PAGE_SIZE).get_page(request.GET.get("page"))
    results = result_rows(filter_set, page)
    for row in results:  # the opening of each text, as the search page shows it
        row["snippet"] = snippet(row["initiative"].text, [])
    targets = TargetFilter(scope).qs
    ctx = {
        "region": region,
        "breadcrumb": region_paths([region.code])[0],
        "children": children_with_counts(region, filter_set.selection),
        "page": page,
        "results": results,
        "target_pairs": charts.draw_pairs(charts.pair_targets(targets[:MAX_TARGET_ROWS])),
        "target_count": targets.count(),
        "max_target_rows": MAX_TARGET_ROWS,
        "theme_year": charts.theme_year_chart(
            facets.theme_year_cells(filter_set), list(filter_set.themes.values())
        ),
        "search_query": scope.urlencode(),
    }
    return render(request, "regions/region_detail.html", ctx)


def children_with_counts(region, selection):
    """The region's children, each with the number of visible initiatives at or below it
    (from the facet index: ``selection`` is the region page's filter set's)."""
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
