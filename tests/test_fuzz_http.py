"""Hostile input, property-based: arbitrary query strings against every page, export and API
that reads the shared query parameters — never a server error.

Each endpoint gets ``EXAMPLES`` generated raw query strings: repeated and unknown
parameters, long strings, control characters, SQL and FTS5/tsquery operator syntax
(``"`` ``*`` ``NEAR(`` ``OR`` ``AND`` ``-`` ``^`` …), huge and non-ASCII numbers, and invalid
UTF-8 percent-escapes (``%ff%fe``) written straight into the raw URL. A 500 raises in the
test client (Hypothesis then shrinks it to the smallest failing URL); a 503 would mean a
database error was hidden as an outage, so only 200/400/404 (and 410 for a row taken off
the site) count as answers.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import make_initiative, make_target

EXAMPLES = 60
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)

SHARED = ["q", "province", "region", "theme", "year", "year_min", "year_max", "instrument"]
SHARED += ["kind", "sort", "page"]
ENDPOINTS = {
    "/initiatives/": SHARED,
    "/targets/": [*SHARED, "indicator", "target_kind"],
    "/initiatives/export.csv": SHARED,
    "/targets/export.csv": [*SHARED, "indicator", "target_kind"],
    "/api/initiatives": [*SHARED, "page_size", "facets"],
    "/api/targets": [*SHARED, "indicator", "target_kind", "page_size"],
}
ANSWERS = {200, 400, 404, 410}

HOSTILE = [
    '"',
    '""',
    "*",
    "创业*",
    "NEAR(",
    "NEAR(就业 创业, 2)",
    "OR",
    "AND",
    "NOT",
    "-",
    "-就业",
    "^",
    "^就业",
    "(",
    ")",
    "{search_text}:x",
    "search_text:就业",
    ":",
    "'",
    "';--",
    "' OR '1'='1",
    '"; DROP TABLE initiatives_initiative; --',
    "1 UNION SELECT * FROM auth_user",
    "!",
    "&",
    "|",
    "<->",
    "a:*",
    "\\",
    "%",
    "_",
    "\x00",
    "\x01\x02\x1b[31m",
    "\r\n",
    "\t",
    "\u200b",
    "\ufeff",
    "\u202e",
    "𠀀𪚥",
    "²",
    "١٢",
    "Ⅻ",
    "０",
    "-1",
    "0",
    "1e9",
    "2147483648",
    "9223372036854775808",
    "9" * 40,
    "NaN",
    "inf",
    "<script>alert(1)</script>",
    "510000",
    "000000",
    "全国",
    "graduates",
    "创业担保贷款",
    "創業擔保貸款",
    "就业",
    "relevance",
    "region",
    "achieved",
    "chuang-ye-dan-bao-dai-kuan",
]
BAD_ESCAPES = ["%ff%fe", "%ff", "%", "%z", "%zz", "%00", "%C0%AF", "%ED%A0%80", "%e4%b8", "%%"]
BAD_ESCAPES += ["%F0%9F", "%FE%FF", "%0d%0a", "+", "&", "=", "==", ";"]

texts = st.text(st.characters(codec="utf-8"), max_size=40)
values = st.one_of(
    st.sampled_from(HOSTILE),
    texts,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=6).map(" ".join),
    st.text(st.sampled_from('就业创业贷款 *"()-^ORANDNEAR'), min_size=200, max_size=3000),
)


def encoded(text):
    return quote(text, safe="")


def piece(name_strategy):
    pair = st.tuples(name_strategy, values).map(lambda nv: f"{encoded(nv[0])}={encoded(nv[1])}")
    raw = st.tuples(
        name_strategy, st.lists(st.sampled_from(BAD_ESCAPES + HOSTILE[:12]), max_size=4)
    )
    raw = raw.map(lambda nv: f"{encoded(nv[0])}={''.join(nv[1])}")
    return st.one_of(pair, pair, raw, st.sampled_from(BAD_ESCAPES))


def query_strings(names):
    name = st.one_of(st.sampled_from(names), st.sampled_from(["", "x", "page[]", "q\x00"]))
    return st.lists(piece(name), max_size=12).map("&".join)


@pytest.fixture
def corpus(db):
    make_initiative(
        text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    graduates = make_initiative(
        text="成都市实施高校毕业生就业促进计划，城镇新增就业20000人。",
        regions=("510100",),
        themes=("graduates",),
        year=2020,
    )
    make_target(initiative=graduates, region="510100", year=2020)
    make_target(kind="achieved", region="130533", year=2021)


def fetch(client, path, query):
    # The WSGI environment carries the raw query as latin-1 text: bytes stay bytes.
    raw = query.encode("utf-8").decode("latin-1")
    response = client.get(path, QUERY_STRING=raw)
    if response.streaming:
        b"".join(response.streaming_content)  # errors inside the stream count too
    assert response.status_code in ANSWERS, (path, query, response.status_code)
    return response


def fuzz_test(path):
    @FUZZ
    @given(query=query_strings(ENDPOINTS[path]))
    @example(query="q=%ff%fe&province=%ff&page=%ff%fe")
    @example(query="q=" + encoded('"就业" NEAR( * OR AND - ^'))
    @example(query="page=99999999999999999999999&page_size=99999999999999")
    @example(query="page=-1&page=0&page=1")
    @example(query="&".join(["province=510000"] * 200 + ["year=2019"] * 200))
    @example(query="q=" + "就业" * 2000)
    @example(query="year_min=2100&year_max=1949&year=%00&instrument=%C2%B2")
    @example(query="indicator=%00&q=%00&region=%00")
    def test(client, corpus, query):
        fetch(client, path, query)

    return test


test_search_page_never_fails = fuzz_test("/initiatives/")
test_target_page_never_fails = fuzz_test("/targets/")
test_initiative_csv_never_fails = fuzz_test("/initiatives/export.csv")
test_target_csv_never_fails = fuzz_test("/targets/export.csv")
test_initiative_api_never_fails = fuzz_test("/api/initiatives")
test_target_api_never_fails = fuzz_test("/api/targets")


@FUZZ
@given(
    path=st.one_of(
        st.sampled_from(
            [
                "/initiatives/99999999999999999999999/",
                "/initiatives/9223372036854775808/",
                "/targets/99999999999999999999999/",
                "/documents/99999999999999999999999/",
                "/regions/%ff%fe/",
                "/regions/%00/",
                "/regions/" + "1" * 300 + "/",
                "/instruments/%ff/",
                "/initiatives/%ff%fe/",
                "/%ff%fe",
                "/api/initiatives/%ff",
            ]
        ),
        st.tuples(
            st.sampled_from(
                ["/initiatives/", "/targets/", "/documents/", "/regions/", "/instruments/"]
            ),
            st.one_of(st.integers(min_value=0, max_value=10**25).map(str), texts.map(encoded)),
        ).map(lambda p: f"{p[0]}{p[1]}/"),
    )
)
def test_detail_pages_never_fail(client, corpus, path):
    response = Client().get(path)
    assert response.status_code in ANSWERS, (path, response.status_code)


@pytest.mark.django_db
def test_bad_api_paging_is_a_400_with_a_json_body(client, corpus):
    response = client.get("/api/initiatives", QUERY_STRING="page=%ff%fe")
    assert response.status_code == 400
    assert "page" in response.json()["parameters"]
