"""One writer per document content at a time, across processes.

Two ingests of the same files at once (two curators, a command and an upload) both read
"not there yet" before either has written. The second must wait for the first and then find
its document, not fail on the unique content hash. On PostgreSQL a transaction-level
advisory lock keyed by the content hash does that (released at commit or rollback); on
SQLite every transaction already begins IMMEDIATE (config.settings.sqlite_options), which
holds the database's one write lock until the end, so nothing more is needed.
"""

from django.db import connection


def lock_content(content_hash):
    """Inside ``transaction.atomic()``: wait until no other transaction writes this content."""
    if connection.vendor != "postgresql":
        return
    key = int(content_hash[:16], 16)
    if key >= 2**63:  # pg_advisory_xact_lock takes a signed 64-bit key
        key -= 2**64
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
