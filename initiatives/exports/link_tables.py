"""Link tables: one row per initiative × region, theme or instrument, as CSV.

The initiatives CSV joins many values in one cell (``regions``, ``themes``, ``instruments``
with ``; ``); an analysis wants them long, one link a row, joined back on ``initiative_id``.
The same filters as the initiatives CSV choose the initiatives (strict: a bad value is 400),
so ``regions.csv?province=510000`` holds exactly the links of ``export.csv?province=510000``.

``initiative_regions`` lists every link with its role (issuer, covered, partner, mentioned):
the filters and the ``regions`` column count issuers and covered regions only, and a
researcher may want the others. ``prefecture_code`` and ``province_code`` come from the
gazetteer: a county directly under a province (仙桃市 429004) has no prefecture, and
``code[:4] + "00"`` would invent one. A province is its own ``province_code``, a prefecture
its own ``prefecture_code``; 全国 (000000) has neither.
"""

from django.views.decorators.http import require_safe

from initiatives.exports.rows import (
    INSTRUMENT_LINK_COLUMNS,
    REGION_LINK_COLUMNS,
    THEME_LINK_COLUMNS,
    _chunks,
    _id_filter,
)
from initiatives.exports.tables import LEVEL_NAMES
from initiatives.exports.views import csv_refusal, csv_response, export_file_name
from initiatives.models import Initiative, InitiativeRegion
from initiatives.search.filters import InitiativeFilter
from regions.gazetteer import gazetteer


def _links(queryset, rows_for):
    """``rows_for(lookup)`` rows for each chunk of the initiatives' ids, keeping only the
    chunk's ids when it was read by range."""
    for ids in _chunks(queryset):
        lookup, keep = _id_filter("initiative_id", ids)
        for row in rows_for(lookup):
            if keep is None or row[0] in keep:
                yield row


def region_rows(queryset):
    g = gazetteer()

    def rows_for(lookup):
        links = (
            InitiativeRegion.objects.filter(**lookup)
            .order_by("initiative_id", "region_id")
            .values_list("initiative_id", "region_id", "role")
        )
        for initiative_id, code, role in links:
            place = g.get(code)
            yield [
                initiative_id,
                code,
                role,
                LEVEL_NAMES.get(place.level, "") if place else "",
                (place.prefecture_code or "") if place else "",
                (place.province_code or "") if place else "",
            ]

    return _links(queryset, rows_for)


def theme_rows(queryset):
    def rows_for(lookup):
        return (
            Initiative.themes.through.objects.filter(**lookup)
            .order_by("initiative_id", "theme__position", "theme__key")
            .values_list("initiative_id", "theme__key")
        )

    return _links(queryset, rows_for)


def instrument_rows(queryset):
    def rows_for(lookup):
        return (
            Initiative.instruments.through.objects.filter(**lookup)
            .order_by("initiative_id", "policyinstrument__slug")
            .values_list("initiative_id", "policyinstrument__slug", "policyinstrument__name")
        )

    return _links(queryset, rows_for)


TABLES = {
    "regions": (REGION_LINK_COLUMNS, region_rows),
    "themes": (THEME_LINK_COLUMNS, theme_rows),
    "instruments": (INSTRUMENT_LINK_COLUMNS, instrument_rows),
}


def link_table_view(table):
    columns, rows = TABLES[table]

    @require_safe
    def view(request):
        filter_set = InitiativeFilter(request.GET, queryset=Initiative.objects.visible())
        if errors := filter_set.strict_errors():
            return csv_refusal(errors)
        file_name = export_file_name(f"initiative_{table}", filter_set)
        if request.method == "HEAD":
            return csv_response(columns, None, file_name)
        return csv_response(columns, rows(filter_set.filtered()), file_name)

    view.__name__ = f"initiative_{table}_csv"
    view.__doc__ = f"/initiatives/{table}.csv: the initiative_{table} link table, filtered."
    return view


initiative_regions_csv = link_table_view("regions")
initiative_themes_csv = link_table_view("themes")
initiative_instruments_csv = link_table_view("instruments")
