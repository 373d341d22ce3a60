"""The targets page, its CSV and API take the search page's filters: q, theme and instrument
through the target's initiative, places named in q on the target's own region."""

import csv
import io
import re
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
    return {int(pk) for pk in re.findall(r'href="/targets/(\d+)/"', body)}


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


# Readability -------------------------------------------------------------------------------


def test_figures_are_readable_with_the_exact_value_and_their_sentence(client):
    document = make_document(
        text="一、总体目标\n到2025年，全市城镇新增就业20万人以上，创业担保贷款发放3.98亿元。",
        kind="plan",
    )
    make_target(
        document=document,
        value=200000,
        comparator=">",
        text="城镇新增就业20万人以上",
        region="511100",
    )
    loan = make_target(
        document=document,
        indicator="创业担保贷款发放",
        value=398000000,
        unit="元",
        text="创业担保贷款发放3.98亿元",
        region="511100",
    )
    rate = make_target(
        indicator="城镇调查失业率", value="3.5", unit="%", comparator="<", text="失业率3.5%"
    )
    page = client.get("/targets/").content.decode()
    assert '<data value="200000" title="&gt; 200,000 人">&gt; 20万人</data>' in page
    assert '<data value="398000000" title="398,000,000 元">3.98亿元</data>' in page
    assert '<data value="3.5" title="&lt; 3.5 %">&lt; 3.5%</data>' in page
    assert '<q class="figure-source">创业担保贷款发放3.98亿元</q>' in page
    place = f"/documents/{document.pk}/?at={loan.start}#s-{loan.start}"
    assert f'href="{place}"' in page
    # The CSV keeps the exact figure.
    body = b"".join(client.get("/targets/export.csv").streaming_content).decode("utf-8-sig")
    values = {r["id"]: r["value"] for r in csv.DictReader(io.StringIO(body))}
    assert values[str(loan.pk)] == "398000000"
    assert values[str(rate.pk)] == "3.5"
    # The document page anchors the sentence where the link lands.
    doc_page = client.get(place.split("#")[0]).content.decode()
    assert (
        f'<span id="s-{loan.start}" tabindex="-1" class="span-mark">创业担保贷款发放3.98亿元</span>'
        in doc_page
    )


def test_every_filter_is_offered_on_the_page(client, corpus):
    page = client.get("/targets/").content.decode()
    for heading in (
        "facet-province",
        "facet-year",
        "facet-indicator",
        "facet-target_kind",
        "facet-kind",
        "facet-theme",
        "facet-instrument",
        "facet-in-force",
    ):
        assert f'id="{heading}"' in page, heading
    assert 'name="q"' in page and 'name="in_force"' in page
    chosen = client.get("/targets/", {"instrument": "创业担保贷款"}).content.decode()
    assert '创业担保贷款 <span aria-hidden="true">×</span>' in chosen


def test_sentence_anchors_survive_overlaps_and_initiative_marks():
    from initiatives.views import with_spans

    text = "前言。乐山市新增就业2万人，发放贷款3亿元。结语。"
    segments = [
        {"text": text[:3], "initiative": None, "anchors": []},
        {"text": text[3:23], "initiative": object(), "anchors": []},
        {"text": text[23:], "initiative": None, "anchors": []},
    ]
    spans = [(6, 13), (8, 13), (14, 21), (21, 26)]  # the second overlaps the first
    parts = [p for s in with_spans(segments, 0, spans) for p in s["parts"]]
    assert "".join(p["text"] for p in parts) == text  # nothing lost or repeated
    marked = {p["id"]: p["text"] for p in parts if p["id"]}
    assert (
        marked
        == {
            "s-6": text[6:13],
            "s-8": "",  # anchored where the earlier mark is
            "s-14": text[14:21],
            "s-21": text[21:23],  # marked up to the end of its initiative's mark
        }
    )
