"""Reading Word (.docx) files (python-docx), after checking what the package expands to."""

import io
import re
import zipfile

from ingest.formats.common import CJK, DEFAULT_MAX_CHARS, check_length, table_lines
from ingest.reading import UnreadableDocument

# What a file may expand to (the documents ingested so far stay far below: the largest
# legitimate compilation seen, 4.5 MB of .docx, has ~30,000 paragraphs and 1.6 M characters).
DOCX_MAX_PARTS = 1_000  # members of the zip package
DOCX_MAX_UNPACKED = 256 * 2**20  # bytes, all members together, as the zip directory says
DOCX_MAX_PARAGRAPHS = 200_000
DOCX_MAX_CELLS = 200_000


# --- Word ---------------------------------------------------------------------------------


def _read_docx(data, max_chars=DEFAULT_MAX_CHARS):
    import docx
    from docx.table import Table

    _check_docx_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        lines, length = [], 0
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                table = table_lines(_docx_rows(block))
                lines.extend(table)
                length += sum(len(line) + 1 for line in table)
            else:
                lines.extend(block.text.split("\n"))
                length += len(block.text) + 1
            check_length(length, max_chars)
        header = {}
        title = (document.core_properties.title or "").strip()
    except zipfile.BadZipFile:
        raise UnreadableDocument("corrupt .docx file: broken zip package") from None
    except UnreadableDocument:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # python-docx/lxml raise many kinds on a damaged package
        raise UnreadableDocument(f"corrupt .docx file ({type(exc).__name__})") from None
    if title and re.search(f"[{CJK}]", title) and not title.lower().startswith("microsoft"):
        header["title"] = title
    return "\n".join(lines), header


# A paragraph or table cell element in any namespace prefix (w:p, w:tc; a:p in drawings).
DOCX_PARAGRAPH = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")
DOCX_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tc[\s/>]")


def _check_docx_package(data):
    """Refuse a package that would unpack to too much, before anything parses it.

    Sizes come from the zip directory; Python's zipfile never returns more than a member's
    stated size (and fails its CRC when the data would go on), so a lying directory cannot
    smuggle more past this check. The XML parts are then scanned in blocks for paragraph and
    cell tags: a tiny file with millions of empty paragraphs is refused here, not after
    lxml has built millions of elements.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise UnreadableDocument("corrupt .docx file: broken zip package") from None
    if len(members) > DOCX_MAX_PARTS:
        raise UnreadableDocument(
            f".docx package has {len(members):,} parts, above the limit of {DOCX_MAX_PARTS:,}"
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > DOCX_MAX_UNPACKED:
        raise UnreadableDocument(
            f".docx package unpacks to {unpacked / 1e6:,.0f} MB, above the "
            f"{DOCX_MAX_UNPACKED / 1e6:,.0f} MB limit (a zip bomb?)"
        )
    paragraphs = cells = 0
    for member in members:
        if not member.filename.lower().endswith(".xml"):
            continue
        try:
            with archive.open(member) as part:
                tail = b""
                while block := part.read(1 << 20):
                    # Tags cut by a block boundary are counted in the next block (tail).
                    chunk = tail + block
                    cut = max(0, len(chunk) - 32)
                    paragraphs += len(DOCX_PARAGRAPH.findall(chunk, 0, cut))
                    cells += len(DOCX_CELL.findall(chunk, 0, cut))
                    tail = chunk[cut:]
                    _check_docx_counts(paragraphs, cells)
                paragraphs += len(DOCX_PARAGRAPH.findall(tail))
                cells += len(DOCX_CELL.findall(tail))
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
            raise UnreadableDocument(f"corrupt .docx file ({type(exc).__name__})") from None
        _check_docx_counts(paragraphs, cells)


def _check_docx_counts(paragraphs, cells):
    if paragraphs > DOCX_MAX_PARAGRAPHS:
        raise UnreadableDocument(
            f".docx file has more than {DOCX_MAX_PARAGRAPHS:,} paragraphs "
            f"({paragraphs:,} found so far)"
        )
    if cells > DOCX_MAX_CELLS:
        raise UnreadableDocument(
            f".docx file has more than {DOCX_MAX_CELLS:,} table cells ({cells:,} found so far)"
        )


def _docx_rows(table):
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(_cell_text(cell))
        rows.append(cells)
    return rows


def _cell_text(cell):
    from docx.table import Table

    parts = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            parts.extend(c for row in _docx_rows(block) for c in row)
        else:
            parts.append(block.text)
    return "\n".join(p for p in parts if p.strip())
