import numpy as np
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from initiatives import charts, facet_index, facets
from initiatives.filters import InitiativeFilter, TargetFilter
from initiatives.highlight import pieces, snippet
from initiatives.models import (
    Document,
    Initiative,
    PolicyInstrument,
    Status,
    Target,
)
from regions.gazetteer import gazetteer

PAGE_SIZE = 20
CONTEXT_CHARS = 240  # source text shown on each side of an initiative
MAX_INDICATOR_ROWS = 500  # target rows drawn on an indicator page (the rest: /targets/)


def region_paths(codes):
    """``[[(code, name), …] per region]``: province down to the region, for breadcrumbs."""
    gaz = gazetteer()
    return [[(p.code, p.name) for p in gaz.path(code)] for code in codes]


def home(request):
    visible = Initiative.objects.visible()
    # The map counts like the search page's province facet, and its tiles open that page.
    everything = InitiativeFilter(QueryDict())
    ctx = {
        "counts": {
            "initiatives": visible.count(),
            "targets": Target.objects.visible().count(),
            "documents": Document.objects.count(),
            "instruments": PolicyInstrument.objects.count(),
        },
        "themes": _with_counts(everything),
        "province_map": charts.province_map(
            facets.province_facet(everything), base_url=reverse("initiative_list")
        ),
        "latest_documents": Document.objects.select_related("issuing_region").order_by(
            "-ingested_at"
        )[:8],
    }
    return render(request, "initiatives/home.html", ctx)


def _with_counts(filter_set):
    """The themes, each with ``n``: its visible initiatives (the facet index's count)."""
    counts = facets.facet_counts(filter_set).themes
    themes = list(filter_set.themes.values())
    for theme in themes:
        theme.n = counts.get(theme.pk, 0)
    return themes


# A result row's own columns and its document's title; not read: the index tokens, the
# document's full text, the vocabularies' JSON lists.
RESULT_ROWS = Initiative.objects.select_related("document").defer(
    "search_text", "document__text", "document__curated_fields"
)


def result_rows(filter_set, page):
    """What each result on ``page`` shows: the initiative, its regions as breadcrumbs, its
    themes and instruments (in their vocabularies' order).

    The links come from the facet index the page was counted with, and the labels from the
    vocabularies the filter set loaded anyway: one query for the page (its rows with their
    documents) instead of one more per kind of link.
    """
    initiatives = page.object_list
    labels = filter_set.selection.index.labels_of([i.pk for i in initiatives])
    themes = {t.pk: t for t in filter_set.themes.values()}
    instruments = filter_set.instruments
    rows = []
    for initiative in initiatives:
        codes, theme_ids, instrument_ids = labels.get(initiative.pk, ([], [], []))
        theme_ids, instrument_ids = set(theme_ids), set(instrument_ids)
        rows.append(
            {
                "initiative": initiative,
                "regions": region_paths(codes),
                "themes": [t for pk, t in themes.items() if pk in theme_ids],
                "instruments": [i for pk, i in instruments.items() if pk in instrument_ids],
            }
        )
    return rows


