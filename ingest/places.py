"""Find places in text with the gazetteer.

Official names (四川省, 金牛区) are trusted anywhere. Short names and aliases (四川, 柳州)
are trusted for provinces and prefectures; a county's short name (平利, 巨鹿) only counts
inside a province already in context, because many of them are ordinary words elsewhere.
Compounds written without the middle level (成都金牛区, 四川九寨县) resolve to the most
specific place, and a near-miss county (九寨县 for 九寨沟县) is accepted when exactly one
county of the province in context differs from it by one inserted character.
"""

import re
from dataclasses import dataclass

from regions.gazetteer import COUNTY, NATIONAL_CODE, PREFECTURE, PROVINCE

# Short names that are also everyday words in policy prose; only their full names count.
AMBIGUOUS_SHORT_NAMES = {
    "长治",
    "四平",
    "平安",
    "和平",
    "新华",
    "城关",
    "阿里",
    "中山",
    "海南",
    "开发",
    "新区",
    "高新",
    "永定",
    "安宁",
    "太平",
    "长安",
    "大同",
    "吉安",
    "新城",
    "东方",
    "白山",
    "七台河",
    "东区",
    "西区",
    "南区",
    "北区",
    "城区",
    "郊区",
    "矿区",
    "市中",
    "通化",
}
# Official names that are also common nouns (阳泉市城区, 矿区): they count only right after
# their prefecture or province, as in 阳泉城区.
GENERIC_OFFICIAL_NAMES = {"城区", "矿区", "郊区", "新区", "全国"}
# Words that name the whole country or a central ministry: measures led by them are national.
NATIONAL_CUES = re.compile(
    r"^(?:全国|国家|国务院|人社部|人力资源社会保障部|人力资源和社会保障部|财政部|教育部|中央|"
    r"\d+个省(?:\(区、市\)|份|区市)?)"
)
# A gazetteer name directly followed by one of these is part of an organisation's name that
# still refers to the place (鸡西调查队), so no filtering is needed; but a name inside a
# book title 《…》 is a citation, not an actor.
COUNTY_SUFFIX = re.compile(r"([\u4e00-\u9fff]{1,4}?)(县|区|市|旗)")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    code: str
    official: bool


class PlaceMatcher:
    def __init__(self, gazetteer):
        self.g = gazetteer
        # For each first character, the lengths of the names that start with it, longest
        # first: most positions in a text start no name at all and are skipped at once.
        lengths = {}
        for name in (*gazetteer.official, *gazetteer.short):
            if len(name) >= 2:
                lengths.setdefault(name[0], set()).add(len(name))
        self.lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}

    def find(self, text, context=None):
        """Mentions of places in ``text``, most specific first within each compound.

        ``context`` is a region code (the document's or the heading's) used to decide
        between places of the same name and to admit county short names.
        """
        citations = _citation_spans(text)
        raw = []
        i, n = 0, len(text)
        while i < n:
            hit = self._longest_at(text, i)
            if hit is None:
                i += 1
                continue
            name, official = hit
            if any(a <= i < b for a, b in citations):
                i += len(name)
                continue
            raw.append((i, i + len(name), name, official))
            i += len(name)
        return self._resolve(text, raw, context)

    def _longest_at(self, text, i):
        for length in self.lengths.get(text[i], ()):
            name = text[i : i + length]
            if len(name) < length:
                continue
            if name in self.g.official:
                return name, True
            if name in self.g.short and name not in AMBIGUOUS_SHORT_NAMES:
                return name, False
        return None

    def _resolve(self, text, raw, context):
        mentions = []
        previous = None  # the place of the mention right before, for compounds
        previous_end = -1
        for start, end, name, official in raw:
            adjacent = previous is not None and start == previous_end
            anchor = previous if adjacent else None
            if name in GENERIC_OFFICIAL_NAMES and anchor is None:
                previous, previous_end = None, -1
                continue
            code = self._choose(name, official, anchor, context)
            if code is None:
                previous, previous_end = None, -1
                continue
            place = self.g.get(code)
            if adjacent and mentions and self.g.is_within(code, mentions[-1].code):
                # 成都金牛区: keep only the most specific part of the compound.
                mentions[-1] = Mention(mentions[-1].start, end, code, official)
            else:
                mentions.append(Mention(start, end, code, official))
            previous, previous_end = code, end
            # 四川九寨县: a near-miss county right after a province or prefecture.
            if place.level in (PROVINCE, PREFECTURE):
                near = self._near_miss_county(text, end, code)
                if near is not None:
                    near_code, near_end = near
                    mentions[-1] = Mention(mentions[-1].start, near_end, near_code, False)
                    previous, previous_end = near_code, near_end
        return mentions

    def _choose(self, name, official, anchor, context):
        codes = self.g.official.get(name, []) if official else self.g.short.get(name, [])
        if not official:
            codes = [c for c in codes if c not in self.g.official.get(name, [])]
        for scope in (anchor, context):
            if scope and scope != NATIONAL_CODE:
                inside = [c for c in codes if self.g.is_within(c, self._province(scope))]
                if inside:
                    codes = inside
                    break
        else:
            if not official:
                # A county's short name alone is too often an ordinary word.
                codes = [c for c in codes if self.g.get(c).level != COUNTY]
        if not codes:
            return None
        return min(codes, key=lambda c: (self.g.get(c).level, c))

    def _province(self, code):
        province = self.g.province_of(code)
        return province.code if province else code

    def _near_miss_county(self, text, position, parent_code):
        match = COUNTY_SUFFIX.match(text, position)
        if not match:
            return None
        token = match.group(0)
        if token in self.g.official or token in self.g.short:
            return None
        candidates = [
            p.code
            for p in self.g.counties_within(parent_code)
            if p.name.endswith(match.group(2))
            and len(p.name) == len(token) + 1
            and _one_insertion(token, p.name)
        ]
        if len(candidates) == 1:
            return candidates[0], match.end()
        return None


