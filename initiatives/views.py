from urllib.parse import urlencode

import numpy as np
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.db.models.functions import Substr
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from initiatives.exports import citation
from initiatives.identity import sentence_diff
from initiatives.models import (
    Document,
    Initiative,
    InitiativeRegion,
    MergeRecord,
    PolicyInstrument,
    Status,
    Target,
)
from initiatives.pictures import charts
from initiatives.search import facet_index, facets, index_masks, target_facets
from initiatives.search.filters import InitiativeFilter, TargetFilter
from initiatives.search.highlight import pieces, snippet
from regions.gazetteer import gazetteer

PAGE_SIZE = 20
CONTEXT_CHARS = 240  # source text shown on each side of an initiative
MAX_INDICATOR_ROWS = 500  # target rows drawn on an indicator page (the rest: /targets/)
# Characters of a document shown per page: a long document is read a section at a time.
SECTION_CHARS = 60_000


def region_paths(codes):
    """``[[(code, name), …] per region]``: province down to the region, for breadcrumbs (the
    names in the page's language)."""
    gaz = gazetteer()
    return [gaz.display_path(code) for code in codes]


def home(request):
    visible = Initiative.objects.visible()
    # The map counts like the search page's province facet, and its tiles open that page.
    everything = InitiativeFilter(QueryDict())
    ctx = {
        "counts": {
            "initiatives": visible.count(),
            "targets": Target.objects.visible().count(),
            "documents": Document.objects.public().count(),
            "instruments": PolicyInstrument.objects.count(),
        },
        "themes": _with_counts(everything),
        "province_map": charts.province_map(
            facets.province_facet(everything), base_url=reverse("initiative_list")
        ),
        "latest_documents": Document.objects.public()
        .select_related("issuing_region")
        .defer(*DOCUMENT_LONG_COLUMNS)
        .order_by("-ingested_at")[:8],
    }
    return render(request, "initiatives/home.html", ctx)


def _with_counts(filter_set):
    """The themes, each with ``n``: its visible initiatives (the facet index's count)."""
    counts = facets.facet_counts(filter_set).themes
    themes = list(filter_set.themes.values())
    for theme in themes:
        theme.n = counts.get(theme.pk, 0)
    return themes


# A document's columns that grow with the document; only the document page reads them.
DOCUMENT_LONG_COLUMNS = ("text", "curated_fields")
# An initiative's columns that no list shows (the full clause, the index tokens).
INITIATIVE_LONG_COLUMNS = ("text", "search_text", "curated_fields")

# A result row's own columns and its document's title; not read: the index tokens, the
# document's full text, the vocabularies' JSON lists.
RESULT_ROWS = Initiative.objects.select_related("document").defer(
    "search_text", *(f"document__{c}" for c in DOCUMENT_LONG_COLUMNS)
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
        "instrument_offers": facets.instrument_offers(filter_set),
        **pictures(filter_set, total),
        "place_children": facets.place_children_facet(filter_set),
        "themes": facets.theme_facet(filter_set),
        "instruments": facets.instrument_facet(filter_set),
        "years": years,
        "kinds": kinds,
        "relaxations": facets.relaxations(filter_set) if paginator.count == 0 else [],
        "export_query": facets.without(filter_set.export_data()).lstrip("?"),
        "year_min": filter_set.active("year_min"),
        "year_max": filter_set.active("year_max"),
        "in_force": filter_set.active("in_force"),
        "hidden_params": _hidden_params(request.GET, keep_out=("q", "page")),
        "compare_url": compare_url(filter_set),
    }
    return render(request, "initiatives/initiative_list.html", ctx)


def compare_url(filter_set):
    """``/compare/?region=A&region=B…`` for the chosen provinces and places (two or more),
    with the one theme and the one year the compare page accepts; "" otherwise."""
    gaz = gazetteer()
    codes = [*(filter_set.active("province") or []), *(filter_set.active("region") or [])]
    codes = [c for c in dict.fromkeys(codes) if gaz.get(c) is not None and gaz.get(c).level]
    if len(codes) < 2:
        return ""
    pairs = [("region", code) for code in codes]
    for name in ("theme", "year"):
        values = filter_set.active(name) or []
        if len(values) == 1:
            pairs.append((name, str(values[0])))
    return reverse("compare") + "?" + urlencode(pairs)


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


def gone(request, what):
    """410: the row existed and was taken off the public site (hidden, or its document
    withdrawn). Its permalink says so instead of pretending it never was."""
    return render(request, "410.html", {"what": what}, status=410)


def survivor_of(pk):
    """The visible initiative that ``pk`` was merged into, or None."""
    record = (
        MergeRecord.objects.filter(merged_initiative_id=pk)
        .select_related("survivor")
        .order_by("-pk")
        .first()
    )
    if record is not None and record.survivor.status != Status.HIDDEN:
        return record.survivor
    return None


