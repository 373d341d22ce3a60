"""The faster ingest path (jieba_fast, counties indexed by province and city) writes exactly
what the plain one wrote: the same exports and the same search tokens of the sample corpus."""

import csv
import io
from pathlib import Path

import jieba
import pytest
from django.core.management import call_command

from ingest.pipeline import ingest_path
from initiatives.models import Document, Initiative
from initiatives.search import segmentation
from regions import gazetteer as gazetteer_module

pytestmark = pytest.mark.django_db

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "documents").glob("*.txt"))
IDS = {"id", "url", "initiative_id", "document_id"}  # new rows, new ids: the rest must match


def ingest_and_export(tmp_path, name):
    for path in SAMPLES:
        ingest_path(path)
    exported = {}
    for kind in ("initiatives", "targets"):
        out = tmp_path / f"{name}-{kind}.csv"
        call_command("export", kind, "--output", str(out), stderr=io.StringIO())
        rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
        exported[kind] = sorted(
            tuple((k, v) for k, v in row.items() if k not in IDS) for row in rows
        )
    exported["search_text"] = sorted(
        Initiative.objects.values_list("document__file_name", "start", "search_text")
    )
    return exported


def slow_counties_within(self, code):
    """The full scan the index replaced."""
    return [
        p
        for p in self.by_code.values()
        if p.level == gazetteer_module.COUNTY and self.is_within(p.code, code)
    ]


def test_the_fast_path_writes_what_the_plain_path_wrote(tmp_path, monkeypatch):
    # Outside a request the tokenizer is not checked against the vocabulary stamp (a command
    # keeps what it loaded): start from this database's vocabulary, not an earlier test's.
    segmentation.reset_tokenizer()
    fast = ingest_and_export(tmp_path, "fast")
    assert len(fast["initiatives"]) > 100 and len(fast["targets"]) > 10
    Document.objects.all().delete()
    reference = segmentation._build_tokenizer(segmentation.custom_words(), jieba)
    monkeypatch.setattr(segmentation, "_tokenizer", reference)
    monkeypatch.setattr(gazetteer_module.Gazetteer, "counties_within", slow_counties_within)
    plain = ingest_and_export(tmp_path, "plain")
    for kind in fast:
        assert fast[kind] == plain[kind], kind


def test_small_insert_batches_write_the_same_rows(tmp_path, monkeypatch):
    """Link rows and targets split over many statements are the rows one statement writes."""
    from ingest import writing

    whole = ingest_and_export(tmp_path, "whole")
    Document.objects.all().delete()
    monkeypatch.setattr(writing, "PG_INSERT_PARAMETERS", 7)
    batched = ingest_and_export(tmp_path, "batched")
    assert len(whole["targets"]) > 10
    for kind in whole:
        assert whole[kind] == batched[kind], kind
