"""Write one document and what was extracted from it, all or nothing.

Re-ingesting the same content changes nothing (the content hash is the natural key).
A changed document with the same file name replaces only machine-made rows: initiatives
and targets a curator edited are kept, re-anchored in the new text, and machine rows that
would duplicate them are not created.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc
from django.conf import settings
from django.db import transaction

from ingest import cleaning, formats, metadata, reading
from ingest.extract import EXTRACTOR_VERSION, Extractor
from ingest.indicators import IndicatorVocabulary
from ingest.vocabulary import Vocabulary
from initiatives.models import Document, Initiative, InitiativeRegion, Target
from regions.gazetteer import gazetteer


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


def to_simplified(text):
    return _t2s().convert(text)


UnreadableDocument = reading.UnreadableDocument


@dataclass
class Outcome:
    document: Document
    action: str  # created | updated | unchanged
    initiatives: int = 0
    targets: int = 0


def read_and_clean(data, *, file_name):
    raw, page_header = formats.to_text(data, file_name, settings.INGEST_MAX_BYTES)
    cleaned = cleaning.clean(raw)
    # Header lines in the text win; the page's metadata (HTML <meta>, info line) fills gaps.
    for key, value in page_header.items():
        if value and not cleaned.header.get(key):
            cleaned.header[key] = value
    if len(cleaned.text) < reading.MIN_CJK_CHARACTERS:
        raise UnreadableDocument("nothing left after removing page furniture")
    return cleaned


def ingest_bytes(data, *, file_name, extractor=None, source_url=""):
    cleaned = read_and_clean(data, file_name=file_name)
    if source_url:
        # Given by whoever loads the file: it wins over the page's own canonical link.
        cleaned.header["source_url"] = source_url
    content_hash = hashlib.sha256(cleaned.text.encode("utf-8")).hexdigest()
    existing = Document.objects.filter(content_hash=content_hash).first()
    if existing is not None:
        if source_url and not existing.source_url:
            Document.objects.filter(pk=existing.pk).update(source_url=source_url[:500])
        return Outcome(
            existing, "unchanged", existing.initiatives.count(), existing.targets.count()
        )
    extractor = extractor or Extractor(gazetteer(), Vocabulary.from_database())
    # Reprints in traditional characters are read in simplified form; the stored text stays
    # as the source wrote it, so the conversion must keep every character in place.
    readable = to_simplified(cleaned.text)
    if len(readable) != len(cleaned.text):
        readable = cleaned.text
    meta = metadata.extract(readable, cleaned.header, extractor.matcher)
    extraction = extractor.extract(readable, meta)
    with transaction.atomic():
        previous = (
            Document.objects.select_for_update()
            .filter(file_name=file_name)
            .order_by("-ingested_at")
            .first()
        )
        document = previous or Document(file_name=file_name)
        _apply_metadata(document, meta, cleaned.text, content_hash)
        document.save()
        initiatives, targets = write_extraction(document, extraction, meta)
    return Outcome(document, "updated" if previous else "created", initiatives, targets)


def ingest_path(path, **kwargs):
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > settings.INGEST_MAX_BYTES:
            # Refuse before reading: a huge file should not be loaded only to be turned away.
            raise UnreadableDocument(
                f"file is {size / 1e6:.1f} MB, above the {settings.INGEST_MAX_BYTES / 1e6:.1f} MB limit"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"cannot read file: {exc.strerror}") from None
    return ingest_bytes(data, file_name=path.name, **kwargs)


def _apply_metadata(document, meta, text, content_hash):
    document.text = text
    document.content_hash = content_hash
    document.extractor_version = EXTRACTOR_VERSION
    values = {
        "title": meta.title,
        "kind": meta.kind,
        "year": meta.year,
        "period_start": meta.period_start,
        "period_end": meta.period_end,
        "issued_on": meta.issued_on,
        "issued_precision": meta.issued_precision,
        "published_on": meta.published_on,
        "published_precision": meta.published_precision,
        "issuing_region_id": meta.issuing_region,
        "issuer": meta.issuer[:200],
        "doc_number": meta.doc_number[:60],
        "permanence": meta.permanence[:40],
        "source_url": meta.source_url[:500],
    }
    curated = set(document.curated_fields or ())
    for field, value in values.items():
        if field.removesuffix("_id") not in curated:
            setattr(document, field, value)


def write_extraction(document, extraction, meta):
    """Replace the document's machine-made rows with ``extraction``; keep curated rows."""
    from initiatives.search import index_initiatives, search_document

    Target.objects.filter(document=document).machine_made().delete()
    # Machine rows whose sentence is still there keep their id (and so their permalink and
    # any curated target's link); the others are replaced.
    previous = {}
    for row in Initiative.objects.filter(document=document).machine_made():
        previous.setdefault(row.text, []).append(row)
    curated = list(Initiative.objects.filter(document=document).exclude(curated_fields=[]))
    curated_targets = list(Target.objects.filter(document=document))
    for row in [*curated, *curated_targets]:
        _reanchor(row, document.text)
    taken = [(c.start, c.end) for c in curated]

    created, kept = [], []
    index_map = {}
    for k, item in enumerate(extraction.initiatives):
        if any(item.start < e and s < item.end for s, e in taken):
            continue
        text = document.text[item.start : item.end]
        same = previous.get(text)
        initiative = same.pop(0) if same else Initiative(document=document, text=text)
        initiative.title = item.title
        initiative.heading = item.heading
        initiative.start, initiative.end = item.start, item.end
        initiative.year = meta.year
        initiative.year_start, initiative.year_end = item.period or (None, None)
        initiative.extractor_version = EXTRACTOR_VERSION
        # Segmented now, so the write itself fills the full-text index (no second pass).
        initiative.search_text = search_document(initiative.title, initiative.text)
        (kept if initiative.pk else created).append((initiative, item))
        index_map[k] = initiative
    Initiative.objects.filter(pk__in=[r.pk for rows in previous.values() for r in rows]).delete()
    if kept:
        kept_ids = [i.pk for i, _ in kept]
        InitiativeRegion.objects.filter(initiative_id__in=kept_ids).delete()
        Initiative.themes.through.objects.filter(initiative_id__in=kept_ids).delete()
        Initiative.instruments.through.objects.filter(initiative_id__in=kept_ids).delete()
        Initiative.objects.bulk_update(
            [i for i, _ in kept],
            [
                "title",
                "heading",
                "start",
                "end",
                "year",
                "year_start",
                "year_end",
                "extractor_version",
                "search_text",
            ],
        )
    Initiative.objects.bulk_create([i for i, _ in created])
    created = kept + created
    region_rows, theme_rows, instrument_rows = [], [], []
    g = gazetteer()
    themes = _theme_ids()
    for initiative, item in created:
        for code in item.region_codes:
            place = g.get(code)
            region_rows.append(
                InitiativeRegion(
                    initiative=initiative,
                    region_id=code,
                    province_id=place.province_code if place else None,
                    prefecture_id=place.prefecture_code if place else None,
                )
            )
        for key in item.themes:
            if key in themes:
                theme_rows.append(
                    Initiative.themes.through(initiative=initiative, theme_id=themes[key])
                )
        for iid in item.instrument_ids:
            instrument_rows.append(
                Initiative.instruments.through(initiative=initiative, policyinstrument_id=iid)
            )
    InitiativeRegion.objects.bulk_create(region_rows)
    Initiative.themes.through.objects.bulk_create(theme_rows)
    Initiative.instruments.through.objects.bulk_create(instrument_rows)

    taken_targets = [(t.start, t.end) for t in curated_targets]
    indicators = IndicatorVocabulary.from_database()
    target_rows = [
        Target(
            document=document,
            initiative=index_map.get(t.initiative_index),
            indicator=t.indicator[:80],
            canonical_indicator_id=indicators.link(t.indicator, t.unit),
            value=t.value,
            unit=t.unit,
            comparator=t.comparator,
            kind=t.kind,
            year=t.year,
            year_start=t.year_start,
            year_end=t.year_end,
            period_type=t.period_type,
            region_id=t.region_code,
            text=document.text[t.start : t.end],
            start=t.start,
            end=t.end,
            extractor_version=EXTRACTOR_VERSION,
        )
        for t in extraction.targets
        if not any(t.start < e and s < t.end for s, e in taken_targets)
    ]
    Target.objects.bulk_create(target_rows)
    _link_orphaned_targets(document, [c for c in curated_targets if c.initiative_id is None])
    index_initiatives([c.pk for c in curated])
    return len(created) + len(curated), len(target_rows) + len(curated_targets)


