"""The CSV downloads of initiatives and targets as text, a line per row, made mostly by the
database: the web exports and ``manage.py export``.

The bytes are those of ``rows.write_csv`` over ``rows.initiative_rows`` / ``rows.target_rows``
(tests/test_export_streaming.py compares them): UTF-8 BOM, the excel dialect's quoting
(a cell holding a comma, a double quote or a line break is quoted, quotes doubled), formula
neutralisation (``rows.neutralise``), ``\\r\\n`` after each row.

How it is fast: the filter set's own SQL is the source (compiled, never ``str(query)``).
SQLite: one statement for the whole selection, stepped as the lines go out (nothing held in
Python). PostgreSQL: the selection's ids first (8 bytes each), then one query per
``ID_CHUNK`` ids, each read whole (a download left unread never holds the connection), the
link tables read once per chunk and grouped. The database writes the numbers, years, url and
key as finished CSV text; each row's regions, themes and instruments come as raw id lists
and become cells through small caches (a combination is formatted once), sorted as the
contract says (regions by code, themes by position, instruments by name); Python quotes and
neutralises the title and text and joins the pieces.
"""

from array import array

from django.db import connections
from django.db.models import F

from initiatives.exports.rows import FORMULA_STARTS, MULTI, neutralise
from initiatives.models import (
    Document,
    Indicator,
    Initiative,
    InitiativeRegion,
    PolicyInstrument,
    Target,
    Theme,
)
from regions.gazetteer import gazetteer

LINES_PER_CHUNK = 100  # lines joined into one response chunk
FETCH = 200  # rows per fetch (SQLite) or per streamed chunk (PostgreSQL)
CACHE_MAX = 50_000  # cached multi-valued cells before a cache starts again
ID_CHUNK = 2000  # ids per query when the rows come in a given order


def cell(value):
    """One CSV cell as ``csv.writer`` writes it: ``None`` empty, formula-looking text
    neutralised, quoted when it holds a comma, quote or line break."""
    if value is None:
        return ""
    if value.__class__ is not str:
        return str(value)
    value = neutralise(value)
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def header(columns):
    """The BOM and the header line."""
    return "\ufeff" + ",".join(cell(c) for c in columns) + "\r\n"


# SQL: a text column as a finished CSV cell ---------------------------------------------------


def _text_cell(vendor, column):
    """SQL for ``cell(column)`` of a text column (NULL: empty)."""
    if vendor == "postgresql":
        newline, cr, tab, found = "chr(10)", "chr(13)", "chr(9)", "strpos({x}, {c}) > 0"
    else:
        newline, cr, tab, found = "char(10)", "char(13)", "char(9)", "instr({x}, {c})"
    starts = ", ".join(
        {"\t": tab, "\r": cr}.get(s, "'" + s.replace("'", "''") + "'") for s in FORMULA_STARTS
    )
    neutral = (
        f"CASE WHEN length({column}) > 1 AND substr({column}, 1, 1) IN ({starts})"
        f" THEN '''' || {column} ELSE {column} END"
    )
    special = " OR ".join(found.format(x=column, c=c) for c in ("','", "'\"'", newline, cr))
    return (
        f"CASE WHEN {column} IS NULL THEN '' WHEN {special}"
        f" THEN '\"' || replace({neutral}, '\"', '\"\"') || '\"' ELSE {neutral} END"
    )


def _number_cell(vendor, column):
    """SQL for an integer column's cell (digits never need quoting; NULL: empty)."""
    cast = f"{column}::text" if vendor == "postgresql" else f"CAST({column} AS TEXT)"
    return f"coalesce({cast}, '')"


def _joined(*cells):
    return " || ',' || ".join(cells)


def _ids(vendor, value, table, where):
    """SQL for a row's link values as one comma-joined string (order free: sorted later)."""
    if vendor == "postgresql":
        return f"(SELECT string_agg({value}::text, ',') FROM {table} x WHERE {where})"
    return f"(SELECT group_concat({value}) FROM {table} x WHERE {where})"


def _source(queryset, connection):
    """The selection's SQL (ids only, unordered) and its parameters: the filter set's
    queryset compiled for this connection (never ``str(query)``, which does not quote)."""
    query = queryset.order_by().values(row_id=F("pk")).query
    return query.get_compiler(connection=connection).as_sql()


