"""English region names from Hanyu Pinyin (regions.english), stored on every Region."""

import re

import pytest

from regions.english import english_name, english_short_name
from regions.gazetteer import gazetteer
from regions.models import Region

PROVINCE, PREFECTURE, COUNTY = 1, 2, 3


@pytest.mark.parametrize(
    ("name", "level", "english"),
    [
        ("四川省", PROVINCE, "Sichuan Province"),
        ("陕西省", PROVINCE, "Shaanxi Province"),
        ("山西省", PROVINCE, "Shanxi Province"),
        ("北京市", PROVINCE, "Beijing Municipality"),
        ("重庆市", PROVINCE, "Chongqing Municipality"),
        ("内蒙古自治区", PROVINCE, "Inner Mongolia Autonomous Region"),
        ("广西壮族自治区", PROVINCE, "Guangxi Zhuang Autonomous Region"),
        ("西藏自治区", PROVINCE, "Tibet (Xizang) Autonomous Region"),
        ("宁夏回族自治区", PROVINCE, "Ningxia Hui Autonomous Region"),
        ("新疆维吾尔自治区", PROVINCE, "Xinjiang Uygur Autonomous Region"),
        ("香港特别行政区", PROVINCE, "Hong Kong SAR"),
        ("澳门特别行政区", PROVINCE, "Macao SAR"),
        ("乐山市", PREFECTURE, "Leshan"),
        ("西安市", PREFECTURE, "Xi'an"),
        ("厦门市", PREFECTURE, "Xiamen"),
        ("六安市", PREFECTURE, "Lu'an"),
        ("蚌埠市", PREFECTURE, "Bengbu"),
        ("长沙市", PREFECTURE, "Changsha"),
        ("吕梁市", PREFECTURE, "Lüliang"),
        ("峨眉山市", COUNTY, "Emeishan City"),
        ("巨鹿县", COUNTY, "Julu County"),
        ("金牛区", COUNTY, "Jinniu District"),
        ("长白朝鲜族自治县", COUNTY, "Changbai Korean Autonomous County"),
        ("凉山彝族自治州", PREFECTURE, "Liangshan Yi Autonomous Prefecture"),
        ("湘西土家族苗族自治州", PREFECTURE, "Xiangxi Tujia Miao Autonomous Prefecture"),
        ("伊犁哈萨克自治州", PREFECTURE, "Yili Kazakh Autonomous Prefecture"),
        ("鄂温克族自治旗", COUNTY, "Ewenki Autonomous Banner"),
        ("东乡族自治县", COUNTY, "Dongxiang Autonomous County"),
        ("锡林郭勒盟", PREFECTURE, "Xilinguole League"),
        ("科尔沁左翼中旗", COUNTY, "Ke'erqinzuoyizhong Banner"),
        ("阿里地区", PREFECTURE, "Ali Prefecture"),
        ("神农架林区", COUNTY, "Shennongjia Forestry District"),
        ("碑林区", COUNTY, "Beilin District"),
        ("浦东新区", COUNTY, "Pudong New Area"),
        ("单县", COUNTY, "Shan County"),
    ],
)
def test_it_writes_the_english_name(name, level, english):
    assert english_name(name, level) == english


def test_tiles_use_the_short_english_name():
    assert english_short_name("Sichuan Province") == "Sichuan"
    assert english_short_name("Guangxi Zhuang Autonomous Region") == "Guangxi"
    assert english_short_name("Tibet (Xizang) Autonomous Region") == "Tibet"
    assert english_short_name("Hong Kong SAR") == "Hong Kong"


ROMAN = re.compile(r"^[A-Z][A-Za-zü' ()-]*$")


@pytest.mark.django_db
def test_every_region_of_the_gazetteer_has_an_english_name():
    names = dict(Region.objects.values_list("code", "name_en"))
    assert len(names) > 3000
    assert [code for code, name in names.items() if not ROMAN.match(name)] == []
    provinces = Region.objects.provinces().values_list("name_en", flat=True)
    assert len(set(provinces)) == len(provinces) == 34
    assert gazetteer().get("511100").name_en == "Leshan"


@pytest.mark.django_db
def test_a_new_region_gets_its_english_name_unless_one_is_given():
    made = Region.objects.create(
        code="511199", name="测试县", short_name="测试", level=COUNTY, parent_id="511100"
    )
    assert made.name_en == "Ceshi County"
    given = Region.objects.create(
        code="511198", name="另县", short_name="另", level=COUNTY, parent_id="511100", name_en="X"
    )
    assert given.name_en == "X"
