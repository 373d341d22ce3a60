"""Coverage and the adoption panel: the tables a diffusion study starts from.

``coverage``: which regions and years the knowledge base holds documents for — a region-year
without a row is "no documents", not "no policy". ``adoption_panel``: for every covered
region-year, one row per policy instrument saying whether the region adopted it that year.
A region adopts an instrument in a year when a visible initiative of that year names the
instrument and counts the region (issuer or covered role, ``InitiativeRegion.COUNTED_ROLES``;
partners and regions merely mentioned do not adopt anything). The region must be named
itself: a province's measure is not counted as its counties' adoption.

``first_year`` is the first year of adoption found anywhere, also in a year the region has no
row for (adopted through a measure of a higher government that covers it): a first_year
before the region's first row means it was never at risk within the panel.
"""

from collections import defaultdict

from django.views.decorators.http import require_safe

from initiatives.exports.rows import MULTI
from initiatives.models import Document, InitiativeRegion, PolicyInstrument, Status
from regions.gazetteer import gazetteer

COVERAGE_COLUMNS = ["region_code", "level", "year", "documents", "document_kinds"]
PANEL_COLUMNS = [
    "region_code",
    "level",
    "prefecture_code",
    "province_code",
    "year",
    "instrument",
    "adopted",
    "first_year",
    "initiative_ids",
]


def _level(place):
    from initiatives.exports.tables import LEVEL_NAMES

    return LEVEL_NAMES.get(place.level, "") if place else ""


def covered_region_years():
    """{(region_code, year): {kind: documents}} for the public documents with both known."""
    covered = defaultdict(lambda: defaultdict(int))
    rows = (
        Document.objects.public()
        .filter(year__isnull=False, issuing_region__isnull=False)
        .order_by()
        .values_list("issuing_region_id", "year", "kind")
    )
    for code, year, kind in rows.iterator(chunk_size=2000):
        covered[code, year][kind] += 1
    return covered


def coverage_rows():
    g = gazetteer()
    covered = covered_region_years()
    for code, year in sorted(covered):
        kinds = covered[code, year]
        yield [code, _level(g.get(code)), year, sum(kinds.values()), MULTI.join(sorted(kinds))]


def adoptions():
    """{(region_code, instrument_slug): {year: [initiative ids]}} from counted region links."""
    links = (
        InitiativeRegion.objects.filter(
            role__in=InitiativeRegion.COUNTED_ROLES,
            initiative__year__isnull=False,
            initiative__document__withdrawn_at__isnull=True,
            initiative__instruments__isnull=False,
        )
        .exclude(initiative__status=Status.HIDDEN)
        .order_by()
        .values_list(
            "region_id", "initiative__year", "initiative__instruments__slug", "initiative_id"
        )
    )
    adopted = defaultdict(lambda: defaultdict(set))
    for code, year, slug, initiative_id in links.iterator(chunk_size=2000):
        if slug is not None:
            adopted[code, slug][year].add(initiative_id)
    return adopted


def panel_rows():
    g = gazetteer()
    covered = covered_region_years()
    adopted = adoptions()
    slugs = list(PolicyInstrument.objects.order_by("slug").values_list("slug", flat=True))
    for code, year in sorted(covered):
        place = g.get(code)
        head = [
            code,
            _level(place),
            (place.prefecture_code or "") if place else "",
            (place.province_code or "") if place else "",
            year,
        ]
        for slug in slugs:
            years = adopted.get((code, slug), {})
            ids = sorted(years.get(year, ()))
            yield [
                *head,
                slug,
                1 if ids else 0,
                min(years) if years else None,
                MULTI.join(str(i) for i in ids),
            ]


TABLES = {
    "coverage": (COVERAGE_COLUMNS, coverage_rows),
    "adoption_panel": (PANEL_COLUMNS, panel_rows),
}


def research_table_view(table):
    columns, rows = TABLES[table]

    @require_safe
    def view(request):
        from initiatives.exports.views import csv_refusal, csv_response

        # These tables take no filters; a parameter would silently do nothing, so say so.
        if request.GET:
            return csv_refusal(
                [f"{table}.csv takes no parameters (got {', '.join(sorted(request.GET))[:200]})"]
            )
        if request.method == "HEAD":
            return csv_response(columns, None, f"{table}.csv")
        return csv_response(columns, rows(), f"{table}.csv")

    view.__name__ = f"{table}_csv"
    view.__doc__ = f"/data/{table}.csv: the whole {table} table."
    return view


coverage_csv = research_table_view("coverage")
adoption_panel_csv = research_table_view("adoption_panel")
