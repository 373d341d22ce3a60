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
