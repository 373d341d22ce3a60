from decimal import Decimal

import pytest

from ingest.targets import find_figures, table_figures


def figures(text, **kwargs):
    return [
        (f.indicator, f.value, f.unit, f.comparator, f.kind)
        for f in find_figures(text, 0, len(text), **kwargs)
    ]


def test_it_reads_results_in_base_units():
    text = "全年实现城镇新增就业1.2万人,新增发放创业担保贷款3522笔4.56亿元。"
    assert figures(text) == [
        ("城镇新增就业", Decimal("12000"), "人", "=", "achieved"),
        ("创业担保贷款", Decimal("3522"), "笔", "=", "achieved"),
        ("创业担保贷款", Decimal("456000000"), "元", "=", "achieved"),
    ]


def test_goals_and_ceilings_are_targets_with_their_comparator():
    assert figures("城镇调查失业率控制在5.5%以内。") == [
        ("城镇调查失业率", Decimal("5.5"), "%", "<", "target")
    ]
    assert figures("下达全市城镇新增就业20000人目标。") == [
        ("城镇新增就业", Decimal("20000"), "人", "=", "target")
    ]
    assert figures("城镇新增就业达到20万人以上。", forward_looking=True) == [
        ("城镇新增就业", Decimal("200000"), "人", ">", "target")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "对首次创业的给予一次性创业补贴5000元。",
        "个人创业担保贷款最高不超过20万元。",
        "分别完成省下达目标任务的127%、105%。",
        "正常经营6个月以上的返乡创业人员。",
        "年龄在16岁以上的劳动者。",
    ],
)
def test_policy_parameters_and_completion_ratios_are_not_targets(text):
    assert figures(text) == []


def test_the_noun_after_a_measure_word_names_the_indicator():
    assert figures("威宁县、赫章县建成扶贫车间86个。") == [
        ("扶贫车间", Decimal("86"), "个", "=", "achieved")
    ]


def test_a_flattened_indicator_table_gives_one_target_per_row():
    cells = [
        "指 标",
        "2025年",
        "属 性",
        "1.城镇新增就业人数(万人)",
        "[>20]",
        "预期性",
        "2.城镇调查失业率(%)",
        "<6",
        "预期性",
    ]
    positioned, at = [], 0
    for cell in cells:
        positioned.append((at, at + len(cell), cell))
        at += len(cell) + 3
    rows = [(f.indicator, f.value, f.unit, f.comparator, f.kind) for f in table_figures(positioned)]
    assert rows == [
        ("城镇新增就业", Decimal("200000"), "人", ">", "target"),
        ("城镇调查失业率", Decimal("6"), "%", "<", "target"),
    ]


def _figures(text, **kwargs):
    return [
        (f.indicator, f.value, f.unit, f.kind) for f in find_figures(text, 0, len(text), **kwargs)
    ]


def test_a_goal_word_leading_the_sentence_makes_its_figures_targets():
    found = _figures("力争到2022年末,全省农民务工就业规模突破600万人。")
    assert [(v, k) for _, v, _, k in found] == [(Decimal(6000000), "target")]


def test_a_reported_word_keeps_a_result_a_result_in_a_sentence_about_goals():
    found = _figures("全省计划新设置公益岗位1万个以上,目前已设置8315个。")
    assert [(i, v, k) for i, v, _, k in found] == [
        ("公益岗位", Decimal(10000), "target"),
        ("公益岗位", Decimal(8315), "achieved"),
    ]


def test_people_counted_before_what_they_did_are_figures():
    found = _figures("截至目前,全省已有2.72万人实现省外务工,帮助100万以上贫困人口实现就业。")
    assert [(v, u) for _, v, u, _ in found] == [(Decimal(27200), "人"), (Decimal(1000000), "人")]
    assert found[0][0] == "实现省外务工"


def test_an_aside_in_brackets_does_not_hide_the_indicator():
    found = _figures("确保年内输出就业100万人,其中脱贫劳动力(含防返贫监测对象)18万人。")
    assert found[-1][:3] == ("脱贫劳动力", Decimal(180000), "人")
    assert found[-1][3] == "target"


def test_a_yearly_goal_is_a_target_but_a_yearly_result_is_reported():
    goal = _figures("全市每年城镇新增就业3万人以上,新增高技能劳动者8万人以上。")
    assert [(v, k) for _, v, _, k in goal][-1] == (Decimal(80000), "target")
    done = _figures("近三年全县每年累计培训农民工2万人次。")
    assert [(v, k) for _, v, _, k in done] == [(Decimal(20000), "achieved")]
