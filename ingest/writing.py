"""Writing an extraction's rows: initiatives, their links and targets, carried over from the
previous extraction sentence by sentence, with a curator's fields left as they are."""

from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, models
from django.utils import timezone

from ingest.extract import EXTRACTOR_VERSION
from ingest.indicators import IndicatorVocabulary
from initiatives import identity
from initiatives.curation.records import MANUAL
from initiatives.models import (
    Initiative,
    InitiativeRegion,
    Status,
    Target,
)
from initiatives.search.fulltext import search_documents
from initiatives.search.index_triggers import bulk_inserts
from regions.gazetteer import gazetteer


@dataclass
class RowCounts:
    """What one write did to a document's initiatives or targets."""

    before: int = 0
    after: int = 0
    added: int = 0
    removed: int = 0
    updated: int = 0  # rows whose machine-made fields (or sentence) changed
    protected: int = 0  # rows that kept one or more curator-set fields
    flagged: int = 0  # curated rows whose sentence changed or vanished: "needs review"

    @property
    def changed(self):
        return bool(self.added or self.removed or self.updated or self.flagged)


@dataclass
class WriteReport:
    initiatives: RowCounts = field(default_factory=RowCounts)
    targets: RowCounts = field(default_factory=RowCounts)

    @property
    def changed(self):
        return self.initiatives.changed or self.targets.changed

    def as_dict(self):
        out = {"changed": self.changed}
        for name in ("initiatives", "targets"):
            counts = getattr(self, name)
            for key in ("before", "after", "added", "removed", "updated", "protected", "flagged"):
                out[f"{name}_{key}"] = getattr(counts, key)
        return out


# What the machine writes on each kind of row. A field a curator set (named in the row's
# ``curated_fields``) is left as it is; everything else follows the new extraction. The
# review status is never the machine's, so a status change protects nothing.
INITIATIVE_FIELDS = ["title", "heading", "year", "year_start", "year_end", "evidence"]
INITIATIVE_LINKS = ["regions", "themes", "instruments"]
TARGET_FIELDS = [
    "indicator",
    "value",
    "unit",
    "comparator",
    "kind",
    "year",
    "year_start",
    "year_end",
    "period_type",
    "region_id",
    "initiative_id",
    "canonical_indicator_id",
]


def _is_curated(row):
    return bool(row.curated_fields) or row.status != Status.EXTRACTED


def _protected(row):
    return {name.removesuffix("_id") for name in row.curated_fields or ()} - {"status"}


def write_extraction(document, extraction, meta, search_texts=None):
    """Bring the document's rows in line with ``extraction`` of its current text.

    Old rows are paired with the new extraction sentence by sentence
    (``identity.match``): a row whose sentence is still there keeps its id and key, and
    its machine-made fields follow the extraction, except those a curator set. A changed
    sentence is paired with its most alike successor; a curated row moved that way, or
    whose sentence is gone, is flagged "needs review" with both sentences stored (a gone
    one is also hidden: its span no longer points into the text). Machine rows with no
    successor are removed. Only rows that differ are written. Returns a ``WriteReport``.

    ``search_texts`` (from ``search_texts_for``, e.g. made in the process that extracted)
    saves segmenting the new and changed rows here.
    """
    report = WriteReport()
    # A document without rows yet (a new one) only gets rows inserted: the index's
    # bookkeeping is then done once for the document rather than once per row.
    fresh = not Initiative.objects.filter(document=document).exists()
    with bulk_inserts(connection, document.pk) if fresh else nullcontext():
        initiative_for = _write_initiatives(
            document, extraction, meta, report.initiatives, search_texts
        )
    _write_targets(document, extraction, initiative_for, report.targets)
    return report


def search_texts_for(text, extraction):
    """The search tokens of each extracted initiative of the document ``text`` (title and
    sentence, as ``fulltext.search_document`` makes them), segmented as one batch: what
    ``write_extraction`` takes as ``search_texts``, made where the extraction was made."""
    return search_documents(
        (item.title, text[item.start : item.end]) for item in extraction.initiatives
    )


