"""python manage.py ingest PATH... — read documents and extract their initiatives."""

import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from ingest.extract import Extractor
from ingest.pipeline import UnreadableDocument, ingest_path
from ingest.vocabulary import Vocabulary
from regions.gazetteer import gazetteer

READABLE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".docx", ".pdf"}


class Command(BaseCommand):
    help = (
        "Ingest employment-policy documents (files or folders of .txt in UTF-8 or GB18030, "
        ".html/.htm, .docx, text-layer .pdf): "
        "one transaction per document; unchanged documents are skipped. Every other file "
        "becomes a new document, whatever its name; --replaces makes it a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to ingest")
        parser.add_argument(
            "--replaces",
            type=int,
            metavar="DOCUMENT_ID",
            help="ingest the one FILE given as a new version of this document: its old text "
            "is kept as a version, rows of unchanged sentences keep their ids, curated rows "
            "whose sentence changed are flagged for review",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="store the files and queue them for the worker (manage.py db_worker) instead "
            "of ingesting them now; prints the upload's status page in the admin",
        )
        parser.add_argument(
            "--source-url",
            default="",
            help="where the document was published (one file only); kept as its source link",
        )

    def handle(self, *args, **options):
        paths = options["paths"]
        files, missing = collect(paths)
        for path in missing:
            self.stderr.write(f"{path}: no such file or folder")
        if not files and not missing:
            raise CommandError("no text documents found in the given paths")
        replaces = options["replaces"]
        if replaces is not None and len(files) + len(missing) != 1:
            # A version replaces one document with one file; a folder cannot say which.
            raise CommandError("--replaces takes exactly one file")
        source_url = options["source_url"].strip()
        if source_url:
            # One link names one document: refuse it for a folder rather than stamp them all.
            if len(files) + len(missing) != 1:
                raise CommandError("--source-url applies to a single file")
            try:
                URLValidator(schemes=["http", "https"])(source_url)
            except ValidationError:
                raise CommandError(
                    f"--source-url is not an http(s) URL: {source_url[:80]}"
                ) from None
        if options["background"]:
            if source_url:
                raise CommandError("--source-url cannot be combined with --background")
            return self.queue(files, replaces, failed=len(missing))
        extractor = Extractor(gazetteer(), Vocabulary.from_database())
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": len(missing)}
        totals = {"initiatives": 0, "targets": 0}
        began = time.monotonic()
        show_progress = len(files) > 20 and options["verbosity"] >= 1 and sys.stdout.isatty()
        for n, path in enumerate(files, 1):
            try:
                outcome = ingest_path(
                    path, extractor=extractor, replaces=replaces, source_url=source_url
                )
            except UnreadableDocument as exc:
                counts["failed"] += 1
                self.stderr.write(f"{path}: {exc}")
                continue
            counts[outcome.action] += 1
            if outcome.action != "unchanged":
                totals["initiatives"] += outcome.initiatives
                totals["targets"] += outcome.targets
            if options["verbosity"] >= 1 and not show_progress:
                self.stdout.write(describe(path, outcome))
            elif show_progress:
                self.stdout.write(f"\r{n}/{len(files)}", ending="")
        if show_progress:
            self.stdout.write("")
        self.stdout.write(
            f"{len(files) + len(missing)} documents: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['failed']} failed; "
            f"{totals['initiatives']} initiatives, {totals['targets']} targets "
            f"in {time.monotonic() - began:.1f}s"
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} document(s) failed", returncode=1)

    def queue(self, files, replaces, *, failed):
        """One upload of all the files, as if a curator had sent them through the admin."""
        from django.urls import reverse

        from initiatives.uploads import queue_upload

        upload = queue_upload(
            [PathFile(path) for path in files],
            replaces=replaces,
            suffixes=sorted(READABLE_SUFFIXES),
        )
        url = reverse("admin:initiatives_document_upload_status", args=[upload.pk])
        refused = upload.files.filter(state="refused")
        for row in refused:
            self.stderr.write(f"{row.name}: {row.message}")
        self.stdout.write(
            f"{len(files)} documents queued as upload {upload.pk} "
            f"({refused.count()} refused now); status: {url}"
        )
        if failed:
            raise CommandError(f"{failed} path(s) not found", returncode=1)


class PathFile:
    """A file on disk as the upload queue takes it (name, size, read), read only when
    stored: a folder of thousands of files is never open, or in memory, all at once."""

    def __init__(self, path):
        self.name = path.name
        self.size = path.stat().st_size
        self._path = path

    def read(self):
        return self._path.read_bytes()


def describe(path, outcome):
    """One line per document; a new version also says what happened to its rows."""
    document = outcome.document
    line = f"{path.name}: {outcome.action} · document {document.pk}"
    if outcome.action == "updated":
        line += f" v{document.version}"
    if outcome.old_version:
        line += " (the text of an earlier version: nothing changed)"
    line += (
        f" · {document.title[:40]} · {outcome.initiatives} initiatives, {outcome.targets} targets"
    )
    if outcome.action == "updated" and outcome.report is not None:
        line += " · " + row_summary(outcome.report)
    return line


def row_summary(report):
    """initiatives: 3 added, 1 removed, 2 updated, 1 protected kept, 1 flagged; targets: …"""
    parts = []
    for name in ("initiatives", "targets"):
        c = getattr(report, name)
        parts.append(
            f"{name}: {c.added} added, {c.removed} removed, {c.updated} updated, "
            f"{c.protected} with protected fields kept, {c.flagged} flagged for review"
        )
    return "; ".join(parts)


def collect(paths):
    files, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in READABLE_SUFFIXES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(path)
    return files, missing
