from ingest import units
from ingest.structure import parse


def test_numbered_headings_nest_and_carry_their_body():
    text = "一、优化环境\n(一)搭建公共平台。巨鹿县坚持建设平台。\n(二)注重培训。开展培训。"
    paragraphs = parse(text)
    assert [p.headings for p in paragraphs] == [["优化环境"], ["优化环境"]]
    assert [p.title for p in paragraphs] == ["搭建公共平台", "注重培训"]
    assert text[paragraphs[0].start : paragraphs[0].end] == "巨鹿县坚持建设平台。"


def test_table_of_contents_and_date_lines_are_skipped():
    text = "某市就业规划\n2022年4月\n目 录\n第一章 背景\n第二章 任务\n某市就业规划\n第二章 任务\n建立就业服务站,开展培训。"
    paragraphs = parse(text, title="某市就业规划")
    assert len(paragraphs) == 1
    assert paragraphs[0].headings == ["任务"]


def test_a_boxed_list_gives_one_item_per_numbered_entry():
    text = "专栏2 促进就业计划\n|\n01 农村就业扩容计划\n抓好特色产业发展,带动就业。\n02 技能提升工程\n开展技能培训。\n|"
    items = [p for p in parse(text) if p.kind == "box_item"]
    assert [p.title for p in items] == ["农村就业扩容计划", "技能提升工程"]


def test_enumerated_items_in_a_paragraph_are_separate_initiatives():
    text = "一是打造创业孵化基地,建成9个基地。二是建设众创空间,入驻企业3600家。"
    found = units.split(text, 0, len(text))
    assert [text[u.start : u.end] for u in found] == [
        "一是打造创业孵化基地,建成9个基地。",
        "二是建设众创空间,入驻企业3600家。",
    ]
    assert [u.lead for u in found] == ["打造创业孵化基地", "建设众创空间"]


def test_place_led_clauses_chained_by_commas_are_cut_apart():
    def place_led(sentence):
        return sentence.startswith(("重庆市", "陕西省", "柳州市"))

    text = "重庆市实行孵化基地年考管理,陕西省制定认定办法,柳州市采取自主建设模式。"
    found = units.split(text, 0, len(text), place_led)
    assert [text[u.start : u.end] for u in found] == [
        "重庆市实行孵化基地年考管理,",
        "陕西省制定认定办法,",
        "柳州市采取自主建设模式。",
    ]


def test_lead_departments_are_cut_from_the_measure():
    text = "落实创业担保贷款政策,扩大覆盖范围。(市人社局、市财政局等负责)"
    found = units.split(text, 0, len(text))
    assert text[found[0].start : found[0].end] == "落实创业担保贷款政策,扩大覆盖范围。"


def test_numbered_parts_run_together_on_one_line_are_separated():
    body = (
        "各县(市、区)人民政府,市政府各部门: 为贯彻落实国务院文件精神,现提出以下意见: "
        "一、深入实施就业优先战略 1.坚持就业优先发展战略。将城镇新增就业纳入年度计划,"
        "各级财政专项资金优先给予支持。 2.发挥小微企业就业主渠道作用。扶持发展小微企业,"
        "落实小微企业增值税、企业所得税等税收优惠政策,以及借款合同免征印花税等政策。"
        " 3.支持创业。发放创业担保贷款。"
    )
    assert len(body) > 160  # a line this long is where run-together parts are looked for
    paragraphs = parse("标题\n" + body, "标题")
    titles = [p.title for p in paragraphs]
    assert titles[-3:] == ["坚持就业优先发展战略", "发挥小微企业就业主渠道作用", "支持创业"]
    assert paragraphs[-1].headings == ["深入实施就业优先战略"]
    text = "标题\n" + body
    assert text[paragraphs[-1].start : paragraphs[-1].end] == "发放创业担保贷款。"
