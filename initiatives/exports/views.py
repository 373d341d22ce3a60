"""CSV export, the read-only JSON API, the data dictionary (/data/) and the full download
(the API's OpenAPI description is ``initiatives.exports.openapi``).

CSV export and API: what the search pages' query parameters select.

Both go through the search pages' FilterSets (``InitiativeFilter``, ``TargetFilter``) and
the rows come from ``initiatives.exports.rows``, the code path ``manage.py export`` uses. Unlike
the page, which drops a bad value and says so, they are strict: a bad or inapplicable filter
value answers 400 naming the parameter and the form it accepts (plain text for CSV, a JSON
body for the API), as does a bad ``page``, ``page_size`` or ``facets``; never a 500. Every
export answers HEAD (headers only, nothing is read from the database).
"""

import re
import tempfile
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db import connection, transaction
from django.db.models import Count
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from initiatives.exports import citation, guide, knowledge_base, package, streaming, tables
from initiatives.exports.rows import (
    INITIATIVE_COLUMNS,
    TARGET_COLUMNS,
    initiative_values,
    stream_csv,
    target_rows,
)
from initiatives.models import Document, Initiative, PolicyInstrument, Status, Target, Theme
from initiatives.search import facets
from initiatives.search.filters import InitiativeFilter, TargetFilter
from regions.models import Region

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
# The parameters named in a file name, in this order (their clean values, ASCII only).
FILE_NAME_PARAMS = [
    "q",
    "province",
    "region",
    "theme",
    "year",
    "year_min",
    "year_max",
    "in_force",
    "instrument",
    "kind",
    "indicator",
    "target_kind",
]
MAX_FILE_NAME = 150


def base_url(request):
    """The site's address for absolute links in exports: settings.SITE_URL, never the Host
    header (which a client chooses, and which would make two copies of a download differ)."""
    return settings.SITE_URL.rstrip("/")


# CSV ---------------------------------------------------------------------------------------


@require_safe
def initiative_csv(request):
    filter_set = InitiativeFilter(request.GET, queryset=Initiative.objects.visible())
    if errors := filter_set.strict_errors():
        return csv_refusal(errors)
    file_name = export_file_name("initiatives", filter_set)
    if request.method == "HEAD":
        return csv_lines_response(INITIATIVE_COLUMNS, None, file_name)
    return csv_lines_response(
        INITIATIVE_COLUMNS, filtered_lines(filter_set, base_url(request)), file_name
    )


def filtered_lines(filter_set, base_url=""):
    """The initiatives CSV's lines: by id, or in the order ``sort`` asks for (the search
    page's and the API's order)."""
    if not filter_set.cleaned().get("sort"):
        return streaming.initiative_lines(filter_set.filtered(), base_url)
    return streaming.initiative_lines_in_order(
        filter_set.selection.ordered_ids(filter_set.sort_key), base_url, filter_set.queryset.db
    )


@require_safe
def target_csv(request):
    filter_set = TargetFilter(request.GET, queryset=Target.objects.visible())
    if errors := filter_set.strict_errors():
        return csv_refusal(errors)
    file_name = export_file_name("targets", filter_set)
    if request.method == "HEAD":
        return csv_lines_response(TARGET_COLUMNS, None, file_name)
    lines = streaming.target_lines(filter_set.filtered())
    return csv_lines_response(TARGET_COLUMNS, lines, file_name)


def csv_response(columns, rows, file_name):
    """The streamed CSV of ``rows`` (lists of cells); ``rows`` ``None``: the headers alone
    (HEAD)."""
    return _csv_download(None if rows is None else stream_csv(columns, rows), file_name)


def csv_lines_response(columns, lines, file_name):
    """The streamed CSV of finished ``lines`` (``streaming``); ``None``: the headers alone."""
    return _csv_download(None if lines is None else streaming.stream(columns, lines), file_name)


def _csv_download(text, file_name):
    if text is None:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_refusal(errors):
    """400 for a CSV request with bad filters: one line per refused value, as plain text a
    script's log (or ``curl``) shows as it is."""
    body = "".join(f"{error}\n" for error in errors)
    response = HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def api_refusal(errors):
    return _bad_request(
        BadParameter(
            " ".join(str(error) for error in errors),
            {error.parameter: error.value for error in errors},
        )
    )


def _ascii(value):
    return re.sub(r"[^A-Za-z0-9_.]+", "_", str(value)).strip("_.")


