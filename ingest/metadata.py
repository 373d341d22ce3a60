"""Title, dates, period, kind and issuing region of a cleaned document."""

import datetime
import re
from dataclasses import dataclass

from ingest import dates, places
from regions.gazetteer import NATIONAL_CODE

CN_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
# 十一五 … 十九五 (2006–2050): 十四五 → 2021–2025.
FIVE_YEAR_PLAN = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")
EXPLICIT_PERIOD = re.compile(r"(20\d\d)\s*[-—–~至到]\s*(20\d\d)\s*年")
YEAR_MONTH = re.compile(r"^(19\d\d|20\d\d)\s*年\s*(\d{1,2})\s*月$")
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)\s*年(?!代)")
# A cited document number with its body's abbreviation and year: 国发〔2015〕23号,
# 辽政办【2022】30号 → (辽政办, 2022).
CITED_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{0,8})\s*[〔\[【(]\s*((?:19|20)\d\d)\s*[〕\]】)]\s*(?:第\s*)?\d{1,4}\s*号"
)
# Central bodies: 国发, 国办发, 中办发, 人社部发, 财社 (a ministry's 部).
CENTRAL_NUMBER = re.compile(r"^(?:国|中|财)|部")
# A deadline year: 到2020年, 至2022年4月30日, 延长至… (not 截至, a result's date, nor the
# end of a span 2013年至2017年).
DEADLINE_YEAR = re.compile(r"(?<![截年])(?:到|至)\s*(19[5-9]\d|20\d\d)\s*年(?!代)")
# A period in a title: (2023—2025年), 2022-2025 年.
TITLE_PERIOD = re.compile(r"((?:19|20)\d\d)\s*年?\s*[-—–~至到]\s*(?:19|20)\d\d\s*年")
DOC_NUMBER_YEAR = re.compile(r"[〔\[［(（【]\s*((?:19|20)\d\d)\s*[〕\]］)）】]")
# Column names of government sites that sit where a title would be.
GENERIC_HEADINGS = re.compile(
    r"^(欢迎(?:访问|光临|来到).*|首页\W*|政策信息|政策解读|工作动态|新闻动态|通知公告|政务公开|信息公开|要闻|正文|详情)$"
)
# Page furniture above a reprint: the site's clock (今天是 2021年3月9日 星期二) and its
# breadcrumb. The clock dates the visit, not the document, and is no title.
BANNER = re.compile(r"^今天是|星期[一二三四五六日天]$|^当前位置|^您(?:现在)?的?位置")
KIND_CUES = [
    ("plan", re.compile(r"规划|计划\(20|五年")),
    ("opinion", re.compile(r"意见|办法|通知|方案|决定|细则|规定|条例")),
    ("summary", re.compile(r"总结|工作情况|回顾|年度报告|工作报告")),
    ("roundup", re.compile(r"创新事件|汇编|综述|典型经验|典型案例集|盘点|十大")),
    ("case_study", re.compile(r"经验|做法|案例|模式")),
]
KIND_TITLES = {
    "summary": "就业创业工作总结",
    "case_study": "就业创业工作经验",
    "opinion": "就业创业实施意见",
    "plan": "就业规划",
    "roundup": "就业创新事件汇编",
    "news": "就业工作动态",
}


@dataclass
class Metadata:
    title: str
    kind: str
    year: int | None
    period_start: int | None
    period_end: int | None
    issuing_region: str
    region_evidence: str = ""  # why issuing_region: 发文机关 济宁市人民政府
    issued_on: datetime.date | None = None
    issued_precision: str = ""
    published_on: datetime.date | None = None
    published_precision: str = ""
    issuer: str = ""
    doc_number: str = ""
    permanence: str = ""
    source_url: str = ""

    @property
    def period(self):
        return (self.period_start, self.period_end) if self.period_start else None

    @property
    def date(self):
        """The document's own date, for resolving 今年, 上半年, 比…同期 in its sentences."""
        if self.issued_on is not None:
            return self.issued_on
        return self.published_on


def extract(text, header, matcher):
    lines = text.split("\n")
    title = _title(lines)
    body_sample = text[:3000]
    # Any period cue, only to tell the kind: 五年/十四五 in a title, 2019-2021年 in a plan.
    kind = _kind(title, text, _period(title + "\n" + body_sample))
    found = dates.extract(text, header, title, kind_hint=kind)
    evidence = places.document_region(
        title, text, header, matcher, roundup=kind == "roundup" and not header.get("发文机关")
    )
    region = evidence.code
    year = _year(title, text, kind, found)
    if not title:
        # No title line (a column name such as 政策信息 stood there): say what the document is.
        place = matcher.g.get(region)
        where = matcher.g.path_name(region).replace("/", "") if place else ""
        when = f"{year}年" if year else ""
        title = f"{where}{when}{KIND_TITLES.get(kind, '就业工作材料')}"
    if title.startswith("关于") and region != NATIONAL_CODE:
        # Spam often replaces the issuer in the title; put the recovered place back.
        title = matcher.g.get(region).name + title
    return Metadata(
        title=title[:300],
        kind=kind,
        year=year,
        period_start=found.period[0] if found.period else None,
        period_end=found.period[1] if found.period else None,
        issuing_region=region,
        region_evidence=evidence.reason,
        issued_on=found.issued.value if found.issued else None,
        issued_precision=found.issued.precision if found.issued else "",
        published_on=found.published.value if found.published else None,
        published_precision=found.published.precision if found.published else "",
        issuer=found.issuer,
        doc_number=found.doc_number,
        permanence=found.permanence,
        source_url=found.source_url,
    )


