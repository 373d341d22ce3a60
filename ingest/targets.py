"""Numeric goals and results: 城镇新增就业20321人, 城镇登记失业率控制在4.5%以内, [>20]万人.

A figure is kept when a unit of people, money, places or a rate follows it; policy
parameters (a subsidy of 1000元 per person, a loan ceiling, an age or a duration) are not
targets and are recognised by the words before them.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

FIGURE = re.compile(
    r"(?P<pre>近|约|超过|逾|达到|达)?"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<approx1>余|多)?(?P<mag>万|亿|千)?"
    # A reprint may carry the reading after a character: 35萬(wàn)人.
    r"(?:\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\))?(?P<approx2>余|多)?"
    r"(?P<unit>人次|人|名|户|个百分点|百分点|个|家|笔|元|%|所|项|场次|场|期|班次|批|条|套)"
)
MAGNITUDE = {"万": Decimal(10000), "亿": Decimal(100000000), "千": Decimal(1000), None: Decimal(1)}
CLAUSE_SPLIT = re.compile(r"[,;。:、()\n]")
# Words right before a money amount that make it a rule, not a result: 每人补贴1000元.
PARAMETER_CONTEXT = re.compile(
    r"(每|最高|不超过|不高于|上限|标准|按|给予|补贴|奖励|奖补|资助|额度|提高至|提高到|调整为|放宽至|放宽到|以内的|至少)[^,;。]{0,12}$"
)
# 发放就业见习补贴186万元: money paid out in total is a result, not the subsidy's rate.
DISBURSED = re.compile(r"(?:发放|兑现|拨付|落实|支出|共计)[^,;。每]{0,12}$")
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")
COMPLETION_RATIO = re.compile(r"(完成|占|达到?)[^,;。]{0,16}(目标任务|任务|计划|比例|比重)?的?$")
TARGET_CUES = re.compile(
    r"目标|力争|确保|控制在|预期|计划|任务|下达|要求|到20\d\d年|到“?十[一二三四五六七八九]五”?末|以内|不低于|不少于|争取"
)
ACHIEVED_CUES = re.compile(
    r"实现|完成|累计|已|全年|共|发放|建成|培训了|帮助|扶持|带动|吸纳|入驻|\d{4}年(?:末|底|度)?"
)
# Words that make a figure a goal whatever follows in its clause (力争全年…稳定在25万人以上;
# 每年…以上, a recurring yearly goal).
MODAL_CUES = re.compile(
    r"力争|确保|争取|计划|预期|目标|任务|责任书|每年|将(?=[\u4e00-\u9fff]{0,3}(?:开发|新增|实现|完成|培训|建设|发放|组织|帮助|扶持|新建|设置|转移|吸纳))"
)
# Words that report a result even in a sentence about goals.
REPORTED_CUES = re.compile(r"已|累计|实现了|完成了|达到了|同比|比上年|较上年|截至|截止|共计|目前")
DIFFERENCE = re.compile(
    r"(?:高于|多于|少于|增长|增加|提高|下降|减少)[^,;。\d]{0,6}$|比[^,;。]{0,10}$"
)
INDICATORS = [
    ("城镇新增就业", re.compile(r"城镇新增就业")),
    ("失业人员再就业", re.compile(r"失业人员[^,;。]{0,6}再就业")),
    ("就业困难人员就业", re.compile(r"就业困难人员[^,;。]{0,6}就业")),
    ("城镇登记失业率", re.compile(r"登记失业率")),
    ("城镇调查失业率", re.compile(r"调查失业率")),
    ("贫困劳动力转移就业", re.compile(r"贫困劳动力[^,;。]{0,6}转移就业")),
    ("农村劳动力转移就业", re.compile(r"农村劳动力[^,;。]{0,6}转移就业")),
    ("创业担保贷款", re.compile(r"创业担保贷款|小额担保贷款")),
    ("创业培训", re.compile(r"创业培训")),
    ("职业技能培训", re.compile(r"(职业|技能)[^,;。]{0,4}培训")),
    ("高校毕业生就业", re.compile(r"高校毕业生[^,;。]{0,6}就业")),
    ("带动就业", re.compile(r"带动[^,;。]{0,6}就业")),
    ("创业孵化基地", re.compile(r"孵化基地|孵化园")),
    ("失业保险参保", re.compile(r"失业保险参保")),
]
LEADING_TIME = re.compile(
    r"^(?:今年以来|近年来|近几年|目前|截至目前|截止目前|截至\d{4}年(?:底|末)?|\d{4}年(?:度|底|末)?|全年|年内|上半年|下半年|一季度|前三季度|[“\"]?十[一二三四五六七八九]五[”\"]?(?:期间|以来|末)?)+"
)
LEADING_PLACE = re.compile(
    r"^[\u4e00-\u9fff]{1,7}?(?:省|市|县|区|州|旗)(?=建成|建设|开发|实现|完成|新增|累计|共|已|培训|扶持|发放|组织|开展|吸纳|带动|认定|培育)"
)
LEADING_NOISE = re.compile(
    r"^(?:其中|全年|全市|全县|全省|累计|共|已|先后|分别|年度|目前|新增发放|新增|实现|完成|达到|开展|组织|"
    r"培育挖掘|培育|挖掘|扶持|发放|帮助|带动|吸纳|建成|入驻|设置|下达|力争|确保|争取|计划|预计|将|"
    r"新(?=设置|开发|建|培育)|在|有|为|达)+"
)


@dataclass
class Figure:
    start: int
    end: int
    indicator: str
    value: Decimal
    unit: str
    comparator: str
    kind: str


def find_figures(text, start, end, *, forward_looking=False):
    """Targets and results stated in ``text[start:end]`` (offsets returned are absolute)."""
    figures = []
    span = text[start:end]
    last_indicator = None
    last_clause_start = None
    last_unit = None
    for match in FIGURE.finditer(span):
        after = span[match.end() : match.end() + 2]
        if after[:1] in ("岁", "月", "年", "天", "日", "倍", "分") or span[
            match.start() - 1 : match.start()
        ] in ("第",):
            continue
        if re.match(r"\d{4}$", match.group("num")) and match.group("unit") in ("年",):
            continue
        clause_start = _clause_start(span, match.start())
        before = span[clause_start : match.start()]
        sentence_start = max(
            (m.end() for m in SENTENCE_SPLIT.finditer(span, 0, clause_start)), default=0
        )
        clause_end = next((m.start() for m in CLAUSE_SPLIT.finditer(span, match.end())), len(span))
        # 个百分点 is a difference of rates, in 百分点 (not 个, a count).
        unit = "百分点" if match.group("unit") == "个百分点" else match.group("unit")
        if (
            unit == "%"
            and COMPLETION_RATIO.search(before)
            and not re.search(r"率|比重|占比", before)
        ):
            continue
        if (
            PARAMETER_CONTEXT.search(before)
            and unit in ("元", "%", "人", "名")
            and not (unit == "元" and DISBURSED.search(before))
        ):
            continue
        if DIFFERENCE.search(before):
            continue
        indicator = _indicator(before, unit)
        if not indicator and unit in MEASURE_WORDS:
            # 建成5个乡镇创业孵化基地, 扶持3269名贫困劳动力: the noun follows the measure word.
            indicator = _noun_after(span, match.end())
        if not indicator and unit in PEOPLE:
            # News style puts the people first: 2.72万人实现省外务工.
            indicator = _what_people_did(span, match.end())
        if not indicator:
            same_sentence = last_clause_start is not None and last_clause_start >= sentence_start
            if last_indicator and (
                last_clause_start == clause_start or (same_sentence and unit == last_unit)
            ):
                # 新设置公益岗位1万个以上,目前已设置8315个: the same indicator, counted again.
                indicator = last_indicator
            else:
                continue
        value = Decimal(match.group("num")) * MAGNITUDE[match.group("mag")]
        if unit == "元" and indicator == last_indicator and last_clause_start == clause_start:
            pass  # "3522笔4.56亿元": the amount of the same loans
        figures.append(
            Figure(
                start=start + clause_start + (len(before) - len(before.lstrip())),
                end=start + match.end(),
                indicator=indicator,
                value=_plain(value),
                unit=unit,
                comparator=_comparator(match, span[match.end() : match.end() + 4], before),
                kind=_kind(
                    before + span[match.start() : clause_end],
                    forward_looking,
                    span[sentence_start:clause_start],
                ),
            )
        )
        last_indicator, last_clause_start, last_unit = indicator, clause_start, unit
    figures.extend(_people_before_noun(span, start, figures, forward_looking))
    return figures


SENTENCE_SPLIT = re.compile(r"[。;!?\n]")
PEOPLE = {"人", "人次", "名"}
PEOPLE_DID = re.compile(
    r"^(?:实现|参加|参与|接受|完成|获得|成功)([\u4e00-\u9fff]{2,10}?)(?=[,;。、()]|$|的)"
)
# 100万以上贫困人口, 9万贫困劳动力: the magnitude, then the people, with no 人 after it.
PEOPLE_NOUN = re.compile(
    r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*(?P<mag>万|千)(?P<more>以上|余|多)?"
    r"(?P<noun>[\u4e00-\u9fff]{0,6}?(?:人口|劳动力|农民工|群众|职工|毕业生))"
    r"(?P<rest>[\u4e00-\u9fff]{0,8})"
)


def _clause_start(span, position):
    """Where the clause holding ``position`` begins; a parenthesised aside 其中脱贫劳动力
    (含防返贫监测对象)18万人 belongs to the clause around it."""
    k = position
    while True:
        start = max((m.end() for m in CLAUSE_SPLIT.finditer(span, 0, k)), default=0)
        if start > 0 and span[start - 1] == ")":
            opening = span.rfind("(", 0, start - 1)
            if opening >= 0:
                k = opening
                continue
        return start


def _what_people_did(span, position):
    match = PEOPLE_DID.match(span[position : position + 16])
    return match.group(0) if match else ""


def _people_before_noun(span, offset, found, forward_looking):
    out = []
    for match in PEOPLE_NOUN.finditer(span):
        if any(f.start - offset <= match.start() < f.end - offset for f in found):
            continue
        clause_start = _clause_start(span, match.start())
        sentence_start = max(
            (m.end() for m in SENTENCE_SPLIT.finditer(span, 0, clause_start)), default=0
        )
        clause_end = next((m.start() for m in CLAUSE_SPLIT.finditer(span, match.end())), len(span))
        indicator = (match.group("noun") + match.group("rest"))[:24]
        value = Decimal(match.group("num")) * MAGNITUDE[match.group("mag")]
        out.append(
            Figure(
                start=offset + clause_start,
                end=offset + match.end("noun"),
                indicator=re.sub(r"^(?:实现|帮助)", "", indicator),
                value=_plain(value),
                unit="人",
                comparator=">" if match.group("more") else "=",
                kind=_kind(
                    span[clause_start:clause_end],
                    forward_looking,
                    span[sentence_start:clause_start],
                ),
            )
        )
    return out


VERB_ENDING = re.compile(
    r"(?:打造|建设|建成|培育|设立|开设|新建|组建|创建|举办|开展|组织|扶持|发放|带动|吸纳|认定|评选|"
    r"建立|设置|开发|提供|组织|投入|落实|引进|结合|的)$"
)
MEASURE_WORDS = {"个", "家", "名", "户", "所", "项", "场", "期", "批", "条", "套"}


def _noun_after(span, position):
    following = re.split(r"[,;。:、()]", span[position : position + 16])[0]
    following = re.sub(r"[“”\"]", "", following).strip()
    following = (
        re.split(r"(?:成功|实现|参加|参与|提供|开展|就业|创业|的)", following)[0]
        if len(following) > 10
        else following
    )
    return (
        following if 2 <= len(following) <= 14 and re.search(r"[\u4e00-\u9fff]", following) else ""
    )


def _plain(value):
    """12000, not 1.2E+4: drop trailing zeros without switching to exponent notation."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def _indicator(before, unit):
    for name, pattern in INDICATORS:
        if pattern.search(before):
            return name
    phrase = re.sub(r"[“”\"《》]", "", PINYIN.sub("", before)).strip()
    phrase = re.sub(r"\([^()]*\)", "", phrase)  # (含防返贫监测对象): an aside
    # Time phrases, places and "X、Y等" lists lead into the indicator without being part of it.
    phrase = LEADING_TIME.sub("", phrase)
    phrase = LEADING_PLACE.sub("", phrase)
    phrase = phrase.rsplit("等", 1)[-1] if "等" in phrase[:-1] else phrase
    phrase = LEADING_NOISE.sub("", phrase)
    phrase = re.sub(r"(达到|达|为|至|超过|近|约|逾|共计|总计|总数|人数)$", "", phrase).strip()
    phrase = re.sub(r"(?:从\d{4}年|由\d{4}年)?的$", "", phrase)
    if re.match(r"^[\d.]", phrase) or phrase.endswith(("和", "及", "与", "从", "由")):
        return ""
    if VERB_ENDING.search(phrase) and unit in MEASURE_WORDS:
        return ""  # 打造100个…: the noun follows the measure word
    phrase = re.sub(r"^(?:通过|依托|围绕|按照|对|向|为|在|将)", "", phrase)
    if len(phrase) < 2 or len(phrase) > 24 or not re.search(r"[\u4e00-\u9fff]", phrase):
        return ""
    return phrase


