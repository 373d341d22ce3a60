"""Write one document and what was extracted from it, all or nothing.

A document is its content: the same text again changes nothing, and a different text is a
new document, whatever its file name (government sites call everything 附件1.docx). A new
version of a document is an explicit choice (``replaces``): its old text is kept as a
``DocumentVersion`` and its rows are carried over sentence by sentence (``write_extraction``).
"""

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import opencc
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ingest import cleaning, formats, metadata, reading
from ingest.extract import EXTRACTOR_VERSION, Extractor
from ingest.indicators import IndicatorVocabulary
from ingest.locking import lock_content
from ingest.vocabulary import Vocabulary
from initiatives import identity
from initiatives.curation.records import MANUAL
from initiatives.models import (
    Document,
    DocumentVersion,
    Initiative,
    InitiativeRegion,
    Status,
    Target,
)
from regions.gazetteer import gazetteer


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


def to_simplified(text):
    return _t2s().convert(text)


UnreadableDocument = reading.UnreadableDocument


class RefusedVersion(UnreadableDocument):
    """A new version that cannot be taken: unknown or withdrawn document, someone's text.

    ``document`` is the document whose text it already is, when that is the reason.
    """

    def __init__(self, message, document=None):
        super().__init__(message)
        self.document = document


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


@dataclass
class Outcome:
    document: Document
    action: str  # created | updated (a new version) | unchanged
    initiatives: int = 0
    targets: int = 0
    report: WriteReport | None = None
    old_version: bool = False  # unchanged: the text of one of the document's earlier versions


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


def ingest_bytes(
    data,
    *,
    file_name,
    replaces=None,
    uploaded_by=None,
    extractor=None,
    source_url="",
    on_read=None,
):
    """Ingest one file: a new document, or with ``replaces`` (a document id) its new version.

    Raises ``UnreadableDocument`` for a file that cannot be read and ``RefusedVersion``
    when ``replaces`` names no document, a withdrawn one, or the text is another
    document's. Nothing is written in either case. ``on_read()``, if given, is called once
    the file is read and extraction begins (a background upload shows the step).
    """
    cleaned = read_and_clean(data, file_name=file_name)
    if on_read is not None:
        on_read()
    if source_url:
        # Given by whoever loads the file: it wins over the page's own canonical link.
        cleaned.header["source_url"] = source_url
    content_hash = hashlib.sha256(cleaned.text.encode("utf-8")).hexdigest()
    existing = Document.objects.filter(content_hash=content_hash).first()
    if existing is not None:
        if replaces is not None and existing.pk != int(replaces):
            raise RefusedVersion(
                f"this text is already document {existing.pk} ({existing.title}), "
                f"not a new version of document {replaces}",
                document=existing,
            )
        if source_url and not existing.source_url:
            Document.objects.filter(pk=existing.pk).update(source_url=source_url[:500])
        return Outcome(
            existing, "unchanged", existing.initiatives.count(), existing.targets.count()
        )
    older = DocumentVersion.objects.filter(content_hash=content_hash).select_related("document")
    older = older.first()
    if older is not None:
        # An earlier text of a document that has moved on: taking it again would undo the
        # newer version without anyone having chosen to.
        document = older.document
        return Outcome(
            document,
            "unchanged",
            document.initiatives.count(),
            document.targets.count(),
            old_version=True,
        )
    if replaces is not None and not Document.objects.filter(pk=replaces).exists():
        raise RefusedVersion(f"there is no document {replaces} to replace")
    extractor = extractor or Extractor(gazetteer(), Vocabulary.from_database())
    # Reprints in traditional characters are read in simplified form; the stored text stays
    # as the source wrote it, so the conversion must keep every character in place.
    readable = cleaning.readable_copy(cleaned.text, to_simplified)
    meta = metadata.extract(readable, cleaned.header, extractor.matcher)
    extraction = extractor.extract(readable, meta)
    with transaction.atomic():
        # Another ingest of the same content may have written it since the check above.
        lock_content(content_hash)
        existing = Document.objects.filter(content_hash=content_hash).first()
        if existing is not None:
            if replaces is not None and existing.pk != int(replaces):
                raise RefusedVersion(
                    f"this text is already document {existing.pk} ({existing.title}), "
                    f"not a new version of document {replaces}",
                    document=existing,
                )
            return Outcome(
                existing, "unchanged", existing.initiatives.count(), existing.targets.count()
            )
        if replaces is None:
            document = Document(file_name=file_name, origin_hash=content_hash)
        else:
            document = Document.objects.select_for_update().get(pk=replaces)
            if document.is_withdrawn:
                raise RefusedVersion(
                    f"document {document.pk} is withdrawn: restore it before adding a version"
                )
            _keep_as_version(document)
            document.file_name = file_name
            document.version += 1
            document.version_ingested_at = timezone.now()
        document.uploaded_by = uploaded_by
        _apply_metadata(document, meta, cleaned.text, content_hash)
        document.save()
        report = write_extraction(document, extraction, meta)
    return Outcome(
        document,
        "created" if replaces is None else "updated",
        report.initiatives.after,
        report.targets.after,
        report,
    )


