"""The browse pages: documents, policy instruments and canonical indicators."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Indicator
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    sichuan = make_document(
        title="四川省就业创业实施意见",
        kind="opinion",
        year=2021,
        period=(2021, 2025),
        issuing_region="510000",
        doc_number="川府发〔2021〕5号",
        issuer="四川省人民政府",
    )
    leshan = make_document(
        title="乐山市就业工作总结", kind="summary", year=2019, issuing_region="511100"
    )
    fujian = make_document(title="福建省就业规划", kind="plan", year=2021, issuing_region="350000")
    make_initiative(document=sichuan, regions=("510000",), instruments=("创业担保贷款",))
    make_initiative(document=sichuan, regions=("511100",), instruments=("创业担保贷款",))
    make_initiative(document=sichuan, regions=("510000",), status="hidden")
    make_initiative(document=fujian, regions=("350000",), instruments=("创业担保贷款", "就业见习"))
    return {"sichuan": sichuan, "leshan": leshan, "fujian": fujian}


def row_of(html, title):
    """The table row that holds ``title``."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return next(row for row in rows if f">{title}</a>" in row)


def test_document_list_shows_each_documents_facts_and_initiative_count(client, corpus):
    html = client.get("/documents/").content.decode()
    assert "共 3 份文件" in html
    row = row_of(html, "四川省就业创业实施意见")
    assert "川府发〔2021〕5号" in row and "四川省人民政府" in row and "2021–2025" in row
    # Two visible initiatives: the hidden one is not counted.
    assert re.search(r'class="num"><a href="/documents/\d+/">2</a>', row)


def test_document_facets_count_each_value_and_link_to_it(client, corpus):
    html = client.get("/documents/").content.decode()
    province = re.search(r'href="\?province=510000"[^>]*>.*?四川省.*?count">(\d+)<', html, re.S)
    assert province and province.group(1) == "2"  # the province's own and Leshan's
    year = re.search(r'href="\?year=2021"[^>]*>.*?count">(\d+)<', html, re.S)
    assert year and year.group(1) == "2"


def test_document_filters_narrow_the_list(client, corpus):
    html = client.get("/documents/?province=510000&year=2021").content.decode()
    assert "共 1 份文件" in html and "四川省就业创业实施意见" in html
    assert "乐山市就业工作总结" not in html and "福建省就业规划" not in html
    # The kind facet counts within the chosen province and year.
    assert re.search(r'href="\?province=510000&amp;year=2021&amp;kind=opinion"', html)
    html = client.get("/documents/?kind=plan").content.decode()
    assert "共 1 份文件" in html and "福建省就业规划" in html


def test_bad_document_filters_are_named_and_ignored(client, corpus):
    response = client.get("/documents/?province=511100&kind=poem&year=20x1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "共 3 份文件" in html
    assert "“511100”不是省级地区代码" in html and "“poem”不是文件类型" in html
    assert "“20x1”不是年份" in html


def test_a_withdrawn_document_is_not_listed(client, corpus):
    from django.utils import timezone

    corpus["fujian"].withdrawn_at = timezone.now()
    corpus["fujian"].save()
    html = client.get("/documents/").content.decode()
    assert "福建省就业规划" not in html and "共 2 份文件" in html


def test_instrument_list_counts_regions_and_initiatives(client, corpus):
    html = client.get("/instruments/").content.decode()
    loan = row_of(html, "创业担保贷款")
    cells = re.findall(r'<td class="num">(.*?)</td>', loan)
    assert cells[0] == "3"  # 四川省, 乐山市, 福建省
    assert ">3</a>" in cells[1] and "?instrument=" in cells[1]
    traineeship = re.findall(r'<td class="num">(.*?)</td>', row_of(html, "就业见习"))
    assert traineeship[0] == "1"
    # Grouped by category: the loan under 贷款, the traineeship under 见习.
    assert html.index('id="category-loan"') < html.index("创业担保贷款")


def test_home_page_links_its_instrument_count_to_the_list(client, corpus):
    html = client.get("/").content.decode()
    assert re.search(r'<a href="/instruments/"><strong>\d+</strong> 种政策工具</a>', html)
    assert 'href="/documents/"' in html and 'href="/indicators/"' in html


def test_indicator_list_names_the_reporting_regions(client, corpus):
    jobs = Indicator.objects.get(code="urban_new_jobs")
    for region in ("511100", "511100", "350000"):
        target = make_target(document=corpus["sichuan"], region=region, indicator="新增就业")
        target.canonical_indicator = jobs
        target.save()
    html = client.get("/indicators/").content.decode()
    row = re.search(r'<tr id="indicator-urban_new_jobs">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">(\d+)</td>', row)
    assert cells == ["3", "2"]  # three targets, two regions
    assert re.search(r'href="/regions/511100/">乐山市</a> <span class="count">2<', row)
    assert 'href="/indicators/%E6%96%B0%E5%A2%9E%E5%B0%B1%E4%B8%9A/"' in row


@pytest.mark.parametrize("url", ["/documents/", "/instruments/", "/indicators/"])
def test_browse_pages_take_a_fixed_number_of_queries(client, corpus, url):
    client.get(url)  # loads what every page caches (the gazetteer)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        document = make_document(title=f"更多文件{n}", year=2018, issuing_region="350000")
        make_initiative(document=document, regions=("350100",), instruments=("就业见习",))
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


@pytest.mark.parametrize("url", ["/documents/", "/instruments/", "/indicators/"])
def test_browse_pages_in_english(client, corpus, url):
    html = client.get("/en" + url).content.decode()
    assert "Documents" in html and "Policy instruments" in html and "Indicators" in html