def export_file_name(table, filter_set, today=None):
    """``initiatives-2026-11-23-province-510000-theme-graduates.csv``: what the file holds,
    from the values the filter set kept (ASCII only; a non-ASCII query shows as ``q``)."""
    today = today or timezone.localdate()
    parts = [table, today.isoformat()]
    cleaned = filter_set.cleaned()
    for name in FILE_NAME_PARAMS:
        value = cleaned.get(name)
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        if name == "instrument":
            values = [
                filter_set.instruments[v].slug if v in filter_set.instruments else v for v in values
            ]
        if name == "q":
            if not getattr(filter_set, "terms", None):
                continue
            parts.append("q")
            ascii_query = _ascii(value)
            if ascii_query:
                parts.append(ascii_query[:30])
            continue
        pieces = [p for p in (_ascii(v) for v in values) if p]
        parts.append(name.replace("_", "-"))
        if pieces:
            parts.append("_".join(pieces))
    name = "-".join(parts)
    if len(name) > MAX_FILE_NAME:
        name = name[:MAX_FILE_NAME].rstrip("-_")
    return f"{name}.csv"


# JSON API ----------------------------------------------------------------------------------


class BadParameter(Exception):
    def __init__(self, message, parameters):
        super().__init__(message)
        self.message = message
        self.parameters = parameters


def _bad_request(error):
    return JsonResponse(
        {"error": error.message, "parameters": error.parameters},
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )


def _positive_int(request, name, default, maximum=None):
    raw = request.GET.get(name)
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise BadParameter(f"{name} must be a positive integer", {name: raw[:40]})
    value = int(raw)
    if maximum is not None and value > maximum:
        raise BadParameter(f"{name} must be at most {maximum}", {name: raw[:40]})
    return value