def _write_initiatives(document, extraction, meta, counts, search_texts=None):
    """Initiatives; returns {extraction index: initiative} for the targets' links."""
    text = document.text
    old = list(
        Initiative.objects.filter(document=document)
        .order_by("start", "pk")
        .prefetch_related("initiativeregion_set", "themes", "instruments")
    )
    counts.before = len(old)
    anchored, extracted = _anchored_rows(
        old, text, [text[i.start : i.end] for i in extraction.initiatives], counts
    )
    taken = [(row.start, row.end) for row in anchored]
    items = [
        (k, item)
        for k, item in enumerate(extraction.initiatives)
        if not any(item.start < e and s < item.end for s, e in taken)
    ]
    themes = _theme_ids()
    wanted = [
        {
            "title": item.title,
            "heading": item.heading,
            "year": meta.year,
            # In force for the document's period unless the sentence states its own.
            "year_start": (item.period or (None, None))[0],
            "year_end": (item.period or (None, None))[1],
            "evidence": item.evidence[:300],
            # (code, role): a place that only names a partner or a venue is a link too.
            "regions": sorted(set(item.region_links())),
            "themes": sorted({themes[key] for key in item.themes if key in themes}),
            "instruments": sorted(set(item.instrument_ids)),
        }
        for _k, item in items
    ]
    pairs, lost, fresh = identity.match(
        [r.text for r in extracted], [text[item.start : item.end] for _k, item in items]
    )
    make_key = identity.KeyMaker(
        document.origin_hash, identity.INITIATIVE, (r.key for r in old if r.key)
    )
    initiative_for, to_update, relink = {}, [], {}
    for i, j, same in pairs:
        row, (k, item), values = extracted[i], items[j], wanted[j]
        initiative_for[k] = row
        protected = _protected(row)
        have = {
            "regions": sorted((r.region_id, r.role) for r in row.initiativeregion_set.all()),
            "themes": sorted(t.pk for t in row.themes.all()),
            "instruments": sorted(p.pk for p in row.instruments.all()),
        }
        sentence = text[item.start : item.end]
        changed = not same
        if not same:
            if _is_curated(row):
                row.needs_review = True
                row.review_old_text, row.review_new_text = row.text, sentence
                counts.flagged += 1
            row.text = sentence
        for name in INITIATIVE_FIELDS:
            if name not in protected and getattr(row, name) != values[name]:
                setattr(row, name, values[name])
                changed = True
        for name in INITIATIVE_LINKS:
            if name not in protected and have[name] != values[name]:
                relink.setdefault(name, []).append((row, values[name]))
                changed = True
        if protected:
            counts.protected += 1
        if changed and same:
            counts.updated += 1
        elif not same and not _is_curated(row):
            counts.updated += 1
        moved = (row.start, row.end) != (item.start, item.end)
        row.start, row.end = item.start, item.end
        if changed or moved or row.extractor_version != EXTRACTOR_VERSION:
            row.extractor_version = EXTRACTOR_VERSION
            # The title may be a curator's: segmented below, with the new rows.
            to_update.append(row)
    removed = []
    for i in lost:
        row = extracted[i]
        if _is_curated(row):
            _flag_vanished(row, counts)
        else:
            removed.append(row.pk)
    created = []
    for j in fresh:
        k, item = items[j]
        values = wanted[j]
        sentence = text[item.start : item.end]
        row = Initiative(
            document=document,
            text=sentence,
            key=make_key(sentence),
            start=item.start,
            end=item.end,
            extractor_version=EXTRACTOR_VERSION,
            **{name: values[name] for name in INITIATIVE_FIELDS},
        )
        if search_texts is not None:
            row.search_text = search_texts[k]
        created.append((row, values))
        initiative_for[k] = row
    # Segmented now, so the write itself fills the full-text index (no second pass).
    unsegmented = to_update + [row for row, _values in created if search_texts is None]
    for row, tokens in zip(
        unsegmented,
        search_documents((row.title, row.text) for row in unsegmented),
        strict=True,
    ):
        row.search_text = tokens
    if removed:
        Initiative.objects.filter(pk__in=removed).delete()
    Initiative.objects.bulk_update(
        to_update,
        [
            *INITIATIVE_FIELDS,
            "text",
            "start",
            "end",
            "extractor_version",
            "search_text",
            "needs_review",
            "review_old_text",
            "review_new_text",
        ],
        batch_size=500,
    )
    _write_links(relink)
    if created:
        _insert_instances(Initiative, [row for row, _values in created])
        # Read back by key: new keys are unique in the document (``KeyMaker``).
        ids = dict(
            Initiative.objects.filter(document=document).exclude(key="").values_list("key", "pk")
        )
        for row, _values in created:
            row.pk = ids[row.key]
            row._state.adding = False
        _write_links(
            {name: [(row, values[name]) for row, values in created] for name in INITIATIVE_LINKS},
            fresh=True,
        )
    # A new machine item inside a row kept in place belongs to that row.
    for k, item in enumerate(extraction.initiatives):
        if k not in initiative_for:
            around = [r for r in anchored if r.start <= item.start < r.end]
            if len(around) == 1:
                initiative_for[k] = around[0]
    counts.added = len(created)
    counts.removed = len(removed)
    counts.after = Initiative.objects.filter(document=document).count()
    return initiative_for


