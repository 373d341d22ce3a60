"""Dates, periods, 文号, issuer and permanence of a cleaned document (pure functions).

Where each comes from, in the shapes government pages and files take:
- header lines (``发布时间:2018-06-05``, ``来源:新华社``), already split off by cleaning;
- the signature block: the issuing body and the date under it, at the end of the text
  (``乐山市人民政府办公室`` / ``2022年4月1日``, or ``二〇一八年五月二十二日``);
- a date line under the title (``2022年4月``: a month, not the 1st of April);
- a news item's dateline (``新华社北京3月5日电``, ``本报讯 2019年7月15日``), whose year comes
  from the page date when the dateline leaves it out;
- the title (``十四五``, ``(2022-2024年)``, ``(试行)``) and the document-number line.

A date is kept with its precision (year, month, day); unknown stays empty, never guessed.
"""

import datetime
import re
from dataclasses import dataclass

CN_NUMERALS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN = "〇○零O一二三四五六七八九十"
# 2018年5月22日, 2018-05-22, 2018.5.22, 2018/05/22; the day is optional after 年…月.
DAY_DATE = re.compile(
    r"(?<!\d)(19\d\d|20\d\d)\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d))"
)
MONTH_DATE = re.compile(
    r"(?<!\d)(19\d\d|20\d\d)\s*(?:年\s*(\d{1,2})\s*月|[-./]\s*(\d{1,2})(?![\d./-]))"
)
CN_DATE = re.compile(rf"([{CN}]{{4}})\s*年\s*([{CN}]{{1,3}})\s*月(?:\s*([{CN}]{{1,3}})\s*日)?")
# A dateline: 新华社北京3月5日电, 中新网3月5日电, (记者 …) 3月5日, 本报讯 …
DATELINE = re.compile(
    r"^(?:[(（【]?\s*)?(?:新华社|新华网|中新社|中新网|人民网|央视网|中国新闻网|本报讯|本报|[\u4e00-\u9fff]{1,8}(?:日报|晚报|电视台|融媒体中心|网讯|网))"
    r"[^。\n]{0,24}?(?:(19\d\d|20\d\d)\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:电|讯|消息)?"
)
FIVE_YEAR_PLAN = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")
EXPLICIT_PERIOD = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*(?:年)?\s*[-—–~至到]\s*((?:19|20)\d\d)\s*年"
)
COMING_YEARS = re.compile(r"(?:今后|未来|近|此后)\s*([二三四五两2345])\s*年")
VALIDITY = re.compile(r"有效期(?:为|至)?\s*([一二三四五六七八九十\d]{1,2})\s*年")
VALID_UNTIL = re.compile(r"有效期至\s*(20\d\d)\s*年")
TRIAL = re.compile(r"[(（]\s*(试行|暂行)\s*[)）]|(暂行)(?:办法|规定|条例)")
# 榕政办〔2018〕181号, 人社部发[2019]23号, 国办发(2018)10号.
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,14}\s*[〔\[［(（【]\s*(?:19|20)\d\d\s*[〕\]］)）】]\s*(?:第\s*)?\d{1,4}\s*号"
)
ISSUER_END = re.compile(
    r"(?:人民政府|人民政府办公室|人民政府办公厅|办公室|办公厅|委员会|领导小组|局|厅|委|部|署|处|科|中心|政府|总工会|团委|妇联|联合会)$"
)
# Header keys, most specific first.
ISSUED_KEYS = ("成文日期", "发文日期", "印发日期")
PUBLISHED_KEYS = ("发布时间", "发布日期", "日期", "时间")
ISSUER_KEYS = ("发文机关", "发布机构", "来源", "信息来源")
NUMBER_KEYS = ("文号", "发文字号")
# A page's byline under the title: ``2023-08-15 来源:万州区人社局`` (the date first, then the
# source or author): the page's date of publication.
DATED_BYLINE = re.compile(
    r"^(?:发布时间|发布日期|时间|日期)?\s*:?\s*((?:19|20)\d\d\s*(?:[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?))"
    r"\s*(?:来源|信息来源|文章来源|作者|编辑|发布者|发布机构|浏览|点击)"
)
# 来源回链:http://… / 原文链接:… at the foot of a reprint: where the original stands.
SOURCE_LINE = re.compile(r"^(?:来源回链|原文链接|原文地址|来源链接|原文网址)\s*:\s*(https?://\S+)$")