def _one_insertion(short, long):
    """True when ``long`` is ``short`` with one character inserted (九寨县 → 九寨沟县)."""
    return any(long[:k] + long[k + 1 :] == short for k in range(len(long)))


def _citation_spans(text):
    return [(m.start(), m.end()) for m in re.finditer(r"《[^》]{0,80}》", text)]


def is_national_lead(text):
    return bool(NATIONAL_CUES.match(text.lstrip()))


# -- the document's region from its own evidence ------------------------------------------

# One-character province abbreviations as document numbers use them (粤府〔2020〕12号).
PROVINCE_ABBREVIATIONS = {
    "京": "110000",
    "津": "120000",
    "冀": "130000",
    "晋": "140000",
    "内蒙": "150000",
    "辽": "210000",
    "吉": "220000",
    "黑": "230000",
    "沪": "310000",
    "苏": "320000",
    "浙": "330000",
    "皖": "340000",
    "闽": "350000",
    "赣": "360000",
    "鲁": "370000",
    "豫": "410000",
    "鄂": "420000",
    "湘": "430000",
    "粤": "440000",
    "桂": "450000",
    "琼": "460000",
    "渝": "500000",
    "川": "510000",
    "黔": "520000",
    "云": "530000",
    "藏": "540000",
    "陕": "610000",
    "甘": "620000",
    "青": "630000",
    "宁": "640000",
    "新": "650000",
}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
DOCUMENT_NUMBER = re.compile(
    r"(?<![\u4e00-\u9fff])("
    + "|".join(sorted(PROVINCE_ABBREVIATIONS, key=len, reverse=True))
    + r")"
    r"(?:政|府|人社|人力资源社会保障|办)[\u4e00-\u9fff]{0,3}\s*[〔\[【(]\s*(?:19|20)\d\d\s*[〕\]】)]\s*\d+\s*号"
)
# The issuing body standing alone on a line (above the addressees or in the signature), or
# heading a title: 济宁市人民政府关于…的意见, 广东省人民政府, 房山区人力资源和社会保障局.
ISSUER_LINE = re.compile(
    r"^([\u4e00-\u9fff]{2,20}?)(?:人民政府(?:办公厅|办公室)?|人力资源(?:和)?社会保障(?:厅|局)|人社(?:厅|局)"
    r"|行政公署|就业(?:服务)?(?:局|中心)|就业创业工作领导小组(?:办公室)?)(?:\s*关于.*)?$"
)
ISSUER_IN_HEADER = ("发文机关", "发布机构", "来源", "信息来源", "发布者", "作者")
# Who the document is sent to tells the level of who sends it.
ADDRESSEES = re.compile(
    r"^各[^\n:：]{1,80}?(?:人民政府|政府|管委会|行政公署|各部门|有关单位)[^\n]{0,80}[:：]"
)
ADDRESSEE_LEVELS = [
    (
        re.compile(r"^各(?:地级以上市|市[、(]?州|州[、,]?市|盟市|地级市|市\(州\)|市、州|地区)"),
        PROVINCE,
    ),
    (
        # 各县(市、区), 各区、县, 各区(市)县, 各县市区: the sender is a city (or a municipality).
        re.compile(r"^各(?:县|区|旗)[^,，:：]{0,8}?(?:人民)?政府"),
        PREFECTURE,
    ),
    (re.compile(r"^各(?:乡|镇|乡镇|乡\(镇\)|街道|苏木)"), COUNTY),
    (re.compile(r"省政府各|省直"), PROVINCE),
    (re.compile(r"(?:市|州|盟)(?:人民)?政府各|(?:市|州)直"), PREFECTURE),
    (re.compile(r"(?:县|区|旗)(?:人民)?政府各|县直"), COUNTY),
]
LEVEL_WORDS = {
    PROVINCE: re.compile(r"我省|全省|省委|省政府|本省|我自治区|全自治区|我区各族"),
    PREFECTURE: re.compile(r"我市|全市|市委|市政府|本市|我州|全州|州委|州政府|我盟|全盟"),
    COUNTY: re.compile(r"我县|全县|县委|县政府|我区|全区|区委|区政府|我旗|全旗|本县|本区"),
}


