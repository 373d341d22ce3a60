"""The chunked, aggregated CSV export writes the very bytes the row-by-row export wrote.

The reference below is the earlier implementation, kept here only to compare against: one
query per many-valued column, lists joined per row, each row its own CSV line.
"""

import csv
import io
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory

from ingest.pipeline import ingest_path
from initiatives.exports import rows as exporting
from initiatives.exports import streaming
from initiatives.exports import views as export_views
from initiatives.exports.rows import INITIATIVE_COLUMNS, MULTI, initiative_values, neutralise
from initiatives.models import (
    Document,
    Initiative,
    InitiativeRegion,
    PolicyInstrument,
    Theme,
)
from regions.gazetteer import gazetteer

pytestmark = pytest.mark.django_db

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "documents").glob("*.txt"))
QUERIES = ["", "province=510000", "theme=skills&theme=entrepreneurship", "year=2019", "q=创业"]


# Export links are made from the SITE_URL setting, on the web and from the command alike.
SITE = settings.SITE_URL


def reference_csv(queryset, base_url=""):
    """The export as the row-by-row implementation wrote it (BOM, header, one line a row)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(INITIATIVE_COLUMNS)
    for row in initiative_values(queryset, base_url):
        joined = [MULTI.join(v) if isinstance(v, list) else v for v in row]
        writer.writerow(["" if v is None else neutralise(v) for v in joined])
    return out.getvalue().encode("utf-8")


def view_csv(query):
    request = RequestFactory().get(f"/initiatives/export.csv?{query}", HTTP_HOST="testserver")
    return b"".join(export_views.initiative_csv(request).streaming_content)


def filtered(query):
    from django.http import QueryDict

    from initiatives.search.filters import InitiativeFilter

    return InitiativeFilter(QueryDict(query), queryset=Initiative.objects.visible()).filtered()


def assert_same_bytes(monkeypatch, tmp_path):
    compared = 0
    for chunk in (3, 7, exporting.CHUNK):
        monkeypatch.setattr(exporting, "CHUNK", chunk)
        for query in QUERIES:
            expected = reference_csv(filtered(query), SITE)
            assert view_csv(query) == expected, (chunk, query)
            compared += expected.count(b"\n") - 1
    output = tmp_path / "all.csv"
    call_command("export", "initiatives", "--output", str(output), stderr=io.StringIO())
    assert output.read_bytes() == reference_csv(Initiative.objects.visible(), SITE)
    return compared


def test_sample_corpus_export_is_byte_identical(monkeypatch, tmp_path):
    for path in SAMPLES:
        ingest_path(path)
    assert Initiative.objects.count() > 100
    assert assert_same_bytes(monkeypatch, tmp_path) > 300


def random_corpus(seed):
    """Rows with every kind of cell: no regions or several (partners too, which the export
    leaves out), none or many themes and instruments, empty years, formula-looking and
    quoted text, hidden rows between visible ones, ids with gaps."""
    rng = random.Random(seed)
    g = gazetteer()
    codes = sorted(g.by_code)
    themes = list(Theme.objects.all())
    instruments = list(PolicyInstrument.objects.all())
    starts = ["=SUM(A1)", "+86", "-", "@x", "\t缩进", '"引号"', "逗号，,", "换行\n第二行", ""]
    documents = [
        Document.objects.create(
            title=rng.choice(["文件", "=文件", "-负"]) + str(n),
            file_name=f"random_{n}.txt",
            content_hash=f"random-{seed}-{n}",
            text="随机正文",
            year=2015 + n,
            kind="plan",
            extractor_version="test",
        )
        for n in range(5)
    ]
    made = []
    for n in range(300):
        text = rng.choice(starts) + "".join(rng.choice("就业创业培训岗位补贴") for _ in range(12))
        year = rng.choice([None, 2018, 2020])
        period = rng.choice([(None, None), (2016, 2025), (2021, 2021)])
        made.append(
            Initiative(
                document=rng.choice(documents),
                title=text[:10],
                text=text,
                start=n,
                end=n + len(text),
                year=year,
                year_start=period[0],
                year_end=period[1],
                status=rng.choice(["extracted", "reviewed", "hidden", "extracted"]),
                extractor_version="test",
                key=rng.choice(["", f"k{n}", f"=k{n}"]),
            )
        )
    made = Initiative.objects.bulk_create(made)
    Initiative.objects.filter(pk__in=[i.pk for i in made[::17]]).delete()
    made = [i for n, i in enumerate(made) if n % 17]
    links, theme_links, instrument_links = [], [], []
    for initiative in made:
        for code in rng.sample(codes, rng.choice([0, 1, 1, 2, 4])):
            place = g.get(code)
            links.append(
                InitiativeRegion(
                    initiative=initiative,
                    region_id=code,
                    role=rng.choice(list(InitiativeRegion.Role)),
                    province_id=place.province_code,
                    prefecture_id=place.prefecture_code,
                )
            )
        for theme in rng.sample(themes, rng.choice([0, 1, 2, min(5, len(themes))])):
            theme_links.append(Initiative.themes.through(initiative=initiative, theme=theme))
        for instrument in rng.sample(instruments, rng.choice([0, 1, 3])):
            instrument_links.append(
                Initiative.instruments.through(initiative=initiative, policyinstrument=instrument)
            )
    InitiativeRegion.objects.bulk_create(links)
    Initiative.themes.through.objects.bulk_create(theme_links)
    Initiative.instruments.through.objects.bulk_create(instrument_links)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_corpus_export_is_byte_identical(monkeypatch, tmp_path, seed):
    random_corpus(seed)
    compared = assert_same_bytes(monkeypatch, tmp_path)
    assert compared > 200
    body = view_csv("").decode("utf-8")
    rows = list(csv.reader(io.StringIO(body[1:])))
    # The corpus reached the cells that need care: joined lists, neutralised formulas.
    assert any(MULTI in row[3] for row in rows[1:])
    assert any(row[2].startswith("'=") for row in rows[1:])


def test_stream_sends_rows_in_batches(monkeypatch):
    """Many rows per response chunk, and none lost at the batch edges."""
    random_corpus(3)
    monkeypatch.setattr(streaming, "LINES_PER_CHUNK", 50)
    request = RequestFactory().get("/initiatives/export.csv", HTTP_HOST="testserver")
    chunks = list(export_views.initiative_csv(request).streaming_content)
    visible = Initiative.objects.visible().count()
    assert visible > 150
    assert len(chunks) == 1 + -(-visible // 50)
    assert b"".join(chunks) == reference_csv(Initiative.objects.visible(), SITE)