YEAR, MONTH, DAY = "year", "month", "day"


@dataclass
class Dated:
    value: datetime.date
    precision: str

    @property
    def year(self):
        return self.value.year


@dataclass
class DocumentDates:
    issued: Dated | None = None
    published: Dated | None = None
    period: tuple | None = None
    doc_number: str = ""
    issuer: str = ""
    permanence: str = ""
    source_url: str = ""


def cn_number(text):
    """二〇一八 → 2018 (digit by digit), 十二 → 12, 二十二 → 22, 5 → 5."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_NUMERALS.get(tens, 1) if tens else 1) * 10 + (
            CN_NUMERALS.get(ones, 0) if ones else 0
        )
    value = 0
    for ch in text:
        if ch not in CN_NUMERALS:
            return None
        value = value * 10 + CN_NUMERALS[ch]
    return value


def _make(year, month=None, day=None):
    try:
        if day:
            return Dated(datetime.date(year, month, day), DAY)
        if month:
            return Dated(datetime.date(year, month, 1), MONTH)
        return Dated(datetime.date(year, 1, 1), YEAR)
    except (ValueError, TypeError):
        return None


def parse_date(value):
    """The first date in ``value`` with the precision it is written in, else ``None``."""
    if not value:
        return None
    match = DAY_DATE.search(value)
    if match:
        y, m1, d1, m2, d2 = match.groups()
        return _make(int(y), int(m1 or m2), int(d1 or d2))
    match = CN_DATE.search(value)
    if match:
        y, m, d = (cn_number(g) if g else None for g in match.groups())
        if y and 1900 < y < 2100:
            return _make(y, m, d)
    match = MONTH_DATE.search(value)
    if match:
        return _make(int(match.group(1)), int(match.group(2) or match.group(3)))
    match = re.search(r"(?<!\d)(19\d\d|20\d\d)\s*年?$", value.strip())
    if match:
        return _make(int(match.group(1)))
    return None


def _date_line(line):
    """A line that is only a date (a signature date, a ``2022年4月`` line under a title).

    A bare year (``2025年``) is a table's column header, never a date of issue."""
    stripped = re.sub(r"[\s()（）]", "", line)
    if len(stripped) > 16:
        return None
    found = parse_date(stripped)
    if found is None or found.precision == YEAR:
        return None
    rest = DAY_DATE.sub("", stripped)
    rest = CN_DATE.sub("", rest)
    rest = MONTH_DATE.sub("", rest)
    return found if len(rest) <= 2 else None


def _signature(lines):
    """(date, issuer) of the signature block: a date line among the last lines, the body
    above it when that line names one."""
    tail = lines[-6:]
    for k in range(len(tail) - 1, -1, -1):
        found = _date_line(tail[k])
        if found is None:
            continue
        issuer = ""
        for above in reversed(tail[max(0, k - 2) : k]):
            name = above.strip()
            if len(name) <= 30 and ISSUER_END.search(name) and not name.endswith("。"):
                issuer = name
                break
        return found, issuer
    return None, ""


def _dateline(lines, published):
    """A news item's dateline date; its year from the dateline, else the page date."""
    for line in lines[:4]:
        match = DATELINE.match(line)
        if not match:
            continue
        year, month, day = match.groups()
        if year is None:
            if published is None:
                return None
            year = published.year
            # A dateline in late December on a page dated early January: the year before.
            if int(month) > published.value.month + 6:
                year -= 1
        return _make(int(year), int(month), int(day))
    return None


def period_of(text, issued_year=None):
    """(start, end) of a stated period: 十四五 → (2021, 2025); 2022-2024年; 今后三年 from the
    issue year. ``None`` when none is stated."""
    match = FIVE_YEAR_PLAN.search(text)
    if match:
        n = CN_NUMERALS[match.group(1)] + 10
        # From the third plan on (1966–1970) the plans follow each other every five years.
        first = 1966 + 5 * (n - 3)
        return first, first + 4
    match = EXPLICIT_PERIOD.search(text)
    if match and int(match.group(1)) < int(match.group(2)) <= int(match.group(1)) + 15:
        return int(match.group(1)), int(match.group(2))
    match = COMING_YEARS.search(text)
    if match and issued_year:
        n = cn_number(match.group(1).replace("两", "二"))
        if n:
            return issued_year, issued_year + n - 1
    return None


