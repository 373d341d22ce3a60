"""The targets page, its CSV and API take the search page's filters: q, theme and instrument
through the target's initiative, places named in q on the target's own region."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    loan = make_initiative(
        text="乐山市推出创业担保贷款，帮助返乡农民工创业。",
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2021,
    )
    training = make_initiative(
        text="巨鹿县开展职业技能培训，培训农民工。",
        regions=("130529",),
        themes=("skills",),
        year=2020,
    )
    on_loan = make_target(initiative=loan, region="511100", year=2021, value=3000)
    on_training = make_target(initiative=training, region="130529", year=2020, value=500)
    alone = make_target(
        document=make_document(text="全市城镇新增就业1万人", kind="plan"),
        region="511100",
        year=2022,
        value=10000,
    )
    return {"loan": on_loan, "training": on_training, "alone": alone}


def api_ids(client, **params):
    response = client.get("/api/targets", {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}


def csv_ids(client, **params):
    response = client.get("/targets/export.csv", params)
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {int(r["id"]) for r in csv.DictReader(io.StringIO(text))}


def page_ids(client, **params):
    response = client.get("/targets/", params)
    assert response.status_code == 200
    body = response.content.decode()
    return {pk for pk in range(1, 10_000) if f'href="/targets/{pk}/"' in body}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "创业"}, {"loan"}),  # the initiative's text, full-text
        ({"q": "农民工"}, {"loan", "training"}),
        ({"q": "农民工 -贷款"}, {"training"}),
        ({"q": "-贷款"}, {"training", "alone"}),  # no initiative: nothing to exclude
        ({"q": "乐山"}, {"loan", "alone"}),  # a place in q: the target's own region
        ({"q": "乐山 创业"}, {"loan"}),
        ({"theme": "skills"}, {"training"}),
        ({"theme": "entrepreneurship", "year": "2021"}, {"loan"}),
        ({"instrument": "创业担保贷款"}, {"loan"}),
        ({"in_force": "2020"}, {"training"}),
        ({"kind": "plan"}, {"alone"}),
        ({"province": "510000"}, {"loan", "alone"}),
    ],
)
def test_filters_apply_on_page_csv_and_api(client, corpus, params, expected):
    want = {corpus[name].pk for name in expected}
    assert api_ids(client, **params) == want
    assert csv_ids(client, **params) == want
    assert page_ids(client, **params) == want


def test_the_command_takes_the_same_filters(corpus, tmp_path):
    path = tmp_path / "t.csv"
    call_command("export", "targets", "--theme", "skills", "-o", str(path), stderr=StringIO())
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == [corpus["training"].pk]


def test_a_query_with_no_words_is_a_notice_and_an_error(client, corpus, tmp_path):
    page = client.get("/targets/", {"q": "，。"}).content.decode()
    assert "没有可检索的词" in page
    with pytest.raises(CommandError, match="没有可检索的词"):
        call_command("export", "targets", "--q", "，。", "-o", str(tmp_path / "t.csv"))