def _write_links(relink, fresh=False):
    """Replace regions / themes / instruments of the rows listed under each name
    (``fresh``: new rows, which have none to remove).

    Link rows are plain pairs: inserted with one ``executemany`` per table, not as model
    instances (no signals or defaults apply to them; the database's triggers still log
    each change for the facet index).
    """
    g = gazetteer()
    for name, rows in relink.items():
        ids = [row.pk for row, _values in rows]
        if name == "regions":
            if not fresh:
                InitiativeRegion.objects.filter(initiative_id__in=ids).delete()
            links = []
            for row, codes in rows:
                for code, role in codes:
                    place = g.get(code)
                    links.append(
                        (
                            row.pk,
                            code,
                            role,
                            place.province_code if place else None,
                            place.prefecture_code if place else None,
                        )
                    )
            _insert(
                InitiativeRegion,
                ["initiative_id", "region_id", "role", "province_id", "prefecture_id"],
                links,
            )
            continue
        through = getattr(Initiative, name).through
        column = "theme_id" if name == "themes" else "policyinstrument_id"
        if not fresh:
            through.objects.filter(initiative_id__in=ids).delete()
        _insert(
            through,
            ["initiative_id", column],
            [(row.pk, value) for row, values in rows for value in values],
        )


def _insert_instances(model, instances):
    """Insert new instances whose ids nobody reads back, with one ``executemany``.

    Each value is prepared as ``bulk_create`` prepares it (``pre_save``: timestamps;
    ``get_db_prep_save``: JSON, decimals), without compiling a multi-row statement per
    batch of a few dozen rows, which is most of ``bulk_create``'s cost on SQLite.
    """
    if not instances:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]
    now = timezone.now()
    prepared = []
    for f in fields:
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
            # ``pre_save`` of each row would read the clock again: one time for the batch.
            for obj in instances:
                setattr(obj, f.attname, now)
            prepared.append([f.get_db_prep_save(now, connection)] * len(instances))
        else:
            prepared.append(_prepared(f, [getattr(obj, f.attname) for obj in instances]))
    _insert(model, [f.column for f in fields], list(zip(*prepared, strict=True)))


