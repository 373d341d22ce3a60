"""Per-process caches follow edits made by any process: the gazetteer and the dictionary.

A worker that did not make an edit learns of it from the data version (regions.data_version),
read once per request. In process, "another worker" is an edit that sends no signal here
(raw SQL, a queryset update); under gunicorn it is a real second worker.
"""

import sqlite3

import pytest
from django.db import connection

from initiatives.models import PolicyInstrument
from initiatives.search.segmentation import query_terms, tokenizer
from regions import data_version
from regions.gazetteer import gazetteer
from tests.factories import make_initiative
from tests.test_faults import VENDOR, get, gunicorn, pg_connect, scratch_database  # noqa: F401

pytestmark = pytest.mark.django_db

# The region page's breadcrumb, drawn from the gazetteer (its heading is read from the row).
CRUMB = 'aria-current="page">{}</a>'


def next_request():
    # What the request_started signal does (sending the signal itself would also close the
    # test's database connection, as Django does between real requests).
    data_version.next_request()


def test_a_region_renamed_elsewhere_is_seen_on_the_next_request(django_assert_num_queries):
    next_request()
    assert gazetteer().get("511100").name == "乐山市"
    next_request()
    with django_assert_num_queries(1):  # the data version; the gazetteer stays in memory
        gazetteer()
        gazetteer()
    with connection.cursor() as cursor:  # another process's edit: no signal reaches us
        cursor.execute("UPDATE regions_region SET name = '乐山新市' WHERE code = '511100'")
    assert gazetteer().get("511100").name == "乐山市"  # within the same request: unchanged
    next_request()
    assert gazetteer().get("511100").name == "乐山新市"


def test_an_instrument_added_elsewhere_enters_the_dictionary(client):
    next_request()
    tokenizer()
    word = "稳岗扩岗专项贷"
    assert word not in query_terms(word)
    PolicyInstrument.objects.filter(slug="business-startup-guarantee-loan").update(
        synonyms=["创业贷", word]
    )  # update(): no signal, as in another worker
    next_request()
    assert word in query_terms(word)


def test_the_region_page_shows_the_new_name_after_a_rename_elsewhere(client):
    make_initiative(regions=("511100",))
    assert "乐山市" in client.get("/regions/511100/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE regions_region SET name = '乐山新市' WHERE code = '511100'")
    html = client.get("/regions/511100/").content.decode()
    # The breadcrumb comes from the gazetteer (the heading is read from the row itself).
    assert 'aria-current="page">乐山新市</a>' in html


@pytest.fixture
def _fresh_version():
    data_version.forget()
    yield
    data_version.forget()


def test_every_gunicorn_worker_sees_a_rename(scratch_database, tmp_path, _fresh_version):  # noqa: F811
    url = "/regions/511100/"
    with gunicorn(tmp_path, scratch_database, workers=3) as (base, _, _log):
        before = [get(base + url) for _ in range(12)]  # every worker has loaded the gazetteer
        assert all(status == 200 and CRUMB.format("乐山市") in body for status, _h, body in before)
        rename = "UPDATE regions_region SET name = '乐山新市' WHERE code = '511100'"
        if VENDOR == "postgresql":
            with pg_connect(scratch_database) as conn:
                conn.execute(rename)
        else:
            with sqlite3.connect(scratch_database.removeprefix("sqlite:///")) as conn:
                conn.execute(rename)
        try:
            after = [get(base + url) for _ in range(12)]
            stale = [body for _s, _h, body in after if CRUMB.format("乐山新市") not in body]
            assert stale == [], f"{len(stale)} of 12 requests showed the old name"
        finally:
            undo = rename.replace("'乐山新市'", "'乐山市'")
            if VENDOR == "postgresql":
                with pg_connect(scratch_database) as conn:
                    conn.execute(undo)
            else:
                with sqlite3.connect(scratch_database.removeprefix("sqlite:///")) as conn:
                    conn.execute(undo)
