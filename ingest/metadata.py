"""Title, dates, period, kind and issuing region of a cleaned document."""

import datetime
import re
from dataclasses import dataclass

from ingest import places
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
DATE = re.compile(r"(19\d\d|20\d\d)\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})\s*日?")
YEAR_MONTH = re.compile(r"^(19\d\d|20\d\d)\s*年\s*(\d{1,2})\s*月$")
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)\s*年(?!代)")
# Column names of government sites that sit where a title would be.
GENERIC_HEADINGS = re.compile(
    r"^(政策信息|政策解读|工作动态|新闻动态|通知公告|政务公开|信息公开|要闻|正文|详情)$"
)
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
    year_end: int | None
    published_on: datetime.date | None
    issuing_region: str
    publisher: str = ""
    region_evidence: str = ""  # why issuing_region: 发文机关 济宁市人民政府


def extract(text, header, matcher):
    lines = text.split("\n")
    published_on = _publication_date(lines, header)
    title = _title(lines)
    body_sample = text[:3000]
    period = _period(title + "\n" + body_sample)
    kind = _kind(title, text, period)
    evidence = places.document_region(
        title, text, header, matcher, roundup=kind == "roundup" and not header.get("发文机关")
    )
    region = evidence.code
    year, year_end = _years(title, text, kind, published_on, period)
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
        year_end=year_end,
        published_on=published_on,
        issuing_region=region,
        region_evidence=evidence.reason,
        publisher=header.get("发布机构") or header.get("发文机关") or header.get("来源") or "",
    )


def _title(lines):
    for line in lines[:5]:
        if GENERIC_HEADINGS.match(line) or YEAR_MONTH.match(line):
            continue
        if (
            4 <= len(line) <= 80
            and not line.endswith(("。", ",", ":"))
            and not re.match(r"^[一二三四五六七八九十]+、", line)
        ):
            return line
    return ""


def _publication_date(lines, header):
    for key in ("发布时间", "发布日期", "成文日期", "发文日期", "日期"):
        if header.get(key):
            date = _date(header[key])
            if date:
                return date
    # A signature date on its own line at the end, or a "2022年4月" line under the title.
    for line in [*lines[-4:], *lines[:4]]:
        if len(line) <= 14:
            date = _date(line)
            if date:
                return date
            match = YEAR_MONTH.match(line)
            if match:
                return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    return None


def _date(value):
    match = DATE.search(value)
    if not match:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


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


def _years(title, text, kind, published_on, period):
    if kind == "plan" and period:
        return (published_on.year if published_on else period[0]), period[1]
    in_title = YEAR.search(title)
    if in_title:
        return int(in_title.group(1)), None
    if kind == "opinion" and published_on:
        return published_on.year, None
    opening = YEAR.search(text[:200])
    if kind == "summary" and opening:
        return int(opening.group(1)), None
    years = [int(y) for y in YEAR.findall(text)]
    if published_on:
        return published_on.year, None
    if years:
        # The latest year the text speaks of is the one it reports on.
        plausible = [y for y in years if y <= datetime.date.today().year]
        return (max(plausible) if plausible else None), None
    return None, None