# Values the database takes as they are for these fields (``get_db_prep_save`` would return
# them unchanged); anything else goes through the field.
_AS_IS = (
    (models.CharField, str),
    (models.TextField, str),
    (models.BooleanField, bool),
    (models.IntegerField, int),
    (models.ForeignKey, int),
)


def _prepared(f, values):
    """``[f.get_db_prep_save(v, connection) for v in values]``, skipping the calls that
    would return the value unchanged (``_AS_IS``)."""
    kind = next((t for cls, t in _AS_IS if isinstance(f, cls)), None)
    if isinstance(f, models.ForeignKey) and not isinstance(f.target_field, models.IntegerField):
        kind = str if isinstance(f.target_field, models.CharField) else None
    return [
        v
        if (v is None and f.null) or (kind is not None and type(v) is kind)
        else f.get_db_prep_save(v, connection)
        for v in values
    ]


def _insert(model, columns, rows):
    """Insert plain rows: one prepared statement for all of them on SQLite (its triggers
    run per row anyway); on PostgreSQL multi-row statements, because its index-log
    triggers run once per statement and ``executemany`` would make each row a statement."""
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    one = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(head + one, rows)
            return
        batch = max(1, PG_INSERT_PARAMETERS // len(columns))
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            cursor.execute(head + ", ".join([one] * len(part)), [v for row in part for v in row])


# Parameters in one PostgreSQL statement (the protocol's limit is 65,535).
PG_INSERT_PARAMETERS = 20_000


def _write_targets(document, extraction, initiative_for, counts):
    text = document.text
    old = list(Target.objects.filter(document=document).order_by("start", "pk"))
    counts.before = len(old)
    anchored, extracted = _anchored_rows(
        old, text, [text[t.start : t.end] for t in extraction.targets], counts
    )
    taken = [(row.start, row.end) for row in anchored]
    items = sorted(
        (t for t in extraction.targets if not any(t.start < e and s < t.end for s, e in taken)),
        key=lambda t: (t.start, t.end, t.indicator),
    )
    indicators = IndicatorVocabulary.from_database()
    wanted = []
    for t in items:
        initiative = (
            initiative_for.get(t.initiative_index) if t.initiative_index is not None else None
        )
        wanted.append(
            {
                "indicator": t.indicator[:80],
                "value": t.value,
                "unit": t.unit,
                "comparator": t.comparator,
                "kind": t.kind,
                "year": t.year,
                "year_start": t.year_start,
                "year_end": t.year_end,
                "period_type": t.period_type,
                "region_id": t.region_code,
                "initiative_id": initiative.pk if initiative is not None else None,
                "canonical_indicator_id": indicators.link(t.indicator, t.unit),
            }
        )
    # Paired by the figure's phrase alone: a curator may have renamed its indicator.
    pairs, lost, fresh = identity.match(
        [r.text for r in extracted], [text[t.start : t.end] for t in items]
    )
    make_key = identity.KeyMaker(
        document.origin_hash, identity.TARGET, (r.key for r in old if r.key)
    )
    to_update = []
    for i, j, same in pairs:
        row, item, values = extracted[i], items[j], wanted[j]
        protected = _protected(row)
        sentence = text[item.start : item.end]
        changed = not same
        if not same:
            if _is_curated(row):
                row.needs_review = True
                row.review_old_text, row.review_new_text = row.text, sentence
                counts.flagged += 1
            else:
                counts.updated += 1
            row.text = sentence
        updated = False
        for name, value in values.items():
            if name.removesuffix("_id") in protected:
                continue
            if not _same_value(getattr(row, name), value):
                setattr(row, name, value)
                updated = changed = True
        if updated and same:
            counts.updated += 1
        if protected:
            counts.protected += 1
        moved = (row.start, row.end) != (item.start, item.end)
        row.start, row.end = item.start, item.end
        if changed or moved or row.extractor_version != EXTRACTOR_VERSION:
            row.extractor_version = EXTRACTOR_VERSION
            to_update.append(row)
    removed = []
    for i in lost:
        row = extracted[i]
        if _is_curated(row):
            _flag_vanished(row, counts)
        else:
            removed.append(row.pk)
    created = []
    for j in fresh:
        item, values = items[j], wanted[j]
        sentence = text[item.start : item.end]
        created.append(
            Target(
                document=document,
                text=sentence,
                key=make_key(sentence),
                start=item.start,
                end=item.end,
                extractor_version=EXTRACTOR_VERSION,
                **values,
            )
        )
    if removed:
        Target.objects.filter(pk__in=removed).delete()
    Target.objects.bulk_update(
        to_update,
        [
            *TARGET_FIELDS,
            "text",
            "start",
            "end",
            "extractor_version",
            "needs_review",
            "review_old_text",
            "review_new_text",
        ],
        batch_size=500,
    )
    _insert_instances(Target, created)
    _link_orphaned_targets(document)
    counts.added = len(created)
    counts.removed = len(removed)
    counts.after = Target.objects.filter(document=document).count()


def _anchored_rows(old, text, sentences, counts):
    """Split old rows into those kept where their sentence stands and those to pair.

    Kept in place (and the new items overlapping them left out): rows a curator made by
    hand, and curated rows whose sentence the extraction no longer cuts out exactly but
    which still stands word for word in the text (a re-extraction that splits units
    differently must not flag or move them). A hand-made row whose sentence is gone is
    flagged. Returns ``(anchored, to_pair)``.
    """
    cut = {identity.normalise(s) for s in sentences}
    anchored, to_pair = [], []
    for row in old:
        if row.extractor_version == MANUAL:
            if _reanchor(row, text):
                anchored.append(row)
            else:
                _flag_vanished(row, counts)
        elif _is_curated(row) and identity.normalise(row.text) not in cut and _reanchor(row, text):
            anchored.append(row)
        else:
            to_pair.append(row)
    return anchored, to_pair


def _same_value(have, want):
    if hasattr(have, "normalize") and want is not None:
        try:
            return have.normalize() == type(have)(str(want)).normalize()
        except ArithmeticError:
            return False
    return have == want


def _link_orphaned_targets(document):
    """A target that lost its initiative (a removed machine row) goes to the one around it,
    unless a curator chose its link (``initiative`` among its curated fields)."""
    orphans = Target.objects.filter(document=document, initiative__isnull=True).only(
        "pk", "start", "curated_fields"
    )
    orphans = [t for t in orphans if t.curated_fields and "initiative" not in t.curated_fields]
    if not orphans:
        return
    spans = list(
        Initiative.objects.filter(document=document).visible().values_list("pk", "start", "end")
    )
    for target in orphans:
        around = [pk for pk, s, e in spans if s <= target.start < e]
        if len(around) == 1:
            Target.objects.filter(pk=target.pk).update(initiative_id=around[0])


def _flag_vanished(row, counts):
    """A curated row whose sentence is no longer in the text: hidden and flagged."""
    row.needs_review = True
    row.review_old_text, row.review_new_text = row.text, ""
    row.status = Status.HIDDEN
    type(row).objects.filter(pk=row.pk).update(
        needs_review=True, review_old_text=row.text, review_new_text="", status=Status.HIDDEN
    )
    counts.flagged += 1


def _reanchor(row, text):
    """Point a row at where its sentence now stands (nearest its old place); False if gone."""
    if text[row.start : row.end] == row.text:
        return True
    found, at = -1, text.find(row.text)
    while at >= 0:
        if found < 0 or abs(at - row.start) < abs(found - row.start):
            found = at
        at = text.find(row.text, at + 1)
    if found < 0:
        return False
    row.start, row.end = found, found + len(row.text)
    type(row).objects.filter(pk=row.pk).update(start=row.start, end=row.end)
    return True


def _theme_ids():
    from initiatives.models import Theme

    return dict(Theme.objects.values_list("key", "id"))
