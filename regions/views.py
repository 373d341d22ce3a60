from django.core.paginator import Paginator
from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render

from initiatives import charts
from initiatives.filters import InitiativeFilter, TargetFilter
from initiatives.models import Initiative, InitiativeRegion
from initiatives.views import PAGE_SIZE, region_paths, with_labels
from regions.models import Region

# Target rows paired and drawn on a region page; the full list is on /targets/.
MAX_TARGET_ROWS = 300

# Which InitiativeRegion column counts "at or below a child", by the child's level.
CHILD_COLUMN = {
    Region.Level.PROVINCE: "province_id",
    Region.Level.PREFECTURE: "prefecture_id",
    Region.Level.COUNTY: "region_id",
}


def region_detail(request, code):
    region = get_object_or_404(Region, code=code)
    scope = QueryDict(mutable=True)
    if region.level != Region.Level.NATIONAL:
        scope["region"] = region.code
    filter_set = InitiativeFilter(scope)
    initiatives = filter_set.qs
    page = Paginator(with_labels(initiatives), PAGE_SIZE).get_page(request.GET.get("page"))
    targets = TargetFilter(scope).qs
    ctx = {
        "region": region,
        "breadcrumb": region_paths([region.code])[0],
        "children": children_with_counts(region),
        "page": page,
        "results": [
            {
                "initiative": i,
                "regions": region_paths(r.region_id for r in i.initiativeregion_set.all()),
            }
            for i in page.object_list
        ],
        "target_pairs": charts.draw_pairs(charts.pair_targets(targets[:MAX_TARGET_ROWS])),
        "target_count": targets.count(),
        "max_target_rows": MAX_TARGET_ROWS,
        "theme_year": charts.theme_year_chart(
            charts.theme_year_cells(filter_set.filtered()), list(filter_set.themes.values())
        ),
        "search_query": scope.urlencode(),
    }
    return render(request, "regions/region_detail.html", ctx)


def children_with_counts(region):
    """The region's children, each with the number of visible initiatives at or below it."""
    children = list(region.children.order_by("code"))
    visible = Initiative.objects.visible().values("pk")
    counts = {}
    for level in {child.level for child in children}:
        column = CHILD_COLUMN[level]
        codes = [c.code for c in children if c.level == level]
        counts.update(
            InitiativeRegion.objects.filter(initiative__in=visible, **{f"{column}__in": codes})
            .values_list(column)
            .annotate(n=Count("initiative_id", distinct=True))
            .order_by()
        )
    return [(child, counts.get(child.code, 0)) for child in children]