def passage_around(document_id, start, end):
    """The sentence in its context: (pieces with the span marked, (cut before, cut after)).

    The passage is cut out by the database: a document may hold millions of characters,
    and a detail page shows a few hundred of them."""
    lo = max(0, start - CONTEXT_CHARS)
    hi = end + CONTEXT_CHARS
    # One character more than shown tells whether the text goes on after the passage.
    around = (
        Document.objects.filter(pk=document_id)
        .annotate(around=Substr("text", lo + 1, hi - lo + 1))
        .values_list("around", flat=True)
        .first()
    ) or ""
    cut_after = len(around) > hi - lo
    return pieces(around[: hi - lo], [(start - lo, end - lo)]), (lo > 0, cut_after)


def initiative_detail(request, pk):
    initiative = (
        Initiative.objects.select_related("document")
        .defer("search_text", *(f"document__{c}" for c in DOCUMENT_LONG_COLUMNS))
        .prefetch_related("themes", "instruments", "initiativeregion_set")
        .filter(pk=pk)
        .first()
    )
    if initiative is None or initiative.status == Status.HIDDEN:
        # A merged row lives on in its survivor; 302, not 301: a merge can be undone.
        survivor = survivor_of(pk)
        if survivor is not None:
            return redirect(survivor)
        if initiative is None:
            raise Http404
        return gone(request, _("这条举措"))
    document = initiative.document
    passage, passage_cut = passage_around(document.pk, initiative.start, initiative.end)
    ctx = {
        "initiative": initiative,
        "document": document,
        "source_url": source_url(document.pk, initiative),
        # The breadcrumbs place the initiative (issuer, covered); partners and places only
        # named in it are listed apart.
        "regions": region_paths(
            r.region_id
            for r in initiative.initiativeregion_set.all()
            if r.role in InitiativeRegion.COUNTED_ROLES
        ),
        "side_regions": [
            (r.get_role_display(), "/".join(name for _, name in path))
            for r in initiative.initiativeregion_set.all()
            if r.role not in InitiativeRegion.COUNTED_ROLES
            for path in region_paths([r.region_id])
        ],
        "passage": passage,
        "passage_cut": passage_cut,
        "targets": initiative.targets.visible().select_related("region"),
        "related": related_initiatives(initiative),
        "unreviewed": initiative.status == Status.EXTRACTED,
        "citation": citation.initiative(initiative),
    }
    return render(request, "initiatives/initiative_detail.html", ctx)


def target_detail(request, pk):
    target = get_object_or_404(
        Target.objects.select_related("document", "initiative", "region").defer(
            *(f"document__{c}" for c in DOCUMENT_LONG_COLUMNS)
        ),
        pk=pk,
    )
    if target.status == Status.HIDDEN or (
        target.initiative is not None and target.initiative.status == Status.HIDDEN
    ):
        return gone(request, _("这个指标"))
    document = target.document
    passage, passage_cut = passage_around(document.pk, target.start, target.end)
    ctx = {
        "target": target,
        "document": document,
        # The figure's own sentence, anchored and highlighted on the document page.
        "source_url": span_url(document.pk, target),
        "citation": citation.target(target),
        "region": region_paths([target.region_id])[0] if target.region_id else [],
        "passage": passage,
        "passage_cut": passage_cut,
        "unreviewed": target.status == Status.EXTRACTED,
    }
    return render(request, "initiatives/target_detail.html", ctx)


def source_url(document_id, row):
    """The row's place in its document: ``at`` picks the section of a long document that
    holds it (ignored on a short one); the fragment scrolls to the initiative's mark (a
    target scrolls to the initiative it belongs to, when it has one)."""
    url = reverse("document_detail", args=[document_id])
    initiative_id = row.pk if isinstance(row, Initiative) else row.initiative_id
    return f"{url}?at={row.start}" + (f"#i{initiative_id}" if initiative_id else "")


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
            mask = others & index_masks.links_mask(index, rows, np.isin(values, chosen))
            mask[index.rows_of(ids)[0]] = False
            ids += index.newest_ids(mask, limit - len(ids))
    by_pk = Initiative.objects.visible().defer(*INITIATIVE_LONG_COLUMNS).in_bulk(ids)
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
    if document.is_withdrawn:
        return gone(request, _("这份文件"))
    sections = document_sections(document.text)
    number = _section_number(request.GET, sections)
    first, last = sections[number - 1]
    initiatives = list(
        document.initiatives.visible()
        .filter(start__lt=last, end__gt=first)
        .defer(*INITIATIVE_LONG_COLUMNS)
        .order_by("start", "pk")
    )
    spans = (
        document.targets.visible()
        .filter(start__gte=first, start__lt=last)
        .order_by("start", "end")
        .values_list("start", "end")
    )
    ctx = {
        "document": document,
        "segments": with_spans(
            marked_segments(document.text, initiatives, first, last), first, list(spans)
        ),
        "initiative_count": document.initiatives.visible().count(),
        # The targets stated in the section shown (all of them in a short document).
        "target_pairs": charts.draw_pairs(
            charts.pair_targets(document.targets.visible().filter(start__gte=first, start__lt=last))
        ),
        "issuing_path": region_paths([document.issuing_region_id])[0]
        if document.issuing_region_id
        else [],
        **version_history(document, request.GET.get("compare")),
        "sections": [
            {"number": n, "label": _section_label(document.text, a, b), "current": n == number}
            for n, (a, b) in enumerate(sections, 1)
        ]
        if len(sections) > 1
        else [],
        "section": number,
        "previous_section": number - 1 if number > 1 else None,
        "next_section": number + 1 if number < len(sections) else None,
    }
    return render(request, "initiatives/document_detail.html", ctx)


