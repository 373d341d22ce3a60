"""CSV rows for initiatives and targets: one code path for the web export and the command.

Rows are produced in chunks of ids, so 100,000 rows never sit in memory at once and the
query count grows with the number of chunks, not rows. The CSV rows (``initiative_rows``)
take one query per chunk, the database joining each row's many-valued cells; the JSON API's
rows (``initiative_values``, cells as lists) one query per many-valued column.
"""

import csv
from collections import defaultdict

from django.db import connection

from initiatives.models import (
    Document,
    Initiative,
    InitiativeRegion,
    PolicyInstrument,
    Target,
    Theme,
)
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
# The link tables (initiatives.exports.link_tables): one row per initiative × region/theme/instrument.
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


_STARTS = frozenset(FORMULA_STARTS)


def _cells(row):
    """A row as CSV cells: ``None`` empty, formula-looking strings neutralised."""
    # ``_formula_like`` inlined: this runs for every cell of every row.
    return [
        ("" if v is None else v)
        if v.__class__ is not str or len(v) < 2 or v[0] not in _STARTS
        else "'" + v
        for v in row
    ]


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
    """Rows in ``INITIATIVE_COLUMNS`` order with many-valued cells joined, for CSV.

    One query per chunk of ids: the database joins each row's regions, themes and
    instruments into one string (in the same order ``initiative_values`` lists them), so
    Python only formats. Region names and provinces come from the gazetteer, looked up
    once per code.
    """
    g = gazetteer()
    base_url = (base_url or "").rstrip("/")
    places = {}  # code -> (path name, province name)
    for ids in _chunks(queryset):
        keep = None
        with connection.cursor() as cursor:
            if ids[-1] - ids[0] < 2 * len(ids):
                # Dense chunk: by range (no 2,000 parameters to bind); the rows of the range
                # the queryset did not select are skipped below.
                sql, copies = _initiative_sql("BETWEEN %s AND %s")
                cursor.execute(sql, [ids[0], ids[-1]] * copies)
                keep = set(ids)
            else:
                sql, copies = _initiative_sql(f"IN ({', '.join(['%s'] * len(ids))})")
                cursor.execute(sql, ids * copies)
            # Read as it is written out: a chunk of long texts is never held at once.
            for row in _fetched(cursor):
                pk, title, text, codes, year, year_start, year_end, themes, instruments = row[:9]
                if keep is not None and pk not in keep:
                    continue
                if codes:
                    names, provinces = [], []
                    for code in codes.split(MULTI):
                        place = places.get(code)
                        if place is None:
                            province = g.province_of(code)
                            place = places[code] = (
                                g.path_name(code),
                                province.name if province else "全国",
                            )
                        names.append(place[0])
                        if place[1] not in provinces:
                            provinces.append(place[1])
                    names, provinces = MULTI.join(names), MULTI.join(provinces)
                else:
                    codes = names = provinces = ""
                yield [
                    pk,
                    title,
                    text,
                    names,
                    codes,
                    provinces,
                    year,
                    year_start,
                    year_end,
                    themes or "",
                    instruments or "",
                    *row[9:15],
                    f"{base_url}/initiatives/{pk}/",
                    row[15],
                ]


def _fetched(cursor, size=200):
    while rows := cursor.fetchmany(size):
        yield from rows


def _initiative_sql(id_condition):
    """The chunk query, its parameter count per id list, the many-valued cells aggregated.

    ``id_condition`` (``BETWEEN %s AND %s`` or ``IN (…)``) is applied to each table read;
    returns ``(sql, copies)``: the ids are passed ``copies`` times, once per use.
    """
    quote = connection.ops.quote_name
    initiative = Initiative._meta.db_table
    document = Document._meta.db_table
    regions = InitiativeRegion._meta.db_table
    roles = ", ".join(f"'{role}'" for role in InitiativeRegion.COUNTED_ROLES)
    themes = Initiative.themes.through._meta.db_table
    instruments = Initiative.instruments.through._meta.db_table
    theme, instrument = Theme._meta.db_table, PolicyInstrument._meta.db_table
    own = [
        "i.id",
        "i.title",
        "i.text",
        "{regions}",
        "i.year",
        "i.year_start",
        "i.year_end",
        "{themes}",
        "{instruments}",
        "i.status",
        "d.title",
        "i.document_id",
        "d.file_name",
        f"i.{quote('start')}",
        f"i.{quote('end')}",
        f"i.{quote('key')}",
    ]
    sources = {
        # name: (value, table and join, extra condition, order within the cell)
        "regions": ("x.region_id", f"{regions} x", f" AND x.role IN ({roles})", "x.region_id"),
        "themes": (
            "t.key",
            f"{themes} x JOIN {theme} t ON t.id = x.theme_id",
            "",
            "t.position, t.key",
        ),
        "instruments": (
            "p.name",
            f"{instruments} x JOIN {instrument} p ON p.id = x.policyinstrument_id",
            "",
            "p.name",
        ),
    }
    if connection.vendor == "postgresql":
        # One grouped read per link table over the chunk, joined to the rows: PostgreSQL
        # plans a correlated subquery per row far worse than three grouped scans.
        cells, joins = {}, []
        for name, (value, source, where, order) in sources.items():
            cells[name] = f"{name}.v"
            joins.append(
                f"LEFT JOIN (SELECT x.initiative_id, string_agg({value}, '{MULTI}' "
                f"ORDER BY {order}) AS v FROM {source} "
                f"WHERE x.initiative_id {id_condition}{where} GROUP BY x.initiative_id) "
                f"{name} ON {name}.initiative_id = i.id"
            )
        copies = 4
    else:
        # SQLite keeps the order of a sorted subquery under an aggregate (a subquery with
        # ORDER BY is not flattened into an aggregate query); the byte-identity tests hold
        # the export to that.
        cells = {
            name: (
                f"(SELECT group_concat(v, '{MULTI}') FROM (SELECT {value} AS v FROM {source} "
                f"WHERE x.initiative_id = i.id{where} ORDER BY {order}))"
            )
            for name, (value, source, where, order) in sources.items()
        }
        joins, copies = [], 1
    columns = ", ".join(column.format(**cells) for column in own)
    sql = (
        f"SELECT {columns} FROM {initiative} i JOIN {document} d ON d.id = i.document_id "
        f"{' '.join(joins)} WHERE i.id {id_condition} ORDER BY i.id"
    )
    return sql, copies


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
    writer.writerows(map(_cells, rows))


class _Lines(list):
    write = list.append


STREAM_ROWS = 100


def stream_csv(columns, rows):
    """CSV text for a StreamingHttpResponse, beginning with a UTF-8 BOM for Excel.

    Rows go out ``STREAM_ROWS`` at a time: one response chunk per row would spend more on
    encoding and passing chunks than on the CSV itself, and 100 rows are still small.
    """
    lines = _Lines()
    writer = csv.writer(lines)
    writer.writerow(columns)
    yield "\ufeff" + lines.pop()
    for row in rows:
        writer.writerow(_cells(row))
        if len(lines) >= STREAM_ROWS:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)