def _fetch(connection, sql, params):
    """The rows of one query as they come, without holding them all."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            yield from cursor.cursor.stream(sql, params, size=FETCH)
            return
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


def _in_chunks(lines):
    """Lines joined ``LINES_PER_CHUNK`` at a time (one response chunk per line costs more
    than the line)."""
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) >= LINES_PER_CHUNK:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


class _Cells(dict):
    """Cells by their raw form, made on first use; starts again when large."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, raw):
        if len(self) >= CACHE_MAX:
            self.clear()
        made = self[raw] = self.make(raw)
        return made


# Initiatives ----------------------------------------------------------------------------------


def _initiative_sql(connection, source=None, id_condition=None):
    """The lines' query: of the selection ``source`` (SQL), or of the ids meeting
    ``id_condition`` (``BETWEEN %s AND %s`` or ``IN (…)``; PostgreSQL: passed four times)."""
    vendor = connection.vendor
    quote = connection.ops.quote_name
    text = lambda column: _text_cell(vendor, column)  # noqa: E731
    number = lambda column: _number_cell(vendor, column)  # noqa: E731
    roles = ", ".join(f"'{role}'" for role in InitiativeRegion.COUNTED_ROLES)
    years = "',' || " + _joined(number("i.year"), number("i.year_start"), number("i.year_end"))
    tail = (
        "',' || "
        + _joined(number(f"i.{quote('start')}"), number(f"i.{quote('end')}"))
        + " || ',' || %s || "
        + number("i.id")
        + " || %s || ',' || "
        + text(f"i.{quote('key')}")
        + " || "
        + ("E'\\r\\n'" if vendor == "postgresql" else "char(13, 10)")
    )
    links = [
        ("x.region_id", InitiativeRegion._meta.db_table, f" AND x.role IN ({roles})"),
        ("x.theme_id", Initiative.themes.through._meta.db_table, ""),
        ("x.policyinstrument_id", Initiative.instruments.through._meta.db_table, ""),
    ]
    joins = ""
    if vendor == "postgresql":
        # Each link table read once over the chunk and grouped, joined to the rows: PostgreSQL
        # does this 2-3 times faster than a lookup per row.
        cells = []
        for n, (value, source_table, where) in enumerate(links):
            cells.append(f"l{n}.v")
            joins += (
                f" LEFT JOIN (SELECT x.initiative_id, string_agg({value}::text, ',') AS v"
                f" FROM {source_table} x WHERE x.initiative_id {id_condition}{where}"
                f" GROUP BY x.initiative_id) l{n} ON l{n}.initiative_id = i.id"
            )
        regions, themes, instruments = cells
    else:
        regions, themes, instruments = (
            _ids(vendor, value, source_table, f"x.initiative_id = i.id{where}")
            for value, source_table, where in links
        )
    table, document = Initiative._meta.db_table, Document._meta.db_table
    where = f"i.id {id_condition}" if id_condition else None
    origin = f"{table} i" if id_condition else f"({source}) f JOIN {table} i ON i.id = f.row_id"
    return (
        f"SELECT i.id, i.title, i.text, {regions}, {years}, {themes}, {instruments}, i.status,"
        f" i.document_id, d.title, d.file_name, {tail}"
        f" FROM {origin} JOIN {document} d ON d.id = i.document_id{joins}"
        + (f" WHERE {where}" if where else "")
        + " ORDER BY i.id"
    )