def _comparator(match, after, before):
    if re.match(r"(以上|多|余)", after) or match.group("approx1") or match.group("approx2"):
        return ">"
    if match.group("pre") in ("超过", "逾"):
        return ">"
    if re.match(r"以内|以下", after) or re.search(r"低于|控制在|不超过", before):
        if re.search(r"不超过", before):
            return "≤"
        return "<"
    if re.search(r"不低于|不少于", before):
        return "≥"
    return "="


# In a plan's forward-looking text 实现/建成/带动 are what it will do; only these say done.
PAST_CUES = re.compile(r"已经|已|截至|截止|以来|期间|\d{4}年(?:末|底)")


def _kind(context, forward_looking, sentence_before=""):
    """target or achieved, from the figure's clause and, failing that, its sentence."""
    if forward_looking and not PAST_CUES.search(context):
        return "target"
    target = list(TARGET_CUES.finditer(context))
    achieved = list(ACHIEVED_CUES.finditer(context))
    reported = REPORTED_CUES.search(context)
    if MODAL_CUES.search(context) and not reported:
        return "target"
    if target and (not achieved or target[-1].start() > achieved[-1].start()):
        return "target"
    if not reported and MODAL_CUES.search(sentence_before):
        # 力争到2022年末,全省农民务工就业规模突破600万人: the goal word leads the sentence.
        return "target"
    if achieved:
        return "achieved"
    return "target" if forward_looking else "achieved"


