"""The search page /initiatives/: what a visitor sees for a querystring."""

import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from initiatives.models import PolicyInstrument, Theme
from initiatives.search import facet_index
from initiatives.search.segmentation import tokenizer
from regions.gazetteer import gazetteer
from tests.factories import make_document, make_initiative
from tests.test_search import text_match_statements

pytestmark = pytest.mark.django_db

URL = "/initiatives/"


@pytest.fixture
def corpus():
    make_initiative(
        text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    make_initiative(
        text="成都市实施高校毕业生就业促进计划。",
        regions=("510100",),
        themes=("graduates",),
        year=2020,
    )
    make_initiative(
        text="巨鹿县提供创业担保贷款并开展技能培训。",
        regions=("130533",),
        themes=("skills",),
        instruments=("创业担保贷款",),
        year=2017,
    )


def page(client, query=""):
    response = client.get(f"{URL}?{query}" if query else URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.content.decode()


def result_count(html):
    return int(re.search(r"共 (\d+) 条举措", html).group(1))


def facet_link(html, label):
    """(count, href, selected) of the facet entry whose label is ``label``."""
    pattern = (
        r'<a href="([^"]+)"( aria-current="true" class="selected")?>\s*'
        r'<span class="box"[^>]*>[^<]*</span>\s*<span class="label">'
        + re.escape(label)
        + r'</span>\s*<span class="count">(\d+)</span>'
    )
    match = re.search(pattern, html)
    assert match, f"no facet entry {label}"
    return int(match.group(3)), unescape(match.group(1)), bool(match.group(2))


def test_it_shows_every_initiative_without_a_query(client, corpus):
    html = page(client)
    assert result_count(html) == 3


def test_it_searches_and_highlights_the_matched_words(client, corpus):
    html = page(client, "q=担保贷款")
    assert result_count(html) == 2
    assert "<mark>担保</mark>" in html or "<mark>担保贷款</mark>" in html
    assert "就业促进计划" not in html


def test_province_facet_lists_all_provinces_with_live_counts(client, corpus):
    html = page(client, "q=创业担保贷款")
    assert facet_link(html, "四川")[0] == 1
    assert facet_link(html, "河北")[0] == 1
    assert facet_link(html, "西藏")[0] == 0
    assert html.count('<span class="label">') >= 34


def test_choosing_a_province_narrows_and_opens_its_cities(client, corpus):
    html = page(client, "q=创业担保贷款")
    _, href, selected = facet_link(html, "四川")
    assert not selected
    html = page(client, href.lstrip("?"))
    assert result_count(html) == 1
    assert facet_link(html, "四川")[2]
    assert facet_link(html, "乐山市")[0] == 1  # the drill-down below 四川
    assert "巨鹿县" not in html


def test_active_filters_are_chips_that_remove_themselves(client, corpus):
    html = page(client, "q=创业担保贷款&province=130000")
    chips = dict(
        (unescape(label), unescape(href))
        for href, label in re.findall(r'<a class="chip" href="([^"]+)"><span>([^<]+)</span>', html)
    )
    assert set(chips) == {"“创业担保贷款”", "河北省"}
    assert result_count(page(client, chips["河北省"].lstrip("?"))) == 2
    assert result_count(page(client, chips["“创业担保贷款”"].lstrip("?"))) == 1


def test_the_csv_link_carries_the_current_filters(client, corpus):
    html = page(client, "q=创业担保贷款&province=510000&page=1")
    href = unescape(re.search(r'id="csv-export" href="([^"]+)"', html).group(1))
    assert href.startswith("/initiatives/export.csv?")
    assert "province=510000" in href
    assert "q=%E5%88%9B%E4%B8%9A" in href
    assert "page=" not in href


def test_an_empty_result_suggests_which_filter_to_drop(client, corpus):
    html = page(client, "q=高校毕业生&province=130000")
    assert result_count(html) == 0
    suggestion = re.search(r'<li><a href="([^"]+)">去掉地区条件</a>', html)
    assert suggestion
    assert result_count(page(client, unescape(suggestion.group(1)).lstrip("?"))) == 1


@pytest.mark.parametrize(
    "query, notice",
    [
        ("province=999999", "999999"),
        ("year=abc", "abc"),
        ("year_min=abc", "abc"),
        ("theme=nonsense", "nonsense"),
        ("instrument=no-such-thing", "no-such-thing"),
        ("q=！？。…", "没有可检索的词"),
        ("sort=sideways", "排序"),
        ("q=" + "就业" * 1000, "查询过长"),
    ],
)
def test_bad_parameters_give_a_normal_page_that_says_what_was_ignored(
    client, corpus, query, notice
):
    html = page(client, query)
    status = re.search(r'<div class="notices" role="status">(.*?)</div>', html, re.S)
    assert status and notice in unescape(status.group(1))


def test_mixed_chinese_and_english_queries_work(client, corpus):
    make_initiative(text="推出“就业APP”，创业担保贷款线上申请。", year=2021)
    assert result_count(page(client, "q=APP 创业担保贷款")) == 1


def test_the_query_is_escaped_in_the_page(client, corpus):
    html = page(client, "q=<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_pages_of_twenty(client):
    document = make_document(text="就业" * 10)
    for n in range(25):
        make_initiative(document=document, text=f"第{n}项就业举措", start=0, year=2000 + n % 5)
    first = page(client, "q=就业")
    assert result_count(first) == 25
    assert first.count('class="result"') == 20
    second = page(client, "q=就业&page=2")
    assert second.count('class="result"') == 5
    assert page(client, "q=就业&page=abc").count('class="result"') == 20
    assert page(client, "q=就业&page=999").count('class="result"') == 5


def test_sort_links_keep_the_filters(client, corpus):
    html = page(client, "q=创业担保贷款&theme=skills")
    hrefs = [unescape(h) for h in re.findall(r'<a href="(\?[^"]*sort=[^"]+)"', html)]
    assert hrefs and all("theme=skills" in h for h in hrefs)


def test_the_search_page_makes_a_fixed_number_of_queries(client, corpus, django_assert_num_queries):
    # Warm the per-process caches (jieba dictionary, gazetteer, facet index) that a running
    # site has; the facet index is rebuilt only when the data changes.
    tokenizer()
    gazetteer()
    facet_index.current()
    # The index's stamp + the data version of the gazetteer and dictionary (read once per
    # request: regions.data_version) + the text matches + 2 vocabularies (themes,
    # instruments) + the page of rows with their documents. Every count, the drill-down below 四川, the theme × year
    # chart and each row's regions, themes and instruments come from the index. PostgreSQL
    # ranks the few results by id after the match (one more query); SQLite ranks while
    # matching.
    text = text_match_statements() + (0 if connection.vendor == "sqlite" else 1)
    with django_assert_num_queries(5 + text):
        page(client, "q=创业担保贷款&province=510000&theme=entrepreneurship&year=2019")
    # The same query text again (another facet chosen): its matches are cached, and so are
    # their ranks on SQLite (PostgreSQL ranks the new results by id).
    with django_assert_num_queries(5 + (0 if connection.vendor == "sqlite" else 1)):
        page(client, "q=创业担保贷款&year_min=2010")
    with django_assert_num_queries(5):  # no query text: no text match
        page(client, "province=510000&sort=region")
    with django_assert_num_queries(5 + text_match_statements()):  # sorted by year: no rank
        page(client, "q=技能培训&sort=newest")


def test_home_links_to_the_search_page(client, corpus):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert 'action="/initiatives/"' in html
    assert "/initiatives/?theme=entrepreneurship" in html
    assert "/initiatives/?province=510000" in html


def test_each_result_shows_its_own_regions_themes_and_instruments(client, corpus):
    # Several of each, to check the order (the vocabularies' own: themes by position,
    # instruments by name; regions by code) and that no row borrows another's links.
    make_initiative(
        text="德阳市和绵阳市开展技能培训，发放培训补贴和创业担保贷款。",
        regions=("510700", "510600"),
        themes=("skills", "entrepreneurship"),
        instruments=("技能提升补贴", "创业担保贷款"),
        year=2021,
    )
    html = page(client, "sort=newest")
    rows = re.findall(r'<li class="result">(.*?)</li>', html, re.S)
    assert len(rows) == 4
    newest = rows[0]
    places = re.findall(r'<span class="region-path">(.*?)</span>', newest)
    assert [re.sub(r"<[^>]+>", "", p) for p in places] == ["四川省 › 德阳市", "四川省 › 绵阳市"]
    themes = re.findall(r'<span class="tag">([^<]+)</span>', newest)
    expected = [t.name_zh for t in Theme.objects.filter(key__in=("skills", "entrepreneurship"))]
    assert themes == expected
    instruments = re.findall(r'<a class="tag instrument" href="([^"]+)">([^<]+)</a>', newest)
    names = ["技能提升补贴", "创业担保贷款"]  # shown in the model's order (by name)
    assert [name for _, name in instruments] == [
        i.name for i in PolicyInstrument.objects.filter(name__in=names)
    ]
    for href, name in instruments:
        assert href == PolicyInstrument.objects.get(name=name).get_absolute_url()
    graduates = next(r for r in rows if "高校毕业生" in r)  # 成都: one region, one theme
    assert re.findall(r'<span class="tag">([^<]+)</span>', graduates) == [
        Theme.objects.get(key="graduates").name_zh
    ]
    assert "tag instrument" not in graduates
