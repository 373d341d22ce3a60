"""Regions side by side: instrument × region counts and targets per indicator and period."""

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Indicator, PolicyInstrument
from tests.factories import make_initiative, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    make_initiative(
        regions=("510000",), instruments=("创业担保贷款",), themes=("entrepreneurship",)
    )
    make_initiative(regions=("511100",), instruments=("创业担保贷款",), year=2019)
    make_initiative(regions=("510000",), instruments=("就业见习",), status="hidden")
    make_initiative(regions=("350000",), instruments=("就业见习",))
    jobs = Indicator.objects.get(code="urban_new_jobs")
    for region, value in (("510000", 800000), ("350000", 600000)):
        target = make_target(region=region, value=value, year=2021, indicator="新增就业")
        target.canonical_indicator = jobs
        target.save()


def matrix_row(html, label):
    table = html.split('class="data compare-matrix"', 1)[1].split("</table>", 1)[0]
    return next(r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if f">{label}</a>" in r)


def test_instrument_by_region_counts_link_to_the_search(client, regions):
    html = client.get("/compare/?region=510000&region=350000").content.decode()
    loan = matrix_row(html, "创业担保贷款")
    cells = re.findall(r'<td class="num">(.*?)</td>', loan)
    # 四川省 counts its own row and 乐山市's (at or below the province); 福建省 none.
    assert re.sub(r"<[^>]+>", "", cells[0]) == "2" and cells[1] == "0"
    link = unescape(re.search(r'href="([^"]+)"', cells[0]).group(1))
    query = parse_qs(urlparse(link).query)
    assert urlparse(link).path == "/initiatives/"
    assert query == {"region": ["510000"], "instrument": ["business-startup-guarantee-loan"]}
    # The search page finds as many as the cell says.
    assert "共 2 条举措" in client.get(link).content.decode()
    # The hidden row is not counted: 就业见习 is 0 for 四川省, 1 for 福建省.
    traineeship = re.findall(r'<td class="num">(.*?)</td>', matrix_row(html, "就业见习"))
    assert traineeship[0] == "0" and re.sub(r"<[^>]+>", "", traineeship[1]) == "1"


def test_theme_and_year_narrow_the_matrix(client, regions):
    html = client.get(
        "/compare/?region=510000&region=350000&theme=entrepreneurship"
    ).content.decode()
    cells = re.findall(r'<td class="num">(.*?)</td>', matrix_row(html, "创业担保贷款"))
    assert re.sub(r"<[^>]+>", "", cells[0]) == "1"
    assert "theme=entrepreneurship" in cells[0]
    html = client.get("/compare/?region=510000&region=350000&year=2019").content.decode()
    cells = re.findall(r'<td class="num">(.*?)</td>', matrix_row(html, "创业担保贷款"))
    assert re.sub(r"<[^>]+>", "", cells[0]) == "1" and "year=2019" in cells[0]


def test_targets_stand_side_by_side_per_indicator_and_period(client, regions):
    html = client.get("/compare/?region=510000&region=350000").content.decode()
    table = html.split('class="data compare-targets"', 1)[1].split("</table>", 1)[0]
    row = re.search(r"<tr><th scope=\"row\">城镇新增就业</th>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[1] == "2021"
    assert "80万人" in cells[2] and "60万人" in cells[3]


def test_one_region_asks_for_another_and_suggests_neighbours(client, regions):
    html = client.get("/compare/?region=510000").content.decode()
    assert "再选一个地区进行比较" in html
    assert 'href="?region=510000&amp;region=350000"' in html  # a province beside 四川省
    assert "compare-matrix" not in html


def test_bad_parameters_are_named_and_ignored(client, regions):
    response = client.get("/compare/?region=510000&region=999999&region=abc&theme=x&year=19x")
    html = response.content.decode()
    assert response.status_code == 200
    for value in ("999999", "abc"):
        assert f"“{value}”不是地区代码" in html
    assert "“x”不是主题" in html and "“19x”不是年份" in html
    many = "&".join(
        f"region={c}"
        for c in ("110000", "120000", "130000", "140000", "150000", "210000", "220000")
    )
    assert "一次最多比较 6 个地区" in client.get(f"/compare/?{many}").content.decode()


def test_region_pages_link_to_the_comparison(client, regions):
    html = client.get("/regions/511100/").content.decode()
    assert 'href="/compare/?region=511100">比较</a>' in html


def test_compare_reads_no_document_text_and_a_fixed_number_of_queries(client, regions):
    url = "/compare/?region=510000&region=350000"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        make_initiative(regions=("510100",), instruments=("创业担保贷款",))
        make_target(region="350100", value=1000 + n)
    client.get(url)  # brings the facet index up to date with the new rows
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)
    assert not any('"initiatives_document"."text"' in q["sql"] for q in more)


def test_compare_in_english(client, regions):
    html = client.get("/en/compare/?region=510000&region=350000").content.decode()
    assert "Compare regions" in html and "Policy instruments × regions" in html
    # Indicators and instruments by their English names.
    name = Indicator.objects.get(code="urban_new_jobs").name_en
    assert f'<th scope="row">{name}</th>' in html
    loan = PolicyInstrument.objects.get(slug="business-startup-guarantee-loan").name_en
    assert f">{loan}</a>" in html
