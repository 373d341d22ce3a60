"""What each public page reads: a document's full text only on the document page itself.

A national compilation can hold millions of characters. A list, table or chart that
fetched every row's document with its text would cost the whole text per row; these tests
capture the SQL of every public page and look for the text column in a SELECT list.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives import views
from tests.factories import make_document, make_initiative, make_target

pytestmark = pytest.mark.django_db

SENTENCE = "乐山市推出创业担保贷款，帮助返乡农民工创业。"
FILLER = "全市上下认真贯彻落实就业优先政策，稳定和扩大就业规模。\n"
# The column as a SELECT list item: bare (not inside SUBSTR(...) or LENGTH(...)).
TEXT_COLUMN = re.compile(r'(?<![\w(])"initiatives_document"\."text"(?!\s*\))')


def selects_document_text(sql):
    """True when ``sql`` reads the document text column as a result column."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return False
    head = re.split(r"\bFROM\b", sql, maxsplit=1)[0]
    return bool(TEXT_COLUMN.search(head))


def test_the_detector_sees_the_column_and_not_a_slice():
    assert selects_document_text(
        'SELECT "initiatives_document"."id", "initiatives_document"."text" FROM x'
    )
    assert not selects_document_text(
        'SELECT SUBSTR("initiatives_document"."text", 1, 500) AS "around" FROM x'
    )
    assert not selects_document_text('SELECT "initiatives_document"."title" FROM x')


@pytest.fixture
def long_document():
    text = (
        "一、总体情况\n"
        + FILLER * 3000
        + SENTENCE
        + "\n"
        + FILLER * 3000
        + "城镇新增就业20000人。\n"
    )
    document = make_document(text=text, title="乐山市就业工作汇编", year=2019)
    initiative = make_initiative(
        document=document,
        text=SENTENCE,
        regions=("511100",),
        themes=("entrepreneurship",),
        instruments=("创业担保贷款",),
        year=2019,
    )
    for n in range(45):  # more than one page of /targets/
        make_target(
            document=document,
            initiative=initiative if n % 2 else None,
            region="511100",
            year=2000 + n % 25,
            kind="target" if n % 3 else "achieved",
            text="城镇新增就业20000人",
        )
    return initiative


def public_pages(initiative):
    document = initiative.document
    return [
        "/",
        "/initiatives/",
        "/initiatives/?q=创业担保贷款",
        "/initiatives/?province=510000&sort=newest",
        f"/initiatives/{initiative.pk}/",
        "/targets/",
        "/targets/?page=2",
        "/regions/511100/",
        "/regions/510000/",
        "/regions/000000/",
        "/instruments/business-startup-guarantee-loan/",
        "/indicators/城镇新增就业/",
        "/initiatives/export.csv",
        "/targets/export.csv",
        "/api/initiatives?facets=1",
        "/api/targets",
        "/data/",
        "/data/knowledge-base.zip",
        "/documents/",
        "/documents/?province=510000&kind=summary&year=2019",
        "/instruments/",
        "/indicators/",
        "/compare/?region=510000&region=511100&theme=entrepreneurship",
        f"/documents/{document.pk}/",
    ]


def test_it_reads_the_document_text_only_on_the_document_page(client, long_document):
    for url in public_pages(long_document):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        reading = [q["sql"] for q in queries if selects_document_text(q["sql"])]
        if re.match(r"/documents/\d+/", url):
            assert len(reading) == 1, url  # the page it is shown on, once
        else:
            assert reading == [], (url, reading[0][:300] if reading else "")


def test_an_initiative_page_shows_its_passage_from_a_long_document(client, long_document):
    html = client.get(long_document.get_absolute_url()).content.decode()
    assert f"<mark>{SENTENCE}</mark>" in html
    # The passage is a few hundred characters around the sentence, cut on both sides.
    passage = html.split('class="passage">', 1)[1].split("</blockquote>", 1)[0]
    assert passage.startswith("…") and passage.endswith("…")
    assert len(passage) < 2 * views.CONTEXT_CHARS + len(SENTENCE) + 100


def test_a_long_document_is_shown_a_section_at_a_time(client, long_document):
    document = long_document.document
    sections = views.document_sections(document.text)
    assert len(sections) > 1
    html = client.get(document.get_absolute_url()).content.decode()
    assert len(html) < views.SECTION_CHARS * 4  # one section, not the whole text
    assert 'aria-current="page"' in html and f"?part={len(sections)}" in html
    assert SENTENCE not in html  # it is in a later section
    # The targets shown are those of the section: all 45 are stated at the very end.
    assert "targets-heading" not in html
    last = client.get(f"{document.get_absolute_url()}?part={len(sections)}").content.decode()
    assert "目标与成效（本段）" in last and last.count("城镇新增就业") >= 1


def test_an_initiatives_link_opens_the_section_that_holds_its_mark(client, long_document):
    document = long_document.document
    detail = client.get(long_document.get_absolute_url()).content.decode()
    link = re.search(r'id="source-link" href="([^"]+)"', detail).group(1)
    assert link == f"/documents/{document.pk}/?at={long_document.start}#i{long_document.pk}"
    html = client.get(link.split("#")[0]).content.decode()
    assert f'<mark id="i{long_document.pk}"' in html and SENTENCE in html


def test_sections_cover_the_text_in_order_at_line_breaks():
    text = ("一二三四五六七八九十\n" * 50) + "长" * 500
    sections = views.document_sections(text, size=100)
    assert sections[0][0] == 0 and sections[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(sections, sections[1:], strict=False))
    lined = [end for _, end in sections if end <= 550]  # where the text has line breaks
    assert len(lined) >= 4 and all(text[end - 1] == "\n" for end in lined)
    # A line with no break in it is still cut, at about twice the size at most.
    assert all(end - start <= 200 for start, end in sections)
    assert "".join(text[a:b] for a, b in sections) == text


@pytest.mark.parametrize("query", ["part=0", "part=999", "part=x", "at=-1", "at=%00", "part=²"])
def test_a_bad_section_is_a_404(client, long_document, query):
    response = client.get(f"/documents/{long_document.document_id}/?{query}")
    assert response.status_code == 404


def test_a_short_document_has_no_sections(client):
    initiative = make_initiative(text=SENTENCE)
    html = client.get(f"/documents/{initiative.document_id}/?at=5").content.decode()
    assert "分段显示" not in html and f'<mark id="i{initiative.pk}"' in html