def initiative_list(request):
    filter_set = InitiativeFilter(request.GET)
    years, kinds, total = facets.year_and_kind_facets(filter_set)
    paginator = Paginator(filter_set.results(RESULT_ROWS), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    terms = filter_set.highlight_terms
    results = result_rows(filter_set, page)
    for row in results:
        row["snippet"] = snippet(row["initiative"].text, terms)
    ctx = {
        "filter": filter_set,
        "q": filter_set.query[0],
        "notices": filter_set.notices,
        "page": page,
        "results": results,
        "total": paginator.count,
        "sort": filter_set.sort_key,
        "sorts": [
            ("relevance", _("相关度")),
            ("newest", _("最新")),
            ("region", _("地区")),
        ],
        "chips": facets.active_chips(filter_set),
        **pictures(filter_set, total),
        "place_children": facets.place_children_facet(filter_set),
        "themes": facets.theme_facet(filter_set),
        "instruments": facets.instrument_facet(filter_set),
        "years": years,
        "kinds": kinds,
        "relaxations": facets.relaxations(filter_set) if paginator.count == 0 else [],
        "export_query": facets.without(request.GET).lstrip("?"),
        "year_min": filter_set.active("year_min"),
        "year_max": filter_set.active("year_max"),
        "in_force": filter_set.active("in_force"),
        "hidden_params": _hidden_params(request.GET, keep_out=("q", "page")),
    }
    return render(request, "initiatives/initiative_list.html", ctx)


def pictures(filter_set, total):
    """The province facet (also drawn as the map) and the theme × year chart of the results.

    The map reuses the facet's counts and links; the chart's cells are counted with them.
    """
    provinces = facets.province_facet(filter_set)
    cells = facets.theme_year_cells(filter_set) if total else {}
    return {
        "provinces": provinces,
        "province_map": charts.province_map(provinces),
        "theme_year": charts.theme_year_chart(cells, list(filter_set.themes.values())),
    }


def _hidden_params(data, keep_out):
    """The other active parameters, as hidden inputs of the query form."""
    return [
        (name, value)
        for name, values in data.lists()
        if name not in keep_out
        for value in values
        if value
    ]


def initiative_detail(request, pk):
    initiative = get_object_or_404(
        Initiative.objects.visible()
        .select_related("document")
        .prefetch_related("themes", "instruments", "initiativeregion_set"),
        pk=pk,
    )
    document = initiative.document
    start = max(0, initiative.start - CONTEXT_CHARS)
    end = min(len(document.text), initiative.end + CONTEXT_CHARS)
    passage = pieces(document.text[start:end], [(initiative.start - start, initiative.end - start)])
    ctx = {
        "initiative": initiative,
        "document": document,
        "regions": region_paths(r.region_id for r in initiative.initiativeregion_set.all()),
        "passage": passage,
        "passage_cut": (start > 0, end < len(document.text)),
        "targets": initiative.targets.visible().select_related("region"),
        "related": related_initiatives(initiative),
        "unreviewed": initiative.status == Status.EXTRACTED,
    }
    return render(request, "initiatives/initiative_detail.html", ctx)


def related_initiatives(initiative, limit=8):
    """Initiatives of other documents with the same instruments, else the same themes
    (newest first; chosen in the facet index rather than by sorting every match in SQL)."""
    index = facet_index.current()
    others = index.document != initiative.document_id
    ids = []
    for rows, values, chosen in (
        (index.instrument_row, index.instrument_id, [i.pk for i in initiative.instruments.all()]),
        (index.theme_row, index.theme_id, [t.pk for t in initiative.themes.all()]),
    ):
        if chosen and len(ids) < limit:
            mask = others & facet_index.links_mask(index, rows, np.isin(values, chosen))
            mask[index.rows_of(ids)[0]] = False
            ids += index.newest_ids(mask, limit - len(ids))
    by_pk = Initiative.objects.visible().in_bulk(ids)
    related = [by_pk[pk] for pk in ids if pk in by_pk]
    prefetch_related_objects(related, "initiativeregion_set")
    return [
        {
            "initiative": r,
            "regions": region_paths(x.region_id for x in r.initiativeregion_set.all()),
        }
        for r in related
    ]


def document_detail(request, pk):
    document = get_object_or_404(Document.objects.select_related("issuing_region"), pk=pk)
    initiatives = list(document.initiatives.visible().order_by("start", "pk"))
    ctx = {
        "document": document,
        "segments": marked_segments(document.text, initiatives),
        "initiative_count": len(initiatives),
        "target_pairs": charts.draw_pairs(charts.pair_targets(document.targets.visible())),
        "issuing_path": region_paths([document.issuing_region_id])[0]
        if document.issuing_region_id
        else [],
    }
    return render(request, "initiatives/document_detail.html", ctx)


def marked_segments(text, initiatives):
    """The document text cut into plain pieces and initiative pieces (anchored ``i<pk>``).

    An initiative that overlaps the previous one keeps its anchor (an empty marker where it
    starts inside the previous mark would be invisible), placed just before that mark.
    """
    segments, at = [], 0
    pending_anchors = []
    for initiative in initiatives:
        start = min(max(initiative.start, 0), len(text))
        end = min(initiative.end, len(text))
        if start < at or end <= start:
            pending_anchors.append(initiative)
            continue
        if start > at:
            segments.append({"text": text[at:start], "initiative": None, "anchors": []})
        segments.append(
            {"text": text[start:end], "initiative": initiative, "anchors": pending_anchors}
        )
        pending_anchors = []
        at = end
    segments.append({"text": text[at:], "initiative": None, "anchors": pending_anchors})
    return segments


def instrument_detail(request, slug):
    instrument = get_object_or_404(PolicyInstrument, slug=slug)
    initiatives = (
        instrument.initiatives.visible()
        .select_related("document")
        .prefetch_related(
            "initiativeregion_set",
            Prefetch("targets", queryset=Target.objects.visible().order_by("year", "pk")),
        )
        .order_by("year", "pk")
    )
    by_region = {}
    for initiative in initiatives:
        codes = [r.region_id for r in initiative.initiativeregion_set.all()] or [None]
        for code in codes:
            by_region.setdefault(code, []).append(initiative)
    rows = [
        {
            "code": code,
            "path": region_paths([code])[0] if code else [],
            "years": sorted({i.year for i in items if i.year}),
            "initiatives": items,
            "targets": [t for i in items for t in i.targets.all()],
        }
        for code, items in sorted(by_region.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    ]
    ctx = {
        "instrument": instrument,
        "rows": rows,
        "region_count": len([r for r in rows if r["code"]]),
        "search_url": f"?instrument={instrument.slug}",
    }
    return render(request, "initiatives/instrument_detail.html", ctx)


def target_list(request):
    filter_set = TargetFilter(request.GET)
    paginator = Paginator(filter_set.qs.select_related("document", "initiative"), PAGE_SIZE * 2)
    page = paginator.get_page(request.GET.get("page"))
    indicators = (
        filter_set.filtered(leave_out=("indicator",))
        .values_list("indicator")
        .annotate(n=Count("pk"))
        .order_by("-n", "indicator")[:30]
    )
    ctx = {
        "filter": filter_set,
        "notices": filter_set.notices,
        "page": page,
        "rows": [
            {"target": t, "path": region_paths([t.region_id])[0] if t.region_id else []}
            for t in page.object_list
        ],
        "total": paginator.count,
        "indicators": [
            facets.FacetValue(
                name,
                name,
                n,
                name in (filter_set.cleaned().get("indicator") or []),
                facets.toggled(request.GET, "indicator", name),
            )
            for name, n in indicators
        ],
        "target_kinds": [
            facets.FacetValue(
                value,
                label,
                0,
                value in (filter_set.cleaned().get("target_kind") or []),
                facets.toggled(request.GET, "target_kind", value),
            )
            for value, label in Target.Kind.choices
        ],
        "active": [
            facets.Chip(str(value), facets.toggled(request.GET, name, str(value)))
            for name in ("province", "region", "year", "indicator", "target_kind", "kind")
            for value in filter_set.cleaned().get(name) or []
        ],
        "export_query": facets.without(request.GET).lstrip("?"),
    }
    return render(request, "initiatives/target_list.html", ctx)


def indicator_detail(request, indicator):
    """Regions side by side on one indicator: each target with its achieved figure, bars
    on one scale per unit. The target-page parameters (province, region, year, kind…) apply."""
    if not Target.objects.visible().filter(indicator=indicator).exists():
        raise Http404
    data = request.GET.copy()
    data.setlist("indicator", [indicator])
    data.pop("page", None)
    filter_set = TargetFilter(data)
    pairs = charts.pair_targets(filter_set.qs[:MAX_INDICATOR_ROWS])
    ctx = {
        "indicator": indicator,
        "notices": filter_set.notices,
        "groups": charts.by_unit(pairs),
        "region_count": len({p.region_id for p in pairs}),
        "row_count": filter_set.qs.count(),
        "max_rows": MAX_INDICATOR_ROWS,
        "targets_query": data.urlencode(),
    }
    return render(request, "initiatives/indicator_detail.html", ctx)
