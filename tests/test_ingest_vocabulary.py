"""Themes a clause gets from the seeded vocabulary: a word inside another theme's name."""

import pytest

from ingest.vocabulary import Vocabulary

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes_of():
    vocabulary = Vocabulary.from_database()
    return lambda text: set(vocabulary.themes_for(text, []))


def test_a_job_search_subsidy_is_for_graduates_not_for_entrepreneurs(themes_of):
    # 求职创业补贴 ends with 创业补贴, but it pays graduates looking for work.
    assert themes_of("为312名困难家庭毕业生发放一次性求职创业补贴,每人1000元。") == {"graduates"}


def test_a_cue_opening_a_longer_name_still_counts(themes_of):
    assert themes_of("鼓励大学生创业,给予一次性创业补贴。") == {"entrepreneurship", "graduates"}
    assert themes_of("落实失业保险技能提升补贴政策。") == {"unemployment_insurance", "skills"}


def test_an_insurance_in_a_list_of_insurances_is_still_covered(themes_of):
    text = "对不能按时缴纳基本养老保险、基本医疗保险、失业保险、工伤保险的企业,允许延期补缴。"
    assert "unemployment_insurance" in themes_of(text)
    # A theme word as one item of a list of projects does not make the measure about it.
    projects = "对转型升级项目、创业创新项目、教育培训项目等,财政专项资金优先给予支持。"
    assert themes_of(projects) == set()


def test_page_side_pinyin_does_not_hide_a_cue(themes_of):
    assert "unemployment_insurance" in themes_of("允许延期缴纳失业(yè)保险费。")


def test_a_breakdown_of_a_figure_does_not_give_its_group_as_theme(themes_of):
    themes = themes_of("全县已实现农村劳动力转移就业38万人,其中脱贫劳动力转移就业15万人。")
    assert "poverty_alleviation" not in themes
    # Named as the measure's own target group, the same words still count.
    assert "poverty_alleviation" in themes_of("组织脱贫劳动力转移就业15万人。")
