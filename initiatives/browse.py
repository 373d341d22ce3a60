"""Browse pages: every document, every policy instrument, every canonical indicator.

Each page is a handful of aggregate queries: counts are grouped in the database and no
document text is read (a compilation can hold millions of characters).
"""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from initiatives.models import (
    Document,
    Indicator,
    InitiativeRegion,
    PolicyInstrument,
    Status,
    Target,
)
from initiatives.search.facets import FacetValue, toggled
from regions.gazetteer import PROVINCE, gazetteer

DOCUMENT_PAGE_SIZE = 30
# Regions named under each indicator on /indicators/; the rest are counted, not listed.
INDICATOR_REGIONS_SHOWN = 40
DOCUMENT_LONG_COLUMNS = ("text", "curated_fields", "withdrawn_statuses")
VISIBLE_INITIATIVE = ~Q(initiatives__status=Status.HIDDEN)


def _document_choices(params):
    """The valid province, kind and year values asked for, and a notice per ignored one."""
    gaz, notices = gazetteer(), []
    chosen = {"province": [], "kind": [], "year": []}
    for raw in params.getlist("province"):
        place = gaz.get(raw) if raw.isascii() and raw.isdigit() else None
        if place is not None and place.level == PROVINCE:
            chosen["province"].append(raw)
        elif raw:
            notices.append(_("“%(value)s”不是省级地区代码，已忽略。") % {"value": raw[:40]})
    for raw in params.getlist("kind"):
        if raw in Document.Kind.values:
            chosen["kind"].append(raw)
        elif raw:
            notices.append(_("“%(value)s”不是文件类型，已忽略。") % {"value": raw[:40]})
    for raw in params.getlist("year"):
        if raw.isascii() and raw.isdigit() and len(raw) == 4:
            chosen["year"].append(int(raw))
        elif raw:
            notices.append(_("“%(value)s”不是年份，已忽略。") % {"value": raw[:40]})
    return chosen, notices


def _documents_filtered(chosen, leave_out=None):
    qs = Document.objects.public()
    if chosen["province"] and leave_out != "province":
        qs = qs.filter(issuing_region__province_id__in=chosen["province"])
    if chosen["kind"] and leave_out != "kind":
        qs = qs.filter(kind__in=chosen["kind"])
    if chosen["year"] and leave_out != "year":
        qs = qs.filter(year__in=chosen["year"])
    return qs


def document_list(request):
    """Every public document, filterable by issuing province, kind and year; each facet
    value with its count (counted with the other two filters applied)."""
    params = request.GET
    chosen, notices = _document_choices(params)
    gaz = gazetteer()
    kind_labels = dict(Document.Kind.choices)

    def facet(name, column, label):
        counts = (
            _documents_filtered(chosen, leave_out=name)
            .exclude(**{f"{column}__isnull": True})
            .values_list(column)
            .annotate(n=Count("pk"))
            .order_by(column)
        )
        return [
            FacetValue(
                str(value),
                label(value),
                n,
                value in chosen[name],
                toggled(params, name, str(value)),
            )
            for value, n in counts
        ]

    provinces = facet("province", "issuing_region__province_id", lambda c: gaz.get(c).display_name)
    kinds = facet("kind", "kind", lambda k: kind_labels.get(k, k))
    years = facet("year", "year", str)
    years.reverse()  # newest first
    documents = (
        _documents_filtered(chosen)
        .select_related("issuing_region")
        .defer(*DOCUMENT_LONG_COLUMNS, *(f"issuing_region__{c}" for c in ("aliases",)))
        .annotate(
            initiative_count=Count("initiatives", filter=VISIBLE_INITIATIVE),
        )
        .order_by("-year", "-issued_on", "-pk")
    )
    page = Paginator(documents, DOCUMENT_PAGE_SIZE).get_page(params.get("page"))
    ctx = {
        "notices": notices,
        "provinces": provinces,
        "kinds": kinds,
        "years": years,
        "page": page,
        "total": page.paginator.count,
        "filtered": any(chosen.values()),
    }
    return render(request, "initiatives/document_list.html", ctx)


def instrument_list(request):
    """Every policy instrument by category, with the visible initiatives using it and the
    regions (issuer or covered) those initiatives are placed in."""
    instruments = PolicyInstrument.objects.annotate(
        initiative_count=Count("initiatives", filter=~Q(initiatives__status=Status.HIDDEN))
    ).order_by("name")
    regions = dict(
        InitiativeRegion.objects.filter(role__in=InitiativeRegion.COUNTED_ROLES)
        .exclude(initiative__status=Status.HIDDEN)
        .filter(initiative__instruments__isnull=False)
        .values_list("initiative__instruments")
        .annotate(n=Count("region", distinct=True))
        .order_by()
    )
    by_category = {value: [] for value in PolicyInstrument.Category.values}
    for instrument in instruments:
        instrument.region_count = regions.get(instrument.pk, 0)
        by_category.setdefault(instrument.category, []).append(instrument)
    labels = dict(PolicyInstrument.Category.choices)
    groups = [
        {"category": category, "label": labels.get(category, category), "instruments": items}
        for category, items in by_category.items()
        if items
    ]
    ctx = {"groups": groups, "instrument_count": sum(len(g["instruments"]) for g in groups)}
    return render(request, "initiatives/instrument_list.html", ctx)


def indicator_list(request):
    """The canonical indicators with the number of visible targets, the regions reporting
    them (each with its count) and the labels the documents used for them."""
    gaz = gazetteer()
    indicators = list(Indicator.objects.all())
    targets = Target.objects.visible().filter(canonical_indicator__isnull=False)
    per_region = (
        targets.values_list("canonical_indicator", "region")
        .annotate(n=Count("pk"))
        .order_by("canonical_indicator", "-n", "region")
    )
    labels = (
        targets.values_list("canonical_indicator", "indicator")
        .annotate(n=Count("pk"))
        .order_by("canonical_indicator", "-n", "indicator")
    )
    rows = {i.pk: {"indicator": i, "regions": [], "labels": [], "count": 0} for i in indicators}
    for pk, code, n in per_region:
        row = rows[pk]
        row["count"] += n
        if code is not None:
            place = gaz.get(code)
            row["regions"].append((code, place.display_name if place else code, n))
    for pk, label, n in labels:
        rows[pk]["labels"].append((label, n))
    shown = []
    for row in rows.values():
        row["region_count"] = len(row["regions"])
        row["more_regions"] = max(0, row["region_count"] - INDICATOR_REGIONS_SHOWN)
        row["regions"] = row["regions"][:INDICATOR_REGIONS_SHOWN]
        shown.append(row)
    ctx = {"rows": shown, "reported": sum(1 for r in shown if r["count"])}
    return render(request, "initiatives/indicator_list.html", ctx)
