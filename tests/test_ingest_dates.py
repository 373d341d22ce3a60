"""Dates, periods and document metadata as policy documents write them; what the years of
initiatives and targets mean; the ``in_force`` filter."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from ingest import dates
from ingest.targets import Figure, figure_time
from initiatives.models import Document, Initiative
from initiatives.search.filters import InitiativeFilter, TargetFilter
from tests.factories import make_document, make_initiative, make_target


def read(text, header=None, kind="opinion"):
    title = text.split("\n")[0]
    return dates.extract(text, header or {}, title, kind_hint=kind)


# --- document metadata ------------------------------------------------------------------------


def test_a_signature_block_gives_the_issuer_and_the_date_of_issue():
    found = read(
        "福州市人民政府办公厅关于进一步稳定和扩大就业的通知\n榕政办〔2018〕181号\n"
        "各县(市)区人民政府:\n现将有关事项通知如下。\n一、加大创业担保贷款支持力度。\n"
        "福州市人民政府办公厅\n2018年10月9日"
    )
    assert (found.issued.value, found.issued.precision) == (datetime.date(2018, 10, 9), "day")
    assert found.issuer == "福州市人民政府办公厅"
    assert found.doc_number == "榕政办〔2018〕181号"


def test_a_signature_date_in_chinese_numerals():
    found = read("关于做好就业工作的意见\n一、稳定就业。\n某某县人民政府\n二〇一八年五月二十二日")
    assert found.issued.value == datetime.date(2018, 5, 22)


def test_a_month_under_the_title_stays_a_month():
    found = read("乐山市“十四五”就业促进规划\n2022年4月\n目 录\n第一章 规划背景", kind="plan")
    assert (found.issued.value, found.issued.precision) == (datetime.date(2022, 4, 1), "month")
    assert found.period == (2021, 2025)


def test_a_reprint_keeps_the_page_date_apart_from_the_date_of_issue():
    found = read(
        "关于进一步做好就业创业工作的意见\n一、实施就业优先战略。\n某市人民政府\n2015年6月11日",
        {"发布时间": "2016-03-02 09:30", "来源": "某市人社局"},
    )
    assert found.issued.value == datetime.date(2015, 6, 11)
    assert (found.published.value, found.published.precision) == (datetime.date(2016, 3, 2), "day")
    assert found.issuer == "某市人社局"  # the header names the source


def test_a_news_dateline_without_a_year_takes_it_from_the_page_date():
    found = read(
        "各地多措并举稳就业\n新华社北京3月5日电(记者 王某)今年以来,各地出台稳就业措施。",
        {"发布时间": "2019-03-06"},
        kind="news",
    )
    assert (found.issued.value, found.issued.precision) == (datetime.date(2019, 3, 5), "day")


def test_periods_stated_in_titles_and_openings():
    assert dates.period_of("甘肃省“十四五”就业促进规划") == (2021, 2025)
    assert dates.period_of("稳就业三年行动计划(2022-2024年)") == (2022, 2024)
    assert dates.period_of("今后三年,全市每年新增就业1万人", 2019) == (2019, 2021)
    # 今后三年 without a date to count from is left empty, not guessed.
    assert dates.period_of("今后三年,全市每年新增就业1万人") is None


def test_permanence_and_the_period_a_validity_gives():
    trial = read("某市创业担保贷款管理办法(试行)\n第一条 为规范管理制定本办法。")
    assert trial.permanence == "试行"
    valid = read(
        "关于就业补贴的通知\n一、补贴标准。\n本通知自印发之日起施行,有效期五年。\n"
        "某市人民政府\n2018年6月5日"
    )
    assert valid.permanence == "有效期5年" and valid.period == (2018, 2022)


def test_numbers_cited_in_the_body_are_not_the_documents_own():
    found = read(
        "关于做好就业创业工作的实施意见\n为贯彻《黑龙江省人民政府关于做好就业创业工作的实施意见》"
        "(黑政规〔2017〕27号)精神,提出如下意见。"
    )
    assert found.doc_number == ""


def test_a_source_link_at_the_foot_of_a_reprint():
    found = read(
        "区政府召开常务会议\n会议审议了就业工作。\n来源回链:http://www.bjfsh.gov.cn/a/1.htm"
    )
    assert found.source_url == "http://www.bjfsh.gov.cn/a/1.htm"


@pytest.mark.django_db
def test_ingest_stores_the_metadata_and_the_given_source_url(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(
        "福州市人民政府办公厅关于进一步稳定和扩大就业的通知(试行)\n榕政办〔2018〕181号\n"
        "各县(市)区人民政府:\n一、加大创业担保贷款支持力度,今后三年全市每年新增就业不少于3万人。\n"
        "福州市人民政府办公厅\n2018年10月9日",
        encoding="utf-8",
    )
    call_command("ingest", str(path), "--source-url", "https://www.fuzhou.gov.cn/a/181.htm")
    doc = Document.objects.get()
    assert (doc.doc_number, doc.issuer, doc.permanence) == (
        "榕政办〔2018〕181号",
        "福州市人民政府办公厅",
        "试行",
    )
    assert (doc.issued_on, doc.issued_precision, doc.year) == (
        datetime.date(2018, 10, 9),
        "day",
        2018,
    )
    assert (doc.period_start, doc.period_end) == (2018, 2020)
    assert doc.source_url == "https://www.fuzhou.gov.cn/a/181.htm"


def _ingested_year(tmp_path, text, name="doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("ingest", str(path))
    return Document.objects.get(file_name=name)


@pytest.mark.django_db
def test_an_undated_document_takes_its_year_from_what_it_implements(tmp_path):
    # A city answering its province's document: the year after that document's number.
    city = _ingested_year(
        tmp_path,
        "为贯彻落实《某省人民政府关于做好就业创业工作的实施意见》(冀政发〔2019〕12号)精神,"
        "结合我市实际,提出如下措施。\n一、对符合条件的创业人员发放创业担保贷款,最高30万元。",
        "city.txt",
    )
    assert city.year == 2020
    # A province answering the State Council: the same year; a deadline (到2020年) is later.
    province = _ingested_year(
        tmp_path,
        "为贯彻落实《国务院关于做好就业创业工作的意见》(国发〔2017〕28号)精神,提出如下意见。\n"
        "一、到2020年,城镇新增就业每年50万人以上。\n二、对吸纳就业困难人员的企业给予社会保险补贴。",
        "province.txt",
    )
    assert province.year == 2017


@pytest.mark.django_db
def test_deadlines_and_title_periods_are_not_the_documents_year(tmp_path):
    extended = _ingested_year(
        tmp_path,
        "某市稳定和扩大就业的实施意见\n一、阶段性降低失业保险费率政策实施期限延长至2022年4月30日。\n"
        "二、自2021年1月1日起,对吸纳高校毕业生的小微企业给予一次性吸纳就业补贴。",
        "extended.txt",
    )
    assert extended.year == 2021
    titled = _ingested_year(
        tmp_path,
        "某市人民政府办公室关于印发《某市促进残疾人就业行动实施方案(2023—2025年)》的通知\n"
        "一、开发残疾人公益性岗位,对用人单位给予岗位补贴。",
        "titled.txt",
    )
    assert titled.year == 2023


def test_a_dated_byline_under_the_title_is_the_page_date():
    found = read(
        "某区多措并举推动高校毕业生就业创业\n2023-08-15 来源:某区人力资源和社会保障局\n"
        "8月14日,区人力社保局召开高校毕业生就业工作推进会。",
        kind="news",
    )
    assert (found.published.value, found.published.precision) == (datetime.date(2023, 8, 15), "day")
    assert found.issued is None


def test_a_recurring_yearly_goal_has_no_single_year():
    text = "今后三年,全市每年新增就业不少于3万人。"
    assert when(
        text,
        "新增就业不少于3万人",
        doc_year=2018,
        period=(2018, 2020),
        kind="target",
        doc_kind="opinion",
    ) == ("target", None, 2018, 2020, "annual")


def test_a_bad_source_url_is_refused(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "a.txt"
    path.write_text("关于就业的通知\n一、稳定就业。", encoding="utf-8")
    with pytest.raises(CommandError, match="source-url"):
        call_command("ingest", str(path), "--source-url", "javascript:alert(1)")


# --- what a figure's year means -------------------------------------------------------------


def when(text, quote, *, doc_year, period=None, kind="achieved", doc_kind="summary", unit="人"):
    start = text.index(quote)
    fig = Figure(start, start + len(quote), "城镇新增就业", Decimal(1), unit, "=", kind)
    t = figure_time(text, fig, doc_year=doc_year, period=period, doc_kind=doc_kind)
    return t.kind, t.year, t.year_start, t.year_end, t.period_type


def test_a_plans_look_back_is_achieved_for_its_own_period():
    text = "“十三五”期间,全市城镇新增就业累计达26.2万人;城镇登记失业率控制在4.4%以内。"
    assert when(
        text,
        "城镇新增就业累计达26.2万人",
        doc_year=2022,
        period=(2021, 2025),
        kind="target",
        doc_kind="plan",
    ) == (
        "achieved",
        2020,
        2016,
        2020,
        "cumulative",
    )
    rate = when(
        text,
        "城镇登记失业率控制在4.4%",
        doc_year=2022,
        period=(2021, 2025),
        kind="target",
        doc_kind="plan",
        unit="%",
    )
    assert rate[:4] == ("achieved", 2020, 2016, 2020)


def test_a_plan_goal_holds_for_the_plans_period():
    text = "就业规模持续扩大。城镇新增就业达到20万人以上。"
    assert when(
        text,
        "城镇新增就业达到20万人",
        doc_year=2022,
        period=(2021, 2025),
        kind="target",
        doc_kind="plan",
    ) == (
        "target",
        2025,
        2021,
        2025,
        "cumulative",
    )


def test_a_comparison_year_is_not_the_figures_year():
    text = "一季度,全市城镇新增就业1.2万人,比2018年同期增加800人。"
    assert when(text, "城镇新增就业1.2万人", doc_year=2019, doc_kind="news")[:2] == (
        "achieved",
        2019,
    )


def test_relative_years_resolve_against_the_documents_year():
    text = "去年全市城镇新增就业2.1万人,今年力争城镇新增就业2.3万人。"
    assert when(text, "城镇新增就业2.1万人", doc_year=2019)[:2] == ("achieved", 2018)
    assert when(text, "城镇新增就业2.3万人", doc_year=2019, kind="target")[:2] == ("target", 2019)


def test_a_deadline_in_a_plan():
    text = "到2023年,全市城镇新增就业达到12万人,城镇调查失业率控制在5.5%以内。"
    assert when(
        text,
        "城镇新增就业达到12万人",
        doc_year=2021,
        period=(2021, 2025),
        kind="target",
        doc_kind="plan",
    ) == (
        "target",
        2023,
        2021,
        2023,
        "cumulative",
    )
    rate = when(
        text,
        "城镇调查失业率控制在5.5%",
        doc_year=2021,
        period=(2021, 2025),
        kind="target",
        doc_kind="plan",
        unit="%",
    )
    assert rate == ("target", 2023, None, None, "level")


# --- in force ------------------------------------------------------------------------------


@pytest.fixture
def in_force_rows():
    plan = make_document(kind="plan", year=2022, period=(2021, 2025))
    opinion = make_document(kind="opinion", year=2018)
    return {
        "plan": make_initiative(
            document=plan, text="实施创业担保贷款", year=2022, period=(2021, 2025)
        ),
        "opinion": make_initiative(document=opinion, text="开展就业见习", year=2018),
        "three_years": make_initiative(
            document=opinion, text="三年行动", year=2018, period=(2018, 2020)
        ),
    }


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize(
    "year, expected",
    [(2024, {"plan"}), (2018, {"opinion", "three_years"}), (2020, {"three_years"}), (2026, set())],
)
def test_in_force_matches_the_period_or_without_one_the_year(in_force_rows, year, expected):
    names = {row.pk: name for name, row in in_force_rows.items()}
    filter_set = InitiativeFilter({"in_force": str(year)})
    from_sql = {names[pk] for pk in filter_set.qs.values_list("pk", flat=True)}
    from_index = {names[pk] for pk in filter_set.results(Initiative.objects.all()).ids.tolist()}
    assert from_sql == from_index == expected


@pytest.mark.django_db
def test_in_force_on_the_page_the_csv_the_api_and_the_command(client, in_force_rows, tmp_path):
    plan = in_force_rows["plan"]
    page = client.get("/initiatives/", {"in_force": "2024"}).content.decode()
    assert plan.get_absolute_url() in page
    assert in_force_rows["opinion"].get_absolute_url() not in page
    api = client.get("/api/initiatives", {"in_force": "2024"}).json()
    assert [r["id"] for r in api["results"]] == [plan.pk]
    assert (api["results"][0]["year_start"], api["results"][0]["year_end"]) == (2021, 2025)
    response = client.get("/initiatives/export.csv", {"in_force": "2024"})
    csv_text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = csv_text.strip().split("\r\n")
    assert len(lines) == 2 and lines[1].startswith(f"{plan.pk},")
    out = tmp_path / "out.csv"
    call_command("export", "initiatives", "--in-force", "2024", "--output", str(out))
    assert len(out.read_text(encoding="utf-8-sig").strip().split("\n")) == 2
    # A value that is not a year is refused: it never widens the result to everything.
    bad = client.get("/api/initiatives", {"in_force": "二〇二四", "year": "1990"})
    assert bad.status_code == 400
    assert bad.json()["parameters"] == {"in_force": "二〇二四"}


@pytest.mark.django_db
def test_targets_filter_in_force_too(client):
    goal = make_target(year=2025, period=(2021, 2025), period_type="cumulative", region="511100")
    make_target(year=2020, period=(2016, 2020), kind="achieved", region="511100")
    filter_set = TargetFilter({"in_force": "2023"})
    assert list(filter_set.qs) == [goal]


def test_a_measure_with_its_own_years_keeps_them():
    from ingest.extract import _own_period

    assert _own_period("实施高校毕业生就业创业推进行动(2019-2021年),每年组织见习。") == (2019, 2021)
    assert _own_period("全面落实创业担保贷款政策。") is None


@pytest.mark.django_db
def test_pages_show_the_year_and_the_period_in_force_apart(client):
    plan = make_document(kind="plan", year=2022, period=(2021, 2025))
    initiative = make_initiative(
        document=plan, text="实施创业担保贷款", year=2022, period=(2021, 2025)
    )
    html = client.get(initiative.get_absolute_url()).content.decode()
    assert "<dd>2022</dd>" in html and "<dd>2021–2025</dd>" in html
    results = client.get("/initiatives/").content.decode()
    assert '<span class="year">2022 (2021–2025)</span>' in results


@pytest.mark.django_db
def test_curators_give_a_date_with_its_precision(admin_client):
    document = make_document(title="某市就业工作总结")
    url = f"/admin/initiatives/document/{document.pk}/change/"
    form = {
        "title": document.title,
        "kind": document.kind,
        "issuing_region": "510000",
        "issuer": "某市人民政府",
        "doc_number": "某政发〔2018〕3号",
        "issued_on": "2018-05-01",
        "issued_precision": "",
        "published_on": "",
        "published_precision": "",
        "year": "2018",
        "period_start": "",
        "period_end": "",
        "permanence": "",
        "source_url": "",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 200  # a date without its precision is refused
    assert "请说明这个日期精确到年、月还是日" in response.content.decode()
    form["issued_precision"] = "month"
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    document.refresh_from_db()
    assert document.issued_text == "2018年5月" and document.doc_number == "某政发〔2018〕3号"
    assert "issued_on" in document.curated_fields  # re-ingest leaves the correction alone


def test_a_bare_year_at_the_end_is_no_signature_and_cited_rules_are_not_this_ones():
    found = read(
        "关于做好就业工作的通知\n根据《某省就业补助资金管理暂行办法》,现通知如下。\n"
        "一、稳定就业。\n指标\n2025年"
    )
    assert found.issued is None and found.permanence == ""


@pytest.mark.django_db
def test_a_curators_period_edit_moves_the_in_force_results(in_force_rows):
    opinion = in_force_rows["opinion"]
    assert (
        opinion.pk
        not in InitiativeFilter({"in_force": "2020"}).results(Initiative.objects.all()).ids.tolist()
    )
    Initiative.objects.filter(pk=opinion.pk).update(year_start=2018, year_end=2020)
    found = InitiativeFilter({"in_force": "2020"}).results(Initiative.objects.all()).ids.tolist()
    assert opinion.pk in found


@pytest.mark.django_db
def test_a_sites_clock_is_neither_the_title_nor_the_date_and_the_own_number_dates_it(tmp_path):
    text = (
        "今天是 2021年3月9日  星期二\n信息报送排行\n当前位置:首页 > 文件库\n"
        "来源:团市委   点击:1916   日期:2016年5月16日\n某政发〔2015〕46号\n"
        "某市人民政府关于进一步做好新形势下就业创业工作的实施意见\n"
        "各县(市)、区人民政府:\n一、对符合条件的创业人员发放创业担保贷款,最高10万元。"
    )
    document = _ingested_year(tmp_path, text, "reprint.txt")
    assert document.year == 2015
    assert document.title == "某市人民政府关于进一步做好新形势下就业创业工作的实施意见"
    assert "星期" not in document.title
