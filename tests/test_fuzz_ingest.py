"""Hostile files through ingest: a clear error or a document, never a crash or half a write.

- Hypothesis: random bytes, real documents cut at any byte (UTF-8 and GB18030 cut inside a
  character), with bytes flipped, or with control characters sprinkled in.
- A 50 MB file: refused by the size limit, nothing written.
- 10,000 one-line files through ``manage.py ingest``: every file is reported once, as
  created, unchanged or failed with a message, and the summary adds up.
"""

import random
import re
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.extract import Extractor
from ingest.pipeline import UnreadableDocument, ingest_bytes
from ingest.vocabulary import Vocabulary
from initiatives.models import Document, Initiative, InitiativeRegion, Target
from regions.gazetteer import gazetteer

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
SAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]

# Every message a person ingesting a bad file may see (ingest.reading, ingest.formats,
# ingest.pipeline): what is wrong, in words, on one line.
CLEAR_ERRORS = re.compile(
    r"^(?!.*Traceback)[^\n]{0,200}("
    r"file is empty|above the .* MB limit|binary|undecodable|invalid utf-\d+|no Chinese text"
    r"|garbled|nothing left after removing|cannot read file|corrupt|unreadable|no text"
    r"|no main text|not a Word|not supported|encrypted|text layer"
    r")[^\n]{0,200}$"
)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def counts():
    return (
        Document.objects.count(),
        Initiative.objects.count(),
        InitiativeRegion.objects.count(),
        Target.objects.count(),
    )


