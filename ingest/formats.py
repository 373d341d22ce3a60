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
"""

import io
import re
import statistics
import zipfile
from collections import Counter
from pathlib import PurePath

from ingest import isolation, reading
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
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Header lines of government pages: 发布时间:2018-06-05 来源:市人社局 字体:[大 中 小]
HEADER_KEYS = (
    "发布者|发布人|发布时间|发布日期|成文日期|发文日期|来源|信息来源|文章来源|发文机关|发布机构"
    "|索引号|文号|发文字号|作者"
)
# Labels that end a header value although they are no header of ours.
OTHER_LABELS = "字[体号]|浏览次数|点击数|点击率|阅读次数|访问次数|访问量|阅读量|分享到|打印"
KEY_WITH_COLON = re.compile(rf"(?P<key>{HEADER_KEYS}|{OTHER_LABELS})\s*[:：]")
HEADER_ALIASES = {"信息来源": "来源", "文章来源": "来源"}
# <meta name=...> of Chinese government sites (the national site-building norm) and others.
META_NAMES = {
    "articletitle": "title",
    "pubdate": "发布时间",
    "firstpublishedtime": "发布时间",
    "publishdate": "发布时间",
    "article:published_time": "发布时间",
    "contentsource": "来源",
}

# What a file may expand to (the documents ingested so far stay far below: the largest
# legitimate compilation seen, 4.5 MB of .docx, has ~30,000 paragraphs and 1.6 M characters).
DOCX_MAX_PARTS = 1_000  # members of the zip package
DOCX_MAX_UNPACKED = 256 * 2**20  # bytes, all members together, as the zip directory says
DOCX_MAX_PARAGRAPHS = 200_000
DOCX_MAX_CELLS = 200_000
PDF_MAX_PAGES = 3_000
PDF_MAX_PAGE_OPERATIONS = 100_000  # operators and operands in one page's content streams
PDF_MAX_PAGE_CHARACTERS = 50_000  # a dense A4 page of Chinese holds ~2,000

# Defaults when Django's settings are not configured (the readers used on their own).
DEFAULT_MAX_CHARS = 3_000_000
DEFAULT_READ_SECONDS = 120
DEFAULT_READ_MEMORY = 1024 * 2**20

PAGE_NUMBER = re.compile(
    r"^(?:[-—–－·•\s]*\d{1,4}[-—–－·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)


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
        _check_length(len(text), max_chars)
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
    _check_length(len(text), max_chars)
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


def _check_length(length, max_chars):
    if length > max_chars:
        raise UnreadableDocument(
            f"text is {length:,} characters or more, above the {max_chars:,} limit "
            "(INGEST_MAX_CHARS)"
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


# --- HTML ---------------------------------------------------------------------------------


def _read_html(data, max_chars=DEFAULT_MAX_CHARS):
    import trafilatura
    from lxml import etree

    page = decode_html(data)
    page = re.sub(r"^\s*<\?xml[^>]*\?>", "", page)  # lxml refuses str with a declaration
    try:
        extracted = trafilatura.extract(
            page,
            output_format="xml",
            with_metadata=True,
            include_tables=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            favor_recall=True,
            deduplicate=False,
            config=_trafilatura_config(),
        )
    except Exception as exc:  # a library parsing hostile input may raise anything
        raise UnreadableDocument(f"unreadable HTML page ({type(exc).__name__})") from None
    if not extracted:
        raise UnreadableDocument("no main text found in the HTML page")
    doc = etree.fromstring(extracted.encode("utf-8"))
    main = doc.find("main")
    lines = _xml_lines(main) if main is not None else []
    header = _page_header(page)
    title = _without_site_name(header.get("title") or doc.get("title") or "")
    if doc.get("date") and "发布时间" not in header:
        header["发布时间"] = doc.get("date")
    if title:
        header["title"] = title
        first = next((ln for ln in lines if ln.strip() and ln != "|"), "")
        if _squash(first) != _squash(title) and _squash(title) not in _squash(first):
            lines.insert(0, title)
    return "\n".join(lines), header


def _without_site_name(title):
    """``标题_鸡西市人民政府`` → ``标题``: the <title> of a page often carries the site's name."""
    parts = [p.strip() for p in re.split(r"[_|｜]", title) if p.strip()]
    return parts[0] if parts and len(parts[0]) >= 4 else title.strip()