def _link_orphaned_targets(document, targets):
    """A curated target whose initiative was replaced goes to the initiative around it."""
    if not targets:
        return
    spans = list(Initiative.objects.filter(document=document).values_list("pk", "start", "end"))
    for target in targets:
        if "initiative" in (target.curated_fields or ()):
            continue  # a curator chose "no initiative"
        around = [pk for pk, s, e in spans if s <= target.start < e]
        if len(around) == 1:
            Target.objects.filter(pk=target.pk).update(initiative_id=around[0])


def _reanchor(row, text):
    """Point a curated row at where its text now stands; leave it if it is gone."""
    if text[row.start : row.end] == row.text:
        return
    found = text.find(row.text)
    if found >= 0:
        row.start, row.end = found, found + len(row.text)
        row.save(update_fields=["start", "end"])


def _theme_ids():
    from initiatives.models import Theme

    return dict(Theme.objects.values_list("key", "id"))


def reextract(document, extractor=None):
    """Extract a stored document again with today's gazetteer and vocabularies.

    For the admin's "re-extract" action, after curators added a synonym, a theme cue or a
    region alias. The stored text and the document's metadata (curated or not) are the
    input; only machine-made rows are replaced (``write_extraction`` keeps curated ones),
    and when the new extraction equals what is stored nothing is written, so ids stay put.
    Returns counts: initiatives and targets before/after, and machine rows added, removed
    and changed (same span, different regions/themes/instruments/figures).

    Without ``extractor``, the gazetteer cache is cleared and the vocabularies read afresh;
    pass ``fresh_extractor()`` to re-extract many documents with one.
    """
    extractor = extractor or fresh_extractor()
    readable = to_simplified(document.text)
    if len(readable) != len(document.text):
        readable = document.text
    meta = _stored_metadata(document, readable, extractor)
    extraction = extractor.extract(readable, meta)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        initiatives_before = Initiative.objects.filter(document=document).count()
        targets_before = Target.objects.filter(document=document).count()
        old_initiatives, old_targets = _stored_machine_rows(document)
        linked = set(
            Target.objects.filter(document=document, initiative__isnull=False).values_list(
                "pk", flat=True
            )
        )
        new_initiatives, new_targets = _extracted_machine_rows(document, extraction, meta)
        report = {
            "document": document.pk,
            "initiatives_before": initiatives_before,
            "targets_before": targets_before,
            **_compare("initiatives", old_initiatives, new_initiatives),
            **_compare("targets", old_targets, new_targets),
        }
        report["changed"] = old_initiatives != new_initiatives or old_targets != new_targets
        if report["changed"]:
            write_extraction(document, extraction, meta)
            _relink_targets(document, linked, extraction)
        if report["changed"] or document.extractor_version != EXTRACTOR_VERSION:
            Document.objects.filter(pk=document.pk).update(extractor_version=EXTRACTOR_VERSION)
        report["initiatives_after"] = Initiative.objects.filter(document=document).count()
        report["targets_after"] = Target.objects.filter(document=document).count()
    return report


