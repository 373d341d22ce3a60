"""Region pages with the search page's filters, and the compare link of the province facet."""

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from tests.factories import make_document, make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    opinion = make_document(
        text="乐山市开展职业技能培训。成都市发放创业担保贷款。", kind="opinion", year=2021
    )
    summary = make_document(text="乐山市组织就业见习。", kind="summary", year=2019)
    make_initiative(
        document=opinion,
        text="乐山市开展职业技能培训。",
        title="乐山技能培训",
        regions=("511100",),
        themes=("skills",),
        year=2021,
    )
    make_initiative(
        document=opinion,
        text="成都市发放创业担保贷款。",
        title="成都创业贷款",
        regions=("510100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2021,
    )
    make_initiative(
        document=summary,
        text="乐山市组织就业见习。",
        title="乐山就业见习",
        regions=("511100",),
        themes=("graduates",),
        year=2019,
    )
    make_initiative(regions=("350000",), themes=("skills",), title="福建技能培训", year=2021)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def titles(html):
    """The result titles in the order shown."""
    results = html.split('class="results"', 1)[1]
    return re.findall(r'<h3><a href="(?:/en)?/initiatives/\d+/">([^<]+)</a>', results)


def facet_link(html, facet, label):
    """The link of one facet value: (its href, its count)."""
    section = html.split(f'id="facet-{facet}"', 1)[1].split("</section>", 1)[0]
    found = re.search(
        r'<a href="([^"]*)"[^>]*>\s*<span class="box"[^>]*>[^<]*</span>\s*'
        rf'<span class="label">{re.escape(label)}</span>\s*<span class="count">(\d+)</span>',
        section,
        re.S,
    )
    assert found, f"{label} not in the {facet} facet"
    return unescape(found.group(1)), int(found.group(2))


def test_filters_narrow_the_region_page_as_the_search_page(client, corpus):
    everything = titles(page(client, "/regions/510000/"))
    assert sorted(everything) == ["乐山就业见习", "乐山技能培训", "成都创业贷款"]
    for query in ("theme=skills", "year=2019", "kind=opinion", "q=贷款", "instrument=创业担保贷款"):
        on_region = titles(page(client, f"/regions/510000/?{query}"))
        on_search = titles(page(client, f"/initiatives/?region=510000&{query}"))
        assert on_region and sorted(on_region) == sorted(on_search), query
        assert len(on_region) < len(everything), query
    assert titles(page(client, "/regions/510000/?theme=skills")) == ["乐山技能培训"]
    # 福建's skills row never shows on 四川's page.
    assert "福建技能培训" not in page(client, "/regions/510000/?theme=skills")


def test_facets_count_and_link_to_the_region_page_itself(client, corpus):
    html = page(client, "/regions/510000/")
    href, count = facet_link(html, "theme", "职业技能培训")
    assert count == 1
    # The link is a querystring of this page: no place in it (the page fixes the place).
    assert href.startswith("?") and parse_qs(href[1:]) == {"theme": ["skills"]}
    assert facet_link(html, "year", "2021")[1] == 2
    assert facet_link(html, "kind", "工作总结")[1] == 1
    # Counts apply the other filters: under theme=skills, 2021 counts 1 row.
    narrowed = page(client, "/regions/510000/?theme=skills")
    assert facet_link(narrowed, "year", "2021")[1] == 1
    # The chip removes the theme and stays on the page.
    chip = re.search(r'<a class="chip" href="([^"]*)">', narrowed).group(1)
    assert unescape(chip) == "?"
    # The phone's disclosure holds the filters, before the results.
    assert narrowed.index('<details class="filters" data-wide-open>') < narrowed.index(
        'id="initiatives-heading"'
    )


def test_subregion_counts_follow_the_filters_and_keep_them(client, corpus):
    html = page(client, "/regions/510000/?theme=skills")
    tiles = html.split('class="tiles"', 1)[1].split("</ul>", 1)[0]
    assert re.search(r'href="/regions/511100/\?theme=skills">乐山市 <span class="count">1<', tiles)
    assert re.search(r'href="/regions/510100/\?theme=skills">成都市 <span class="count">0<', tiles)
    plain = page(client, "/regions/510000/")
    assert re.search(r'href="/regions/511100/">乐山市 <span class="count">2<', plain)


def test_search_box_is_scoped_to_the_region(client, corpus):
    html = page(client, "/regions/511100/?q=见习")
    assert titles(html) == ["乐山就业见习"]
    assert 'action="/regions/511100/"' in html
    assert "<mark>见习</mark>" in html  # the snippet marks the query's word


def test_bad_values_give_notices_not_errors(client, corpus):
    html = page(client, "/regions/510000/?theme=nope&year=20x9&kind=zzz&region=350000")
    assert "“nope”" in html and "“20x9”" in html and "“zzz”" in html
    assert "地区条件已忽略" in html
    # The bad values are dropped, the place stays the page's own.
    assert sorted(titles(html)) == ["乐山就业见习", "乐山技能培训", "成都创业贷款"]
    empty = page(client, "/regions/511100/?theme=entrepreneurship")
    assert "没有符合条件的举措" in empty and "去掉主题条件" in empty


def test_english_region_page_with_a_filter(client, corpus):
    html = page(client, "/en/regions/510000/?theme=skills")
    assert titles(html) == ["乐山技能培训"]
    assert "Filters" in html and "Leshan" in html
    # The chosen theme's link takes it off again; the other theme adds itself (OR).
    href, count = facet_link(html, "theme", "Vocational skills training")
    assert count == 1 and parse_qs(href[1:]) == {}
    href, count = facet_link(html, "theme", "Entrepreneurship")
    assert count == 1 and parse_qs(href[1:]) == {"theme": ["skills", "entrepreneurship"]}
    assert "Search within Sichuan Province" in html


def test_region_page_compare_link_keeps_theme_and_year(client, corpus):
    html = page(client, "/regions/511100/?theme=skills&year=2021")
    link = unescape(re.search(r'href="(/compare/\?[^"]*)"', html).group(1))
    assert parse_qs(urlparse(link).query) == {
        "region": ["511100"],
        "theme": ["skills"],
        "year": ["2021"],
    }


def test_province_facet_offers_to_compare_two_provinces(client, corpus):
    one = page(client, "/initiatives/?province=510000")
    assert "比较所选地区" not in one
    html = page(client, "/initiatives/?province=510000&province=350000&theme=skills")
    links = re.findall(r'<a[^>]*href="([^"]*)"[^>]*>比较所选地区</a>', html)
    assert links
    query = parse_qs(urlparse(unescape(links[0])).query)
    assert query == {"region": ["510000", "350000"], "theme": ["skills"]}
    compared = page(client, unescape(links[0]))
    assert "四川省" in compared and "福建省" in compared
    english = page(client, "/en/initiatives/?province=510000&region=350000")
    assert "Compare the selected regions" in english


def test_the_region_feed_follows_the_page_filters(client, corpus):
    html = page(client, "/regions/510000/?theme=skills&theme=nope")
    feed = unescape(re.search(r'<a class="feed" href="([^"]*)"', html).group(1))
    assert feed == "/regions/510000/feed/?theme=skills"  # the dropped value is left out
    assert f'type="application/atom+xml" title="订阅本页举措（Atom）" href="{feed}"' in html
    response = client.get(feed)
    assert response.status_code == 200
    body = response.content.decode()
    assert "乐山技能培训" in body
    assert "成都创业贷款" not in body and "福建技能培训" not in body
    assert "四川省，职业技能培训" in body  # the feed's title names the filter
    assert client.get("/regions/510000/feed/?theme=nope").status_code == 400
    assert client.get("/regions/510000/feed/?region=350000").status_code == 400


def test_the_national_page_filters_every_region(client, corpus):
    html = page(client, "/regions/000000/?theme=skills&page=x&year_min=abc&in_force=2021")
    assert sorted(titles(html)) == ["乐山技能培训", "福建技能培训"]
    tiles = html.split('class="tiles"', 1)[1].split("</ul>", 1)[0]
    # The tiles keep the filters the page applied (not the dropped year_min=abc).
    assert re.search(
        r'href="/regions/510000/\?theme=skills&amp;in_force=2021">四川省 <span class="count">1<',
        tiles,
    )