def _permanence(title, text):
    # The title (or the lines standing for it); the body cites other documents' titles
    # (根据《…暂行办法》), which say nothing about this one.
    head = "\n".join(text.split("\n")[:2])
    match = TRIAL.search(title) or TRIAL.search(re.sub(r"《[^》]*》", "", head))
    if match:
        return match.group(1) or match.group(2)
    match = VALIDITY.search(text[-2000:]) or VALIDITY.search(text[:600])
    if match:
        n = cn_number(match.group(1))
        if n:
            return f"有效期{n}年"
    match = VALID_UNTIL.search(text[-2000:])
    if match:
        return f"有效期至{match.group(1)}年"
    return ""


def validity_period(permanence, issued_year):
    """有效期5年 from an issue in 2018 → (2018, 2022)."""
    match = re.match(r"有效期(\d+)年$", permanence or "")
    if match and issued_year:
        return issued_year, issued_year + int(match.group(1)) - 1
    match = re.match(r"有效期至(\d{4})年$", permanence or "")
    if match and issued_year and int(match.group(1)) >= issued_year:
        return issued_year, int(match.group(1))
    return None


def _doc_number(header, title, lines):
    for key in NUMBER_KEYS:
        match = DOC_NUMBER.search(header.get(key) or "")
        if match:
            return re.sub(r"\s+", "", match.group(0))
    # The document's own number stands on a line of its own near the top, or in the title;
    # numbers cited in the body (根据《…》(黑政规〔2017〕27号)) belong to other documents.
    # Page furniture (a clock, a ranking box, a breadcrumb) may push it below the eighth line.
    for line in [title, *lines[:14]]:
        match = DOC_NUMBER.search(line)
        if match and (line is title or len(line) <= len(match.group(0)) + 4):
            return re.sub(r"\s+", "", match.group(0))
    return ""


def _header(header, keys):
    for key in keys:
        value = (header.get(key) or "").strip()
        if value:
            return value
    return ""


def extract(text, header, title, *, kind_hint=""):
    """Everything this module reads from one document's cleaned text and header lines."""
    lines = [line for line in text.split("\n") if line.strip()]
    out = DocumentDates()
    published = parse_date(_header(header, PUBLISHED_KEYS))
    if published is None:
        for line in lines[:4]:
            match = DATED_BYLINE.match(line.strip())
            if match:
                published = parse_date(match.group(1))
                break
    out.published = published
    issued = parse_date(_header(header, ISSUED_KEYS))
    signed, signer = _signature(lines)
    if issued is None:
        issued = signed
    if issued is None:
        # A date line under the title: ``2022年4月`` (the plan's date, to the month).
        for line in lines[1:4]:
            issued = _date_line(line)
            if issued is not None:
                break
    if issued is None:
        issued = _dateline(lines, published)
    out.issued = issued
    out.issuer = _header(header, ISSUER_KEYS) or signer
    out.issuer = re.sub(r"\s+", "", out.issuer)[:200]
    out.doc_number = _doc_number(header, title, lines)
    out.permanence = _permanence(title, text)
    out.source_url = (header.get("source_url") or "").strip()
    if not out.source_url:
        for line in lines[-3:]:
            match = SOURCE_LINE.match(line.strip())
            if match:
                out.source_url = match.group(1)
    out.source_url = out.source_url[:500]
    anchor = (issued or published).year if (issued or published) else None
    period = period_of(title, anchor)
    if period is None and kind_hint in ("plan", "opinion"):
        # Plans and opinions state their period in the opening (2019-2021年, 今后三年);
        # a summary or news item mentioning 十三五 speaks of another document's period.
        period = period_of(text[:600], anchor)
    if period is None:
        period = validity_period(out.permanence, issued.year if issued else None)
    out.period = period
    return out
