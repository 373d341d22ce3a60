"""Turn the bytes of a file into text, or say clearly why that is impossible."""

import codecs

MIN_CJK_CHARACTERS = 20


class UnreadableDocument(Exception):
    """The file cannot become a document; the message is shown to the person ingesting it."""


def decode(data: bytes, *, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise UnreadableDocument(
            f"file is {len(data) / 1e6:.1f} MB, above the {max_bytes / 1e6:.1f} MB limit"
        )
    if not data.strip():
        raise UnreadableDocument("file is empty")
    text = _decode_text(data)
    _check_looks_like_chinese_text(text)
    return text


def _decode_text(data):
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("binary file (contains NUL bytes), not text")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument("undecodable bytes: neither UTF-8 nor GB18030/GBK")


def _strict(data, encoding):
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"invalid {encoding} at byte {exc.start}") from None


def _check_looks_like_chinese_text(text):
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(3, len(text) // 200):
        raise UnreadableDocument("binary or corrupted file (control characters), not text")
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if len(cjk) < MIN_CJK_CHARACTERS:
        raise UnreadableDocument("no Chinese text found")
    # GB18030 decodes almost any byte soup into rare characters; real documents are
    # written almost entirely in the ~6,700 common characters that GB2312 covers.
    common = sum(1 for c in cjk if _in_gb2312(c))
    if common / len(cjk) < 0.85:
        raise UnreadableDocument("garbled text: wrong encoding or not a text file")


def _in_gb2312(character):
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