@dataclass
class RegionEvidence:
    code: str
    reason: str  # one line for curators: 发文机关 福州市人民政府办公厅


def document_region(title, text, header, matcher, roundup=False):
    """The region a document speaks for, and why, from the evidence it carries.

    Evidence, strongest first: the issuing body (a line of its own, the signature, the
    page's 发文机关/来源), places in the title, the document number (粤府〔2020〕12号),
    the places the text names and how often, and the documents it cites (《辽宁省…》 for a
    text that says 我市 is issued by a city of 辽宁省). The level the text speaks at comes
    from its addressees (各县(市、区)人民政府 → a city) or its 我市/全县 words; the most
    specific place that evidence supports is chosen, never a guess below it.
    """
    g = matcher.g
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    scores, reasons = {}, {}

    def support(code, weight, reason):
        if code and code != NATIONAL_CODE:
            scores[code] = scores.get(code, 0) + weight
            reasons.setdefault(code, reason)

    for key in ISSUER_IN_HEADER:
        value = header.get(key) or ""
        for m in matcher.find(value)[:1]:
            support(m.code, 10, f"{key} {value[:30]}")
    for line in [*lines[:8], *lines[-6:]]:
        match = ISSUER_LINE.match(line)
        if match:
            for m in _specific_first(matcher.find(match.group(1)), g)[:1]:
                support(m.code, 12, f"发文机关 {line[:40]}")
    in_title = _specific_first(matcher.find(title), g) if title else []
    if in_title:
        # The title names the place (济宁市人民政府关于…): an issuer inside it refines it.
        code = in_title[0].code
        finer = [c for c in scores if c != code and g.is_within(c, code)]
        if finer:
            code = max(finer, key=lambda c: scores[c])
            return RegionEvidence(code, reasons[code])
        return RegionEvidence(code, reasons.get(code) or f"标题 {title[:40]}")
    for match in DOCUMENT_NUMBER.finditer(text[:3000]):
        support(PROVINCE_ABBREVIATIONS[match.group(1)], 4, f"文号 {match.group(0)}")

    level = _addressee_level(lines[:12])
    level_reason = "主送机关" if level is not None else ""
    if level is None:
        hits = {lv: len(p.findall(text)) for lv, p in LEVEL_WORDS.items()}
        if any(hits.values()):
            level = max(hits, key=hits.get)
            level_reason = LEVEL_WORDS[level].search(text).group(0)

    if roundup and not scores:
        return RegionEvidence(NATIONAL_CODE, "汇编：各地做法")
    mentions = matcher.find(text)
    counts = {}
    for m in mentions:
        counts[m.code] = counts.get(m.code, 0) + 1
    provinces = {g.province_of(c).code for c in counts if g.province_of(c)}
    many_places = len(provinces) >= 6
    for code, n in counts.items():
        place = g.get(code)
        within = sum(c for other, c in counts.items() if other != code and g.is_within(other, code))
        weight = n + 0.5 * within + (3 if level is not None and place.level == level else 0)
        support(code, weight, f"正文提及 {place.name}{n}次")

    if not scores:
        cited = _cited_places(text, matcher)
        # 我区 and 《2017年度房山区就业工作目标责任书》: the text cites its own region's papers.
        same_level = [c for c in cited if level is not None and g.get(c).level == level]
        if same_level:
            code = max(set(same_level), key=same_level.count)
            return RegionEvidence(code, f"引用文件中的{g.get(code).name}与“{level_reason}”")
        superior = [c for c in cited if level is None or g.get(c).level < level]
        if superior:
            code = max(set(superior), key=superior.count)
            return RegionEvidence(code, f"引用上级文件《{g.get(code).name}…》")
        for line in lines[:12]:
            for pattern, code in PROVINCE_ADDRESSEES:
                if pattern.search(line) and g.get(code):
                    # A provincial government's fixed addressee formula names no place but
                    # is its own: 各地级以上市 only in 广东.
                    return RegionEvidence(code, f"主送机关 {line[:30]}")
        return RegionEvidence(NATIONAL_CODE, "无地区依据")
    best = max(scores, key=lambda c: (scores[c], g.get(c).level))
    if many_places and counts.get(best, 0) < 3 and scores[best] < 10:
        return RegionEvidence(NATIONAL_CODE, "多省份：全国")
    place = g.get(best)
    if level is not None and place.level < level and best not in MUNICIPALITIES:
        # The text speaks as a city (我市) but the strongest evidence is its province: a
        # place of the right level inside it that the text itself names is the issuer.
        inside = [
            c
            for c in scores
            if place.level < g.get(c).level <= level and g.is_within(c, best) and c != best
        ]
        if inside:
            chosen = max(inside, key=lambda c: scores[c])
            return RegionEvidence(chosen, f"{reasons[chosen]}；{reasons[best]}")
    return RegionEvidence(best, reasons[best] + (f"；{level_reason}" if level_reason else ""))