def _initiative_cells(connection):
    """The three cachers: regions (names, codes, provinces), themes, instruments."""
    g = gazetteer()

    places = {}  # code -> (path name, province name)

    def place(code):
        found = places.get(code)
        if found is None:
            province = g.province_of(code)
            found = places[code] = (g.path_name(code), province.name if province else "全国")
        return found

    def regions(raw):
        if not raw:
            return ",,"
        codes = raw.split(",")
        if len(codes) > 1:
            codes.sort()
        named = [place(code) for code in codes]
        provinces = []
        for _, province in named:
            if province not in provinces:
                provinces.append(province)
        names = [name for name, _ in named]
        return ",".join(cell(MULTI.join(values)) for values in (names, codes, provinces))

    # The contract's order within a cell, as the database sorts it.
    theme_order = {
        str(pk): (n, key)
        for n, (pk, key) in enumerate(
            Theme.objects.using(connection.alias)
            .order_by("position", "key")
            .values_list("pk", "key")
        )
    }
    instrument_order = {
        str(pk): (n, name)
        for n, (pk, name) in enumerate(
            PolicyInstrument.objects.using(connection.alias)
            .order_by("name")
            .values_list("pk", "name")
        )
    }

    def ordered(order):
        def make(raw):
            if not raw:
                return ""
            return cell(MULTI.join(order[pk][1] for pk in sorted(raw.split(","), key=order.get)))

        return make

    return _Cells(regions), _Cells(ordered(theme_order)), _Cells(ordered(instrument_order))


def _url_parts(base_url):
    """The url cell is ``prefix + id + suffix``: quoting and neutralising depend on the base
    only (an id is digits)."""
    base = (base_url or "").rstrip("/") + "/initiatives/"
    whole = cell(base + "0/")
    cut = whole.rindex("0/")
    return whole[:cut], whole[cut + 1 :]


def _initiative_line_maker(connection, base_url):
    """``(sql source → sql, row → line)`` for the initiatives export."""
    regions, themes, instruments = _initiative_cells(connection)
    statuses, documents = _Cells(cell), {}
    starts = frozenset(FORMULA_STARTS)

    def text(value):  # ``cell`` of a str, inlined checks (it runs twice a row)
        if value[:1] in starts and len(value) > 1:
            value = "'" + value
        if '"' in value:
            return '"' + value.replace('"', '""') + '"'
        if "," in value or "\n" in value or "\r" in value:
            return '"' + value + '"'
        return value

    def line(row):
        document = documents.get(row[8])
        if document is None:
            if len(documents) >= CACHE_MAX:
                documents.clear()
            document = documents[row[8]] = f"{cell(row[9])},{row[8]},{cell(row[10])}"
        return (
            f"{row[0]},{text(row[1])},{text(row[2])},{regions[row[3]]}{row[4]},"
            f"{themes[row[5]]},{instruments[row[6]]},{statuses[row[7]]},{document}{row[11]}"
        )

    return line


def initiative_lines(queryset, base_url=""):
    """The CSV lines (without header) of ``queryset``'s initiatives, by id.

    SQLite: one statement, stepped as the lines are sent. PostgreSQL: the selection's ids
    first (8 bytes each), then one query per ``ID_CHUNK`` of them, each read whole, so the
    connection is free between chunks (a download left unread never blocks the next query).
    """
    connection = connections[queryset.db]
    line = _initiative_line_maker(connection, base_url)
    source, params = _source(queryset, connection)
    prefix, suffix = _url_parts(base_url)
    if connection.vendor == "postgresql":
        rows = _rows_by_chunks(connection, source, params, _initiative_sql, 4, [prefix, suffix])
        yield from map(line, rows)
        return
    sql = _initiative_sql(connection, source)
    yield from map(line, _fetch(connection, sql, [prefix, suffix, *params]))


def _rows_by_chunks(connection, source, params, make_sql, copies, first=()):
    """The selection's ids first (8 bytes each, the stream read to its end), then its rows
    ``ID_CHUNK`` at a time (``_chunk_rows``)."""
    ids = array("q")
    for (pk,) in _fetch(connection, f"SELECT row_id FROM ({source}) s ORDER BY 1", params):
        ids.append(pk)
    for start in range(0, len(ids), ID_CHUNK):
        yield from _chunk_rows(connection, ids[start : start + ID_CHUNK], make_sql, copies, first)


