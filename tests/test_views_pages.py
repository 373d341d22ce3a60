"""Initiative, document, region, instrument, targets and home pages; the English switch."""

import datetime
import re

import pytest

from initiatives.models import PolicyInstrument
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db

TEXT = (
    "一、总体情况\n2019年，全市就业形势稳定。"
    "乐山市推出创业担保贷款，帮助返乡农民工创业。"
    "城镇新增就业20000人。"
)
SENTENCE = "乐山市推出创业担保贷款，帮助返乡农民工创业。"


def get(client, url, language="zh-hans"):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    return response.status_code, response.content.decode()


@pytest.fixture
def loan():
    document = make_document(text=TEXT, title="乐山市2019年就业工作总结", year=2019)
    initiative = make_initiative(
        document=document,
        text=SENTENCE,
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    make_target(
        document=document, initiative=initiative, region="511100", text="城镇新增就业20000人"
    )
    return initiative


def test_initiative_page_shows_breadcrumb_facts_and_source(client, loan):
    status, html = get(client, loan.get_absolute_url())
    assert status == 200
    # 省 › 市 breadcrumb, each a link.
    assert '<a href="/regions/510000/">四川省</a>' in html
    assert '<a href="/regions/511100/">乐山市</a>' in html
    assert "2019" in html
    assert "创业" in html and "/instruments/business-startup-guarantee-loan/" in html
    assert "城镇新增就业" in html and "20000" in html
    # The sentence highlighted inside its passage, and the anchored link to the document.
    assert f"<mark>{SENTENCE}</mark>" in html
    assert "全市就业形势稳定" in html
    assert f'href="/documents/{loan.document_id}/?at={loan.start}#i{loan.pk}"' in html
    assert "未审核 / not yet reviewed" in html


def test_reviewed_initiatives_carry_no_unreviewed_mark(client, loan):
    loan.status = "reviewed"
    loan.save()
    assert "not yet reviewed" not in get(client, loan.get_absolute_url())[1]


def test_hidden_initiatives_are_gone_everywhere_public(client, loan):
    loan.status = "hidden"
    loan.save()
    # Its permalink says it was taken down (410), the lists no longer show it.
    assert get(client, loan.get_absolute_url())[0] == 410
    assert SENTENCE not in get(client, "/initiatives/?q=创业担保贷款")[1]
    assert f'id="i{loan.pk}"' not in get(client, loan.document.get_absolute_url())[1]
    assert loan.get_absolute_url() not in get(client, "/regions/511100/")[1]
    assert (
        loan.get_absolute_url()
        not in get(client, "/instruments/business-startup-guarantee-loan/")[1]
    )


def test_unknown_ids_are_404(client):
    assert get(client, "/initiatives/999999/")[0] == 404
    assert get(client, "/documents/999999/")[0] == 404
    assert get(client, "/regions/999999/")[0] == 404
    assert get(client, "/regions/abc/")[0] == 404
    assert get(client, "/instruments/no-such-instrument/")[0] == 404


def test_related_initiatives_come_from_other_documents(client, loan):
    other = make_initiative(
        text="巨鹿县扩大创业担保贷款规模。", regions=("130533",), instruments=("创业担保贷款",)
    )
    make_initiative(text="无关的举措。", regions=("130533",))
    html = get(client, loan.get_absolute_url())[1]
    assert other.get_absolute_url() in html
    assert "无关的举措" not in html


def test_document_page_marks_and_anchors_every_initiative(client, loan):
    second = make_initiative(document=loan.document, text="城镇新增就业20000人。")
    status, html = get(client, loan.document.get_absolute_url())
    assert status == 200
    assert f'<mark id="i{loan.pk}"' in html
    assert f'<mark id="i{second.pk}"' in html
    assert "全市就业形势稳定" in html  # the unmarked text is there too
    # The internal file name is not something a reader can use.
    assert loan.document.file_name not in html


def test_region_page_counts_children_and_includes_everything_below(client, loan):
    make_initiative(text="成都市实施高校毕业生就业促进计划。", regions=("510100",))
    status, html = get(client, "/regions/510000/")
    assert status == 200
    assert re.search(r'href="/regions/511100/">乐山市 <span class="count">1</span>', html)
    assert re.search(r'href="/regions/510100/">成都市 <span class="count">1</span>', html)
    assert loan.get_absolute_url() in html  # 乐山 is inside 四川
    assert "城镇新增就业" in html  # its target too
    html = get(client, "/regions/130000/")[1]
    assert loan.get_absolute_url() not in html


def test_instrument_page_sets_regions_side_by_side(client, loan):
    make_initiative(
        text="巨鹿县扩大创业担保贷款规模。",
        regions=("130533",),
        instruments=("创业担保贷款",),
        year=2017,
    )
    instrument = PolicyInstrument.objects.get(name="创业担保贷款")
    status, html = get(client, instrument.get_absolute_url())
    assert status == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S)
    assert len(rows) == 2
    assert "巨鹿县" in rows[0] and "2017" in rows[0]
    assert "乐山市" in rows[1] and "2019" in rows[1] and 'title="20,000 人">2万人<' in rows[1]


def test_home_shows_counts_themes_provinces_and_latest_documents(client, loan):
    status, html = get(client, "/")
    assert status == 200
    assert 'role="search"' in html
    assert "创业" in html
    assert html.count("/initiatives/?province=") == 34
    assert loan.document.title in html


def test_targets_page_filters(client, loan):
    make_target(region="130533", kind="achieved", text="完成目标任务的127%", indicator="目标完成率")
    html = get(client, "/targets/?province=510000")[1]
    assert "城镇新增就业" in html and "目标完成率" not in html
    status, html = get(client, "/targets/?target_kind=bogus&year=x")
    assert status == 200 and "bogus" in html


def test_english_switch(client, loan):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/initiatives/?q=创业"}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Search" in html
    assert "检索举措" not in html


def test_pages_load_nothing_from_other_sites(client, loan):
    for url in ("/", "/initiatives/?q=创业", loan.get_absolute_url(), "/regions/510000/"):
        html = get(client, url)[1]
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        # The one script (static/js/disclosures.js) is a file of the site's own, not inline.
        scripts = re.findall(r"<script[^>]*>", html)
        assert len(scripts) == 1 and re.match(
            r'<script src="/static/js/disclosures\S*" defer>', scripts[0]
        )
        assert "style=" not in html


def test_document_page_shows_its_metadata_with_the_precision_of_its_dates(client):
    document = make_document(
        title="福州市人民政府办公厅关于进一步做好稳就业工作的通知",
        year=2018,
        period=(2018, 2020),
        issuer="福州市人民政府办公厅",
        doc_number="榕政办〔2018〕181号",
        issued_on=datetime.date(2018, 7, 1),
        issued_precision="month",
        published_on=datetime.date(2018, 7, 12),
        published_precision="day",
        permanence="试行",
        source_url="https://www.fuzhou.gov.cn/zfxxgkzl/181.htm",
    )
    status, html = get(client, document.get_absolute_url())
    assert status == 200
    assert "榕政办〔2018〕181号" in html and "福州市人民政府办公厅" in html
    assert "2018年7月</time>" in html and "2018年7月1日" not in html  # a month stays a month
    assert '<time datetime="2018-07">' in html
    assert "2018年7月12日" in html and "2018–2020" in html and "试行" in html
    assert 'href="https://www.fuzhou.gov.cn/zfxxgkzl/181.htm"' in html
    assert document.file_name not in html
