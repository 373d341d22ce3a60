"""``changes.csv``: what changed in initiatives.csv and targets.csv since the previous release.

A release is a version of the full download (``package.release_version``: the date of the
newest data change and a digest of every table). Each one is recorded (``Release``) the first
time it is written, with every initiative's and target's stable key and a digest of its row;
the next release compares its rows with that record. Rows are matched by ``key``, which stays
the same when a document is re-ingested and the sentence is unchanged, so an id that changes
in a merge or a re-ingest does not read as a removal plus an addition.

The previous release is the newest recorded one whose version differs from the one being
written, so writing the same version again gives the same ``changes.csv`` (two downloads
without a data change are the same byte for byte). The first release lists every row as
added, with ``since`` empty.
"""

import hashlib

from initiatives.exports.tables import Column, Table
from initiatives.models import Release

# The tables whose rows are followed from release to release, by their ``key`` column.
TRACKED = ("initiatives", "targets")
# Columns left out of a row's digest: the permalink changes with SITE_URL, not with the data.
UNTRACKED_COLUMNS = ("url",)
DIGEST_LENGTH = 16  # hex digits: 64 bits, no collision in any knowledge base this size

CHANGE_COLUMNS = ["key", "table", "change", "id", "since"]
CHANGE_KINDS = ("added", "changed", "removed")

CHANGE_TABLE = Table(
    "changes",
    "版本变化",
    "What changed in initiatives.csv and targets.csv since the previous release: one row per "
    "row added, changed (any column but url) or removed, matched by the stable key. The first "
    "release lists every row as added.",
    (
        Column(
            "key",
            "string",
            "行的稳定键（initiatives.csv、targets.csv 的 key 列）",
            "The row's stable key (the key column of initiatives.csv or targets.csv).",
            "3f1c9a0b7d2e4c5a6b8d",
            constraints={"required": True},
        ),
        Column(
            "table",
            "string",
            "所在的表：initiatives 或 targets",
            "The table the row belongs to: initiatives or targets.",
            "initiatives",
            constraints={"required": True, "enum": list(TRACKED)},
        ),
        Column(
            "change",
            "string",
            "变化：added 新增、changed 内容有改动（url 以外的任一列）、removed 删除或隐藏",
            "added, changed (any column but url differs) or removed (deleted or hidden).",
            "changed",
            constraints={"required": True, "enum": list(CHANGE_KINDS)},
        ),
        Column(
            "id",
            "integer",
            "该行的 id（删除的行：它在上一版本中的 id）",
            "The row's id (for a removed row: its id in the previous release).",
            "1024",
        ),
        Column(
            "since",
            "string",
            "比较所依据的上一版本号；首个版本为空",
            "The version of the previous release compared with; empty in the first release.",
            "2026.11.28+9a0b3f1c",
        ),
    ),
)
assert CHANGE_TABLE.column_names == CHANGE_COLUMNS


def row_digest(columns, row):
    """A short digest of one CSV row, every column but ``UNTRACKED_COLUMNS``."""
    text = "\x1f".join(
        "" if cell is None else str(cell)
        for name, cell in zip(columns, row, strict=True)
        if name not in UNTRACKED_COLUMNS
    )
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


class Contents:
    """The keys and row digests of the tracked tables, gathered as their rows are written."""

    def __init__(self):
        self.tables = {name: {} for name in TRACKED}

    def track(self, table, rows):
        """``rows`` unchanged, each one noted under its key on the way through."""
        if table.name not in self.tables:
            yield from rows
            return
        columns = table.column_names
        seen = self.tables[table.name]
        key_at, id_at = columns.index("key"), columns.index("id")
        for row in rows:
            # A row written without a key (never by the ingest or the admin) is followed by id.
            key = row[key_at] or f"id:{row[id_at]}"
            seen[key] = [row_digest(columns, row), row[id_at]]
            yield row


def previous_release(version):
    """The newest recorded release whose version is not ``version`` (``None``: none)."""
    for pk, recorded in Release.objects.order_by("-pk").values_list("pk", "version"):
        if recorded != version:
            return Release.objects.get(pk=pk)
    return None


def change_rows(contents, previous):
    """``changes.csv``'s rows: ``contents`` (``Contents.tables``) against ``previous``."""
    before = previous.unpacked() if previous is not None else {}
    since = previous.version if previous is not None else ""
    for table in TRACKED:
        now, then = contents.get(table, {}), before.get(table, {})
        for key in sorted(now.keys() | then.keys()):
            if key not in then:
                yield [key, table, "added", now[key][1], since]
            elif key not in now:
                yield [key, table, "removed", then[key][1], since]
            elif now[key][0] != then[key][0]:
                yield [key, table, "changed", now[key][1], since]


def record_release(version, created, contents):
    """Keep ``version``'s contents for the next release, unless it is the newest recorded
    already (a second download of the same data). Called after the download's read-only
    snapshot; two downloads racing may both record it, which ``previous_release`` allows."""
    newest = Release.objects.order_by("-pk").values_list("version", flat=True).first()
    if newest == version:
        return None
    return Release.objects.create(version=version, created=created, contents=Release.pack(contents))
