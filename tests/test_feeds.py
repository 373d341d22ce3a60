"""Following a search: /initiatives/feed/ is an Atom feed of what the search finds."""

import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import urlencode

import pytest

from initiatives.models import Initiative, Status
from tests.factories import make_initiative

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
