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
        (
            "新建就业见习基地12个,完成全年任务的120%;培训农民工2.1万人次,完成全年任务的70%。",
            "result",
        ),
        (
            "新创设城乡公益性岗位1.5万个,完成全年任务的150%;",
            "result",
        ),
        ("到2025年,城镇就业规模逐步扩大,就业质量稳步提升,劳动报酬合理增长;", "outcome"),
        ("技能人才总量稳步增长,结构不断改善,保障水平逐步提高。", "outcome"),
        ("2019年是我县开展返乡创业试点的第一年,也是打基础的关键之年。", "context"),
        ("创业带动就业是稳定和扩大就业的重要支撑。", "context"),
        ("促进经济增长与扩大就业联动。", "macro"),
        ("积极落实宏观调控政策,保持经济稳定增长,增强对就业的拉动能力。", "macro"),
        ("2016年3月2日,某省人民政府印发《关于做好就业创业工作的意见》。", "description"),
        ("《目标责任书》内容包括就业、社会保障和劳动关系三个方面。", "description"),
        ("为推动实现更加充分更高质量就业,根据《就业促进规划》,制定本实施意见。", "preamble"),
        ("今年全市共发放一次性创业补贴86万元,较去年同期增长12.5%。", "result"),
        ("截至目前,全县成功发放创业担保贷款300万元,惠及创业人员25人。", "result"),
        ("至6月中旬,全省已有3.1万人实现省外务工,1.2万人实现县内务工。", "result"),
        ("3月2日上午,某县2025年春风行动暨返乡创业专场招聘会启动。", "event"),
        ("规划把“稳就业、促增收”作为基本出发点,突出把握三点。", "interpretation"),
        ("方案明确了促进高校毕业生就业的三项任务。", "interpretation"),
        ("会议强调,各部门要认真研究制定年度工作计划,建立工作目标责任制。", "meeting"),
        ("为全面贯彻创新驱动发展战 略,纵深推进大众创业、万众创新,优化创业生态环境。", "preamble"),
        ("今年以来,全县坚持以人民为中心的发展理念,各项目标任务超前完成。", "guiding"),
        ("发展吸纳就业能力强的产业,提高服务业就业比重。", "macro"),
        ("就业质量稳步提升。", "outcome"),
        (
            "突出劳务协作机制建立和有组织对接输出“两个关键”,确保年内全省农民工省际输出"
            "就业规模达到100万人,其中脱贫劳动力18万人。",
            "outcome",
        ),
        (
            "2020年,全省返乡留乡农民基本实现就地就近就业,省内农民转移就业400万人,"
            "实现劳务收入600亿元。",
            "outcome",
        ),
        ("加快创新主体培育、加速创新成果转化、加快落实高新技术企业财税优惠政策。", "economy"),
        (
            "围绕建设国家粳稻口粮基地,打造2100万头生猪、500万吨生鲜乳为重点的畜牧业全产业链。",
            "economy",
        ),
        (
            "到2027年,全县新增城镇就业5000人以上,培训农民工3000人次,"
            "农民工合法权益得到有效保障,形成支持返乡创业的良好氛围。",
            "goal",
        ),
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
        "将城镇新增就业、调查失业率作为宏观调控重要指标,纳入年度计划。",
        "到2025年,新建创业孵化基地10个,扶持创业5000人,带动就业逐步扩大。",
        "加强职业技能培训,提高劳动者就业能力。",
        "区人社局开发就业见习岗位620个,发放就业见习补贴186万元,同比增长9.4%。",
        "今年起,对首次创业的高校毕业生给予一次性创业补贴5000元。",
        "方案实施期间,对吸纳脱贫劳动力的企业给予每人1000元补贴。",
        "持续优化创业环境。",
        "发放创业担保贷款797笔9389万元,带动就业1435人。",
        "乡村公益性岗位安置就业困难人员2180人。",
        "促进数字经济、平台经济健康发展,培育网红直播、数字内容生产等新业态。",
        "对符合条件的小微企业,给予每户3万元的场地租金补贴。",
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


def test_an_item_headed_by_a_policy_stance_keeps_the_measure_below_it():
    text = (
        "(一)促进经济增长与扩大就业联动。在制定产业政策时,对新增就业岗位多的项目给予贷款贴息。"
        "(二)促进产业结构调整与就业协同。推动产业结构调整,扩大就业规模。"
    )
    found = [text[u.start : u.end] for u in units.split(text, 0, len(text))]
    assert found == [
        "(一)促进经济增长与扩大就业联动。在制定产业政策时,对新增就业岗位多的项目给予贷款贴息。"
    ]


def _pieces(text):
    return [text[u.start : u.end] for u in units.split(text, 0, len(text))]


def test_a_sentence_chaining_measures_gives_one_initiative_each():
    text = (
        "落实人力资源服务支持民营经济发展的政策措施,制定实施支持劳动密集型企业发展的措施办法,"
        "实施援企稳岗政策,助力市场主体倍增。"
    )
    assert _pieces(text) == [
        "落实人力资源服务支持民营经济发展的政策措施",
        "制定实施支持劳动密集型企业发展的措施办法",
        "实施援企稳岗政策,助力市场主体倍增。",
    ]


def test_what_belongs_to_one_measure_stays_with_it():
    # The results it counts, the people it reached, the condition and the means it names.
    assert _pieces("发放创业担保贷款1.26亿元,带动就业540人,同时开展返乡人员创业培训。") == [
        "发放创业担保贷款1.26亿元,带动就业540人",
        "同时开展返乡人员创业培训。",
    ]
    reached = "区人社局开发就业见习岗位620个,组织412名高校毕业生参加见习。"
    assert _pieces(reached) == [reached]
    condition = "对新认定的乡村就业工厂,给予每家3万元的场地租金补贴。"
    assert _pieces(condition) == [condition]
    recipients = "区人社局对赴外省务工的脱贫劳动力,按规定给予一次性交通补贴。"
    assert _pieces(recipients) == [recipients]
    term = "实施阶段性降低失业保险费率政策,实施期限至2021年12月31日。"
    assert _pieces(term) == [term]
    means = "劳务经纪人开展有组织劳务输出的,给予就业创业服务补贴。"
    assert _pieces(means) == [means]


def test_a_preamble_is_not_cut_into_measures():
    text = "为推动实现更加充分更高质量就业,根据《浙江省就业促进规划》,制定本实施意见,落实各项政策。"
    assert _pieces(text) == []


def test_the_section_titles_listed_by_a_description_are_not_measures():
    text = (
        "该《意见》分把就业摆在经济社会发展的突出位置,深入实施就业优先战略;"
        "大力促进创新引领创业,创业带动就业;加强就业创业服务和职业培训,促进就业创业;"
        "强化组织领导,落实政府促进就业创业责任5部分26条。对首次创业的给予一次性创业补贴。"
    )
    assert _pieces(text) == ["对首次创业的给予一次性创业补贴。"]
