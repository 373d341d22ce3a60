"""Files shaped to expand: each is refused with its reason, quickly, and the batch goes on.

The hostile files are generated here: a .docx zip bomb (a few hundred KB that unpack to
hundreds of MB), a .docx of empty paragraphs, a PDF of millions of tiny text operations.
"""

import io
import time
import tracemalloc
import zipfile
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ingest import formats, isolation
from ingest.reading import UnreadableDocument
from initiatives.models import Document

LIMIT = 20 * 2**20
SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "documents"
TEXT = "乐山市推出创业担保贷款，帮助返乡农民工创业，全年城镇新增就业两万人。"


def small_docx(paragraphs=(TEXT,)):
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bomb_docx(unpacked_mb=300):
    """A real .docx with one more part: ``unpacked_mb`` MB of zeros, deflated to ~0.1 %."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(small_docx())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        block = bytes(2**20)
        with bomb.open("customXml/item99.xml", "w", force_zip64=True) as part:
            for _ in range(unpacked_mb):
                part.write(block)
    return out.getvalue()


def paragraph_bomb_docx(paragraphs=2_000_000):
    """A .docx whose body is ``paragraphs`` empty paragraphs after one real one."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(small_docx())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", b"<w:p/>" * paragraphs + b"<w:sectPr", 1)
            bomb.writestr(item, data)
    return out.getvalue()


def operator_bomb_pdf(operations=2_000_000, text=b""):
    """A one-page PDF whose content stream moves and shows ``text`` ``operations`` times
    (an empty string by default: millions of operations that draw nothing)."""
    stream = b"BT /F1 1 Tf " + (b"0 0 Td (" + text + b") Tj ") * operations + b"ET"
    packed = zlib.compress(stream, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def refusal(data, name, **kwargs):
    """(message, seconds) of reading ``data`` as the pipeline does."""
    began = time.monotonic()
    with pytest.raises(UnreadableDocument) as refused:
        formats.to_text(data, name, LIMIT, **kwargs)
    return str(refused.value), time.monotonic() - began


def test_a_docx_zip_bomb_is_refused_from_its_zip_directory():
    data = zip_bomb_docx(300)
    assert len(data) < 1_000_000  # under a megabyte on disk
    message, seconds = refusal(data, "bomb.docx")
    assert message == ".docx package unpacks to 315 MB, above the 268 MB limit (a zip bomb?)"
    assert seconds < 5
    # Checked before anything is unpacked: reading in this process allocates next to nothing.
    tracemalloc.start()
    with pytest.raises(UnreadableDocument):
        formats.read_kind("docx", data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20


def test_a_docx_of_millions_of_empty_paragraphs_is_refused_before_parsing():
    data = paragraph_bomb_docx(2_000_000)
    assert len(data) < 100_000
    message, seconds = refusal(data, "paragraphs.docx")
    assert message.startswith(".docx file has more than 200,000 paragraphs")
    assert seconds < 10


def test_a_pdf_of_millions_of_text_operations_is_refused():
    data = operator_bomb_pdf(2_000_000)
    assert len(data) < 100_000
    message, seconds = refusal(data, "operators.pdf")
    assert message == "a PDF page has more than 100,000 drawing operations"
    assert seconds < 60
    # The same drawing a character each time runs into the characters per page first.
    message, seconds = refusal(operator_bomb_pdf(2_000_000, b"abcd"), "characters.pdf")
    assert message == "a PDF page draws more than 50,000 characters"
    assert seconds < 60


def test_text_past_the_character_limit_is_refused_in_every_format(settings):
    settings.INGEST_MAX_CHARS = 2000
    long_text = "\n".join([TEXT] * 100)  # 3,499 characters
    message, _ = refusal(long_text.encode(), "long.txt")
    assert message == "text is 3,499 characters or more, above the 2,000 limit (INGEST_MAX_CHARS)"
    message, _ = refusal(small_docx([TEXT] * 100), "long.docx")
    assert message.endswith("above the 2,000 limit (INGEST_MAX_CHARS)")
    # Below the limit the same text reads.
    settings.INGEST_MAX_CHARS = 10_000
    assert formats.to_text(small_docx([TEXT] * 100), "long.docx", LIMIT)[0].count(TEXT) == 100


def test_a_docx_read_in_the_child_process_is_the_same_as_in_this_one():
    data = small_docx([TEXT, "二、" + TEXT])
    assert formats.to_text(data, "a.docx", LIMIT) == formats.to_text(
        data, "a.docx", LIMIT, isolate=False
    )


def test_the_memory_ceiling_refuses_what_the_checks_let_through(settings, monkeypatch):
    # With the paragraph check out of the way, parsing 2 M paragraphs needs > 1 GiB.
    monkeypatch.setattr(formats.word, "DOCX_MAX_PARAGRAPHS", 10**9)
    settings.INGEST_READ_MEMORY_MB = 200
    message, seconds = refusal(paragraph_bomb_docx(2_000_000), "paragraphs.docx")
    assert "needed more than 200 MiB of memory" in message
    assert seconds < 60


def _sleep():
    time.sleep(30)


def _allocate():
    return len(bytearray(2 * 2**30))


def _refuse():
    raise UnreadableDocument("no Chinese text found")


def test_the_child_process_has_a_deadline_a_ceiling_and_keeps_the_reason():
    began = time.monotonic()
    with pytest.raises(UnreadableDocument, match=r"^reading the file took longer than 1 s"):
        isolation.run(_sleep, seconds=1, memory_bytes=2**30)
    assert time.monotonic() - began < 5
    with pytest.raises(UnreadableDocument, match=r"needed more than 100 MiB of memory"):
        isolation.run(_allocate, seconds=30, memory_bytes=100 * 2**20)
    with pytest.raises(UnreadableDocument, match=r"^no Chinese text found$"):
        isolation.run(_refuse, seconds=30, memory_bytes=2**30)
    assert isolation.run(len, "四川", seconds=30, memory_bytes=2**30) == 2


@pytest.mark.django_db
def test_a_batch_refuses_each_hostile_file_with_its_reason_and_ingests_the_rest(tmp_path):
    (tmp_path / "bomb.docx").write_bytes(zip_bomb_docx(300))
    (tmp_path / "paragraphs.docx").write_bytes(paragraph_bomb_docx(500_000))
    (tmp_path / "operators.pdf").write_bytes(operator_bomb_pdf(300_000))
    good = sorted(SAMPLE.glob("*.txt"))[0]
    (tmp_path / good.name).write_bytes(good.read_bytes())
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(tmp_path), stdout=out, stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 3, lines
    assert any(
        ln.endswith(
            "bomb.docx: .docx package unpacks to 315 MB, above the 268 MB limit (a zip bomb?)"
        )
        for ln in lines
    )
    assert any("paragraphs.docx: .docx file has more than 200,000 paragraphs" in ln for ln in lines)
    assert any(
        ln.endswith("operators.pdf: a PDF page has more than 100,000 drawing operations")
        for ln in lines
    )
    assert "4 documents: 1 created, 0 updated, 0 unchanged, 3 failed" in out.getvalue()
    assert Document.objects.count() == 1
