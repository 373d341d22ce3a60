"""Sentences that are not measures, and that the extractor must not take for initiatives."""

import pytest

from ingest import noise, units


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("现将《广东省进一步稳定和促进就业若干政策措施》印发给你们,请认真组织实施。", "forwarding"),
        ("《实施方案》已经市政府同意,现印发给你们。", "forwarding"),
        (
            "为贯彻落实《国务院关于做好就业创业工作的意见》精神,结合我省实际,现提出以下意见:",
            "preamble",
        ),
        ("6月28日下午,区长主持召开区政府常务会议,研究我区就业工作。", "meeting"),
        ("会议强调,各部门要高度重视就业工作。", "meeting"),
        ("经过全市上下共同努力,取得了显著成效。", "assessment"),
        ("一是就业结构性矛盾依然突出。", "assessment"),
        ("广东省人民政府关于印发广东省进一步稳定和促进就业若干政策措施的通知", "title"),
        ("(责任单位:市人社局,各区、县(市)人民政府)", "responsibility"),
        ("统筹考虑以下三个方面:", "list_intro"),
        ("现將《措施》印發(fā)給你們,请认真执行。", "forwarding"),
        ("新华社哈尔滨4月13日电(记者 程子龙)记者从省扶贫办了解到,全省复工复产。", "byline"),
        ("福建省人社厅厅长讲话,副州长致辞。", "speech"),
        ("2021年,城镇登记失业率为3.36%,与去年相比降低0.09个百分点。", "result"),
        ("到2025年,全市新增残疾人就业800人以上,培训残疾人1300人次以上。", "goal"),
        ("东阳市促进残疾人就业行动实施方案(2023—2025年)", "title"),
        ("(浙江省人力资源和社会保障厅代章)", "letterhead"),
        ("各市(地)、县(市、区)农业农村局、人力资源和社会保障局:", "letterhead"),
        ("力争2018年,培育自主创业1500人,带动就业5000人。", "goal"),
        ("二季度,城镇新增就业3.23万人,完成全年任务的35.86%", "result"),
    ],
)
def test_it_names_the_kind_of_non_measure(sentence, kind):
    assert noise.kind(sentence) == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "对吸纳高校毕业生就业的小微企业给予社会保险补贴。",
        "为支持返乡创业,对首次创业的给予一次性创业补贴。",
        "贯彻落实党中央决策部署,实施农民工职业技能提升计划。",
        "会议审议并原则通过了《2017年度房山区就业工作目标责任书》。",
        "2017年,21个省份已将失业保险费率全部降至1%,全年减收失业保险基金234亿元。",
        "2024年春风行动专场招聘会启动。",
        "2021年5月1日至2022年4月30日实施阶段性下调工伤保险费率50%的政策。",
    ],
)
def test_measures_are_not_noise(sentence):
    assert noise.kind(sentence) == ""


def test_forwarding_lines_and_preambles_give_no_initiative():
    text = (
        "为贯彻落实《国务院关于进一步做好稳就业工作的意见》精神,结合我市实际,现提出如下措施。"
        "对吸纳就业困难人员的企业给予社会保险补贴。现将本措施印发给你们,请认真贯彻执行。"
    )
    found = [text[u.start : u.end] for u in units.split(text, 0, len(text))]
    assert found == ["对吸纳就业困难人员的企业给予社会保险补贴。"]


def test_an_enumerated_problem_is_not_a_measure_but_the_next_item_is():
    text = "一是就业结构性矛盾依然突出,招工难并存。二是开展高校毕业生就业见习,给予见习补贴。"
    found = [text[u.start : u.end] for u in units.split(text, 0, len(text))]
    assert found == ["二是开展高校毕业生就业见习,给予见习补贴。"]


def test_parenthesised_numbers_inside_a_paragraph_are_items():
    text = "主要措施:(1)发放创业担保贷款,给予贴息。(2)建设创业孵化基地,提供场租补贴。"
    found = [text[u.start : u.end] for u in units.split(text, 0, len(text))]
    assert found == ["(1)发放创业担保贷款,给予贴息。", "(2)建设创业孵化基地,提供场租补贴。"]


def test_a_verbless_item_body_counts_when_its_heading_states_the_action():
    text = "市级领导包区县,区县领导包产业园区的工作机制。"
    kept = units.split(text, 0, len(text), title="建立“三包”责任机制")
    dropped = units.split(text, 0, len(text), title="“三包”责任机制")
    assert [(u.start, u.end) for u in kept] == [(0, len(text))]
    assert dropped == []