def decode_html(data):
    """Bytes of a page as text: BOM, then the declared charset (big5, gbk …), then guesses."""
    import codecs

    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    declared = re.search(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", data[:4096], re.I)
    candidates = []
    if declared:
        candidates.append(_codec_for(declared.group(1).decode("ascii").lower()))
    candidates += ["utf-8", "gb18030", "cp950", "big5hkscs"]
    for encoding in candidates:
        if encoding is None:
            continue
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    # A page with a few broken bytes is still worth reading in its declared encoding.
    return data.decode(candidates[0] or "gb18030", errors="replace")


def _codec_for(name):
    import codecs

    # Browsers read these labels as the larger Windows/GB tables; so must we.
    name = {
        "gb2312": "gb18030",
        "gbk": "gb18030",
        "x-gbk": "gb18030",
        "big5": "cp950",
        "x-x-big5": "cp950",
        "big5-hkscs": "big5hkscs",
    }.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _trafilatura_config():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal alarms in web workers
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")  # dates come from the page's lines
    return config


def _xml_lines(element):
    """Trafilatura's XML (p, head, list/item, table/row/cell, quote) as lines."""
    lines = []
    for child in element:
        tag = child.tag
        if tag == "table":
            lines.extend(
                _table_lines([[_xml_text(c) for c in r.iter("cell")] for r in child.iter("row")])
            )
        elif tag == "list":
            lines.extend(_xml_lines(child))
        elif tag in ("p", "head", "item", "quote", "code"):
            if child.find(".//table") is not None or child.find("list") is not None:
                lines.extend(_xml_lines(child))
            else:
                lines.extend(_xml_text(child).split("\n"))
        elif tag not in ("graphic", "comments", "ref"):
            lines.extend(_xml_text(child).split("\n"))
    return lines


def _xml_text(element):
    return "".join(_xml_parts(element)).strip()


def _xml_parts(element):
    yield element.text or ""
    for child in element:
        if child.tag == "lb":
            yield "\n"
        else:
            yield from _xml_parts(child)
        yield child.tail or ""


def _page_header(page):
    """Metadata lines and <meta> tags of the whole page (the main text usually leaves them out)."""
    import lxml.html

    header = {}
    try:
        root = lxml.html.document_fromstring(page)
    except Exception:  # the main text was already found; metadata is a bonus
        return header
    for meta in root.iter("meta"):
        key = META_NAMES.get((meta.get("name") or meta.get("property") or "").strip().lower())
        value = (meta.get("content") or "").strip()
        if key and value:
            header.setdefault(key, value)
    # The page's own address, kept as the document's source link.
    for link in root.xpath('//link[@rel="canonical"]/@href|//meta[@property="og:url"]/@content'):
        if link.strip().lower().startswith(("http://", "https://")):
            header.setdefault("source_url", link.strip())
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    body = root.find("body")
    for line in _block_lines(body if body is not None else root):
        if len(line) > 200:
            continue
        for key, value in header_pairs(line):
            header.setdefault(HEADER_ALIASES.get(key, key), value)
    return header


def header_pairs(line):
    """``发布时间:2018-06-05 来源:市人社局 字体:大 中 小`` → [(发布时间, …), (来源, 市人社局)]."""
    line = line.replace("\u00a0", " ").replace("\u3000", " ")
    matches = list(KEY_WITH_COLON.finditer(line))
    pairs = []
    for k, match in enumerate(matches):
        key = match.group("key")
        if not re.fullmatch(HEADER_KEYS, key):
            continue
        end = matches[k + 1].start() if k + 1 < len(matches) else len(line)
        value = re.sub(r"[【\[].*$", "", line[match.end() : end]).strip(" |丨")
        if value:
            pairs.append((key, value))
    return pairs


BLOCK_TAGS = {
    "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table",
    "section", "article", "header", "footer", "ul", "ol", "dd", "dt", "span",
}  # fmt: skip


def _block_lines(root):
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() != "span":
                element.text = "\n" + (element.text or "")
    text = root.text_content()
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n") if line.strip()]


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
                table = _table_lines(_docx_rows(block))
                lines.extend(table)
                length += sum(len(line) + 1 for line in table)
            else:
                lines.extend(block.text.split("\n"))
                length += len(block.text) + 1
            _check_length(length, max_chars)
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


def _table_lines(rows):
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


# --- PDF ----------------------------------------------------------------------------------

NO_TEXT_LAYER = "no text layer (scanned PDF?); OCR is not supported"


def _read_pdf(data, max_chars=DEFAULT_MAX_CHARS):
    pages, title = _pdf_pages(data, max_chars)
    if not any(line for _, lines in pages for line in lines):
        raise UnreadableDocument(NO_TEXT_LAYER)
    text = "\n".join(_pdf_paragraphs(_drop_page_furniture(pages)))
    if "(cid:" in text and text.count("(cid:") > len(text) / 50:
        raise UnreadableDocument("PDF fonts have no Unicode mapping: the text layer is unreadable")
    if len(re.sub(r"\s", "", text)) < reading.MIN_CJK_CHARACTERS:
        raise UnreadableDocument(NO_TEXT_LAYER)  # at most a stamped page number or two
    return text, ({"title": title} if title else {})


class _Line:
    __slots__ = ("text", "x0", "x1", "y0", "y1", "size", "lead")

    def __init__(self, text, x0, x1, y0, y1, size, lead):
        self.text, self.x0, self.x1, self.y0, self.y1 = text, x0, x1, y0, y1
        self.size = size
        self.lead = lead  # width of the line's first unbreakable piece (a number, a word)


def _line_text(line, char_type):
    """The characters the PDF draws; of pdfminer's guessed spaces only those between words.

    Justified Chinese lines spread their characters, and pdfminer reads wide gaps as spaces:
    they would split words. Real spaces are glyphs in the PDF and are kept.
    """
    parts = []
    for item in line:
        value = item.get_text()
        if isinstance(item, char_type):
            parts.append(value)
        elif value == " ":
            parts.append("\0")  # decided below, once both neighbours are known
    text = "".join(parts)
    text = re.sub(r"(?<=[A-Za-z0-9])\0(?=[A-Za-z0-9])", " ", text)
    return text.replace("\0", "")


LEAD = re.compile(r"[A-Za-z0-9.,%‰+\-/:]+[、,，。;；:：)）”’%]*|.[、,，。;；:：)）”’]*")


def _lead_width(chars, x0):
    text = "".join(c.get_text() for c in chars)
    match = LEAD.match(text)
    n = len(match.group()) if match else 1
    return chars[min(n, len(chars)) - 1].x1 - x0


def _pdf_pages(data, max_chars=DEFAULT_MAX_CHARS):
    """[(page height, [_Line in reading order])], and the document's title if it has one.

    Pages, the operations of each page's content streams and the characters drawn on it are
    counted as pdfminer goes, and the file is refused as soon as one is past its limit: the
    layout analysis of a page costs more than linear time in its characters.
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    counts = {"operations": 0, "characters": 0, "total": 0}

    class CountingInterpreter(PDFPageInterpreter):
        # Every operand passes through push(); operators without operands (q, Q, BT, ET…)
        # are counted by their handlers, wrapped below. Form XObjects are read by copies
        # of this interpreter (dup), which share the counts.
        def push(self, obj):
            _count_operation(counts)
            super().push(obj)

    for name in dir(PDFPageInterpreter):
        method = getattr(PDFPageInterpreter, name)
        if name.startswith("do_") and getattr(method, "__code__", None):
            if method.__code__.co_argcount == 1:
                setattr(CountingInterpreter, name, _counted(method, counts))

    class CountingAggregator(PDFPageAggregator):
        def render_char(self, *args, **kwargs):
            counts["characters"] += 1
            counts["total"] += 1
            if counts["characters"] > PDF_MAX_PAGE_CHARACTERS:
                raise UnreadableDocument(
                    f"a PDF page draws more than {PDF_MAX_PAGE_CHARACTERS:,} characters"
                )
            if counts["total"] > max_chars:
                _check_length(counts["total"], max_chars)
            return super().render_char(*args, **kwargs)

    laparams = LAParams()
    pages = []
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        title = _pdf_title(document)
        manager = PDFResourceManager(caching=True)
        device = CountingAggregator(manager, laparams=laparams)
        interpreter = CountingInterpreter(manager, device)
        for number, page in enumerate(PDFPage.create_pages(document), 1):
            if number > PDF_MAX_PAGES:
                raise UnreadableDocument(f"PDF has more than {PDF_MAX_PAGES:,} pages")
            counts["operations"] = counts["characters"] = 0
            interpreter.process_page(page)
            layout = device.get_result()
            lines = []
            for element in layout:
                if not isinstance(element, LTTextContainer):
                    continue
                for line in element:
                    if not isinstance(line, LTTextLine):
                        continue
                    chars = [c for c in line if isinstance(c, LTChar)]
                    text = _line_text(line, LTChar).strip()
                    if not text or not chars:
                        continue
                    size = statistics.median(c.size for c in chars)
                    lead = _lead_width(chars, line.x0)
                    lines.append(_Line(text, line.x0, line.x1, line.y0, line.y1, size, lead))
            pages.append((layout.height, lines))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UnreadableDocument("encrypted PDF: it needs a password to open") from None
    except (UnreadableDocument, MemoryError):
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        if type(exc).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError"):
            raise UnreadableDocument("encrypted PDF: it needs a password to open") from None
        raise UnreadableDocument(f"corrupt PDF file ({type(exc).__name__})") from None
    return pages, title


def _count_operation(counts):
    counts["operations"] += 1
    if counts["operations"] > PDF_MAX_PAGE_OPERATIONS:
        raise UnreadableDocument(
            f"a PDF page has more than {PDF_MAX_PAGE_OPERATIONS:,} drawing operations"
        )


def _counted(method, counts):
    def counted(self):
        _count_operation(counts)
        return method(self)

    return counted


def _pdf_title(document):
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    try:
        info = resolve1(document.info[0]) if document.info else {}
        raw = resolve1(info.get("Title")) if info else None
        title = decode_text(raw) if isinstance(raw, bytes) else ""
    except Exception:  # a broken Info dictionary is no reason to refuse the text
        return ""
    title = title.strip()
    return title if re.search(f"[{CJK}]", title) else ""


def _drop_page_furniture(pages):
    """Page numbers, and header/footer lines repeated in the page margins, go."""

    def key(line):
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    def in_margin(line, height):
        return line.y0 > height * 0.9 or line.y1 < height * 0.1

    repeated = Counter()
    for height, lines in pages:
        repeated.update({key(ln) for ln in lines if in_margin(ln, height)})
    threshold = max(2, (len(pages) + 1) // 2)
    kept = []
    for height, lines in pages:
        ys = sorted({round(ln.y0, 1) for ln in lines})
        outer = {ys[0], ys[-1]} if ys else set()
        page = []
        for line in lines:
            margin = in_margin(line, height) or round(line.y0, 1) in outer
            if margin and PAGE_NUMBER.match(line.text.strip()):
                continue
            if in_margin(line, height) and len(pages) > 1 and repeated[key(line)] >= threshold:
                continue
            page.append(line)
        kept.append(page)
    return kept


def _pdf_paragraphs(pages):
    """Lines of all pages, with lines wrapped inside a paragraph joined back together."""
    all_lines = [ln for page in pages for ln in page]
    if not all_lines:
        return []
    size = statistics.median(ln.size for ln in all_lines) or 10
    left = Counter(round(ln.x0) for ln in all_lines).most_common(1)[0][0]
    right = _percentile([ln.x1 for ln in all_lines], 0.9)
    center = (left + right) / 2
    paragraphs = []
    previous = None
    for page in pages:
        for line in page:
            if previous is not None and _continues(previous, line, size, left, right, center):
                paragraphs[-1] = join_wrapped(paragraphs[-1], line.text)
            else:
                paragraphs.append(line.text)
            previous = line
    return paragraphs


def _continues(prev, line, size, left, right, center):
    if abs(prev.size - line.size) > 0.15 * max(prev.size, line.size):
        return False  # a title above body text
    char = line.size or size
    # Full: the line's first word would not have fitted at the end of the one before.
    full = prev.x1 >= right - 2.5 * char or prev.x1 + line.lead > right + 0.5 * char
    if not full:
        return False
    centered = abs((line.x0 + line.x1) / 2 - center) < char and line.x0 > left + 3 * char
    prev_centered = abs((prev.x0 + prev.x1) / 2 - center) < char
    if centered and prev_centered:
        return True  # a long centred title over two lines
    return line.x0 <= left + 0.6 * char  # an indented line opens a new paragraph


def _percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def join_wrapped(first, second):
    """Join a line wrapped mid-sentence: no space inside Chinese, one between Latin words."""
    if not first:
        return second
    if not second:
        return first
    if re.match(r"[A-Za-z]", first[-1]) and re.match(r"[A-Za-z]", second[0]):
        return f"{first} {second}"
    return first + second


def _squash(text):
    return re.sub(r"\s+", "", text)