TABLE_VALUE = re.compile(r"^\[?\s*(?P<cmp>[<>≥≤]?)\s*(?P<num>\d+(?:\.\d+)?)\s*\]?\s*\*?$")
TABLE_INDICATOR = re.compile(
    r"^(?:\d{1,2}\s*[.、]\s*|其中\s*:\s*)?(?P<name>.+?)\s*(?:\((?P<unit>[^()]{1,6})\))?$"
)


def table_figures(cells):
    """Rows of a flattened indicator table: name (unit) | value | attribute."""
    figures = []
    current = None
    for start, _end, cell in cells:
        value = TABLE_VALUE.match(cell)
        if value and current is not None:
            name, unit, name_start, name_end = current
            magnitude, base_unit = _table_unit(unit)
            figures.append(
                Figure(
                    start=name_start,
                    end=name_end,
                    indicator=re.sub(r"人数$|人次$", "", name) or name,
                    value=_plain(Decimal(value.group("num")) * magnitude),
                    unit=base_unit,
                    comparator={"": "=", ">": ">", "<": "<", "≥": "≥", "≤": "≤"}[
                        value.group("cmp")
                    ],
                    kind="target",
                )
            )
            current = None
            continue
        indicator = TABLE_INDICATOR.match(cell)
        if (
            indicator
            and re.search(r"[\u4e00-\u9fff]{2}", cell)
            and not re.match(r"^(预期性|约束性|指\s*标|属\s*性|注)", cell)
            and not re.match(r"^\d{4}年$", cell)
        ):
            name = indicator.group("name").strip()
            name_start = start + cell.find(name)
            current = (name, indicator.group("unit") or "", name_start, name_start + len(name))
    return figures