# A line that names a document the way its title does: …关于…的实施意见.
DOCUMENT_TITLE = re.compile(
    r"^[^。,，;；:：]{0,40}关于[^。;；:：]{2,60}(?:意见|通知|方案|规划|办法|决定|细则|措施|规定)$"
)


def _title(lines):
    # Below a page's furniture (clock, ranking boxes, breadcrumb) the document's own title
    # line is the one shaped like a title; take it before any shorter box heading.
    for line in lines[:12]:
        if DOCUMENT_TITLE.match(line.strip()):
            return line
    for line in lines[:5]:
        if GENERIC_HEADINGS.match(line) or YEAR_MONTH.match(line) or BANNER.search(line.strip()):
            continue
        if (
            4 <= len(line) <= 80
            and not line.endswith(("。", ",", ":"))
            and not re.match(r"^[一二三四五六七八九十]+、", line)
        ):
            return line
    return ""


def _period(text):
    match = FIVE_YEAR_PLAN.search(text)
    if match:
        n = CN_DIGITS[match.group(1)] + 10
        # From the third plan on (1966–1970) the plans follow each other every five years.
        first = 1966 + 5 * (n - 3)
        return first, first + 4
    match = EXPLICIT_PERIOD.search(text)
    if match and int(match.group(1)) < int(match.group(2)):
        return int(match.group(1)), int(match.group(2))
    return None


def _kind(title, text, period):
    for kind, pattern in KIND_CUES:
        if pattern.search(title):
            if kind == "plan" and period is None and "计划" in title and "规划" not in title:
                continue
            return kind
    opening = text[:400]
    if re.search(r"提出如下|现提出以下|特制定本", opening):
        return "opinion"
    if re.search(r"^(19|20)\d\d年(度)?[,,]?(全市|全县|全省|全区|我市|我县)", opening):
        return "summary"
    if re.search(r"经验|做法", text[:1500]):
        return "case_study"
    return "news"


def _year(title, text, kind, found):
    """The document's year: the year a summary reports, else the year of issue (成文日期 or
    dateline), else what the title says, else the page's date, else the latest year the
    text speaks of."""
    # A period in the title ((2023—2025年)) is the span the document covers, issued in its
    # first year: its last year is not the document's year.
    in_title = YEAR.search(TITLE_PERIOD.sub(r"\1年", title))
    if kind in ("summary", "roundup"):
        opening = YEAR.search(text[:200])
        if in_title:
            return int(in_title.group(1))
        if opening:
            return int(opening.group(1))
    if found.issued is not None:
        return found.issued.year
    numbered = DOC_NUMBER_YEAR.search(found.doc_number)
    if numbered:
        # The document's own number (齐政发〔2015〕46号) carries its year of issue; a page
        # date beside it is the reprint's.
        return int(numbered.group(1))
    if in_title and kind != "plan":
        return int(in_title.group(1))
    if kind == "plan" and found.period:
        # A plan is issued in its period's first years; a page dated later is a reprint.
        if found.published is None or found.published.year > found.period[0]:
            return found.period[0]
    if found.published is not None:
        return found.published.year
    if in_title:
        return int(in_title.group(1))
    # Nothing dates it: the latest year it speaks of — years written out, the documents it
    # cites (国发〔2015〕23号), the five-year plans it names (十四五 from 2021) — is the
    # earliest it can be, and the year a careful reader would give it. Deadlines (到2020年,
    # 实施至2022年4月30日) lie after the issue and count only when nothing else dates it.
    this_year = datetime.date.today().year
    deadlines = [int(y) for y in DEADLINE_YEAR.findall(text)]
    written = [int(y) for y in YEAR.findall(DEADLINE_YEAR.sub("", text))]
    written += [dates.period_of(m.group(0))[0] for m in FIVE_YEAR_PLAN.finditer(text[:3000])]
    written = [y for y in written if y <= this_year]
    numbers = [(body, int(y)) for body, y in CITED_NUMBER.findall(text) if int(y) <= this_year]
    cited = [y for _, y in numbers]
    if cited and max(cited) > max(written, default=0):
        # Only the documents it implements date it. A province answers a State Council
        # document within months, in the same year; a city or county answers its province's
        # own implementing document, which already came months later: most often the next
        # calendar year.
        latest = max(cited)
        local = any(y == latest and not CENTRAL_NUMBER.search(body) for body, y in numbers)
        return min(latest + 1, this_year) if local else latest
    if written or cited:
        return max(written + cited)
    deadlines = [y for y in deadlines if y <= this_year]
    return max(deadlines) if deadlines else None
