from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Document, Initiative, Target

pytestmark = pytest.mark.django_db(transaction=False)

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
SUMMARY = SAMPLES / "002_b76dda904da25238.txt"


def ingest(*paths, replaces=None):
    out, err = StringIO(), StringIO()
    options = {} if replaces is None else {"replaces": replaces}
    call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_ingests_the_sample_corpus_with_regions_years_and_targets():
    out, _ = ingest(SAMPLES)
    assert "5 documents: 5 created" in out
    summary = Document.objects.get(file_name=SUMMARY.name)
    assert summary.issuing_region_id == "610900"
    assert summary.kind == "summary" and summary.year == 2017
    plan = Document.objects.get(file_name__startswith="004")
    assert (plan.kind, plan.year, plan.period_start, plan.period_end) == ("plan", 2022, 2021, 2025)
    assert plan.issuing_region_id == "511100"
    # "2022年4月" under the title is a month: no day is invented.
    assert (str(plan.issued_on), plan.issued_precision) == ("2022-04-01", "month")
    assert plan.issued_text == "2022年4月" and plan.published_on is None
    opinion = Document.objects.get(file_name__startswith="003")
    assert opinion.issuing_region_id == "230300"
    assert "t365" not in opinion.text and opinion.title.startswith("鸡西市")
    jobs = Target.objects.get(document=summary, value=20321)
    assert (jobs.indicator, jobs.unit, jobs.kind, jobs.year) == (
        "城镇新增就业",
        "人",
        "achieved",
        2017,
    )
    loans = Target.objects.get(
        document=summary, indicator="创业担保贷款", unit="元", value=456000000
    )
    assert summary.text[loans.start : loans.end] == loans.text
    # The 十四五 jobs goal stands in the prose and again in the indicator table: one target.
    goal = Target.objects.get(document=plan, indicator="城镇新增就业", kind="target")
    assert (goal.value, goal.unit, goal.comparator, goal.period_type) == (
        200000,
        "人",
        ">",
        "cumulative",
    )
    assert (goal.year, goal.year_start, goal.year_end) == (2025, 2021, 2025)
    assert goal.canonical_indicator.code == "urban_new_jobs"
    # The 十三五 total beside it is a result of 2016–2020, never a completion of the goal.
    look_back = Target.objects.get(document=plan, value=262000)
    assert (look_back.kind, look_back.year_start, look_back.year_end) == ("achieved", 2016, 2020)
    table_row = Target.objects.get(document=plan, text="城镇登记失业率")
    assert (table_row.comparator, table_row.kind, table_row.period_type) == ("<", "target", "level")
    assert (table_row.year, table_row.year_start, table_row.year_end) == (2025, 2021, 2025)
    jinniu = Initiative.objects.get(
        document__file_name__startswith="000", text__startswith="成都金牛区"
    )
    assert [r.code for r in jinniu.regions.all()] == ["510106"]


def test_every_span_points_at_its_text():
    ingest(SAMPLES)
    for initiative in Initiative.objects.select_related("document"):
        assert initiative.document.text[initiative.start : initiative.end] == initiative.text


def test_it_is_idempotent():
    ingest(SUMMARY)
    before = sorted(Initiative.objects.values_list("pk", "text"))
    out, _ = ingest(SUMMARY)
    assert "1 unchanged" in out
    assert sorted(Initiative.objects.values_list("pk", "text")) == before


def test_bad_documents_fail_alone_with_a_clear_error_and_nothing_written(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 50)
    (tmp_path / "good.txt").write_bytes(SUMMARY.read_bytes())
    with pytest.raises(CommandError, match="2 document"):
        ingest(tmp_path)
    assert list(Document.objects.values_list("file_name", flat=True)) == ["good.txt"]


def test_it_reports_the_error_of_each_failed_document(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(tmp_path / "empty.txt"), stdout=StringIO(), stderr=err)
    assert "empty.txt: file is empty" in err.getvalue()


def test_a_failure_mid_document_leaves_no_half_written_rows(tmp_path, monkeypatch):
    from ingest import pipeline, writing

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "_insert_instances", explode)  # the targets insert
    with pytest.raises(RuntimeError):
        pipeline.ingest_path(SUMMARY)
    assert Document.objects.count() == 0 and Initiative.objects.count() == 0


def test_reingesting_a_changed_document_keeps_curated_rows(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_bytes(SUMMARY.read_bytes())
    ingest(path)
    curated = Initiative.objects.filter(text__contains="社区工厂").first()
    curated.title = "平利社区工厂(人工标题)"
    curated.curated_fields = ["title"]
    curated.save()
    machine_ids = set(Initiative.objects.exclude(pk=curated.pk).values_list("pk", flat=True))

    path.write_bytes(
        SUMMARY.read_bytes() + "\n十、新增一项措施:开展就业援助月活动,帮扶就业困难人员。".encode()
    )
    out, _ = ingest(path, replaces=curated.document_id)
    assert "1 updated" in out
    assert Document.objects.count() == 1
    curated.refresh_from_db()
    assert curated.title == "平利社区工厂(人工标题)"
    assert curated.document.text[curated.start : curated.end] == curated.text
    assert machine_ids <= set(
        Initiative.objects.values_list("pk", flat=True)
    )  # unchanged rows keep ids
    assert Initiative.objects.filter(text__contains="就业援助月").exists()
    assert Initiative.objects.filter(text=curated.text).count() == 1


def test_a_traditional_character_reprint_is_read_and_stored_as_written(tmp_path):
    import opencc

    traditional = opencc.OpenCC("s2t").convert(SUMMARY.read_text(encoding="utf-8"))
    path = tmp_path / "reprint.txt"
    path.write_text(traditional, encoding="utf-8")
    ingest(path)
    document = Document.objects.get()
    assert "創業" in document.text and document.issuing_region_id == "610900"
    jobs = Target.objects.get(document=document, value=20321)
    assert jobs.indicator == "城镇新增就业" and "城鎮新增就業" in jobs.text
    for initiative in document.initiatives.all():
        assert document.text[initiative.start : initiative.end] == initiative.text


def test_reingesting_a_changed_document_keeps_the_ids_of_unchanged_initiatives(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_bytes(SUMMARY.read_bytes())
    ingest(path)
    before = dict(Initiative.objects.values_list("text", "pk"))
    path.write_bytes(
        SUMMARY.read_bytes() + "\n十、新增一项措施:开展就业援助月活动,帮扶就业困难人员。".encode()
    )
    ingest(path, replaces=Document.objects.get().pk)
    after = dict(Initiative.objects.values_list("text", "pk"))
    assert {t: after[t] for t in before} == before
    assert len(after) == len(before) + 1