def fresh_extractor():
    """An extractor over the gazetteer and vocabularies as they are in the database now."""
    from regions.gazetteer import clear_cache

    clear_cache()
    return Extractor(gazetteer(), Vocabulary.from_database())


def _stored_metadata(document, readable, extractor):
    """The document's own fields (a curator may have corrected them) as extraction input."""
    issuing_region = document.issuing_region_id
    if issuing_region is None:
        issuing_region = metadata.extract(readable, {}, extractor.matcher).issuing_region
    return metadata.Metadata(
        title=document.title,
        kind=document.kind,
        year=document.year,
        period_start=document.period_start,
        period_end=document.period_end,
        issuing_region=issuing_region,
        issued_on=document.issued_on,
        issued_precision=document.issued_precision,
        published_on=document.published_on,
        published_precision=document.published_precision,
        issuer=document.issuer,
        doc_number=document.doc_number,
        permanence=document.permanence,
        source_url=document.source_url,
    )


def _stored_machine_rows(document):
    """{span: what the machine said} for the document's machine-made rows."""
    initiatives = {}
    rows = (
        Initiative.objects.filter(document=document)
        .machine_made()
        .prefetch_related("initiativeregion_set", "themes", "instruments")
    )
    for i in rows:
        initiatives[(i.start, i.end)] = (
            i.title,
            i.heading,
            i.year,
            i.year_start,
            i.year_end,
            tuple(sorted(r.region_id for r in i.initiativeregion_set.all())),
            tuple(sorted(t.key for t in i.themes.all())),
            tuple(sorted(p.pk for p in i.instruments.all())),
        )
    targets = {}
    for t in Target.objects.filter(document=document).machine_made().select_related("initiative"):
        span = (t.initiative.start, t.initiative.end) if t.initiative else None
        targets[(t.start, t.end, t.indicator)] = (
            t.value.normalize(),
            t.unit,
            t.comparator,
            t.kind,
            t.year,
            t.year_start,
            t.year_end,
            t.period_type,
            t.region_id,
            span,
        )
    return initiatives, targets


