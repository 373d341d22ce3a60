"""The pictures: province tile map, theme × year chart, target versus achieved.

Each picture must draw the numbers the database holds: the map's tiles are the province
facet's counts, the chart's bars are initiatives per theme and year under the same filters,
the target bars are the Target rows. And the SVG must have one shape per number.
"""

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.http import QueryDict

from initiatives.models import Initiative, InitiativeRegion, Target, Theme
from initiatives.pictures import charts
from initiatives.search import facets
from initiatives.search.filters import InitiativeFilter
from regions.gazetteer import PROVINCE, gazetteer
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "q=创业担保贷款",
    "theme=skills",
    "theme=entrepreneurship&theme=skills",
    "province=510000",
    "q=创业&year=2019",
    "year_min=2018&kind=summary",
    "region=511100&theme=entrepreneurship",
]


@pytest.fixture
def corpus():
    make_initiative(
        text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
        regions=("511100",),
        themes=("entrepreneurship", "skills"),
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
        themes=("skills", "entrepreneurship"),
        instruments=("创业担保贷款",),
        year=2017,
    )
    make_initiative(
        text="广东省开展创业培训。",
        regions=("440000", "130000"),
        themes=("entrepreneurship",),
        year=2019,
    )
    make_initiative(text="没有年份的创业举措。", regions=("440000",), themes=("skills",), year=None)
    make_initiative(
        text="隐藏的创业举措。", regions=("440000",), themes=("skills",), year=2019, status="hidden"
    )


