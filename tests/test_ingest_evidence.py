"""The document's region from its own evidence, and the roles of the places a clause names."""

import pytest

from ingest.extract import Extractor
from ingest.places import PlaceMatcher, document_region
from ingest.vocabulary import Vocabulary
from regions.gazetteer import gazetteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_of():
    matcher = PlaceMatcher(gazetteer())

    def region(text, header=None, title=""):
        return document_region(title, text, header or {}, matcher)

    return region


def test_it_takes_the_issuing_body_line_of_a_text_that_says_only_our_city(region_of):
    text = (
        "福州市人民政府办公厅\n各县(市)区人民政府,市直各委、办、局:\n"
        "我市进一步做好稳就业工作,对吸纳就业的企业给予补贴。\n2022年3月1日"
    )
    evidence = region_of(text)
    assert evidence.code == "350100"
    assert evidence.reason.startswith("发文机关 福州市人民政府办公厅")


def test_the_signature_at_the_end_is_issuer_evidence_too(region_of):
    text = (
        "各州、市人民政府:\n全省实施就业优先政策,落实创业担保贷款。\n云南省人民政府\n2017年9月1日"
    )
    assert region_of(text).code == "530000"


def test_a_document_number_names_the_province(region_of):
    text = "京政发〔2006〕4号\n各区、县人民政府:\n本市进一步做好就业再就业工作,开发公益性岗位。"
    evidence = region_of(text)
    assert evidence.code == "110000" and "文号" in evidence.reason


def test_a_text_citing_its_own_county_papers_is_that_county(region_of):
    text = (
        "区政府召开常务会议研究我区就业工作。\n"
        "会议审议通过了《2017年度房山区就业工作目标责任书》,全区城镇新增就业1.5万人。"
    )
    assert region_of(text).code == "110111"


def test_a_cited_provincial_document_gives_the_province_when_the_city_is_not_named(region_of):
    text = "为贯彻落实《辽宁省进一步促进高校毕业生就业若干政策措施》精神,我市提出如下措施。"
    assert region_of(text).code == "210000"


def test_a_city_named_inside_the_province_of_the_evidence_is_preferred_at_city_level(region_of):
    text = (
        "各县(市、区)人民政府:\n为贯彻落实《山东省关于就业创业的意见》(鲁政发〔2015〕21号)精神,"
        "进一步做好我市就业工作,济宁市实施创业担保贷款,济宁高校毕业生享受补贴。"
    )
    assert region_of(text).code == "370800"


def test_nothing_to_go_on_is_nationwide_not_a_guess(region_of):
    assert region_of("进一步做好就业工作,落实创业担保贷款政策。").code == "000000"


@pytest.fixture
def place():
    extractor = Extractor(gazetteer(), Vocabulary([], []))

    def placed(clause, context):
        return extractor._place(clause, context, "文件地区", context)

    return placed


def test_a_park_or_chamber_named_after_another_place_is_only_mentioned(place):
    result = place("支持浙江商会在我县投资兴业,吸纳本地劳动力就业。", "530628")
    assert result.codes == ["530628"]
    assert ("330000", "mentioned") in result.others


def test_the_other_side_of_labour_cooperation_is_a_partner(place):
    result = place("在浙江台州设立务工人员服务站,开展劳务协作。", "530627")
    assert result.codes == ["530627"]
    assert ("331000", "partner") in result.others
    assert result.roles == {"530627": "issuer"}


def test_a_place_inside_the_document_region_is_covered(place):
    result = place("在鲁甸县设立就业服务站。", "530600")
    assert result.codes == ["530621"] and result.others == []


def test_another_province_leading_a_cooperation_clause_is_the_partner(place):
    result = place("福建省作为楚雄州劳务输出的重点地区,建立闽滇长期劳务合作关系。", "532300")
    assert result.codes == ["532300"]
    assert ("350000", "partner") in result.others


def test_another_province_leading_a_clause_in_a_national_round_up_is_the_actor(place):
    result = place("福建省建立劳务协作机制,帮助脱贫劳动力外出务工。", "000000")
    assert result.codes == ["350000"] and result.others == []


@pytest.mark.parametrize(
    ("addressees", "province"),
    [
        ("各市人民政府,省政府各厅委、各直属机构:", "210000"),
        ("各地级以上市人民政府,省政府各部门、各直属机构:", "440000"),
    ],
)
def test_a_provincial_addressee_formula_places_a_text_that_says_only_our_province(
    region_of, addressees, province
):
    text = (
        f"{addressees}\n为做好当前就业创业工作,结合我省实际,提出以下意见。\n"
        "对吸纳就业困难人员的企业给予社会保险补贴。"
    )
    evidence = region_of(text)
    assert evidence.code == province
    assert evidence.reason.startswith("主送机关")


def test_an_addressee_line_without_a_provincial_formula_gives_no_province(region_of):
    text = "各市、县人民政府:\n结合我省实际,对吸纳就业困难人员的企业给予社会保险补贴。"
    assert region_of(text).code == "000000"
