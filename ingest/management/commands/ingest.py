"""python manage.py ingest PATH... — read documents and extract their initiatives."""

import multiprocessing
import os
import sys
import time
from collections import deque
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import connections

from ingest.extract import Extractor
from ingest.pipeline import (
    Outcome,
    UnreadableDocument,
    prepare_bytes,
    read_path,
    write_prepared,
)
from ingest.vocabulary import Vocabulary
from initiatives.search.segmentation import tokenizer
from regions.gazetteer import gazetteer

SQLITE_WORKER_TIMEOUT = 600  # seconds
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
        parser.add_argument(
            "--jobs",
            "-j",
            type=int,
            default=1,
            metavar="N",
            help="documents read and written by N processes at once (default 1; 0: one per "
            "core); each document is still written in its own transaction",
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
        jobs = options["jobs"]
        if jobs < 0:
            raise CommandError("--jobs takes a number of processes (0: one per core)")
        jobs = min(jobs or os.cpu_count() or 1, max(len(files), 1))
        global _extractor
        _extractor = Extractor(gazetteer(), Vocabulary.from_database())
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": len(missing)}
        totals = {"initiatives": 0, "targets": 0}
        show_progress = len(files) > 20 and options["verbosity"] >= 1 and sys.stdout.isatty()
        progress = Progress(files, self._write_progress) if show_progress else None
        began = time.monotonic()
        tasks = [(path, replaces, source_url) for path in files]
        if jobs > 1:
            # Workers read, extract and segment; this process writes, document by document
            # in file order (so ids are those one process gives). Forked workers inherit
            # the loaded gazetteer, vocabularies and segmenter; each opens its own database
            # connection for its reads (a shared one must not cross a fork).
            tokenizer()
            connections.close_all()
            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_started)
            prepared = in_order_bounded(pool, _prepare_one, tasks, window=2 * jobs)
            results = (_write_one(p) for p in prepared)
        else:
            pool, results = None, (_write_one(_prepare_one(task)) for task in tasks)
        try:
            for path, result in zip(files, results, strict=True):
                if isinstance(result, str):
                    counts["failed"] += 1
                    self.stderr.write(f"{path}: {result}")
                    if progress:
                        progress.done(path, 0)
                    continue
                counts[result.action] += 1
                if result.action != "unchanged":
                    totals["initiatives"] += result.initiatives
                    totals["targets"] += result.targets
                if progress:
                    progress.done(path, result.characters)
                elif options["verbosity"] >= 1:
                    self.stdout.write(describe(path, result))
        except BaseException:
            if pool is not None:
                # A failure other than an unreadable file (or Ctrl-C): stop the workers at
                # once instead of letting them work through the queue.
                pool.terminate()
                pool.join()
            raise
        if pool is not None:
            pool.close()
            pool.join()
        if progress:
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

        from initiatives.curation.uploads import queue_upload

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

    def _write_progress(self, line):
        self.stdout.write(line, ending="")
        self.stdout.flush()


class PathFile:
    """A file on disk as the upload queue takes it (name, size, read), read only when
    stored: a folder of thousands of files is never open, or in memory, all at once."""

    def __init__(self, path):
        self.name = path.name
        self.size = path.stat().st_size
        self._path = path

    def read(self):
        return self._path.read_bytes()


_extractor = None


@dataclass
class Result:
    """What one document's ingest reports back (small enough to pass between processes)."""

    action: str
    document_id: int
    version: int
    title: str
    characters: int
    initiatives: int
    targets: int
    old_version: bool
    report: object


def _worker_started():
    # The parent's connections were closed before the fork; nothing inherited is reused.
    connections.close_all()
    database = connections["default"].settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        # SQLite has one writer at a time: a worker waits for another's document (a long one
        # holds the lock while its rows are written) rather than fail as "locked".
        options = database.setdefault("OPTIONS", {})
        options["timeout"] = max(options.get("timeout", 5), SQLITE_WORKER_TIMEOUT)


def _prepare_one(task):
    """Read and extract one file: a ``Prepared``, an ``Outcome`` (already known), or the
    reason it was refused."""
    path, replaces, source_url = task
    try:
        return prepare_bytes(
            read_path(path),
            file_name=Path(path).name,
            extractor=_extractor,
            replaces=replaces,
            source_url=source_url,
        )
    except UnreadableDocument as exc:
        return str(exc)


def _write_one(prepared):
    """Write what ``_prepare_one`` made (its own transaction): a ``Result``, or a reason."""
    if isinstance(prepared, str):
        return prepared
    try:
        outcome = prepared if isinstance(prepared, Outcome) else write_prepared(prepared)
    except UnreadableDocument as exc:
        return str(exc)
    document = outcome.document
    return Result(
        action=outcome.action,
        document_id=document.pk,
        version=document.version,
        title=document.title,
        characters=len(document.text),
        initiatives=outcome.initiatives,
        targets=outcome.targets,
        old_version=outcome.old_version,
        report=outcome.report,
    )


BAR_WIDTH = 24


class Progress:
    """One line rewritten in place: documents done, a bar of the bytes read, characters per
    second, time left."""

    def __init__(self, files, write):
        self.write, self.total, self.n = write, len(files), 0
        self.sizes = {path: max(path.stat().st_size, 1) for path in files}
        self.bytes_total, self.bytes_done, self.characters = sum(self.sizes.values()), 0, 0
        self.began = time.monotonic()

    def done(self, path, characters):
        self.n += 1
        self.characters += characters
        self.bytes_done += self.sizes[path]
        elapsed = max(time.monotonic() - self.began, 1e-6)
        # Time left from the bytes still to read: documents differ a lot in length.
        left = elapsed * (self.bytes_total - self.bytes_done) / self.bytes_done
        share = self.bytes_done / self.bytes_total
        bar = "#" * int(share * BAR_WIDTH)
        self.write(
            f"\r{self.n}/{self.total} documents · [{bar:-<{BAR_WIDTH}}] {share:4.0%}"
            f" · {self.characters / elapsed:,.0f} characters/s"
            f" · ETA {int(left) // 60}:{int(left) % 60:02d} "
        )


def describe(path, outcome):
    """One line per document; a new version also says what happened to its rows."""
    line = f"{path.name}: {outcome.action} · document {outcome.document_id}"
    if outcome.action == "updated":
        line += f" v{outcome.version}"
    if outcome.old_version:
        line += " (the text of an earlier version: nothing changed)"
    line += (
        f" · {outcome.title[:40]} · {outcome.initiatives} initiatives, {outcome.targets} targets"
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


def in_order_bounded(pool, function, tasks, *, window):
    """``pool.imap(function, tasks)`` with at most ``window`` tasks handed out and not yet
    taken back: the workers read ahead of the writer by a few documents, never by the
    whole folder (prepared documents wait in this process's memory until written)."""
    tasks = iter(tasks)
    pending = deque(pool.apply_async(function, (t,)) for t in islice(tasks, window))
    while pending:
        result = pending.popleft().get()
        for task in islice(tasks, 1):
            pending.append(pool.apply_async(function, (task,)))
        yield result