def _extracted_machine_rows(document, extraction, meta):
    """The same shape for what ``write_extraction`` would write now."""
    taken = list(
        Initiative.objects.filter(document=document)
        .exclude(curated_fields=[])
        .values_list("start", "end")
    )
    taken_targets = list(
        Target.objects.filter(document=document)
        .exclude(curated_fields=[])
        .values_list("start", "end")
    )
    themes = _theme_ids()
    initiatives, spans = {}, {}
    for k, item in enumerate(extraction.initiatives):
        if any(item.start < e and s < item.end for s, e in taken):
            continue
        spans[k] = (item.start, item.end)
        initiatives[(item.start, item.end)] = (
            item.title,
            item.heading,
            meta.year,
            *(item.period or (None, None)),
            tuple(sorted(set(item.region_codes))),
            tuple(sorted({key for key in item.themes if key in themes})),
            tuple(sorted(set(item.instrument_ids))),
        )
    targets = {}
    for t in extraction.targets:
        if any(t.start < e and s < t.end for s, e in taken_targets):
            continue
        targets[(t.start, t.end, t.indicator[:80])] = (
            t.value.normalize() if hasattr(t.value, "normalize") else t.value,
            t.unit,
            t.comparator,
            t.kind,
            t.year,
            t.year_start,
            t.year_end,
            t.period_type,
            t.region_code,
            spans.get(t.initiative_index) or _around(taken, t)
            if t.initiative_index is not None
            else None,
        )
    return initiatives, targets


def _compare(name, old, new):
    return {
        f"{name}_added": len(new.keys() - old.keys()),
        f"{name}_removed": len(old.keys() - new.keys()),
        f"{name}_changed": sum(1 for key in old.keys() & new.keys() if old[key] != new[key]),
    }


def _around(spans, row):
    """The one span of ``spans`` that ``row`` starts in, else None."""
    found = [(s, e) for s, e in spans if s <= row.start < e]
    return found[0] if len(found) == 1 else None


def _relink_targets(document, linked, extraction):
    """Give back targets the initiative link ``write_extraction`` could not.

    Two cases lose it: a curated target whose machine-made initiative was just replaced
    (SET_NULL), and a new machine target inside an initiative a curator edited (which the
    extraction no longer counts as its own). Both are linked to the one initiative around
    them, unless a curator chose the link (``initiative`` among the curated fields).
    """
    inside = {(t.start, t.end) for t in extraction.targets if t.initiative_index is not None}
    spans = {
        (s, e): pk
        for pk, s, e in Initiative.objects.filter(document=document).values_list(
            "pk", "start", "end"
        )
    }
    orphans = Target.objects.filter(document=document, initiative__isnull=True).only(
        "pk", "start", "end", "curated_fields"
    )
    for target in orphans:
        if "initiative" in (target.curated_fields or ()):
            continue
        if target.curated_fields and target.pk not in linked:
            continue
        if not target.curated_fields and (target.start, target.end) not in inside:
            continue
        span = _around(spans, target)
        if span is not None:
            Target.objects.filter(pk=target.pk).update(initiative_id=spans[span])
