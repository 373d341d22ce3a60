"""End to end in a real headless Chromium: search → facet → result → source sentence.

Needs Debian's `chromium` (apt-get install chromium) and Playwright for Python (no
`playwright install`: we drive the system browser). Without them these tests are skipped,
with the reason, never passed.
"""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_support import BROWSER_MARKS, chromium_page
from tests.factories import make_document, make_initiative

pytestmark = BROWSER_MARKS

SENTENCE = "乐山市推出创业担保贷款，帮助返乡农民工创业。"


@pytest.fixture
def browser_page():
    with chromium_page() as page:
        yield page


@pytest.fixture
def data():
    text = f"一、总体情况\n2019年，全市就业形势稳定。{SENTENCE}城镇新增就业20000人。"
    document = make_document(text=text, title="乐山市2019年就业工作总结", year=2019)
    loan = make_initiative(
        document=document,
        text=SENTENCE,
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    make_initiative(
        text="巨鹿县提供创业担保贷款并开展技能培训。",
        regions=("130533",),
        instruments=("创业担保贷款",),
        year=2017,
    )
    make_initiative(text="成都市实施高校毕业生就业促进计划。", regions=("510100",), year=2020)
    return loan


def result_count(page):
    return int(re.search(r"\d+", page.locator(".result-count").inner_text()).group())


def test_search_pick_a_province_open_a_result_and_reach_the_source_sentence(
    live_server, browser_page, data
):
    page = browser_page
    page.goto(f"{live_server.url}/")
    page.get_by_label("关键词").fill("创业担保贷款")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/initiatives/\?q="))
    assert result_count(page) == 2
    assert page.locator(".result mark").count() >= 2

    page.locator(".facet-list a", has_text="四川").first.click()
    page.wait_for_url(re.compile(r"province=510000"))
    assert result_count(page) == 1
    assert page.locator(".chip").count() == 2

    # The CSV link carries the current filters.
    href = page.locator("#csv-export").get_attribute("href")
    assert href.startswith("/initiatives/export.csv?")
    params = parse_qs(urlparse(href).query)
    assert params["q"] == ["创业担保贷款"] and params["province"] == ["510000"]

    page.locator(".result h3 a").first.click()
    page.wait_for_url(re.compile(rf"/initiatives/{data.pk}/$"))
    assert page.locator("h1").inner_text().startswith(data.title)
    assert page.locator(".passage mark").inner_text() == SENTENCE

    page.locator("#source-link").click()
    page.wait_for_url(re.compile(rf"/documents/{data.document_id}/\?at={data.start}#i{data.pk}$"))
    target = page.locator(":target")
    assert target.get_attribute("id") == f"i{data.pk}"
    assert SENTENCE in target.inner_text()
    assert target.is_visible()


def test_switch_to_english_keeps_the_search(live_server, browser_page, data):
    page = browser_page
    page.goto(f"{live_server.url}/initiatives/?q=创业担保贷款&province=510000")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Search initiatives").is_visible()
    assert "/en/initiatives/?" in page.url and "province=510000" in page.url
    assert result_count(page) == 1
    assert page.get_by_role("link", name="Sichuan Province").first.is_visible()
    page.get_by_role("link", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "/en/" not in page.url and "province=510000" in page.url


def test_the_search_page_works_by_keyboard_alone(live_server, browser_page, data):
    page = browser_page
    page.goto(f"{live_server.url}/initiatives/")
    page.keyboard.press("Tab")  # the skip links come first (tests/test_browser_layout.py)
    assert page.evaluate("document.activeElement.textContent").strip() == "跳到结果"
    page.get_by_label("关键词").focus()
    page.keyboard.type("高校毕业生")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert result_count(page) == 1