def get(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    return response.content.decode()


def filter_for(query):
    return InitiativeFilter(QueryDict(query))


def svg(html, css_class):
    """The first <svg> element with ``css_class``."""
    match = re.search(rf'<svg class="{css_class}".*?</svg>', html, re.S)
    assert match, css_class
    return match.group()


# The map --------------------------------------------------------------------------------


def test_it_places_every_province_level_unit_once_on_its_own_square():
    provinces = {p.code for p in gazetteer().by_code.values() if p.level == PROVINCE}
    assert set(charts.PROVINCE_GRID) == provinces
    assert len(charts.PROVINCE_GRID) == 34
    positions = list(charts.PROVINCE_GRID.values())
    assert len(set(positions)) == 34


@pytest.mark.parametrize("query", QUERIES)
def test_map_tiles_count_what_the_province_facet_counts(corpus, query):
    filter_set = filter_for(query)
    facet = facets.province_facet(filter_set)
    tiles = charts.province_map(facet).tiles
    assert len(tiles) == 34
    assert {t.code: t.count for t in tiles} == {f.value: f.count for f in facet}
    assert {t.code: t.url for t in tiles} == {f.value: f.url for f in facet}


def test_map_counts_equal_the_database(corpus):
    tiles = {t.code: t for t in charts.province_map(facets.province_facet(filter_for(""))).tiles}
    visible = Initiative.objects.visible()
    for code, tile in tiles.items():
        expected = (
            InitiativeRegion.objects.filter(initiative__in=visible, province_id=code)
            .values("initiative_id")
            .distinct()
            .count()
        )
        assert tile.count == expected, code
    assert tiles["510000"].count == 2  # 乐山 and 成都
    assert tiles["440000"].count == 2  # the hidden one is not counted
    assert tiles["130000"].count == 2  # 巨鹿 and the 广东+河北 one


def test_search_page_draws_34_tiles_with_the_facet_counts_and_links(client, corpus):
    query = "q=创业担保贷款"
    html = get(client, f"/initiatives/?{query}")
    drawing = svg(html, "tile-map")
    assert drawing.count("<rect") == 34
    tiles = re.findall(
        r'<a class="tile-link[^"]*" href="([^"]+)".*?class="tile-count[^"]*"[^>]*>(\d+)</text>',
        drawing,
        re.S,
    )
    assert len(tiles) == 34
    facet = {f.value: f for f in facets.province_facet(filter_for(query))}
    for href, count in tiles:
        params = parse_qs(urlparse(unescape(href)).query)
        assert params["q"] == ["创业担保贷款"]  # the current search…
        code = params["province"][0]  # …with the province added
        assert int(count) == facet[code].count
    assert sum(int(n) for _, n in tiles) == sum(f.count for f in facet.values())


def test_map_tiles_have_a_name_for_hover_and_screen_readers_and_a_table(client, corpus):
    html = get(client, "/initiatives/")
    drawing = svg(html, "tile-map")
    assert "<title>四川：2 条举措</title>" in drawing
    assert 'aria-label="四川：2 条举措"' in drawing
    table = re.search(r'<details class="chart-table">.*?</details>', html, re.S).group()
    assert re.search(r'<th scope="row">四川</th><td class="num">2</td>', table)
    assert table.count('<th scope="row">') == 34


def test_a_chosen_province_tile_is_marked_and_its_link_removes_it(client, corpus):
    html = get(client, "/initiatives/?province=510000")
    drawing = svg(html, "tile-map")
    chosen = re.search(
        r'<a class="tile-link selected" href="([^"]+)"[^>]*aria-current="true"', drawing
    )
    assert chosen and "province=510000" not in unescape(chosen.group(1))


def test_search_page_folds_the_pictures_and_draws_none_for_no_result(client, corpus):
    html = get(client, "/initiatives/?q=创业担保贷款")
    overview = re.search(r'<details class="overview">\s*<summary>(.*?)</summary>', html, re.S)
    assert overview  # closed: no "open" attribute
    # The summary line names the provinces with the most results.
    assert re.sub(r"<[^>]+>|\s+", "", overview.group(1)) == "分布图·河北1·四川1"
    html = get(client, "/initiatives/?q=没有这个词")
    assert "没有符合条件的举措" in html
    assert "tile-map" not in html and "bar-chart" not in html


def test_home_map_links_every_tile_to_the_search_page(client, corpus):
    html = get(client, "/")
    drawing = svg(html, "tile-map")
    links = re.findall(r'<a class="tile-link" href="([^"]+)"', drawing)
    assert len(links) == 34
    assert "/initiatives/?province=510000" in links


def test_shades_are_quantile_classes_and_zero_is_its_own_class():
    tiles = [charts.Tile(str(n), "", n, False, "", 0, 0) for n in (0, 0, 1, 1, 2, 3, 5, 8, 40, 90)]
    legend = charts.shade_by_quantiles(tiles)
    shades = {t.count: t.shade for t in tiles}
    assert shades[0] == 0
    assert shades[1] == 1 and shades[90] == charts.SHADES
    ordered = [t.shade for t in sorted(tiles, key=lambda t: t.count)]
    assert ordered == sorted(ordered)  # more never gets a lighter shade
    # Quantiles of the seven distinct counts 1 2 | 3 5 | 8 40 | 90.
    assert legend == [(0, 0, 0), (1, 1, 2), (2, 3, 5), (3, 8, 40), (4, 90, 90)]


# Theme × year ---------------------------------------------------------------------------


def expected_cells(filter_set):
    """Counted the slow way: per theme and year, the matching initiatives."""
    matching = filter_set.filtered()
    cells = {}
    for theme in Theme.objects.all():
        for year in matching.exclude(year=None).values_list("year", flat=True).distinct():
            n = matching.filter(themes=theme, year=year).count()
            if n:
                cells[(theme.pk, year)] = n
    return cells


@pytest.mark.parametrize("query", QUERIES)
def test_theme_year_cells_count_initiatives_per_theme_and_year_under_the_filters(corpus, query):
    filter_set = filter_for(query)
    assert charts.theme_year_cells(filter_set.filtered()) == expected_cells(filter_set)


@pytest.mark.parametrize("query", QUERIES)
def test_the_facet_statement_counts_the_chart_cells_too(corpus, query):
    # The search page draws the chart from the facet statement's theme × year cells.
    filter_set = filter_for(query)
    assert facets.theme_year_cells(filter_set) == expected_cells(filter_set)
    if "theme=" not in query:  # no theme filter: the cells come with the facet counts
        assert facets.facet_counts(filter_set).theme_years == expected_cells(filter_set)


def test_theme_year_cells_by_hand(corpus):
    themes = {t.key: t.pk for t in Theme.objects.all()}
    cells = charts.theme_year_cells(filter_for("").filtered())
    assert cells[(themes["entrepreneurship"], 2019)] == 2  # the hidden one is left out
    assert cells[(themes["skills"], 2019)] == 1
    assert cells[(themes["skills"], 2017)] == 1
    assert cells[(themes["graduates"], 2020)] == 1
    assert all(year is not None for _, year in cells)  # no year, no bar


def test_search_page_draws_one_bar_per_non_zero_cell(client, corpus):
    for query in QUERIES:
        filter_set = filter_for(query)
        cells = charts.theme_year_cells(filter_set.filtered())
        html = get(client, f"/initiatives/?{query}")
        if not cells:
            assert 'class="bar-chart"' not in html
            continue
        drawing = svg(html, "bar-chart")
        assert drawing.count("<rect") == len([n for n in cells.values() if n]), query
        titles = re.findall(r"<title>(\d{4}) · ([^：]+)：(\d+)</title>", drawing)
        names = {t.name_zh: t.pk for t in Theme.objects.all()}
        assert {(names[name], int(year)): int(n) for year, name, n in titles} == cells


def test_chart_table_holds_the_same_numbers(client, corpus):
    html = get(client, "/initiatives/?q=创业")
    tables = re.findall(r'<details class="chart-table">.*?</details>', html, re.S)
    chart_table = tables[1]
    assert re.search(r'<th scope="row">2019</th>(<td class="num">\d+</td>)+', chart_table)
    assert "2018" in chart_table  # the quiet year between 2017 and 2019 is on the axis


def test_chart_geometry_puts_bars_inside_the_plot_with_height_by_count():
    themes = list(Theme.objects.all())
    cells = {(themes[0].pk, 2018): 4, (themes[1].pk, 2018): 2, (themes[0].pk, 2021): 1}
    chart = charts.theme_year_chart(cells, themes)
    assert len(chart.bars) == 3
    assert chart.years == [2018, 2019, 2020, 2021]
    assert [s.key for s in chart.series] == [themes[0].key, themes[1].key]
    tallest = max(chart.bars, key=lambda b: b.height)
    for bar in chart.bars:
        assert chart.plot["left"] <= bar.x and bar.x + bar.width <= chart.plot["right"]
        assert round(bar.y + bar.height, 1) == chart.plot["bottom"]
    assert tallest.title.endswith("：4")
    assert chart.rows[0] == (2018, [4, 2])


def test_nice_ticks():
    assert charts.nice_ticks(4) == ([0, 1, 2, 3, 4], 4)
    assert charts.nice_ticks(37) == ([0, 10, 20, 30, 40], 40)
    assert charts.nice_ticks(0) == ([0, 1], 1)


def test_region_page_chart_counts_initiatives_in_the_region(client, corpus):
    html = get(client, "/regions/510000/")
    drawing = svg(html, "bar-chart")
    cells = expected_cells(filter_for("region=510000"))
    assert drawing.count("<rect") == len(cells) == 3  # 2019 × 2 themes, 2020 × 1


# Targets --------------------------------------------------------------------------------


@pytest.fixture
def targets():
    document = make_document(text="城镇新增就业20000人，完成20321人。", year=2017)
    rows = {
        "target": make_target(document=document, value=20000, region="610900", year=2017),
        "achieved": make_target(
            document=document, value=20321, kind="achieved", region="610900", year=2017
        ),
        # Another region, another unit: neither pairs with the above.
        "other_region": make_target(value=5000, kind="achieved", region="511100", year=2017),
        "other_unit": make_target(value=3, unit="万人", kind="achieved", region="610900"),
        # A yearly goal over a period and two years inside it: the latest is reported.
        "period": make_target(
            indicator="创业担保贷款",
            value=500,
            unit="笔",
            region="511100",
            year=None,
            period=(2021, 2025),
            period_type="annual",
        ),
        "in_2022": make_target(
            indicator="创业担保贷款",
            value=200,
            unit="笔",
            kind="achieved",
            region="511100",
            year=2022,
        ),
        "in_2023": make_target(
            indicator="创业担保贷款",
            value=420,
            unit="笔",
            kind="achieved",
            region="511100",
            year=2023,
        ),
        "rate": make_target(
            indicator="城镇登记失业率",
            value=Decimal("4.5"),
            unit="%",
            comparator="≤",
            region="511100",
            year=2020,
        ),
        "rate_done": make_target(
            indicator="城镇登记失业率",
            value=Decimal("3.9"),
            unit="%",
            kind="achieved",
            region="511100",
            year=2020,
        ),
    }
    return rows


def pairs_by_ids(pairs):
    return {
        (p.target.pk if p.target else None, p.achieved.pk if p.achieved else None) for p in pairs
    }


def test_targets_pair_with_achieved_rows_of_the_same_indicator_unit_region_and_year(targets):
    t = targets
    pairs = charts.pair_targets(Target.objects.visible())
    assert pairs_by_ids(pairs) == {
        (t["target"].pk, t["achieved"].pk),
        (None, t["other_region"].pk),
        (None, t["other_unit"].pk),
        (t["period"].pk, t["in_2023"].pk),  # the latest year inside 2021–2025
        (None, t["in_2022"].pk),
        (t["rate"].pk, t["rate_done"].pk),
    }
    # Every row appears exactly once.
    shown = [row.pk for p in pairs for row in p.rows]
    assert sorted(shown) == sorted(Target.objects.values_list("pk", flat=True))


def test_a_pair_knows_its_share_and_whether_the_target_was_met(targets):
    pairs = {
        p.indicator + p.unit: p for p in charts.pair_targets(Target.objects.visible()) if p.target
    }
    jobs = pairs["城镇新增就业人"]
    assert jobs.percent == Decimal("101.6")
    assert jobs.met is True
    assert jobs.target_text == "20,000 人" and jobs.achieved_text == "20,321 人"
    rate = pairs["城镇登记失业率%"]
    assert rate.target_text == "≤ 4.5 %"
    assert rate.met is True  # 3.9 ≤ 4.5: a ceiling kept
    assert pairs["创业担保贷款笔"].met is False


def test_an_achieved_row_pairs_with_one_target_only(targets):
    second = make_target(value=21000, region="610900", year=2017)
    pairs = charts.pair_targets(Target.objects.visible())
    with_achieved = [p for p in pairs if p.achieved == targets["achieved"]]
    assert len(with_achieved) == 1
    assert (second.pk, None) in pairs_by_ids(pairs)


def test_bars_one_per_row_scaled_to_the_larger_figure(targets):
    pairs = charts.draw_pairs(charts.pair_targets(Target.objects.visible()))
    for pair in pairs:
        assert len(pair.bars) == len(pair.rows)
        assert max(bar.width for bar in pair.bars) == charts.BAR_WIDTH
    jobs = next(p for p in pairs if p.target == targets["target"])
    target_bar, done_bar = jobs.bars
    assert (target_bar.css, done_bar.css) == ("bar-target", "bar-done")
    assert target_bar.width == round(20000 / 20321 * charts.BAR_WIDTH, 1)


def count_pair_bars(html):
    return len(re.findall(r'<rect class="bar-(target|done)"', html))


def test_region_page_draws_one_bar_per_target_row_with_numbers(client, targets):
    html = get(client, "/regions/610900/")
    rows = Target.objects.visible().filter(region_id="610900")
    assert count_pair_bars(html) == rows.count() == 3
    assert "20,000 人" in html and "20,321 人" in html and "101.6%" in html
    assert 'href="/indicators/%E5%9F%8E%E9%95%87%E6%96%B0%E5%A2%9E%E5%B0%B1%E4%B8%9A/"' in html


def test_document_page_draws_its_targets(client, targets):
    document = targets["target"].document
    html = get(client, document.get_absolute_url())
    assert count_pair_bars(html) == document.targets.count() == 2
    assert "101.6%" in html


def test_hidden_targets_are_not_drawn(client, targets):
    Target.objects.filter(pk=targets["achieved"].pk).update(status="hidden")
    html = get(client, "/regions/610900/")
    assert count_pair_bars(html) == 2
    assert "20,321" not in html


def test_indicator_page_compares_regions_on_one_indicator(client, targets):
    html = get(client, "/indicators/城镇新增就业/")
    rows = Target.objects.visible().filter(indicator="城镇新增就业")
    assert count_pair_bars(html) == rows.count() == 4
    assert "安康市" in html and "乐山市" in html
    assert "101.6%" in html
    assert "单位：人" in html and "单位：万人" in html  # one scale per unit
    assert "城镇登记失业率" not in html
    # The same filters as the targets page.
    html = get(client, "/indicators/城镇新增就业/?province=510000")
    assert count_pair_bars(html) == 1 and "安康市" not in html
    assert get(client, "/indicators/城镇新增就业/?year=abc&province=zz").count("已忽略") == 2


def test_indicator_page_bars_share_one_scale_per_unit(client, targets):
    make_target(value=40000, region="511100", year=2019)
    html = get(client, "/indicators/城镇新增就业/")
    widths = [
        float(w) for w in re.findall(r'<rect class="bar-\w+" x="0" y="\d+" width="([\d.]+)"', html)
    ]
    assert max(widths) == charts.BAR_WIDTH
    assert str(round(20000 / 40000 * charts.BAR_WIDTH, 1)) in [str(w) for w in widths]


def test_indicator_page_is_404_for_an_unknown_or_hidden_indicator(client, targets):
    assert client.get("/indicators/没有这个指标/").status_code == 404
    Target.objects.filter(indicator="城镇登记失业率").update(status="hidden")
    assert client.get("/indicators/城镇登记失业率/").status_code == 404


def test_indicators_with_a_slash_or_percent_sign_have_pages(client):
    make_target(indicator="就业/创业 完成率100%", unit="%", value=100)
    response = client.get("/targets/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    href = re.search(r'href="(/indicators/[^"]+)"', response.content.decode()).group(1)
    assert get(client, unescape(href)).count("就业/创业 完成率100%") >= 2


def test_target_rows_link_to_their_indicator_page(client, targets):
    html = get(client, "/targets/")
    # Every row's link to its indicator page (the navigation's link to the list aside).
    links = html.count('href="/indicators/') - html.count('href="/indicators/"')
    assert links == Target.objects.visible().count()


def test_format_number():
    assert charts.format_number(Decimal("20000.0000")) == "20,000"
    assert charts.format_number(Decimal("1.5000")) == "1.5"
    assert charts.format_number(Decimal("23400000000")) == "23,400,000,000"


def test_new_pages_have_no_inline_styles_or_scripts(client, corpus, targets):
    urls = ["/", "/initiatives/?q=创业", "/regions/510000/", "/indicators/城镇新增就业/"]
    urls.append(targets["target"].document.get_absolute_url())
    for url in urls:
        html = get(client, url)
        # Scripts only as files of the site's own (the CSP forbids inline ones).
        assert not re.search(r"<script(?![^>]* src=\"/static/)", html), url
        assert "style=" not in html, url


def test_a_look_back_total_never_completes_the_next_plans_goal():
    """十三五期间累计26.2万人 (achieved, 2016–2020) beside the 十四五 goal >20万 (2021–2025)."""
    goal = make_target(
        value=200000,
        comparator=">",
        region="511100",
        year=2025,
        period=(2021, 2025),
        period_type="cumulative",
    )
    look_back = make_target(
        value=262000,
        kind="achieved",
        region="511100",
        year=2020,
        period=(2016, 2020),
        period_type="cumulative",
    )
    one_year = make_target(value=45000, kind="achieved", region="511100", year=2023)
    pairs = charts.pair_targets(Target.objects.visible())
    assert pairs_by_ids(pairs) == {(goal.pk, None), (None, look_back.pk), (None, one_year.pk)}
    assert all(p.percent is None for p in pairs)
    labels = {p.first.pk: (p.target_period or p.achieved_period) for p in pairs}
    assert labels[goal.pk] == "2021–2025 累计" and labels[look_back.pk] == "2016–2020 累计"


def test_a_total_pairs_with_the_total_of_the_same_period():
    goal = make_target(
        value=200000, region="511100", year=2025, period=(2021, 2025), period_type="cumulative"
    )
    done = make_target(
        value=210000,
        kind="achieved",
        region="511100",
        year=2025,
        period=(2021, 2025),
        period_type="cumulative",
    )
    (pair,) = charts.pair_targets(Target.objects.visible())
    assert (pair.target, pair.achieved) == (goal, done) and pair.percent == Decimal("105.0")


def test_values_read_in_wan_and_yi_with_the_exact_figure_on_hover(client):
    make_target(value=398000000, unit="元", kind="achieved", region="511100", year=2020)
    make_target(value=262000, kind="achieved", region="511100", year=2020)
    html = client.get("/regions/511100/").content.decode()
    assert 'title="398,000,000 元">3.98亿元</span>' in html
    assert 'title="262,000 人">26.2万人</span>' in html