def _keep_as_version(document):
    DocumentVersion.objects.create(
        document=document,
        number=document.version,
        title=document.title[:300],
        file_name=document.file_name,
        content_hash=document.content_hash,
        text=document.text,
        ingested_at=document.version_ingested_at or document.ingested_at,
        uploaded_by_id=document.uploaded_by_id,
    )


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
    for name, value in values.items():
        if name.removesuffix("_id") not in curated:
            setattr(document, name, value)


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


def write_extraction(document, extraction, meta):
    """Bring the document's rows in line with ``extraction`` of its current text.

    Old rows are paired with the new extraction sentence by sentence
    (``identity.match``): a row whose sentence is still there keeps its id and key, and
    its machine-made fields follow the extraction, except those a curator set. A changed
    sentence is paired with its most alike successor; a curated row moved that way, or
    whose sentence is gone, is flagged "needs review" with both sentences stored (a gone
    one is also hidden: its span no longer points into the text). Machine rows with no
    successor are removed. Only rows that differ are written. Returns a ``WriteReport``.
    """
    report = WriteReport()
    initiative_for = _write_initiatives(document, extraction, meta, report.initiatives)
    _write_targets(document, extraction, initiative_for, report.targets)
    return report


def _write_initiatives(document, extraction, meta, counts):
    """Initiatives; returns {extraction index: initiative} for the targets' links."""
    from initiatives.search.fulltext import search_document

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
            row.search_text = search_document(row.title, row.text)
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
        # Segmented now, so the write itself fills the full-text index (no second pass).
        row.search_text = search_document(row.title, row.text)
        created.append((row, values))
        initiative_for[k] = row
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
    Initiative.objects.bulk_create([row for row, _values in created])
    for row, values in created:
        for name in INITIATIVE_LINKS:
            relink.setdefault(name, []).append((row, values[name]))
    _write_links(relink)
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


def _write_links(relink):
    """Replace regions / themes / instruments of the rows listed under each name.

    Link rows are plain pairs: inserted with one ``executemany`` per table, not as model
    instances (no signals or defaults apply to them; the database's triggers still log
    each change for the facet index).
    """
    g = gazetteer()
    for name, rows in relink.items():
        ids = [row.pk for row, _values in rows]
        if name == "regions":
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
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    _insert(
        model,
        [f.column for f in fields],
        [
            [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
            for obj in instances
        ],
    )


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


def reextract(document, extractor=None):
    """Extract a stored document again with today's gazetteer and vocabularies.

    For the admin's "re-extract" action, after curators added a synonym, a theme cue or a
    region alias. The stored text and the document's metadata (curated or not) are the
    input; ``write_extraction`` updates every field a curator did not set and writes only
    rows that differ, so ids stay put and an unchanged result writes nothing.
    Returns ``WriteReport.as_dict()`` with the document's id.

    Without ``extractor``, the gazetteer cache is cleared and the vocabularies read afresh;
    pass ``fresh_extractor()`` to re-extract many documents with one.
    """
    extractor = extractor or fresh_extractor()
    readable = cleaning.readable_copy(document.text, to_simplified)
    meta = _stored_metadata(document, readable, extractor)
    extraction = extractor.extract(readable, meta)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        report = write_extraction(document, extraction, meta)
        if document.extractor_version != EXTRACTOR_VERSION:
            Document.objects.filter(pk=document.pk).update(extractor_version=EXTRACTOR_VERSION)
    return {"document": document.pk, **report.as_dict()}


def fresh_extractor():
    """An extractor over the gazetteer and vocabularies as they are in the database now."""
    from regions.gazetteer import clear_cache

    clear_cache()
    return Extractor(gazetteer(), Vocabulary.from_database())


def _stored_metadata(document, readable, extractor):
    """The document's own fields (a curator may have corrected them) as extraction input."""
    # The header lines are not stored; the issuer is. Read again, the text gives the
    # evidence for the region, which holds as long as a curator has not changed the region.
    fresh = metadata.extract(readable, {"发文机关": document.issuer}, extractor.matcher)
    issuing_region = document.issuing_region_id
    if issuing_region is None:
        issuing_region = fresh.issuing_region
    return metadata.Metadata(
        title=document.title,
        kind=document.kind,
        year=document.year,
        period_start=document.period_start,
        period_end=document.period_end,
        issuing_region=issuing_region,
        region_evidence=fresh.region_evidence if fresh.issuing_region == issuing_region else "",
        issued_on=document.issued_on,
        issued_precision=document.issued_precision,
        published_on=document.published_on,
        published_precision=document.published_precision,
        issuer=document.issuer,
        doc_number=document.doc_number,
        permanence=document.permanence,
        source_url=document.source_url,
    )
