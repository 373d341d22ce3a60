""" "Cite this" on the initiative, target and /data/ pages: plain text and BibTeX naming the
source document, its issuer and date, the permalink on SITE_URL, the key and today's date."""

import html
import re

import pytest
from django.utils import timezone

from initiatives.models import Release
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://kb.example.org"
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def document():
    import datetime

    return make_document(
        title="乐山市人民政府关于进一步做好稳就业工作的实施意见",
        text="乐山市推出创业担保贷款，城镇新增就业2万人。",
        issuer="乐山市人民政府",
        issued_on=datetime.date(2022, 4, 18),
        issued_precision="day",
        doc_number="乐府发〔2022〕5号",
        kind="opinion",
        year=2022,
        issuing_region="511100",
    )


def blocks(page):
    """The plain-text and BibTeX blocks of a page, unescaped."""
    text = re.search(r'<pre class="cite-text"[^>]*>(.*?)</pre>', page, re.S)
    bibtex = re.search(r'<pre class="cite-bibtex"[^>]*>(.*?)</pre>', page, re.S)
    assert text and bibtex, "no cite block"
    return html.unescape(text.group(1)), html.unescape(bibtex.group(1))


def test_initiative_page_cites_its_source_and_permalink(client, site, document):
    initiative = make_initiative(
        document=document, text="乐山市推出创业担保贷款", regions=("511100",), year=2022
    )
    page = client.get(f"/initiatives/{initiative.pk}/", HTTP_HOST="other.example").content
    text, bibtex = blocks(page.decode())
    today = timezone.localdate().isoformat()
    url = f"https://kb.example.org/initiatives/{initiative.pk}/"
    assert text.startswith(
        "乐山市人民政府：《乐山市人民政府关于进一步做好稳就业工作的实施意见》"
        "（2022年4月18日，乐府发〔2022〕5号）。"
    )
    assert url in text and f"键 {initiative.key}" in text and today in text
    assert f"@misc{{initiative_{initiative.key}," in bibtex
    assert "  author = {乐山市人民政府}," in bibtex
    assert "  date = {2022-04-18}," in bibtex
    assert f"  url = {{{url}}}," in bibtex
    assert f"  urldate = {{{today}}}," in bibtex


def test_target_page_cites_the_figure(client, site, document):
    target = make_target(document=document, text="城镇新增就业2万人", region="511100")
    text, bibtex = blocks(client.get(f"/targets/{target.pk}/").content.decode())
    assert "城镇新增就业 20,000 人" in text
    assert f"https://kb.example.org/targets/{target.pk}/" in text
    assert f"键 {target.key}" in text
    assert "  title = {城镇新增就业 20,000 人}," in bibtex


def test_data_page_cites_the_dataset_with_its_version(client, site, document):
    make_initiative(document=document, text="乐山市推出创业担保贷款", regions=("511100",))
    text, bibtex = blocks(client.get("/data/").content.decode())
    today = timezone.localdate().isoformat()
    assert (
        "地方就业举措知识库 (Local employment initiatives knowledge base). kb.example.org" in text
    )
    assert "https://kb.example.org/data/" in text and f"(accessed {today})" in text
    assert "  publisher = {kb.example.org}," in bibtex
    # Before any download only the date part of the version is known; after one, all of it.
    assert re.search(r"version \d{4}\.\d+\.\d+ \(data as of", text)
    response = client.get("/data/knowledge-base.zip")
    b"".join(response.streaming_content)
    version = Release.objects.get().version
    text, bibtex = blocks(client.get("/data/").content.decode())
    assert f"version {version} " in text
    assert f"  version = {{{version}}}," in bibtex


def test_bibtex_escapes_what_latex_would_read(client, site):
    document = make_document(title="100% 就业 & 创业_计划", text="开展培训。")
    initiative = make_initiative(document=document, text="开展培训。", title="培训 {第1期}")
    _, bibtex = blocks(client.get(f"/initiatives/{initiative.pk}/").content.decode())
    assert r"  title = {培训 \{第1期\}}," in bibtex
    assert r"100\% 就业 \& 创业\_计划" in bibtex


def test_english_pages_cite_in_english(client, site, document):
    initiative = make_initiative(document=document, text="乐山市推出创业担保贷款", year=2022)
    page = client.get(f"/en/initiatives/{initiative.pk}/")
    text, _ = blocks(page.content.decode())
    assert "In: Local employment initiatives knowledge base (kb.example.org)" in text
    assert f"key {initiative.key} (accessed " in text
