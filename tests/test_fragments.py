"""The public pages' repeated fragments (facet lists, region links, tile map, bar chart, result
list): drawn from Jinja2 templates with every value escaped, in either language."""

import re
from types import SimpleNamespace

import pytest
from django.utils import translation

from initiatives.models import PolicyInstrument
from initiatives.pictures import fragments
from initiatives.pictures.charts import Bar, ProvinceMap, Series, ThemeYearChart, Tile
from initiatives.search.facets import FacetValue
from regions.models import Region
from tests.factories import make_document, make_initiative

EVIL = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _chinese_unless_said_otherwise():
    # An earlier page request may have left another language active on this thread.
    with translation.override("zh-hans"):
        yield


def _tile(label, **kwargs):
    values = {"code": "440000", "count": 3, "selected": False, "url": "?province=440000"}
    values.update(kwargs)
    return Tile(label=label, x=0, y=0, shade=1, **values)


def _chart(label):
    return ThemeYearChart(
        series=[Series("skills", label, "series-0")],
        years=[2020],
        bars=[Bar(x=10, y=20, width=8, height=30, css="series-0", title=label)],
        ticks=[(50, 0), (20, 5)],
        year_labels=[(14, 2020)],
        rows=[(2020, [5])],
        plot={"left": 40, "right": 600, "bottom": 50},
    )


def _row(text):
    document = SimpleNamespace(pk=7, title=text)
    initiative = SimpleNamespace(
        pk=9,
        title=text,
        document=document,
        year=2020,
        year_start=None,
        year_end=None,
        period_text="",
        start=120,
        status="extracted",
        get_absolute_url=lambda: "/initiatives/9/",
    )
    return {
        "initiative": initiative,
        "regions": [[("440000", text)]],
        "themes": [SimpleNamespace(name_zh=text, name_en="Skills")],
        "instruments": [SimpleNamespace(slug="loan", name=text, name_en="Start-up loan")],
        "snippet": [(text, True), (text, False)],
    }


DRAWINGS = {
    "facet list": lambda text: fragments.facet_list(
        [FacetValue("x", text, 2, True, f"?q={text}"), FacetValue("y", text, 1, False)]
    ),
    "region links": lambda text: fragments.region_links([[("440000", text), ("440300", text)]]),
    "tile map": lambda text: fragments.province_map(
        ProvinceMap(tiles=[_tile(text, selected=True)], legend=[(1, 1, 3)], width=52, height=52),
        text,
    ),
    "bar chart": lambda text: fragments.theme_year_chart(_chart(text), text),
    "result list": lambda text: fragments.result_list([_row(text)], 1),
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_names_with_markup_are_escaped_in_every_fragment(name):
    html = DRAWINGS[name](EVIL)
    assert "<script>" not in html
    assert ESCAPED in html


def test_facet_list_marks_the_selected_value_and_says_so_in_words():
    html = fragments.facet_list(
        [FacetValue("440000", "广东", 12, True, "?a=1&b=2"), FacetValue("110000", "北京", 3, False)]
    )
    assert '<a href="?a=1&amp;b=2" aria-current="true" class="selected">' in html
    assert '<span class="label">广东</span>' in html and '<span class="count">12</span>' in html
    assert html.count("（已选，点击取消）") == 1  # only on the selected value
    assert html.startswith('<ul class="facet-list">\n') and html.endswith("</ul>\n")


def test_facet_list_pins_the_selected_values_to_the_top():
    html = fragments.facet_list(
        [
            FacetValue("110000", "北京", 3, False),
            FacetValue("440000", "广东", 12, True),
            FacetValue("510000", "四川", 1, False),
            FacetValue("650000", "新疆", 0, True),
        ]
    )
    labels = re.findall(r'<span class="label">(.*?)</span>', html)
    assert labels == ["广东", "新疆", "北京", "四川"]


def test_an_empty_facet_says_none_in_the_page_language():
    assert '<li class="muted">无</li>' in fragments.facet_list([])
    with translation.override("en"):
        assert '<li class="muted">None</li>' in fragments.facet_list([])


def test_region_links_point_to_each_region_page():
    html = fragments.region_links(
        [[("440000", "广东省"), ("440300", "深圳市")], [("110000", "北京")]]
    )
    assert html == (
        '<span class="region-path"><a href="/regions/440000/">广东省</a> › '
        '<a href="/regions/440300/">深圳市</a></span>；'
        '<span class="region-path"><a href="/regions/110000/">北京</a></span>'
    )


def test_tile_map_names_each_tile_with_its_count_in_the_page_language():
    map = ProvinceMap(tiles=[_tile("广东", count=12)], legend=[(1, 12, 12)], width=52, height=52)
    assert "<title>广东：12 条举措</title>" in fragments.province_map(map, "各省")
    with translation.override("en"):
        html = fragments.province_map(map, "Provinces")
    assert "<title>广东: 12 initiatives</title>" in html
    assert 'aria-label="Legend"' in html


def test_bar_chart_without_bars_says_it_cannot_draw():
    empty = ThemeYearChart(series=[], years=[], bars=[], ticks=[], year_labels=[], rows=[])
    html = fragments.theme_year_chart(empty, "主题")
    assert "没有带年份和主题的举措，无法作图。" in html and "<svg" not in html


def test_result_list_uses_the_theme_name_of_the_page_language():
    assert '<span class="tag">Skills</span>' not in fragments.result_list([_row("技能")], 21)
    with translation.override("en"):
        html = fragments.result_list([_row("技能")], 21)
    assert html.startswith('<ol class="result-list" id="results" tabindex="-1" start="21">')
    assert '<span class="tag">Skills</span>' in html
    assert '<a class="tag instrument" href="/en/instruments/loan/">Start-up loan</a>' in html
    # Links stay in the page's language.
    assert '<a href="/en/documents/7/?at=120#i9">技能</a>' in html


@pytest.mark.django_db
def test_pages_escape_region_and_instrument_names(client):
    Region.objects.filter(code="510000").update(name=EVIL, short_name=EVIL)
    instrument = PolicyInstrument.objects.order_by("pk").first()
    PolicyInstrument.objects.filter(pk=instrument.pk).update(name=EVIL)
    document = make_document(title=EVIL)
    make_initiative(document=document, regions=("510000",), instruments=(EVIL,))
    for url in ("/", "/initiatives/", "/initiatives/?q=就业", "/regions/510000/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script>" not in body, url
        assert "&lt;script&gt;" in body, url
