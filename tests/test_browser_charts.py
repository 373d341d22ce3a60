"""The pictures in a real headless Chromium: the map and the chart render, and the map works.

Same set-up as tests/test_browser.py: Debian's `chromium` and Playwright for Python, or the
tests are skipped with the reason. Screenshots go to pytest's tmp_path, or to the folder in
CHART_SCREENSHOTS when it is set (to look at them).
"""

import os
import re
from pathlib import Path

import pytest
from django.http import QueryDict

from initiatives.pictures import charts
from initiatives.search.filters import InitiativeFilter
from tests.browser_support import BROWSER_MARKS, chromium_page
from tests.factories import make_initiative

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser_page():
    with chromium_page(viewport={"width": 1280, "height": 1400}) as page:
        yield page


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("CHART_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def data():
    make_initiative(
        text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
        regions=("511100",),
        themes=("entrepreneurship", "skills"),
        year=2019,
    )
    make_initiative(
        text="巨鹿县提供创业担保贷款并开展技能培训。",
        regions=("130533",),
        themes=("skills",),
        year=2017,
    )
    make_initiative(
        text="成都市实施高校毕业生创业计划。", regions=("510100",), themes=("graduates",), year=2020
    )


def assert_drawn(locator, path):
    assert locator.is_visible()
    box = locator.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    locator.screenshot(path=str(path))
    assert path.stat().st_size > 1000


def test_the_map_and_the_chart_render_on_the_search_page(live_server, browser_page, data, shots):
    page = browser_page
    page.goto(f"{live_server.url}/initiatives/?q=创业")
    page.locator("details.overview > summary").click()  # folded under the result count
    tile_map = page.locator("svg.tile-map")
    assert_drawn(tile_map, shots / "search-map.png")
    assert tile_map.locator("rect").count() == 34
    assert tile_map.locator("a").count() == 34

    chart = page.locator("svg.bar-chart")
    assert_drawn(chart, shots / "search-chart.png")
    cells = charts.theme_year_cells(InitiativeFilter(QueryDict("q=创业")).filtered())
    assert chart.locator("rect").count() == len(cells) == 4
    # Every bar is drawn with a height, inside the picture.
    for n in range(chart.locator("rect").count()):
        box = chart.locator("rect").nth(n).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0
    page.screenshot(path=str(shots / "search-page.png"), full_page=True)


def test_a_click_on_a_tile_filters_by_province(live_server, browser_page, data):
    page = browser_page
    page.goto(f"{live_server.url}/initiatives/?q=创业")
    page.locator("details.overview > summary").click()
    tile = page.locator("svg.tile-map a", has_text="四川")
    assert tile.get_attribute("aria-label") == "四川：2 条举措"
    tile.click()
    page.wait_for_url(re.compile(r"q=.*province=510000"))
    assert "共 2 条举措" in page.locator(".result-count").inner_text()
    assert page.locator("svg.tile-map a[aria-current='true']").count() == 1


def test_map_tiles_are_reachable_by_keyboard(live_server, browser_page, data):
    page = browser_page
    page.goto(f"{live_server.url}/")
    page.locator("svg.tile-map a").first.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").endswith("条举措")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/initiatives/\?province=\d{6}"))
