"""Languages by URL: Chinese at the root, English under /en/, a switch that keeps the query."""

import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_document, make_initiative

pytestmark = pytest.mark.django_db

SENTENCE = "乐山市推出创业担保贷款，帮助返乡农民工创业。"


@pytest.fixture
def loan():
    document = make_document(text=SENTENCE, title="乐山市2019年就业工作总结", year=2019)
    return make_initiative(
        document=document,
        text=SENTENCE,
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def switch_link(html):
    found = re.search(r'<p class="lang-switch">\s*<a href="([^"]*)"', html)
    return unescape(found.group(1))


def alternates(html):
    return {
        lang: unescape(href)
        for lang, href in re.findall(
            r'<link rel="alternate" hreflang="([^"]+)" href="([^"]*)"', html
        )
    }


def test_it_serves_english_search_results_with_english_region_and_instrument_names(client, loan):
    html = page(client, "/en/initiatives/?q=创业")
    assert '<html lang="en">' in html and ">Search initiatives</a>" in html
    # The result's breadcrumb, its instrument tag and the province facet, all in English.
    assert '<a href="/en/regions/510000/">Sichuan Province</a>' in html
    assert '<a href="/en/regions/511100/">Leshan</a>' in html
    assert ">Business start-up guarantee loan</a>" in html
    assert "Sichuan" in re.search(r'(?s)<ul class="facet-list">.*?</ul>', html).group()
    assert "四川省" not in html and "创业担保贷款</a>" not in html
    # Links lead on to English pages.
    assert f'href="/en/initiatives/{loan.pk}/"' in html


def test_the_english_search_for_skills_is_english_with_english_region_names(client, loan):
    html = page(client, "/en/initiatives/?q=skills")
    assert '<html lang="en">' in html
    assert ">Sichuan" in html and ">四川<" not in html
    assert "检索举措" not in html


def test_a_place_typed_in_the_box_is_named_in_english(client, loan):
    html = page(client, "/en/initiatives/?q=乐山 创业")
    assert "within Leshan" in html


def test_pages_without_a_prefix_stay_chinese(client, loan):
    html = page(client, "/initiatives/?q=创业")
    assert '<html lang="zh-Hans">' in html
    assert '<a href="/regions/510000/">四川省</a>' in html
    # The syntax help shows English examples to type (skills, Sichuan); nothing else is English.
    shown = re.sub(r'(?s)<details class="search-help">.*?</details>', "", html)
    assert ">创业担保贷款</a>" in shown and "Sichuan" not in shown
    assert f'href="/initiatives/{loan.pk}/"' in html


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("/initiatives/?q=x&province=510000", "/en/initiatives/?q=x&province=510000"),
        ("/", "/en/"),
        ("/regions/511100/", "/en/regions/511100/"),
        ("/targets/?year=2019", "/en/targets/?year=2019"),
        ("/data/", "/en/data/"),
    ],
)
def test_the_language_switch_is_a_link_to_the_same_page_and_query(client, loan, chinese, english):
    html = page(client, chinese)
    assert switch_link(html) == english
    assert alternates(html) == {"zh-Hans": chinese, "en": english}
    html = page(client, english)
    assert switch_link(html) == chinese
    assert alternates(html) == {"zh-Hans": chinese, "en": english}
    assert 'action="/i18n/setlang/"' not in html  # a link, not a form


def test_the_switch_keeps_a_chinese_query_and_a_chinese_indicator_path(client, loan):
    html = page(client, "/initiatives/?q=创业")
    assert switch_link(html) == "/en/initiatives/?q=%E5%88%9B%E4%B8%9A"
    assert page(client, switch_link(html)).count("Business start-up guarantee loan") >= 1


def test_the_old_language_form_still_leads_to_the_english_address(client, loan):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/initiatives/?q=创业"})
    assert response.status_code == 302
    assert unquote(response["Location"]) == "/en/initiatives/?q=创业"


def test_detail_and_region_pages_name_places_and_instruments_in_english(client, loan):
    html = page(client, f"/en/initiatives/{loan.pk}/")
    assert '<a href="/en/regions/511100/">Leshan</a>' in html
    assert ">Business start-up guarantee loan</a>" in html and ">Entrepreneurship</a>" in html
    html = page(client, "/en/regions/511100/")
    assert "<h1>Leshan " in html and ">Sichuan Province</a>" in html
    assert "Emeishan City" in html  # the children of 乐山市
    html = page(client, "/en/instruments/business-startup-guarantee-loan/")
    assert "<h1>Business start-up guarantee loan " in html and ">Leshan</a>" in html


def test_files_and_the_admin_keep_one_address(client, loan):
    with translation.override("en"):
        assert reverse("initiative_list") == "/en/initiatives/"
        assert reverse("initiative_export") == "/initiatives/export.csv"
        assert reverse("api_initiatives") == "/api/initiatives"
    assert client.get("/en/initiatives/export.csv").status_code == 404
    assert client.get("/initiatives/export.csv?q=创业").status_code == 200
    assert client.get("/en/admin/login/").status_code == 404
    assert client.get("/admin/login/").status_code == 200


def test_files_are_the_same_whatever_the_browser_asks_for(client, loan):
    chinese = client.get("/initiatives/export.csv?q=创业")
    english = client.get("/initiatives/export.csv?q=创业", HTTP_ACCEPT_LANGUAGE="en")
    assert b"".join(chinese.streaming_content) == b"".join(english.streaming_content)
    client.cookies["django_language"] = "en"
    api = client.get("/api/initiatives?q=创业").json()
    assert f"/initiatives/{loan.pk}/" in str(api) and "/en/" not in str(api)


def test_a_missing_page_offers_the_home_pages_and_announces_no_alternates(client):
    response = client.get("/en/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert switch_link(html) == "/" and alternates(html) == {}


def test_the_english_targets_page_names_provinces_in_english(client, loan):
    from tests.factories import make_target

    make_target(initiative=loan, region="511100", text="创业担保贷款")
    html = page(client, "/en/targets/")
    facet = re.search(
        r'(?s)<section class="facet" aria-labelledby="facet-province">.*?</section>', html
    )
    assert facet and ">Sichuan<" in facet.group() and "四川" not in facet.group()
    assert "四川" in page(client, "/targets/")