def _flag(request, name):
    raw = (request.GET.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise BadParameter(f"{name} must be 0 or 1", {name: raw[:40]})


def _page(request, ids, count=None):
    """(page, ids on the page in order, total) or BadParameter. ``ids``: the results' ids
    in order (a sequence, or a ``values_list`` queryset with ``count`` from a cheaper
    unsorted COUNT)."""
    number = _positive_int(request, "page", 1)
    size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    paginator = Paginator(ids, size)
    if count is not None:
        paginator.count = count
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise BadParameter(
            f"page {number} is past the last page ({paginator.num_pages})", {"page": str(number)}
        ) from None
    return page, [int(pk) for pk in page.object_list], paginator.count


def _link(request, page_number):
    """The next or previous page's address, on SITE_URL (like every link in an export): the
    Host header is the client's to choose, and would send a script to another site."""
    params = request.GET.copy()
    params["page"] = str(page_number)
    return f"{base_url(request)}{request.path}?{params.urlencode()}"


def _envelope(request, page, count, results, notices):
    return {
        "count": count,
        "page": page.number,
        "page_size": page.paginator.per_page,
        "next": _link(request, page.next_page_number()) if page.has_next() else None,
        "previous": _link(request, page.previous_page_number()) if page.has_previous() else None,
        "notices": [str(n) for n in notices],
        "results": results,
    }


def json_response(data):
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _by_ids(rows, ids):
    by_pk = {row[0]: row for row in rows}
    return [by_pk[pk] for pk in ids if pk in by_pk]


@require_safe
def api_initiatives(request):
    filter_set = InitiativeFilter(request.GET, queryset=Initiative.objects.visible())
    if errors := filter_set.strict_errors():
        return api_refusal(errors)
    try:
        want_facets = _flag(request, "facets")
        page, ids, count = _page(request, filter_set.selection.ordered_ids(filter_set.sort_key))
    except BadParameter as error:
        return _bad_request(error)
    rows = initiative_values(Initiative.objects.filter(pk__in=ids), base_url(request))
    results = [dict(zip(INITIATIVE_COLUMNS, row, strict=True)) for row in _by_ids(rows, ids)]
    data = _envelope(request, page, count, results, filter_set.notices)
    if want_facets:
        data["facets"] = facet_counts(filter_set)
    return json_response(data)


def facet_counts(filter_set):
    """The search page's facets (initiatives.search.facets), as value/label/count/selected."""

    def plain(values):
        return [
            {"value": v.value, "label": str(v.label), "count": v.count, "selected": v.selected}
            for v in values
        ]

    years, kinds, _total = facets.year_and_kind_facets(filter_set)
    return {
        "province": plain(facets.province_facet(filter_set)),
        "theme": plain(facets.theme_facet(filter_set)),
        "instrument": plain(facets.instrument_facet(filter_set)),
        "year": plain(years),
        "kind": plain(kinds),
    }


def _json_number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


@require_safe
def api_targets(request):
    filter_set = TargetFilter(request.GET, queryset=Target.objects.visible())
    if errors := filter_set.strict_errors():
        return api_refusal(errors)
    try:
        page, ids, count = _page(
            request, filter_set.qs.values_list("pk", flat=True), filter_set.filtered().count()
        )
    except BadParameter as error:
        return _bad_request(error)
    rows = target_rows(Target.objects.filter(pk__in=ids))
    results = []
    for row in _by_ids(rows, ids):
        record = dict(zip(TARGET_COLUMNS, row, strict=True))
        record["value"] = _json_number(record["value"])
        # One region per target; arrays, as for initiatives.
        record["regions"] = [record["regions"]] if record["regions"] else []
        record["region_codes"] = [record["region_codes"]] if record["region_codes"] else []
        results.append(record)
    return json_response(_envelope(request, page, count, results, filter_set.notices))


# Data dictionary and full download ------------------------------------------------------------

# The zip is built in memory up to this size, then in a temporary file on disk.
SPOOL_MAX_SIZE = 16 * 1024 * 1024


def _with_examples(table, site):
    return [(column, column.example.replace("{base}", site)) for column in table.columns]


@require_safe
def data_dictionary(request):
    """/data/: every published column, the vocabularies and how to cite, for researchers."""
    site = base_url(request)
    level_counts = dict(
        Region.objects.order_by()
        .values_list("level")
        .annotate(n=Count("code"))
        .values_list("level", "n")
    )
    instruments = sorted(
        PolicyInstrument.objects.all(),
        key=lambda i: (list(PolicyInstrument.Category.values).index(i.category), i.name),
    )
    example = (
        Initiative.objects.visible()
        .select_related("document")
        .defer("search_text", "document__text")
        .order_by("pk")
        .first()
    )
    context = {
        "site": site,
        "initiative_columns": _with_examples(tables.INITIATIVE_TABLE, site),
        "target_columns": _with_examples(tables.TARGET_TABLE, site),
        "other_tables": knowledge_base.TABLES[2:],
        "zip_members": knowledge_base.ZIP_MEMBERS,
        "themes": Theme.objects.order_by("position", "key"),
        "instruments": instruments,
        "levels": [
            (value, label, tables.LEVEL_NAMES[value], level_counts.get(value, 0))
            for value, label in Region.Level.choices
        ],
        "region_total": sum(level_counts.values()),
        "document_kinds": Document.Kind.choices,
        "statuses": Status.choices,
        "target_kinds": Target.Kind.choices,
        "example": example,
        "today": timezone.localdate(),
        "data_license": settings.DATA_LICENSE,
        "dataset_citation": citation.dataset(package.data_changed_at()),
        "dataset_cite_heading": _("引用本数据集"),
        "pandas_snippet": guide.PANDAS,
        "stata_snippet": guide.STATA,
    }
    return render(request, "exports/data.html", context)


@contextmanager
def _snapshot():
    """One consistent view of the database while the zip's tables are read.

    On PostgreSQL a REPEATABLE READ transaction (read committed would let an ingest that
    commits half-way through show up in targets.csv but not in initiatives.csv); SQLite's
    read transaction is a snapshot already. Inside an outer transaction, that one is used.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@require_safe
def knowledge_base_download(request):
    """/data/knowledge-base.zip: every visible row of every table, plus datapackage.json.

    Written to a temporary file (in memory while small, on disk beyond SPOOL_MAX_SIZE) and
    sent with FileResponse, which reads it back in blocks and closes (deletes) it.
    """
    with _snapshot():
        changed_at = package.data_changed_at()
    file_name = f"knowledge-base-{changed_at.date().isoformat()}.zip"
    if request.method == "HEAD":
        # What a GET would send, without writing the whole knowledge base.
        response = HttpResponse(content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(True, file_name)
        response["X-Content-Type-Options"] = "nosniff"
        return response
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE, suffix=".zip")
    try:
        with _snapshot():
            # Dated again inside the snapshot: a change since the name was chosen is in it.
            written = package.write_knowledge_base(spool, base_url(request))
        # Outside the snapshot (read-only on PostgreSQL): the next release compares with it.
        written.record()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(
        spool, as_attachment=True, filename=file_name, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
