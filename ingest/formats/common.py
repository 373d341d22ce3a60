"""What every format's reader shares: the default text limit and the corpus's line forms."""

import re

from ingest.reading import UnreadableDocument

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


# Defaults when Django's settings are not configured (the readers used on their own).
DEFAULT_MAX_CHARS = 3_000_000


def table_lines(rows):
    """The corpus's flattened table: a bar before and after every cell.

    A one-cell table is a box (专栏) whose paragraphs stay lines; cells of a grid become one
    line each, their own paragraphs joined as a wrapped line would be.
    """
    rows = [[c for c in row if c.strip()] for row in rows]
    rows = [row for row in rows if row]
    if not rows:
        return []
    if len(rows) == 1 and len(rows[0]) == 1:
        return ["|", *rows[0][0].split("\n"), "|"]
    lines = ["|"]
    for row in rows:
        for cell in row:
            parts = [p.strip() for p in cell.split("\n") if p.strip()]
            joined = parts[0]
            for part in parts[1:]:
                joined = join_wrapped(joined, part)
            lines += [joined, "|"]
    return lines


def join_wrapped(first, second):
    """Join a line wrapped mid-sentence: no space inside Chinese, one between Latin words."""
    if not first:
        return second
    if not second:
        return first
    if re.match(r"[A-Za-z]", first[-1]) and re.match(r"[A-Za-z]", second[0]):
        return f"{first} {second}"
    return first + second


def squash(text):
    return re.sub(r"\s+", "", text)


def check_length(length, max_chars):
    if length > max_chars:
        raise UnreadableDocument(
            f"text is {length:,} characters or more, above the {max_chars:,} limit "
            "(INGEST_MAX_CHARS)"
        )
