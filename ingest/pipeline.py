"""Write one document and what was extracted from it, all or nothing.

A document is its content: the same text again changes nothing, and a different text is a
new document, whatever its file name (government sites call everything 附件1.docx). A new
version of a document is an explicit choice (``replaces``): its old text is kept as a
``DocumentVersion`` and its rows are carried over sentence by sentence
(``ingest.writing.write_extraction``). This module reads, cleans and extracts; ``writing``
writes the rows.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ingest import cleaning, formats, metadata, reading
from ingest.extract import EXTRACTOR_VERSION, Extractor
from ingest.locking import lock_content
from ingest.vocabulary import Vocabulary
from ingest.writing import WriteReport, search_texts_for, write_extraction
from initiatives.models import (
    Document,
    DocumentVersion,
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


@dataclass
class Prepared:
    """A document read and extracted, not yet written (small enough to pass between
    processes: ``manage.py ingest --jobs`` makes it in a worker and writes it in one)."""

    file_name: str
    text: str
    content_hash: str
    meta: object
    extraction: object
    search_texts: list
    replaces: int | None = None


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
    prepared = prepare_bytes(
        data,
        file_name=file_name,
        replaces=replaces,
        extractor=extractor,
        source_url=source_url,
        on_read=on_read,
    )
    if isinstance(prepared, Outcome):
        return prepared
    return write_prepared(prepared, uploaded_by=uploaded_by)


def prepare_bytes(data, *, file_name, replaces=None, extractor=None, source_url="", on_read=None):
    """Read, clean and extract one file, and segment its rows for search: a ``Prepared``,
    or the ``Outcome`` when its text is already known ("unchanged"). Writes nothing; raises
    as ``ingest_bytes`` does."""
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
    return Prepared(
        file_name=file_name,
        text=cleaned.text,
        content_hash=content_hash,
        meta=meta,
        extraction=extraction,
        search_texts=search_texts_for(cleaned.text, extraction),
        replaces=replaces,
    )


def write_prepared(prepared, *, uploaded_by=None):
    """Write a ``Prepared`` document and its rows in one transaction; an ``Outcome``.

    Whatever was written since it was prepared is checked again under the content's lock:
    the same text written meanwhile (by another process, or earlier in the same batch) is
    "unchanged"."""
    content_hash, replaces, meta = prepared.content_hash, prepared.replaces, prepared.meta
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
            document = Document(file_name=prepared.file_name, origin_hash=content_hash)
        else:
            document = Document.objects.select_for_update().get(pk=replaces)
            if document.is_withdrawn:
                raise RefusedVersion(
                    f"document {document.pk} is withdrawn: restore it before adding a version"
                )
            _keep_as_version(document)
            document.file_name = prepared.file_name
            document.version += 1
            document.version_ingested_at = timezone.now()
        document.uploaded_by = uploaded_by
        _apply_metadata(document, meta, prepared.text, content_hash)
        document.save()
        report = write_extraction(
            document, prepared.extraction, meta, search_texts=prepared.search_texts
        )
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


def read_path(path):
    """The bytes of a file to ingest; ``UnreadableDocument`` if it cannot be read or is above
    ``INGEST_MAX_BYTES`` (refused before reading)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > settings.INGEST_MAX_BYTES:
            # Refuse before reading: a huge file should not be loaded only to be turned away.
            raise UnreadableDocument(
                f"file is {size / 1e6:.1f} MB, above the {settings.INGEST_MAX_BYTES / 1e6:.1f} MB limit"
            )
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"cannot read file: {exc.strerror}") from None


def ingest_path(path, **kwargs):
    return ingest_bytes(read_path(path), file_name=Path(path).name, **kwargs)


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
