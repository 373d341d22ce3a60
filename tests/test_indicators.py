"""Canonical indicators: the seeded vocabulary, how targets link to it, units, repeats,
the curators' admin and the indicator_code column."""

from decimal import Decimal

import pytest

from ingest.extract import ExtractedTarget, _without_repeats
from ingest.indicators import IndicatorVocabulary
from ingest.targets import find_figures
from initiatives.models import Indicator, Target
from tests.factories import make_target

pytestmark = pytest.mark.django_db


def link(label, unit):
    pk = IndicatorVocabulary.from_database().link(label, unit)
    return Indicator.objects.get(pk=pk).code if pk else None


def test_the_vocabulary_is_there_after_migrate():
    names = set(Indicator.objects.values_list("name", flat=True))
    assert {"城镇新增就业", "城镇登记失业率", "城镇调查失业率", "失业人员再就业"} <= names
    assert {"创业担保贷款发放金额", "创业担保贷款发放笔数", "高校毕业生就业率"} <= names


def test_labels_link_by_their_words_and_unit():
    assert link("城镇新增就业人数", "人") == "urban_new_jobs"
    assert link("登记失业率", "%") == "registered_unemployment_rate"
    # One word, two indicators told apart by the unit.
    assert link("创业担保贷款", "元") == "guarantee_loan_amount"
    assert link("创业担保贷款", "笔") == "guarantee_loan_count"
    # The longest name wins: a rate is not the count it is a rate of.
    assert link("农村劳动力转移就业率", "%") == "rural_labour_transfer_rate"
    assert link("脱贫劳动力转移就业", "人") == "poor_labour_transfer"
    # A label of no known indicator stays "other".
    assert link("市级金牌劳动关系协调员", "名") is None


def test_percentage_points_are_their_own_unit():
    text = "全市居民人均可支配收入年均增长8.8%,高于同期地区生产总值(GDP)增速1.4个百分点。"
    (figure,) = find_figures(text, 0, len(text))
    assert (figure.value, figure.unit) == (Decimal("1.4"), "百分点")


def test_the_same_figure_stated_twice_is_one_target():
    def figure(start, value, indicator="城镇新增就业"):
        return ExtractedTarget(
            start, start + 4, indicator, Decimal(value), "人", ">", "target", "511100", 2025
        )

    text = "城镇新增就业达到20万人以上。\n专栏\n城镇新增就业人数\n[>20]\n创建1个国家级、1个省级基地"
    prose, table = figure(0, 200000), figure(text.index("城镇新增就业人数"), 200000)
    first, second = (
        figure(text.index("1个国家级"), 1, "基地"),
        figure(text.index("1个省级"), 1, "基地"),
    )
    kept = _without_repeats(text, [prose, table, first, second])
    # The table repeats the prose goal; two figures of one sentence are two targets.
    assert kept == [prose, first, second]


def test_ingest_links_targets_and_exports_the_code(client, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "summary.txt"
    path.write_text(
        "陕西省安康市2017年就业创业工作总结\n"
        "2017年,全市城镇新增就业20321人,发放创业担保贷款3522笔4.56亿元,城镇登记失业率3.2%。",
        encoding="utf-8",
    )
    call_command("ingest", str(path))
    codes = dict(Target.objects.values_list("value", "canonical_indicator__code").order_by("value"))
    assert codes[Decimal("20321")] == "urban_new_jobs"
    assert codes[Decimal("3522")] == "guarantee_loan_count"
    assert codes[Decimal("456000000")] == "guarantee_loan_amount"
    response = client.get("/targets/export.csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().split("\r\n")
    header = lines[0].split(",")
    assert header[-3:] == ["period_type", "indicator_code", "key"]
    assert any(",annual,urban_new_jobs," in line for line in lines[1:])


def test_linked_rows_pair_across_their_labels():
    from initiatives.pictures import charts

    jobs = Indicator.objects.get(code="urban_new_jobs")
    goal = make_target(indicator="城镇新增就业人数", value=20000, region="511100", year=2017)
    done = make_target(
        indicator="城镇新增就业", value=21000, kind="achieved", region="511100", year=2017
    )
    Target.objects.filter(pk__in=[goal.pk, done.pk]).update(canonical_indicator=jobs)
    (pair,) = charts.pair_targets(Target.objects.visible())
    assert (pair.target.pk, pair.achieved.pk, pair.percent) == (goal.pk, done.pk, Decimal("105.0"))


def test_curators_cannot_give_one_word_to_two_indicators_of_one_unit(admin_client):
    url = "/admin/initiatives/indicator/add/"
    data = {
        "name": "新增就业人数",
        "name_en": "New jobs",
        "code": "new_jobs",
        "units": "人",
        "synonyms": "城镇新增就业",
        "position": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "城镇新增就业" in response.content.decode()
    assert not Indicator.objects.filter(code="new_jobs").exists()
    data["synonyms"], data["units"] = "城镇新增就业", "户"  # another unit: allowed
    assert admin_client.post(url, data).status_code == 302