def _table_unit(unit):
    for prefix, magnitude in (("万", Decimal(10000)), ("亿", Decimal(100000000))):
        if unit.startswith(prefix) and len(unit) > 1:
            return magnitude, unit[1:]
    return Decimal(1), unit or ""


# When a figure holds: the year it refers to, the years it covers, and how ----------------

FIVE_YEARS = "一二三四五六七八九"
TIME = re.compile(
    r"(?P<plan>十(?P<plan_n>[一二三四五六七八九])五)[”\"]?(?P<plan_when>期间|以来|时期|期末|末|初)?"
    r"|(?P<range_a>(?:19|20)\d\d)\s*年?\s*[-—–~至到]\s*(?P<range_b>(?:19|20)\d\d)\s*年"
    r"|(?P<year>(?:19|20)\d\d)\s*年(?P<year_part>底|末|度|初|上半年|下半年|前三季度|第?[一二三四]季度"
    r"|\d{1,2}\s*[-—~至]\s*\d{1,2}\s*月|\d{1,2}月(?:底|末)?)?"
    r"|(?P<relative>今年|本年度|本年|当年|全年|年内|去年|上年度|上年|上一年|明年|次年)"
    r"|(?P<part>上半年|下半年|前三季度|第?[一二三四]季度|1\s*[-—~至]\s*\d{1,2}\s*月)"
    r"|(?P<each>每年|年均|每年度)"
)
# 比2018年同期, 较上年, 与十三五末相比, 同比: a baseline the figure is compared with.
BASELINE_BEFORE = re.compile(r"(?:比|较|相比|同比|对比|与|高于|低于)\s*[“\"]?$")
BASELINE_AFTER = re.compile(r"^\s*[”\"]?(?:同期|相比|同比|水平)")
DEADLINE_BEFORE = re.compile(r"(?:到|至|截至|截止|截止到|截至到)\s*[“\"]?$")
SENTENCE_BREAK = re.compile(r"[。\n!?]")
# The last look-back to a five-year plan before a paragraph: “十三五”期间 / 时期 / 以来.
LOOK_BACK = re.compile(
    r"十([一二三四五六七八九])五[”\"]?(?:期间|时期|以来)(?!.*十[一二三四五六七八九]五)", re.S
)
LOOK_BACK_REACH = 600
# Stocks and rates are levels at a time; flows (新增, 培训, 发放…) add up over a period.
LEVEL_WORDS = re.compile(r"率|占比|比重|比例|总量|总数|规模|容量|保有|人数达|参保")
RELATIVE_YEARS = {
    "今年": 0,
    "本年度": 0,
    "本年": 0,
    "当年": 0,
    "全年": 0,
    "年内": 0,
    "去年": -1,
    "上年度": -1,
    "上年": -1,
    "上一年": -1,
    "明年": 1,
    "次年": 1,
}
ANNUAL, CUMULATIVE, LEVEL = "annual", "cumulative", "level"


