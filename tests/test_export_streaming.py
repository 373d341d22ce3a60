"""The CSV downloads made by ``initiatives.exports.streaming`` (lines built mostly by the
database) are byte for byte what the row-by-row writer makes of ``rows.initiative_rows`` /
``rows.target_rows``: targets, sorted exports, awkward site addresses, every kind of cell.
(The initiatives by id are compared in test_export_identity.py.)"""

import io
import random
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import QueryDict
from django.test import RequestFactory

from ingest.pipeline import ingest_path
from initiatives.exports import streaming
from initiatives.exports import views as export_views
from initiatives.exports.rows import (
    INITIATIVE_COLUMNS,
    TARGET_COLUMNS,
    initiative_rows,
    target_rows,
    write_csv,
)
from initiatives.models import Initiative, Target
from initiatives.search.filters import InitiativeFilter, TargetFilter
from tests.factories import make_document, make_target
from tests.test_export_identity import random_corpus

pytestmark = pytest.mark.django_db

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "documents").glob("*.txt"))


def written(columns, rows):
    """The row-by-row writer's bytes: BOM, header, ``csv.writer`` lines."""
    out = io.StringIO(newline="")
    out.write("\ufeff")
    write_csv(out, columns, rows)
    return out.getvalue().encode("utf-8")


def web(path, query=""):
    request = RequestFactory().get(f"{path}?{query}", HTTP_HOST="testserver")
    view = export_views.initiative_csv if "initiatives" in path else export_views.target_csv
    return b"".join(view(request).streaming_content)


def test_cell_is_what_csv_writer_writes():
    rng = random.Random(7)
    alphabet = ["a", "就", ",", '"', "\n", "\r", "\t", "=", "+", "-", "@", "'", " ", "；"]
    rows = [[None, 0, 2019, "", "-", "="]]
    for _ in range(3000):
        rows.append(
            ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(4)]
        )
    out = io.StringIO(newline="")
    write_csv(out, [], rows)
    expected = out.getvalue().split("\r\n", 1)[1]  # after the empty header line
    assert "".join(",".join(map(streaming.cell, row)) + "\r\n" for row in rows) == expected


def targets_corpus():
    """Targets with every kind of cell: no region, formula-looking and quoted labels and
    texts, decimals with and without places, negatives, no initiative, hidden ones."""
    rng = random.Random(11)
    document = make_document(title="=文件,标题", text="城镇新增就业20000人")
    for _ in range(120):
        make_target(
            document=document,
            indicator=rng.choice(["城镇新增就业", "=SUM(A1)", '带"引号"', "逗号,指标"]),
            value=rng.choice([Decimal("20000"), Decimal("3.2500"), Decimal("-5"), 0, 12.5]),
            unit=rng.choice(["人", "%", "+1"]),
            comparator=rng.choice(["=", ">", "-"]),
            year=rng.choice([None, 2018, 2021]),
            period=rng.choice([None, (2016, 2020)]),
            region=rng.choice([None, "610900", "510000", "511100"]),
            text=rng.choice(["城镇新增就业20000人", "换行\n文本", "-负数"]),
        )
    hidden = list(Target.objects.values_list("pk", flat=True))[::9]
    Target.objects.filter(pk__in=hidden).update(status="hidden")


@pytest.mark.parametrize("query", ["", "province=510000", "year=2018", "in_force=2019"])
def test_targets_are_byte_identical(query):
    targets_corpus()
    selected = TargetFilter(QueryDict(query), queryset=Target.objects.visible()).filtered()
    assert selected.exists()
    assert web("/targets/export.csv", query) == written(TARGET_COLUMNS, target_rows(selected))


def test_sample_corpus_targets_sorted_exports_and_command(tmp_path):
    for path in SAMPLES:
        ingest_path(path)
    assert Target.objects.count() > 30
    visible = Target.objects.visible()
    expected = written(TARGET_COLUMNS, target_rows(visible))
    assert web("/targets/export.csv") == expected
    output = tmp_path / "targets.csv"
    call_command("export", "targets", "--output", str(output), stderr=io.StringIO())
    assert output.read_bytes() == expected

    # In the order the search page shows (sort=…): the lines of those ids, in that order.
    for query in ("sort=newest", "sort=region&province=510000", "q=创业&sort=relevance"):
        filter_set = InitiativeFilter(QueryDict(query), queryset=Initiative.objects.visible())
        ids = [int(pk) for pk in filter_set.selection.ordered_ids(filter_set.sort_key)]
        assert len(ids) > 5, query
        by_id = {
            row[0]: row
            for row in initiative_rows(Initiative.objects.filter(pk__in=ids), settings.SITE_URL)
        }
        expected = written(INITIATIVE_COLUMNS, [by_id[pk] for pk in ids])
        assert web("/initiatives/export.csv", query) == expected, query


@pytest.mark.parametrize(
    "base_url", ["", "https://kb.example.cn/", 'http://a,b/"x"', "=cmd|' /C calc'!A0"]
)
def test_url_cells_for_any_site_address(base_url):
    random_corpus(4)
    visible = Initiative.objects.visible()
    lines = "".join(
        streaming.stream(INITIATIVE_COLUMNS, streaming.initiative_lines(visible, base_url))
    )
    assert lines.encode("utf-8") == written(INITIATIVE_COLUMNS, initiative_rows(visible, base_url))


def test_in_order_lines_skip_ids_gone_and_keep_order(monkeypatch):
    random_corpus(5)
    monkeypatch.setattr(streaming, "ID_CHUNK", 7)
    ids = list(Initiative.objects.visible().values_list("pk", flat=True))
    random.Random(5).shuffle(ids)
    gone = ids[3]
    Initiative.objects.filter(pk=gone).delete()
    lines = list(streaming.initiative_lines_in_order(ids, "http://x"))
    assert [int(line.split(",", 1)[0]) for line in lines] == [pk for pk in ids if pk != gone]


def test_a_download_left_unread_does_not_hold_the_connection(client):
    """A client that stops reading leaves its export open; the same connection still
    answers the next request (PostgreSQL reads each chunk whole, never a pending stream)."""
    random_corpus(6)
    targets_corpus()
    pending = [client.get(path) for path in ("/initiatives/export.csv", "/targets/export.csv")]
    for response in pending:
        assert next(iter(response.streaming_content)).startswith("\ufeffid,".encode())
    assert client.get("/api/initiatives?page_size=5").status_code == 200
    assert Initiative.objects.visible().count() > 100
