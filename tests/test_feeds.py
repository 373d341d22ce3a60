"""Following a search: /initiatives/feed/ is an Atom feed of what the search finds."""

import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import unquote, urlencode

import pytest

from initiatives.models import Initiative, PolicyInstrument, Status
from tests.factories import make_initiative, make_target

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def corpus():
    made = [
        make_initiative(text="乐山市推出创业担保贷款，帮助返乡农民工创业。", regions=("511100",)),
        make_initiative(text="成都市实施高校毕业生就业促进计划。", regions=("510100",)),
        make_initiative(text="巨鹿县开展创业培训。", regions=("130533",)),
    ]
    return made


def feed(client, **params):
    response = client.get("/initiatives/feed/?" + urlencode(params))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entry_ids(root):
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href")
        ids.append(int(re.search(r"/initiatives/(\d+)/$", link).group(1)))
    return ids


def test_a_search_feed_is_atom_with_one_entry_per_match(client, corpus):
    root = feed(client, q="创业")
    assert root.tag == f"{ATOM}feed"
    assert "创业" in root.find(f"{ATOM}title").text
    entries = root.findall(f"{ATOM}entry")
    assert {e.find(f"{ATOM}title").text for e in entries} == {corpus[0].title, corpus[2].title}
    for entry in entries:
        assert entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}id").text
        assert "创业" in entry.find(f"{ATOM}summary").text


def test_entries_link_to_initiative_pages_newest_first(client, corpus):
    # The most recently added is first, whatever its year.
    newest = make_initiative(text="乐山市新增创业补贴。", regions=("511100",), year=2001)
    ids = entry_ids(feed(client, q="创业"))
    assert ids[0] == newest.pk
    assert sorted(ids) == sorted([newest.pk, corpus[0].pk, corpus[2].pk])
    response = client.get(f"/initiatives/{ids[0]}/")
    assert response.status_code == 200


def test_the_feed_applies_the_search_pages_filters_and_query_syntax(client, corpus):
    assert entry_ids(feed(client, q="创业", province="130000")) == [corpus[2].pk]
    assert entry_ids(feed(client, q="乐山 创业")) == [corpus[0].pk]
    assert entry_ids(feed(client, q="创业 -贷款")) == [corpus[2].pk]


def test_hidden_initiatives_stay_out_of_the_feed(client, corpus):
    Initiative.objects.filter(pk=corpus[0].pk).update(status=Status.HIDDEN)
    assert entry_ids(feed(client, q="创业")) == [corpus[2].pk]


@pytest.mark.parametrize(
    "params",
    [
        {"province": "999999"},
        {"year_min": "abc"},
        {"instrument": "no-such-instrument"},
        {"q": "创业\x00"},
        {"sort": "sideways"},
    ],
)
def test_a_bad_parameter_is_a_clear_400(client, corpus, params):
    response = client.get("/initiatives/feed/?" + urlencode(params))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().strip()


def test_the_search_page_offers_the_feed_of_its_own_search(client, corpus):
    html = client.get("/initiatives/?q=创业&province=510000&page=1").content.decode()
    link = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html)
    visible = re.search(r'<a class="export" id="feed" href="([^"]+)"[^>]*>订阅</a>', html)
    assert link and visible
    href = unescape(visible.group(1))
    assert unescape(link.group(1)) == href
    assert href.startswith("/initiatives/feed/?") and "province=510000" in href
    assert "page=" not in href
    assert client.get(href).status_code == 200


# --- Region, instrument and indicator pages ------------------------------------------------


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_a_region_feed_holds_the_region_and_the_places_below_it_newest_first(client, corpus):
    root = atom(client, "/regions/510000/feed/")
    assert root.find(f"{ATOM}title").text == "地方就业举措：四川省"
    assert entry_ids(root) == [corpus[1].pk, corpus[0].pk]
    assert entry_ids(atom(client, "/regions/511100/feed/")) == [corpus[0].pk]
    assert len(entry_ids(atom(client, "/regions/000000/feed/"))) == 3
    assert client.get("/regions/999999/feed/").status_code == 404


def test_an_instrument_feed_holds_the_initiatives_using_it(client, corpus):
    loan = make_initiative(text="巨鹿县发放创业担保贷款。", regions=("130533",))
    loan.instruments.set(PolicyInstrument.objects.filter(name="创业担保贷款"))
    root = atom(client, "/instruments/business-startup-guarantee-loan/feed/")
    assert "创业担保贷款" in root.find(f"{ATOM}title").text
    assert entry_ids(root) == [loan.pk]
    assert client.get("/instruments/no-such-thing/feed/").status_code == 404


def test_an_indicator_feed_holds_the_initiatives_reporting_it(client, corpus):
    make_target(initiative=corpus[2], indicator="城镇新增就业", text="城镇新增就业20000人")
    make_target(initiative=corpus[1], indicator="创业培训", text="创业培训1000人")
    root = atom(client, "/indicators/城镇新增就业/feed/")
    assert entry_ids(root) == [corpus[2].pk]
    assert client.get("/indicators/没有的指标/feed/").status_code == 404


def test_an_english_feed_has_english_titles_and_english_links(client, corpus):
    root = atom(client, "/en/regions/510000/feed/")
    assert root.find(f"{ATOM}title").text.endswith("Sichuan Province")
    links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
    assert links and all(re.search(r"/en/initiatives/\d+/$", link) for link in links)


@pytest.mark.parametrize(
    ("page_url", "feed_url"),
    [
        ("/regions/511100/", "/regions/511100/feed/"),
        (
            "/instruments/business-startup-guarantee-loan/",
            "/instruments/business-startup-guarantee-loan/feed/",
        ),
        ("/indicators/城镇新增就业/", "/indicators/城镇新增就业/feed/"),
    ],
)
def test_browse_pages_offer_their_feed_in_the_head_and_as_a_link(
    client, corpus, page_url, feed_url
):
    make_target(initiative=corpus[0], indicator="城镇新增就业", text="城镇新增就业20000人")
    html = client.get(page_url).content.decode()
    head = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html)
    visible = re.search(r'<a class="feed" href="([^"]+)"[^>]*>订阅</a>', html)
    assert head and visible
    assert unquote(unescape(head.group(1))) == unquote(unescape(visible.group(1))) == feed_url
    assert client.get(unescape(visible.group(1))).status_code == 200
