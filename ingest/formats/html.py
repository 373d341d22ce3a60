"""Reading HTML pages (trafilatura): the main text, the title and the header lines."""

import re

from ingest.formats.common import DEFAULT_MAX_CHARS, squash, table_lines
from ingest.reading import UnreadableDocument

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
        if squash(first) != squash(title) and squash(title) not in squash(first):
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
                table_lines([[_xml_text(c) for c in r.iter("cell")] for r in child.iter("row")])
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
