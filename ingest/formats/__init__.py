"""Plain text and header metadata out of the files curators receive: .txt, .html, .docx, .pdf.

One entry point, :func:`to_text`, used by the pipeline and by admin uploads. Every format
comes out the way the .txt corpus reads, so the rest of the ingest treats them alike:
one paragraph per line, the title on the first line, and tables in the corpus's flattened
form (a ``|`` line before and after every cell; a one-cell box keeps its paragraphs as
lines) because ``structure`` and ``targets`` read indicator tables from it.

The format is chosen by content first (``%PDF`` magic, a Word zip, HTML markup) and by the
file name's extension second, so a mislabelled file is read for what it is. Parsing is done
by libraries: trafilatura (HTML main content and metadata), python-docx, pdfminer.six.
Anything that cannot become text raises :class:`ingest.reading.UnreadableDocument` with a
one-line message; nothing is written before that.

What a file may expand to is bounded, not only its bytes: a .docx package is checked from its
zip directory (parts, unpacked size) and its XML scanned for paragraphs and table cells before
python-docx parses it; a PDF's pages, drawing operations and characters per page are counted
while pdfminer reads it; every format's text is held to ``INGEST_MAX_CHARS``. Word, PDF and
HTML are read in a child process under a memory ceiling and a deadline
(``ingest.isolation``), so a file shaped to exhaust either costs one refusal.

This package chooses the format and holds the limits; each format's reader is a module
(``html``, ``word``, ``pdf``) and ``common`` holds what they share.
"""

import re
from pathlib import PurePath

from ingest import isolation, reading
from ingest.formats.common import DEFAULT_MAX_CHARS, check_length
from ingest.formats.html import _read_html
from ingest.formats.pdf import _read_pdf
from ingest.formats.word import _read_docx
from ingest.reading import UnreadableDocument

# reading's own test of decoded text; the formats here must pass the same bar.
from ingest.reading import _check_looks_like_chinese_text as _check_text  # noqa: I001

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
DOCX_SUFFIXES = {".docx", ".docm"}
PDF_SUFFIXES = {".pdf"}
SUFFIXES = {".txt", ".text", *HTML_SUFFIXES, *DOCX_SUFFIXES, *PDF_SUFFIXES}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls
HTML_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|meta|title|div|p|table|br)\b", re.IGNORECASE
)

# Defaults when Django's settings are not configured (the readers used on their own).
DEFAULT_READ_SECONDS = 120
DEFAULT_READ_MEMORY = 1024 * 2**20


def to_text(data: bytes, file_name: str, max_bytes: int, *, isolate=True) -> tuple[str, dict]:
    """The document's text (one paragraph per line) and the header metadata found beside it.

    Header keys are those of ``ingest.cleaning`` (发布时间, 来源, 发布机构 …) plus ``title``.
    Word, PDF and HTML files are read in a child process (``isolate``) with the memory and
    time limits of the settings ``INGEST_READ_MEMORY_MB`` and ``INGEST_READ_SECONDS``.
    """
    if len(data) > max_bytes:
        raise UnreadableDocument(
            f"file is {len(data) / 1e6:.1f} MB, above the {max_bytes / 1e6:.1f} MB limit"
        )
    max_chars, seconds, memory = _limits()
    kind = sniff(data, file_name)
    if kind == "txt":
        text = reading.decode(data, max_bytes=max_bytes)
        check_length(len(text), max_chars)
        return text, {}
    if isolate:
        _preload(kind)
        return isolation.run(read_kind, kind, data, max_chars, seconds=seconds, memory_bytes=memory)
    return read_kind(kind, data, max_chars)


def read_kind(kind, data, max_chars=DEFAULT_MAX_CHARS):
    """Text and header of a ``html``, ``docx`` or ``pdf`` file, in this process."""
    reader = {"html": _read_html, "docx": _read_docx, "pdf": _read_pdf}[kind]
    text, header = reader(data, max_chars)
    text = "\n".join(line for line in (ln.strip() for ln in text.split("\n")) if line)
    if not text:
        raise UnreadableDocument(f"no text found in the {kind.upper()} file")
    check_length(len(text), max_chars)
    _check_text(text)
    return text, header


def _preload(kind):
    """Import the format's library here, once, so each child process inherits it loaded
    instead of importing it again (python-docx and trafilatura take 0.1–0.5 s)."""
    if kind == "docx":
        import docx  # noqa: F401
    elif kind == "pdf":
        import pdfminer.converter  # noqa: F401
        import pdfminer.pdfinterp  # noqa: F401
    elif kind == "html":
        import lxml.html  # noqa: F401
        import trafilatura  # noqa: F401
        import trafilatura.settings  # noqa: F401


def _limits():
    from django.conf import settings

    if not settings.configured:
        return DEFAULT_MAX_CHARS, DEFAULT_READ_SECONDS, DEFAULT_READ_MEMORY
    return (
        getattr(settings, "INGEST_MAX_CHARS", DEFAULT_MAX_CHARS),
        getattr(settings, "INGEST_READ_SECONDS", DEFAULT_READ_SECONDS),
        getattr(settings, "INGEST_READ_MEMORY_MB", DEFAULT_READ_MEMORY // 2**20) * 2**20,
    )


def sniff(data: bytes, file_name: str) -> str:
    """``txt``, ``html``, ``docx`` or ``pdf``: what the bytes are, the name breaking ties."""
    suffix = PurePath(file_name or "").suffix.lower()
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix in DOCX_SUFFIXES or b"word/" in data[:65536] or b"[Content_Types]" in head:
            return "docx"
        raise UnreadableDocument("a zip archive, not a Word (.docx) document")
    if data.startswith(OLE_MAGIC):
        raise UnreadableDocument(
            "legacy Word 97-2003 (.doc) or other OLE file is not supported; save it as .docx"
        )
    if suffix in DOCX_SUFFIXES:
        raise UnreadableDocument("corrupt .docx file: not a zip package")
    if suffix in PDF_SUFFIXES:
        raise UnreadableDocument("corrupt PDF file: no %PDF header")
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in HTML_SUFFIXES:
        # An .html file that is really text is read as text.
        return "html" if HTML_MARKUP.search(data[:8192]) else "txt"
    if re.match(rb"<(?:!doctype\s+html|html)\b", start, re.IGNORECASE):
        return "html"
    return "txt"
