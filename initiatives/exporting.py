"""CSV rows for initiatives and targets: one code path for the web export and the command.

Rows are produced in chunks of ids: one query for the chunk's own columns and one per
many-valued column, so 100,000 rows never sit in memory at once and the query count grows
with the number of chunks, not rows.
"""

import csv
from collections import defaultdict

from initiatives.models import Initiative, InitiativeRegion, Target
from regions.gazetteer import gazetteer

INITIATIVE_COLUMNS = [
    "id",
    "title",
    "text",
    "regions",
    "region_codes",
    "provinces",
    "year",
    "year_start",
    "year_end",
    "themes",
    "instruments",
    "status",
    "document",
    "document_id",
    "document_file",
    "start",
    "end",
    "url",
    # Added after the contract columns: the row's stable key (the same in every installation
    # that ingested the same documents, whatever the order; see initiatives.identity).
    "key",
]
TARGET_COLUMNS = [
    "id",
    "indicator",
    "value",
    "unit",
    "comparator",
    "kind",
    "year",
    "year_start",
    "year_end",
    "regions",
    "region_codes",
    "text",
    "document",
    "document_id",
    "document_file",
    "start",
    "end",
    "initiative_id",
    "period_type",
    "indicator_code",
    "key",
]
# The link tables (initiatives.link_tables): one row per initiative × region/theme/instrument.
REGION_LINK_COLUMNS = [
    "initiative_id",
    "region_code",
    "role",
    "level",
    "prefecture_code",
    "province_code",
]
THEME_LINK_COLUMNS = ["initiative_id", "theme"]
INSTRUMENT_LINK_COLUMNS = ["initiative_id", "instrument_slug", "instrument"]
CHUNK = 2000
MULTI = "; "
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(value):
    # A lone "=" or "-" (the comparator column, an empty marker) cannot hold a formula and
    # is kept as it is, so the comparator column stays machine-readable.
    return value.__class__ is str and len(value) > 1 and value.startswith(FORMULA_STARTS)


def neutralise(value):
    if _formula_like(value):
        return "'" + value
    return value


def _cells(row):
    """A row as CSV cells: ``None`` empty, formula-looking strings neutralised."""
    return ["" if v is None else ("'" + v if _formula_like(v) else v) for v in row]


def _chunks(queryset):
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _id_filter(field, ids):
    """Lookup kwargs for a chunk of ascending ids, and the set to keep (or ``None``).

    A dense chunk (most ids in its range, e.g. an unfiltered export) is read by range, which
    spares preparing and binding 2,000 parameters per query; a sparse one by ``IN``.
    """
    if ids[-1] - ids[0] < 2 * len(ids):
        return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}, set(ids)
    return {f"{field}__in": ids}, None


def initiative_values(queryset, base_url=""):
    """Rows in ``INITIATIVE_COLUMNS`` order, many-valued cells as lists (the JSON API's
    form); ``initiative_rows`` joins them for CSV. ``base_url`` prefixes the ``url`` column."""
    g = gazetteer()
    base_url = (base_url or "").rstrip("/")
    for ids in _chunks(queryset):
        by_pk, keep = _id_filter("pk", ids)
        by_initiative, _ = _id_filter("initiative_id", ids)
        regions = defaultdict(list)
        for iid, code in (
            # The regions an initiative is counted in: not its partners or places it names.
            InitiativeRegion.objects.filter(
                role__in=InitiativeRegion.COUNTED_ROLES, **by_initiative
            )
            .order_by("region_id")
            .values_list("initiative_id", "region_id")
        ):
            regions[iid].append(code)
        themes = defaultdict(list)
        for iid, key in (
            Initiative.themes.through.objects.filter(**by_initiative)
            .order_by("theme__position", "theme__key")
            .values_list("initiative_id", "theme__key")
        ):
            themes[iid].append(key)
        instruments = defaultdict(list)
        for iid, name in (
            Initiative.instruments.through.objects.filter(**by_initiative)
            .order_by("policyinstrument__name")
            .values_list("initiative_id", "policyinstrument__name")
        ):
            instruments[iid].append(name)
        rows = (
            Initiative.objects.filter(**by_pk)
            .order_by("pk")
            .values_list(
                "pk",
                "title",
                "text",
                "year",
                "year_start",
                "year_end",
                "status",
                "document__title",
                "document_id",
                "document__file_name",
                "start",
                "end",
                "key",
            )
        )
        for row in rows:
            pk, title, text, year, year_start, year_end, status = row[:7]
            doc_title, document_id, doc_file, start, end, key = row[7:]
            if keep is not None and pk not in keep:
                continue
            codes = regions.get(pk, [])
            provinces = []
            for code in codes:
                province = g.province_of(code)
                name = province.name if province else "全国"
                if name not in provinces:
                    provinces.append(name)
            yield [
                pk,
                title,
                text,
                [g.path_name(c) for c in codes],
                list(codes),
                provinces,
                year,
                year_start,
                year_end,
                themes.get(pk, []),
                instruments.get(pk, []),
                status,
                doc_title,
                document_id,
                doc_file,
                start,
                end,
                f"{base_url}/initiatives/{pk}/",
                key,
            ]


def initiative_rows(queryset, base_url=""):
    for row in initiative_values(queryset, base_url):
        yield [MULTI.join(v) if isinstance(v, list) else v for v in row]


def target_rows(queryset):
    g = gazetteer()
    for ids in _chunks(queryset):
        rows = (
            Target.objects.filter(pk__in=ids)
            .order_by("pk")
            .values_list(
                "pk",
                "indicator",
                "value",
                "unit",
                "comparator",
                "kind",
                "year",
                "year_start",
                "year_end",
                "region_id",
                "text",
                "document__title",
                "document_id",
                "document__file_name",
                "start",
                "end",
                "initiative_id",
                "period_type",
                "canonical_indicator__code",
                "key",
            )
        )
        for (
            pk,
            indicator,
            value,
            unit,
            comparator,
            kind,
            year,
            year_start,
            year_end,
            region,
            text,
            doc_title,
            document_id,
            doc_file,
            start,
            end,
            initiative_id,
            period_type,
            indicator_code,
            key,
        ) in rows:
            yield [
                pk,
                indicator,
                _number(value),
                unit,
                comparator,
                kind,
                year,
                year_start,
                year_end,
                g.path_name(region) if region else "",
                region or "",
                text,
                doc_title,
                document_id,
                doc_file,
                start,
                end,
                initiative_id,
                period_type,
                indicator_code or "",
                key,
            ]


def _number(value):
    """12000, 3.2 — no trailing zeros, never exponent notation."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def write_csv(out, columns, rows):
    """Write a header and rows to a text file object (opened with newline='')."""
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_cells(row))


class _Echo:
    def write(self, value):
        return value


def stream_csv(columns, rows):
    """Encoded CSV lines for a StreamingHttpResponse, beginning with a UTF-8 BOM for Excel."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)
    for row in rows:
        yield writer.writerow(_cells(row))
