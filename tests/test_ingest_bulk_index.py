"""Ingest's write path: a new document's rows are inserted with the index bookkeeping done
once per document (``index_triggers.bulk_inserts``), their search tokens made as one batch;
search, the change log and later edits must not notice the difference."""

from pathlib import Path

import pytest
from django.db import connection

from ingest import pipeline
from initiatives.models import Initiative, InitiativeRegion
from initiatives.search import index_triggers
from initiatives.search.fulltext import matching, search_document
from initiatives.search.segmentation import segment_for_index, segment_many_for_index

pytestmark = pytest.mark.django_db

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "documents").glob("*.txt"))


def _logged_ids():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT initiative_id FROM {index_triggers.CHANGES_TABLE}")
        return {row[0] for row in cursor.fetchall()}


def test_batched_segmentation_gives_each_text_its_own_tokens():
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES[:2]]
    # Lines of the documents, repeated phrases, punctuation only, traditional characters.
    lines = [line for text in texts for line in text.splitlines()]
    lines += ["", "，。《》", "創業擔保貸款 ＡＰＰ 2023年", lines[3]]
    assert segment_many_for_index(lines) == [segment_for_index(line) for line in lines]


def test_a_new_document_is_searchable_and_logged_row_by_row():
    outcome = pipeline.ingest_path(SAMPLES[0])
    rows = list(Initiative.objects.filter(document=outcome.document))
    assert rows and outcome.action == "created"
    for row in rows:
        assert row.search_text == search_document(row.title, row.text)
    # Every new initiative is in the change log the facet index follows.
    assert {row.pk for row in rows} <= _logged_ids()
    # The full-text index finds each row by a word of its own.
    for row in rows[:20]:
        word = row.search_text.split()[0]
        found = Initiative.objects.filter(matching([word])).values_list("pk", flat=True)
        assert row.pk in set(found)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {index_triggers.QUIET_TABLE}")
            assert cursor.fetchone()[0] == 0
            cursor.execute(
                "SELECT count(*) FROM initiative_fts WHERE rowid IN"
                " (SELECT id FROM initiatives_initiative WHERE document_id = %s)",
                [outcome.document.pk],
            )
            assert cursor.fetchone()[0] == len(rows)


def test_edits_after_ingest_still_go_through_the_triggers():
    outcome = pipeline.ingest_path(SAMPLES[1])
    row = Initiative.objects.filter(document=outcome.document).first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {index_triggers.CHANGES_TABLE}")
    row.title = "独一无二的测试标题词语"
    row.save()
    assert row.pk in _logged_ids()
    assert row.pk in set(
        Initiative.objects.filter(matching(["独一无二"])).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {index_triggers.CHANGES_TABLE}")
    beijing = InitiativeRegion.objects.filter(initiative=row, region_id="110000")
    if beijing.exists():
        beijing.delete()
    else:
        InitiativeRegion.objects.create(initiative=row, region_id="110000", role="mentioned")
    assert row.pk in _logged_ids()


def test_a_failure_inside_the_bulk_block_leaves_the_triggers_on():
    outcome = pipeline.ingest_path(SAMPLES[2])
    with pytest.raises(RuntimeError):
        with index_triggers.bulk_inserts(connection, outcome.document.pk):
            raise RuntimeError("stop")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {index_triggers.QUIET_TABLE}")
            assert cursor.fetchone()[0] == 0
