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


def test_a_goal_clause_does_not_give_its_group_to_the_measure(themes_of):
    text = "拓宽农民务工就业渠道,开展“春风行动”,力争全省脱贫劳动力务工就业规模稳定在95万人以上。"
    assert themes_of(text) == {"rural_migrant_workers"}
    # When the measure names no theme itself, the people it counts say whom it is for.
    assert themes_of(
        "下一步将实施“百日千万”招聘专项行动,确保离校未就业高校毕业生帮扶就业率达到90%以上。"
    ) == {"graduates"}


def test_a_list_of_programmes_of_one_theme_is_about_that_theme(themes_of):
    text = "实施大学生村官、“三支一扶”、特岗计划和西部计划基层服务项目。"
    assert themes_of(text) == {"graduates"}


def test_a_heading_activity_gives_way_to_the_clause_own(db):
    vocabulary = Vocabulary.from_database()
    heading = ["(三)实施退役军人职业技能培训计划"]
    assert set(vocabulary.themes_for("开展退役军人就业创业之星推选活动。", heading)) == {
        "entrepreneurship",
        "veterans",
    }
    # A heading's group still applies beside the clause's own activity.
    graduates = ["(二)促进高校毕业生就业"]
    assert set(vocabulary.themes_for("鼓励自主创业,给予一次性创业补贴。", graduates)) == {
        "entrepreneurship",
        "graduates",
    }
    assert "skills" in vocabulary.themes_for("落实职业介绍补贴。", heading)


def test_rural_public_jobs_and_village_factories_are_rural_revitalisation_support(themes_of):
    # 乡村公益性岗位 and 乡村就业工厂 are schemes of 乡村振兴就业帮扶; a public job in general
    # (城乡公益性岗位) is for people with difficulties, not about poverty.
    assert "poverty_alleviation" in themes_of("乡村公益性岗位安置就业困难人员2180人。")
    assert "poverty_alleviation" not in themes_of("开展城乡公益性岗位质效提升年行动。")
    assert "poverty_alleviation" in themes_of(
        "对新认定的乡村就业工厂,给予每家3万元的场地租金补贴。"
    )


def test_a_village_factory_is_a_poverty_alleviation_workshop():
    from initiatives.models import PolicyInstrument

    vocabulary = Vocabulary.from_database()
    found = vocabulary.instruments_in("宕昌县已认定乡村就业工厂38家。")
    assert PolicyInstrument.objects.get(name="扶贫车间").pk in found