@pytest.fixture(scope="module")
def extractor(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Extractor(gazetteer(), Vocabulary.from_database())


def excerpt(draw_source, start, length):
    text = SAMPLE_TEXTS[draw_source]
    return text[start % len(text) :][:length]


@st.composite
def hostile_files(draw):
    kind = draw(st.sampled_from(["random", "cut", "flipped", "controls", "mixed"]))
    source = draw(st.integers(0, len(SAMPLE_TEXTS) - 1))
    text = excerpt(source, draw(st.integers(0, 10_000)), draw(st.integers(0, 1500)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    data = text.encode(encoding)
    if kind == "random":
        return draw(st.binary(max_size=3000))
    if kind == "cut":  # anywhere, usually inside a multi-byte character
        return data[: draw(st.integers(0, len(data)))]
    if kind == "flipped":
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 20))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if kind == "controls":
        chars = list(text)
        for _ in range(draw(st.integers(1, 40))):
            chars.insert(draw(st.integers(0, len(chars))), chr(draw(st.integers(0, 31))))
        return "".join(chars).encode("utf-8")
    # mixed: a UTF-8 half and a GB18030 half
    half = len(text) // 2
    return text[:half].encode("utf-8") + text[half:].encode("gb18030")


@pytest.mark.django_db
@FUZZ
@given(data=hostile_files())
def test_hostile_bytes_give_a_clear_error_or_a_document(extractor, data):
    before = counts()
    try:
        outcome = ingest_bytes(data, file_name="fuzz.txt", extractor=extractor)
    except UnreadableDocument as error:
        assert CLEAR_ERRORS.search(str(error)), str(error)
        assert counts() == before  # nothing of it was written
        return
    document = outcome.document
    assert outcome.action in ("created", "updated", "unchanged")
    assert Document.objects.filter(pk=document.pk).exists()
    # Every stored offset points into the stored text.
    for start, end, text in document.initiatives.values_list("start", "end", "text"):
        assert 0 <= start < end <= len(document.text)
        assert document.text[start:end] == text
    assert "\x00" not in document.text


@pytest.mark.django_db
@FUZZ
@given(
    source=st.integers(0, len(SAMPLE_TEXTS) - 1),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
    cut=st.integers(1, 12),
)
def test_a_document_cut_mid_character_still_ingests(extractor, source, encoding, cut):
    """A truncated download: the text before the cut is kept, not rejected as garbage."""
    data = SAMPLE_TEXTS[source].encode(encoding)
    data = data[: len(data) - cut]
    try:
        outcome = ingest_bytes(data, file_name=f"cut-{source}.txt", extractor=extractor)
    except UnreadableDocument as error:
        # UTF-8 cut inside a character is no longer UTF-8; GB18030 must then take it or say so.
        assert CLEAR_ERRORS.search(str(error)), str(error)
        assume(False)
    assert outcome.initiatives > 0


def ingest_command(*paths):
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest", *map(str, paths), stdout=out, stderr=err)
        failed = False
    except CommandError:
        failed = True
    return out.getvalue(), err.getvalue(), failed


@pytest.mark.django_db
def test_a_50_mb_file_is_refused_by_the_size_limit(tmp_path, settings):
    assert settings.INGEST_MAX_BYTES < 50 * 1024 * 1024
    big = tmp_path / "huge.txt"
    line = "各地实施创业担保贷款政策，支持高校毕业生和返乡农民工创业就业。\n".encode()
    with big.open("wb") as f:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    good = tmp_path / "good.txt"
    good.write_text(SAMPLE_TEXTS[0], encoding="utf-8")
    before = counts()
    out, err, failed = ingest_command(big, good)
    assert failed
    assert (
        f"{big}: file is 52.4 MB, above the {settings.INGEST_MAX_BYTES / 1e6:.1f} MB limit" in err
    )
    assert "2 documents: 1 created, 0 updated, 0 unchanged, 1 failed" in out
    assert not Document.objects.filter(file_name="huge.txt").exists()
    assert Document.objects.count() == before[0] + 1


def one_line_files(folder, n, seed=10_000):
    """``n`` tiny files, a quarter of each kind; returns {name: expected outcome}."""
    lines = sorted(
        {
            line.strip()
            for text in SAMPLE_TEXTS
            for line in text.splitlines()
            if len(re.findall(r"[\u4e00-\u9fff]", line)) >= 25
        }
    )
    rng = random.Random(seed)
    expected = {}
    previous = b""
    for i in range(n):
        kind = i % 4
        name = f"{i:05d}.txt"
        if kind == 0:  # garbage bytes, some empty
            data = rng.randbytes(rng.randint(0, 120))
            outcome = "failed-or-created"
        elif kind == 1:  # a real line, unique, in GB18030 or UTF-8
            data = f"{rng.choice(lines)}（第{i}号）".encode(rng.choice(["utf-8", "gb18030"]))
            outcome = "created"
        elif kind == 2:  # the same line as the file before it: unchanged
            data = previous
            outcome = "unchanged"
        else:  # a line cut to a few bytes: too little Chinese text
            data = rng.choice(lines).encode("utf-8")[: rng.randint(0, 40)]
            outcome = "failed"
        (folder / name).write_bytes(data)
        expected[name] = outcome
        previous = data
    return expected


@pytest.mark.slow
@pytest.mark.django_db
def test_ten_thousand_one_line_files(tmp_path):
    n = 10_000
    expected = one_line_files(tmp_path, n)
    before = Document.objects.count()
    started = time.monotonic()
    out, err, failed = ingest_command(tmp_path)
    elapsed = time.monotonic() - started
    summary = re.search(
        r"(\d+) documents: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) failed", out
    )
    assert summary, out[-500:]
    total, created, updated, unchanged, failures = map(int, summary.groups())
    assert total == n and created + updated + unchanged + failures == n
    assert failed == (failures > 0)

    errors = {}
    for line in err.splitlines():
        path, _, message = line.partition(": ")
        if path.endswith(".txt"):
            errors[Path(path).name] = message
    assert len(errors) == failures
    assert all(CLEAR_ERRORS.search(m) for m in errors.values()), set(errors.values())
    ingested = set(Document.objects.values_list("file_name", flat=True))
    assert Document.objects.count() - before == created
    for name, outcome in expected.items():
        if outcome == "created":
            assert name in ingested and name not in errors, name
        elif outcome == "failed":
            assert name in errors and name not in ingested, name
        elif outcome == "unchanged":
            assert name not in ingested and name not in errors, name
        else:
            assert (name in errors) != (name in ingested), name
    # A failed file left nothing behind.
    assert not Document.objects.filter(file_name__in=list(errors)).exists()
    print(f"\n10,000 one-line files: {summary.group(0)} in {elapsed:.1f} s")