# The addressee formulas of provincial governments that name no place yet belong to one
# province only (the text itself then says only 我省).
PROVINCE_ADDRESSEES = [
    (re.compile(r"^各市人民政府[,，]\s*省政府各厅委"), "210000"),
    (re.compile(r"各地级以上市人民政府"), "440000"),
    (re.compile(r"各省辖市[^,，:：]{0,12}人民政府"), "410000"),
    (re.compile(r"长白山管委会"), "220000"),
    (re.compile(r"[、(（]特区[)）]?人民政府|[、(（]特区[)）]"), "520000"),
]


def _specific_first(mentions, g):
    return sorted(mentions, key=lambda m: -g.get(m.code).level)


def _addressee_level(lines):
    for line in lines:
        match = ADDRESSEES.match(line)
        if not match:
            continue
        for pattern, level in ADDRESSEE_LEVELS:
            if pattern.search(match.group(0)):
                return level
    return None


def _cited_places(text, matcher):
    """Places named at the start of cited titles: 《辽宁省…》, 《2017年度房山区…》."""
    out = []
    for match in re.finditer(r"《([^》]{2,80})》", text):
        inner = re.sub(r"^(?:19|20)\d\d年度?", "", match.group(1))
        found = matcher.find(inner[:12])
        if found and found[0].start == 0:
            out.append(found[0].code)
    return out