@dataclass
class FigureTime:
    kind: str
    year: int | None
    year_start: int | None
    year_end: int | None
    period_type: str


def five_year_plan(n_char):
    """十四五 → (2021, 2025): from the third plan on (1966–1970) one every five years."""
    n = FIVE_YEARS.index(n_char) + 11
    first = 1966 + 5 * (n - 3)
    return first, first + 4


def _span_of(match):
    if match.group("plan"):
        return five_year_plan(match.group("plan_n"))
    start, end = int(match.group("range_a")), int(match.group("range_b"))
    return (start, end) if start <= end else None


def _time_before(text, sentence_start, position, dated_only=False):
    """The time expression nearest before ``position`` in its sentence that dates the
    figure (baselines such as 比2018年同期 are skipped), or ``None``. ``dated_only``: only
    expressions that name their years (十三五, 2016-2020年, 2017年), not 今年 or 每年."""
    found = list(TIME.finditer(text, sentence_start, position))
    for match in reversed(found):
        if dated_only and not (
            match.group("plan") or match.group("range_a") or match.group("year")
        ):
            continue
        before = text[max(sentence_start, match.start() - 4) : match.start()]
        after = text[match.end() : match.end() + 4]
        if BASELINE_BEFORE.search(before) or BASELINE_AFTER.match(after):
            continue
        # 由2015年的4.5%下降到… : the year dates the figure right after it only.
        if text[match.end() : match.end() + 1] == "的" and position - match.end() > 12:
            continue
        return match, DEADLINE_BEFORE.search(before) is not None
    return None