def version_history(document, compare):
    """The document's versions (newest first) and what changed from one to the next.

    ``compare`` names the older version of the pair (its number); by default the last
    change is shown. An unknown number shows the default rather than an error: the list
    of versions beside it says which exist.
    """
    old = list(document.versions.order_by("-number"))
    if not old:
        return {"versions": [], "diff": None}
    current = {
        "number": document.version,
        "ingested_at": document.version_ingested_at or document.ingested_at,
        "file_name": document.file_name,
        "current": True,
    }
    versions = [current] + [
        {"number": v.number, "ingested_at": v.ingested_at, "file_name": v.file_name} for v in old
    ]
    texts = {v.number: v.text for v in old} | {document.version: document.text}
    numbers = sorted(texts)
    chosen = old[0].number
    if compare and compare.isdigit() and int(compare) in texts and int(compare) != numbers[-1]:
        chosen = int(compare)
    after = numbers[numbers.index(chosen) + 1]
    return {
        "versions": versions,
        "diff": {
            "old": chosen,
            "new": after,
            "hunks": sentence_diff(texts[chosen], texts[after]),
        },
    }


def document_sections(text, size=None):
    """``[(start, end)]``: the text cut into sections of about ``size`` characters, each
    ending at a line break (so a paragraph is not split), covering the text in order.

    A short document is one section. A long one (a national compilation of a million
    characters) is shown a section at a time, so the page costs what it shows.
    """
    size = size or SECTION_CHARS
    sections, at = [], 0
    while len(text) - at > size:
        cut = text.find("\n", at + size)
        if cut == -1 or cut - at > 2 * size:  # one endless line: cut it where it is long
            cut = at + size
        else:
            cut += 1
        sections.append((at, cut))
        at = cut
    sections.append((at, len(text)))
    return sections


def _section_number(params, sections):
    """The section asked for by ``part`` (1-based) or by ``at`` (a character offset, from an
    initiative's link); the first when neither is given. A bad value is a 404."""
    for name in ("part", "at"):
        raw = params.get(name)
        if raw is None:
            continue
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
            raise Http404
        value = int(raw)
        if name == "part":
            if not 1 <= value <= len(sections):
                raise Http404
            return value
        for n, (_start, end) in enumerate(sections, 1):
            if value < end:
                return n
        return len(sections)
    return 1


def _section_label(text, start, end):
    """The section's first line, short: what a reader looks for in the list of sections."""
    line = text[start : min(end, start + 200)].split("\n", 1)[0].strip()
    return line[:24] + ("…" if len(line) > 24 else "")


def marked_segments(text, initiatives, first=0, last=None):
    """The document text from ``first`` to ``last`` cut into plain pieces and initiative
    pieces (anchored ``i<pk>``).

    An initiative that overlaps the previous one keeps its anchor (an empty marker where it
    starts inside the previous mark would be invisible), placed just before that mark. One
    that starts before ``first`` (it spans two sections) is marked from ``first``.
    """
    last = len(text) if last is None else min(last, len(text))
    segments, at = [], first
    pending_anchors = []
    for initiative in initiatives:
        start = min(max(initiative.start, first), last)
        end = min(initiative.end, last)
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
    segments.append({"text": text[at:last], "initiative": None, "anchors": pending_anchors})
    return segments