def _chunk_rows(connection, ids, make_sql, copies, first=()):
    """The rows of the ascending ``ids`` (``make_sql``'s query, its id condition passed
    ``copies`` times after the parameters ``first``), each query read whole: by range when
    dense (the ids of the range not asked for are skipped), else by ``IN`` / ``= ANY``."""
    wanted = None
    if ids[-1] - ids[0] < 2 * len(ids):
        sql = make_sql(connection, id_condition="BETWEEN %s AND %s")
        params, wanted = [ids[0], ids[-1]], set(ids)
    elif connection.vendor == "postgresql":  # one array parameter, not 2,000
        sql = make_sql(connection, id_condition="= ANY(%s::bigint[])")
        params = [list(ids)]
    else:
        sql = make_sql(connection, id_condition=f"IN ({', '.join(['%s'] * len(ids))})")
        params = list(ids)
    with connection.cursor() as cursor:
        # The driver holds the chunk's result (the connection is free again); its rows
        # become Python objects FETCH at a time.
        cursor.execute(sql, [*first, *params * copies])
        while rows := cursor.fetchmany(FETCH):
            yield from (rows if wanted is None else (row for row in rows if row[0] in wanted))


def initiative_lines_in_order(ids, base_url="", using="default"):
    """The lines of the initiatives ``ids``, in that order (a ``sort`` asked for), read
    ``ID_CHUNK`` at a time."""
    connection = connections[using]
    line = _initiative_line_maker(connection, base_url)
    prefix, suffix = _url_parts(base_url)
    ids = [int(pk) for pk in ids]
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        copies = 4 if connection.vendor == "postgresql" else 1
        rows = _chunk_rows(connection, sorted(chunk), _initiative_sql, copies, [prefix, suffix])
        lines = {row[0]: line(row) for row in rows}
        yield from (lines[pk] for pk in chunk if pk in lines)


# Targets ---------------------------------------------------------------------------------------


def _target_sql(connection, source=None, id_condition=None):
    vendor = connection.vendor
    quote = connection.ops.quote_name
    text = lambda column: _text_cell(vendor, column)  # noqa: E731
    number = lambda column: _number_cell(vendor, column)  # noqa: E731
    head = _joined(number("t.id"), text("t.indicator")) + " || ','"
    mid = (
        "',' || "
        + _joined(
            text("t.unit"),
            text("t.comparator"),
            text("t.kind"),
            number("t.year"),
            number("t.year_start"),
            number("t.year_end"),
        )
        + " || ','"
    )
    tail = (
        "',' || "
        + _joined(
            text("t.text"),
            text("d.title"),
            number("t.document_id"),
            text("d.file_name"),
            number(f"t.{quote('start')}"),
            number(f"t.{quote('end')}"),
            number("t.initiative_id"),
            text("t.period_type"),
            text("c.code"),
            text(f"t.{quote('key')}"),
        )
        + " || "
        + ("E'\\r\\n'" if vendor == "postgresql" else "char(13, 10)")
    )
    table, document = Target._meta.db_table, Document._meta.db_table
    indicator = Indicator._meta.db_table
    return (
        f"SELECT t.id, {head}, t.value, {mid}, t.region_id, {tail} FROM "
        + (f"{table} t" if id_condition else f"({source}) f JOIN {table} t ON t.id = f.row_id")
        + f" JOIN {document} d ON d.id = t.document_id"
        f" LEFT JOIN {indicator} c ON c.id = t.canonical_indicator_id"
        + (f" WHERE t.id {id_condition}" if id_condition else "")
        + " ORDER BY t.id"
    )


def target_lines(queryset):
    """The CSV lines (without header) of ``queryset``'s targets, by id."""
    connection = connections[queryset.db]
    g = gazetteer()
    # The value as the ORM reads it (a Decimal of the field's places), then as the contract
    # writes it: no trailing zeros, never exponent notation.
    field = Target._meta.get_field("value")
    column = field.get_col(Target._meta.db_table)
    converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)

    def value(raw):
        for converter in converters:
            raw = converter(raw, column, connection)
        return "" if raw is None else cell(format(raw.normalize(), "f"))

    def region(code):
        return cell(g.path_name(code)) + "," + cell(code) if code else ","

    values, regions = _Cells(value), _Cells(region)
    source, params = _source(queryset, connection)
    if connection.vendor == "postgresql":  # by chunks of ids, as initiative_lines
        rows = _rows_by_chunks(connection, source, params, _target_sql, 1)
    else:
        rows = _fetch(connection, _target_sql(connection, source), params)
    for row in rows:
        yield row[1] + values[row[2]] + row[3] + regions[row[4]] + row[5]


def stream(columns, lines):
    """The download's text in response-sized chunks: BOM and header, then the lines."""
    yield header(columns)
    yield from _in_chunks(lines)
