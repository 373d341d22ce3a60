"""Region roles: partners and places only mentioned neither place nor count an initiative."""

import csv
import io

import pytest

from ingest.pipeline import ingest_bytes
from initiatives.models import Initiative, InitiativeRegion
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

LOCAL_NOTICE = (
    "镇雄县人力资源和社会保障局\n"
    "关于做好农村劳动力转移就业工作的通知\n"
    "各乡(镇)人民政府,县直各部门:\n"
    "一、在浙江台州设立镇雄籍务工人员服务站,开展劳务协作,组织有意愿的劳动力外出务工。\n"
    "二、对到省外务工的脱贫劳动力给予一次性交通补贴。\n"
)


def test_ingest_stores_the_partner_apart_and_says_why_the_region_was_chosen():
    outcome = ingest_bytes(LOCAL_NOTICE.encode(), file_name="zhenxiong.txt")
    station = Initiative.objects.get(document=outcome.document, text__contains="服务站")
    links = dict(station.initiativeregion_set.values_list("region_id", "role"))
    assert links == {"530627": "issuer", "331000": "partner"}
    assert station.evidence.startswith("地区依据：发文机关 镇雄县人力资源和社会保障局")


def test_search_facets_and_filters_count_issuers_and_covered_places_only(client):
    initiative = make_initiative(text="在浙江台州设立务工人员服务站。", regions=("530627",))
    InitiativeRegion.objects.create(initiative=initiative, region_id="331000", role="partner")
    by_partner = client.get("/initiatives/", {"province": "330000"})
    by_issuer = client.get("/initiatives/", {"province": "530000"})
    assert by_partner.context["total"] == 0
    assert by_issuer.context["total"] == 1
    by_partner_csv = b"".join(
        client.get("/initiatives/export.csv", {"province": "330000"}).streaming_content
    ).decode("utf-8-sig")
    assert by_partner_csv.count("\n") == 1  # the header row only
    export = b"".join(client.get("/initiatives/export.csv").streaming_content)
    (row,) = csv.DictReader(io.StringIO(export.decode("utf-8-sig")))
    assert row["regions"] == "云南省/昭通市/镇雄县" and row["provinces"] == "云南省"


def test_the_initiative_page_shows_the_evidence_and_the_partner(client):
    initiative = make_initiative(text="在浙江台州设立务工人员服务站。", regions=("530627",))
    InitiativeRegion.objects.create(initiative=initiative, region_id="331000", role="partner")
    Initiative.objects.filter(pk=initiative.pk).update(evidence="地区依据：发文机关 镇雄县人民政府")
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "地区依据：发文机关 镇雄县人民政府" in page
    assert "浙江省/台州市（协作或输出地区）" in page
    assert 'href="/regions/331000/"' not in page