def with_spans(segments, first, spans):
    """Each segment's text cut into ``parts``: plain text, and the figures' sentences
    (``spans``: (start, end) of the section's targets, by start) as pieces anchored
    ``s-<start>``, where a target's source link lands (``span_url``) and which the page
    highlights as the link's target. A span overlapping the one before it keeps its anchor
    (empty, where the earlier mark is); one running past its segment is marked up to there."""
    spans = [(start, end) for start, end in spans if end > start]
    i, at, taken = 0, first, set()
    for segment in segments:
        text = segment["text"]
        begin, stop = at, at + len(text)
        at = stop
        parts, cursor = [], begin
        while i < len(spans) and spans[i][0] < stop:
            start, end = spans[i]
            i += 1
            anchor = "" if start in taken else f"s-{start}"
            taken.add(start)
            if start < cursor:
                if anchor:
                    parts.append({"text": "", "id": anchor, "span": False})
                continue
            if start > cursor:
                parts.append(
                    {"text": text[cursor - begin : start - begin], "id": "", "span": False}
                )
            end = min(end, stop)
            parts.append({"text": text[start - begin : end - begin], "id": anchor, "span": True})
            cursor = end
        if cursor < stop:
            parts.append({"text": text[cursor - begin :], "id": "", "span": False})
        segment["parts"] = parts
    return segments


def span_url(document_id, row):
    """The exact place of a row's sentence in its document: the section that holds it, and
    the fragment ``#s-<start>`` the document page anchors (and highlights) there."""
    url = reverse("document_detail", args=[document_id])
    return f"{url}?at={row.start}#s-{row.start}"


def instrument_detail(request, slug):
    instrument = get_object_or_404(PolicyInstrument, slug=slug)
    initiatives = (
        instrument.initiatives.visible()
        .defer(*INITIATIVE_LONG_COLUMNS)
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
    """Targets with the search page's filters (``TargetFilter``): each figure in readable
    units with its exact value, its source sentence and a link to that sentence."""
    filter_set = TargetFilter(request.GET)
    paginator = Paginator(
        filter_set.qs.select_related("document", "initiative").defer(
            *(f"document__{c}" for c in DOCUMENT_LONG_COLUMNS),
            *(f"initiative__{c}" for c in INITIATIVE_LONG_COLUMNS),
        ),
        PAGE_SIZE * 2,
    )
    page = paginator.get_page(request.GET.get("page"))
    ctx = {
        "filter": filter_set,
        "notices": filter_set.notices,
        "page": page,
        "rows": [
            {
                "target": t,
                "path": region_paths([t.region_id])[0] if t.region_id else [],
                "span_url": span_url(t.document_id, t),
            }
            for t in page.object_list
        ],
        "total": paginator.count,
        "facets": [
            ("province", _("省份"), target_facets.province_facet(filter_set)),
            ("target_kind", _("类别"), target_facets.target_kind_facet(filter_set)),
            ("indicator", _("指标"), target_facets.indicator_facet(filter_set)),
            ("year", _("年份"), target_facets.year_facet(filter_set)),
            ("theme", _("主题"), target_facets.theme_facet(filter_set)),
            ("instrument", _("政策工具"), target_facets.instrument_facet(filter_set)),
            ("kind", _("文件类型"), target_facets.document_kind_facet(filter_set)),
        ],
        "q": request.GET.get("q", ""),
        "in_force": request.GET.get("in_force", ""),
        "hidden_params": _hidden_params(request.GET, ("q", "in_force", "page")),
        "active": _target_chips(request, filter_set),
        "export_query": facets.without(filter_set.export_data()).lstrip("?"),
    }
    return render(request, "initiatives/target_list.html", ctx)


def _target_chips(request, filter_set):
    """One removable chip per active value, named as the facets name it."""
    cleaned = filter_set.cleaned()
    labels = {
        "theme": {k: t.name_zh for k, t in filter_set.themes.items()},
        "instrument": {pk: i.name for pk, i in filter_set.instruments.items()},
        "target_kind": dict(Target.Kind.choices),
        "kind": dict(Document.Kind.choices),
    }
    chips = []
    for name in ("province", "region", "year", "indicator", "target_kind", "kind", "theme"):
        for value in cleaned.get(name) or []:
            label = labels.get(name, {}).get(value, value)
            chips.append(facets.Chip(str(label), facets.toggled(request.GET, name, str(value))))
    # An instrument may be named by id, slug or name: the chip removes what was typed.
    for raw in request.GET.getlist("instrument"):
        value = filter_set.initiative_side._parse_instrument(raw.strip()) if raw.strip() else None
        if value is not None:
            label = labels["instrument"].get(value, raw)
            chips.append(facets.Chip(label, facets.toggled(request.GET, "instrument", raw)))
    if cleaned.get("in_force") is not None:
        chips.append(
            facets.Chip(
                _("%(year)s 年有效") % {"year": cleaned["in_force"]},
                facets.without(request.GET, "in_force"),
            )
        )
    return chips


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
