"""Results first, on a phone (390 × 844) and a desktop (1366 × 768), in Chinese and English.

In a real headless Chromium (same set-up as tests/test_browser.py, skipped with the reason
without it): the first result starts inside the first screen; no page is wider than the
window (wide tables scroll in their own box); on a phone the "筛选" disclosure opens the facets
above the results, with or without JavaScript; the compare page draws its matrix; the feed is
offered; the skip links come first and reach the first result.
"""

import re

import pytest

from initiatives.models import PolicyInstrument
from tests.browser_support import (
    BROWSER_MARKS,
    LANGUAGES,
    chromium_page,
    chromium_pages,
    open_in,
)
from tests.factories import make_document, make_initiative, make_target

pytestmark = BROWSER_MARKS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

# Provinces and one place under each, so the facets, the map and the tables fill up as on
# the real site.
PLACES = [
    ("510000", "511100"),  # 四川 › 乐山
    ("130000", "130529"),  # 河北 › 巨鹿县
    ("230000", "230300"),  # 黑龙江 › 鸡西
    ("440000", "440300"),  # 广东 › 深圳
    ("320000", "320500"),  # 江苏 › 苏州
    ("110000", "110000"),  # 北京
]
THEMES = [
    "entrepreneurship",
    "poverty_alleviation",
    "graduates",
    "skills",
    "unemployment_insurance",
]
# The last instrument of the list: at the bottom of its facet until it is chosen.
RARE = "职业伤害保障"


@pytest.fixture
def corpus():
    """24 initiatives in six provinces over four years, with long texts, many instruments and
    targets in long region paths: enough to fill every list and table."""
    instruments = list(PolicyInstrument.objects.order_by("pk").values_list("name", flat=True))
    documents = {
        place: make_document(
            title=f"{place}关于进一步做好稳就业工作促进高校毕业生等重点群体就业创业的实施意见",
            text="关于进一步做好稳就业工作的实施意见。",
            kind="opinion",
            year=2021,
            issuing_region=place,
            doc_number="乐府办发〔2021〕123号",
            issuer="乐山市人民政府办公室 乐山市人力资源和社会保障局 乐山市财政局",
        )
        for _, place in PLACES
    }
    n = 0
    for year in range(2018, 2022):
        for _, place in PLACES:
            n += 1
            make_initiative(
                document=documents[place],
                text=(
                    f"第{n}项：实施创业担保贷款扶持和职业技能提升行动，对返乡入乡创业的农民工、"
                    "高校毕业生和退役军人给予一次性创业补贴，每人最高补贴10000元，"
                    "并为符合条件的创业者提供最高30万元的创业担保贷款及全额贴息，"
                    "建设一批返乡创业孵化基地和就业见习基地，开发公益性岗位兜底安置就业困难人员。"
                ),
                regions=(place,),
                themes=THEMES[n % 5 : n % 5 + 2],
                instruments=[instruments[n % 30], instruments[(n * 7) % 30], "创业担保贷款"],
                year=year,
                period=(year, year + 4) if n % 3 == 0 else None,
            )
    make_initiative(
        text="鸡西市为参保职工提供职业伤害保障。", regions=("230300",), instruments=[RARE]
    )
    for n, (_, place) in enumerate(PLACES):
        for kind, value in (("target", 398000000 + n), ("achieved", 412345678 + n)):
            make_target(
                document=documents[place],
                indicator="城镇新增就业",
                value=value,
                kind=kind,
                year=2020,
                region=place,
                text=f"城镇新增就业{value}人",
            )


@pytest.fixture
def pages():
    """A phone and a desktop page (``pages["phone"]``, ``pages["desktop"]``)."""
    with chromium_pages({size: {"viewport": box} for size, box in SIZES.items()}) as pages:
        yield pages


def first_screen_problem(page, selector):
    """Why the first ``selector`` is not inside the first screen (None when it is)."""
    top, bottom, height = page.evaluate(
        """(selector) => {
            const first = document.querySelector(selector);
            if (!first) return [null, null, innerHeight];
            const box = first.getBoundingClientRect();
            return [box.top, box.bottom, innerHeight];
        }""",
        selector,
    )
    if top is None:
        return "no result on the page"
    if bottom > height:
        return f"first result at {top:.0f}–{bottom:.0f} px, the screen ends at {height} px"
    return None


