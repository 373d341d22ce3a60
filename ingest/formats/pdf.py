"""Reading PDF files (pdfminer.six): lines grouped into paragraphs, page furniture dropped."""

import io
import re
import statistics
from collections import Counter

from ingest import reading
from ingest.formats.common import CJK, DEFAULT_MAX_CHARS, check_length, join_wrapped
from ingest.reading import UnreadableDocument

PDF_MAX_PAGES = 3_000
PDF_MAX_PAGE_OPERATIONS = 100_000  # operators and operands in one page's content streams
PDF_MAX_PAGE_CHARACTERS = 50_000  # a dense A4 page of Chinese holds ~2,000


PAGE_NUMBER = re.compile(
    r"^(?:[-—–－·•\s]*\d{1,4}[-—–－·•\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)


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
                check_length(counts["total"], max_chars)
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