def figure_time(text, fig, *, doc_year, period=None, doc_kind=""):
    """When ``fig`` (a ``Figure`` over ``text``) holds, resolved against the document.

    ``doc_year`` is the document's year (what 今年 and 一季度 mean), ``period`` its stated
    period ``(start, end)`` or ``None``. A plan looking back (十三五期间…累计, 2015年…) reports
    results: those figures become ``achieved`` for their own years.
    """
    value_at = fig.end
    sentence_start = max(
        (m.end() for m in SENTENCE_BREAK.finditer(text, max(0, fig.start - 300), fig.start)),
        default=max(0, fig.start - 300),
    )
    context = text[sentence_start:value_at]
    is_level = fig.unit == "%" or bool(LEVEL_WORDS.search(fig.indicator or ""))
    flow = LEVEL if is_level else CUMULATIVE
    point = LEVEL if is_level else ANNUAL
    kind = fig.kind
    first_year = period[0] if period else doc_year
    found = _time_before(text, sentence_start, value_at)
    if found is None:
        # The paragraph's opening often dates what follows (“十三五”期间,… 。…发放贷款3.98亿元).
        paragraph_start = text.rfind("\n", 0, sentence_start) + 1
        found = _time_before(text, paragraph_start, sentence_start, dated_only=True)
    if found is None:
        # A section looking back (一、“十三五”时期就业工作成效 / “十三五”期间,…) dates the
        # figures of the paragraphs under it.
        earlier = LOOK_BACK.search(text[max(0, sentence_start - LOOK_BACK_REACH) : sentence_start])
        if earlier:
            start, end = five_year_plan(earlier.group(1))
            if first_year and end < first_year and not TARGET_CUES.search(context):
                return FigureTime("achieved", end, start, end, flow)
    if found is None:
        if kind == "target" and period:
            # A plan's goal without a date of its own holds for the plan's period.
            return FigureTime(kind, period[1], period[0], period[1], flow)
        if kind == "achieved" and period and doc_kind == "plan":
            # A plan's results stand before its period: the base year (2020 for 十四五).
            return FigureTime(kind, period[0] - 1, None, None, point)
        return FigureTime(kind, doc_year, None, None, point)
    match, deadline = found
    if match.group("each"):
        # 十三五以来…每年输送1.2万人: the yearly figure of the period named before it.
        earlier = _time_before(text, sentence_start, match.start(), dated_only=True)
        if earlier is not None and (earlier[0].group("plan") or earlier[0].group("range_a")):
            span = _span_of(earlier[0])
            if span:
                if first_year and span[1] < first_year:
                    kind = "achieved"
                return FigureTime(kind, None, span[0], span[1], LEVEL if is_level else ANNUAL)
    if match.group("plan"):
        start, end = five_year_plan(match.group("plan_n"))
        if first_year and end < first_year:
            kind = "achieved"  # a look-back: 十三五期间…累计达26.2万人 in a 十四五 plan
        if match.group("plan_when") in ("末", "期末"):
            return FigureTime(kind, end, None, None, LEVEL if is_level else point)
        return FigureTime(kind, end, start, end, flow)
    if match.group("range_a"):
        start, end = int(match.group("range_a")), int(match.group("range_b"))
        if start > end:
            return FigureTime(kind, doc_year, None, None, point)
        if first_year and end < first_year:
            kind = "achieved"
        return FigureTime(kind, end, start, end, flow)
    if match.group("year"):
        year = int(match.group("year"))
        if deadline and kind == "target" and period and period[0] <= year <= period[1]:
            # 到2025年…新增20万人: the plan's years up to the deadline.
            if is_level:
                return FigureTime(kind, year, None, None, LEVEL)
            return FigureTime(kind, year, period[0], year, CUMULATIVE)
        if first_year and year < first_year and not deadline:
            kind = "achieved"
        elif doc_year and year < doc_year and not deadline and doc_kind in ("plan", "opinion"):
            kind = "achieved"
        return FigureTime(kind, year, None, None, point)
    if match.group("relative"):
        year = doc_year + RELATIVE_YEARS[match.group("relative")] if doc_year else None
        if year is not None and doc_year and year < doc_year:
            kind = "achieved"
        return FigureTime(kind, year, None, None, point)
    if match.group("part"):
        return FigureTime(kind, doc_year, None, None, point)
    # 每年…不少于: a recurring yearly figure has no single year.
    if match.group("each") == "年均" or fig.unit == "%":
        if period:
            return FigureTime(kind, period[1], period[0], period[1], LEVEL)
        return FigureTime(kind, doc_year, None, None, LEVEL)
    if period:
        return FigureTime(kind, None, period[0], period[1], ANNUAL)
    return FigureTime(kind, None, None, None, ANNUAL)
