import pytest

from ingest.places import PlaceMatcher
from regions.gazetteer import gazetteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def find():
    matcher = PlaceMatcher(gazetteer())

    def codes(text, context=None):
        return [m.code for m in matcher.find(text, context)]

    return codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("四川省出台就业创业促进条例", ["510000"]),
        ("内蒙古自治区出台意见", ["150000"]),
        ("内蒙古打造四众平台", ["150000"]),
        ("成都金牛区打造环交大智慧城", ["510106"]),
        ("重庆江津区组建农村资金互助社", ["500116"]),
        ("甘肃甘谷县开展培训", ["620523"]),
        ("陕西志丹县实施工程", ["610625"]),
        ("柳州市采取自主建设模式", ["450200"]),
        ("台州市开通绿色通道", ["331000"]),
        (
            "云南省、内蒙古通辽市、湖北麻城市、四川九寨县创立创业园区联盟",
            ["530000", "150500", "421181", "513225"],
        ),
    ],
)
def test_it_finds_places_written_the_ways_documents_write_them(find, text, expected):
    assert find(text) == expected


def test_county_short_names_count_only_inside_the_province_in_context(find):
    assert find("平利社区工厂") == []
    assert find("平利社区工厂", context="610900") == ["610926"]


def test_departments_and_citations_are_not_places(find):
    assert find("市人社局、省人社厅联合印发") == []
    assert find("根据《黑龙江省人民政府关于做好就业创业工作的实施意见》精神") == []


def test_generic_official_names_need_their_parent(find):
    assert find("城区就业服务站") == []