def overflow(page):
    """How far the page is wider than the window (0: it is not)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def test_results_come_first_and_no_page_is_wider_than_the_window(live_server, pages, corpus):
    rare = PolicyInstrument.objects.get(name=RARE).slug
    first_result = {
        "/initiatives/": ".result h3 a",
        "/initiatives/?q=创业": ".result h3 a",
        "/initiatives/?q=创业&province=510000&year=2019": ".result h3 a",
        f"/initiatives/?q=创业&province=510000&theme=skills&instrument={rare}": ".empty p",
        "/regions/510000/": ".result h3 a",
        "/documents/": ".documents-table tbody th a",
        "/targets/": ".targets-table tbody td a",
    }
    wide_tables = [
        "/",
        "/regions/511100/",
        "/compare/?region=511100&region=130529&region=230300&region=440300",
        "/indicators/城镇新增就业/",
    ]
    problems = []
    for size in SIZES:
        for language in LANGUAGES:
            for path in [*first_result, *wide_tables]:
                page = pages[size]
                open_in(page, live_server.url, path, language)
                if path in first_result:
                    problem = first_screen_problem(page, first_result[path])
                    if problem:
                        problems.append((size, language, path, problem))
                if overflow(page) > 0:
                    problems.append((size, language, path, f"{overflow(page)} px too wide"))
    assert problems == []


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_on_a_phone_the_filter_disclosure_opens_the_facets_above_the_results(
    live_server, corpus, javascript
):
    with chromium_page(viewport=PHONE, java_script_enabled=javascript) as page:
        for language, label, chosen in (
            ("zh-hans", "筛选", "已选 2 项"),
            ("en", "Filters", "2 selected"),
        ):
            open_in(page, live_server.url, "/initiatives/?q=创业&province=510000", language)
            facet = page.locator("#facet-province")
            assert not facet.is_visible()
            summary = page.locator("details.filters > summary")
            assert summary.inner_text() == f"{label} {chosen}"
            summary.click()
            assert facet.is_visible()
            # The facets open above the results, the chosen province first in its list.
            results = page.locator(".result").first.bounding_box()
            assert facet.bounding_box()["y"] < results["y"]
            first = page.locator(".facet-list").first.locator("li").first
            assert first.is_visible()
            assert first.locator("a").get_attribute("aria-current") == "true"
            assert re.search("四川|Sichuan", first.inner_text())


def test_on_a_desktop_the_facets_sit_beside_the_results_and_the_pictures_are_folded(
    live_server, pages, corpus
):
    page = pages["desktop"]
    open_in(page, live_server.url, "/initiatives/?q=创业", "zh-hans")
    facet = page.locator("#facet-province")
    assert facet.is_visible()
    assert facet.bounding_box()["x"] < page.locator(".result").first.bounding_box()["x"]

    # The map and the chart: one closed line under the count, open on a click.
    summary = page.locator("details.overview > summary")
    assert summary.inner_text() == "分布图 · 北京 4 · 河北 4 · 黑龙江 4"
    assert not page.locator("svg.tile-map").is_visible()
    summary.click()
    assert page.locator("svg.tile-map").is_visible()
    assert page.locator("svg.bar-chart").is_visible()

    # No result: no map of zero tiles.
    open_in(page, live_server.url, "/initiatives/?q=没有这个词语", "zh-hans")
    assert page.locator(".empty").is_visible()
    assert page.locator("svg.tile-map").count() == 0

    # A chosen value far down a long facet comes first, inside the facet's scroll box.
    rare = PolicyInstrument.objects.get(name=RARE).slug
    open_in(page, live_server.url, f"/initiatives/?instrument={rare}", "zh-hans")
    facet_list = page.locator("#facet-instrument ~ .facet-list")
    assert facet_list.locator("li").count() > 10
    first = facet_list.locator("li").first
    assert RARE in first.inner_text()
    assert first.locator("a").get_attribute("aria-current") == "true"
    box, list_box = first.bounding_box(), facet_list.bounding_box()
    assert list_box["y"] <= box["y"] < list_box["y"] + list_box["height"]


def test_the_skip_links_come_first_and_reach_the_first_result(live_server, pages, corpus):
    for page in pages.values():
        open_in(page, live_server.url, "/initiatives/?q=创业", "zh-hans")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到结果"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到筛选"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # two Tabs and an Enter from the top of the page
        first = page.locator(".result h3 a").first
        assert page.evaluate("document.activeElement.href") == first.evaluate("a => a.href")
        assert first.is_visible()

        # The other one opens the filters (closed on a phone) and lands on them.
        page.locator("a.skip-link", has_text="跳到筛选").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.locator("#facet-province").is_visible()
        assert page.evaluate("document.activeElement.closest('.facet') !== null")


def test_the_compare_page_draws_its_matrix_and_the_search_offers_its_feed(
    live_server, pages, corpus
):
    for size, page in pages.items():
        open_in(page, live_server.url, "/compare/?region=511100&region=130529", "zh-hans")
        matrix = page.locator("table.compare-matrix")
        assert matrix.is_visible(), size
        assert matrix.locator("thead th").all_inner_texts()[1:] == ["乐山市", "巨鹿县"]
        loan = matrix.locator("tbody tr", has_text="创业担保贷款")
        assert loan.locator("td").all_inner_texts() == ["4", "4"]
        href = loan.locator("td a").first.get_attribute("href")
        assert "region=511100" in href and "instrument=" in href
        assert page.locator("table.compare-targets").is_visible()

    page = pages["phone"]
    for language, label in (("zh-hans", "订阅"), ("en", "Subscribe")):
        open_in(page, live_server.url, "/initiatives/?q=创业&province=510000", language)
        link = page.locator("a#feed")
        assert link.is_visible() and link.inner_text() == label
        alternate = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
        assert alternate.get_attribute("href") == link.get_attribute("href")
        prefix = "/en" if language == "en" else ""
        assert link.get_attribute("href").startswith(f"{prefix}/initiatives/feed/?")
        response = page.request.get(live_server.url + link.get_attribute("href"))
        assert response.ok and "<entry>" in response.text()
