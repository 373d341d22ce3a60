"""From cleaned text to initiatives and targets, as plain data (no database writes).

Everything here is a pure function of the text, the gazetteer and the vocabularies, so it
can be tested on small strings and re-run after curators improve a vocabulary.
"""

import re
from dataclasses import dataclass, field

from ingest import structure, targets, units
from ingest.places import PlaceMatcher, is_national_lead
from regions.gazetteer import NATIONAL_CODE

EXTRACTOR_VERSION = "ingest-1.0"
# A measure with its own years: 2019-2021年, 2019年至2021年.
OWN_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年?\s*[-—–~至到]\s*((?:19|20)\d\d)\s*年")
LEAD_JOINER = re.compile(r"[、,]?|和|及|与|以及")
# A place name followed by one of these names an organisation, park or product.
ORGANISATION_AFTER = re.compile(
    r"^(?:商会|同乡会|工业园|产业园|商贸城|大学|学院|银行|茶|酒|大米|籍)"
)
COOPERATION = re.compile(
    r"协作|对口|帮扶|援建|合作|输出|输送|转移|务工|对接|招聘|外出|劳务|省外|异地"
)
PARTNER_BEFORE = re.compile(
    r"(?:到|赴|往|向|与|同|跟|对接|邀请|学习|借鉴|输出|输送|转移至|来自|前往|对口)$"
)


@dataclass
class ExtractedInitiative:
    start: int
    end: int
    title: str
    heading: str
    region_codes: list
    themes: list
    instrument_ids: list
    # Roles of the counted regions (issuer / covered; covered when absent) and the places
    # named that do not place the measure: [(code, "partner" | "mentioned")].
    roles: dict = field(default_factory=dict)
    other_regions: list = field(default_factory=list)
    evidence: str = ""

    def region_links(self):
        """(code, role) for every region link the initiative gets."""
        links = [(code, self.roles.get(code, "covered")) for code in self.region_codes]
        seen = set(self.region_codes)
        for code, role in self.other_regions:
            if code not in seen:
                seen.add(code)
                links.append((code, role))
        return links

    # (start, end) the measure is in force for: the document's period unless the sentence
    # states its own (2019-2021年); ``None`` without either.
    period: tuple | None = None


@dataclass
class ExtractedTarget:
    start: int
    end: int
    indicator: str
    value: object
    unit: str
    comparator: str
    kind: str
    region_code: str
    year: int | None
    year_start: int | None = None
    year_end: int | None = None
    period_type: str = ""
    initiative_index: int | None = None


@dataclass
class Extraction:
    initiatives: list = field(default_factory=list)
    targets: list = field(default_factory=list)


@dataclass
class Placement:
    codes: list  # counted: issuers and covered places
    roles: dict
    others: list  # [(code, "partner" | "mentioned")]
    reason: str


def _evidence_line(region_reason, cues):
    line = f"地区依据：{region_reason or '文件地区'}"
    if cues:
        line += "；主题依据：" + "、".join(dict.fromkeys(cue for _, cue in cues))
    return line[:300]


def _own_period(clause):
    match = OWN_PERIOD.search(clause)
    if match and int(match.group(1)) < int(match.group(2)) <= int(match.group(1)) + 15:
        return int(match.group(1)), int(match.group(2))
    return None


def _without_repeats(text, found):
    """The same figure stated twice in a document (a plan's goal in its prose and again in
    its indicator table) is one target: the first statement is kept. Figures in one
    paragraph are distinct (创建1个国家级、1个省级…基地 are two)."""
    seen, kept = {}, []
    for t in found:
        key = (t.indicator, t.value, t.unit, t.comparator, t.kind, t.year, t.year_start)
        key += (t.year_end, t.region_code)
        paragraph = text.count("\n", 0, t.start)
        if key in seen and seen[key] != paragraph:
            continue
        seen.setdefault(key, paragraph)
        kept.append(t)
    return kept


class Extractor:
    def __init__(self, gazetteer, vocabulary):
        self.g = gazetteer
        self.matcher = PlaceMatcher(gazetteer)
        self.vocabulary = vocabulary

    def extract(self, text, meta):
        result = Extraction()
        document_region = meta.issuing_region
        forward = meta.kind in ("plan", "opinion")
        for paragraph in structure.parse(text, meta.title):
            heading_region = self._heading_region(paragraph.headings, document_region)
            if paragraph.kind == "table":
                for fig in targets.table_figures(paragraph.cells):
                    result.targets.append(self._target(text, fig, heading_region, meta))
                continue
            place_led = self._place_led(heading_region)
            first_initiative = len(result.initiatives)
            paragraph_units = units.split(
                text, paragraph.start, paragraph.end, place_led, paragraph.title
            )
            heading_reason = (
                f"所在章节 {self.g.get(heading_region).name}"
                if heading_region != document_region
                else meta.region_evidence or "文件地区"
            )
            if (
                paragraph_units
                and paragraph.title_start is not None
                and not any(u.lead for u in paragraph_units)
            ):
                # The numbered heading on the same line names the measure its body states
                # (3.继续实施稳岗返还政策。放宽…); over an enumeration 一是…二是… it is only
                # a section title.
                paragraph_units[0].start = paragraph.title_start
            for unit in paragraph_units:
                clause = text[unit.start : unit.end]
                placed = self._place(clause, heading_region, heading_reason, document_region)
                if not paragraph.is_background:
                    headings = [*paragraph.headings, paragraph.title]
                    cues = self.vocabulary.theme_cues(clause, headings)
                    result.initiatives.append(
                        ExtractedInitiative(
                            start=unit.start,
                            end=unit.end,
                            title=units.title_for(clause, unit.lead or "", paragraph.title),
                            heading=paragraph.heading_text[:500],
                            region_codes=placed.codes,
                            themes=[key for key, _ in cues],
                            instrument_ids=self.vocabulary.instruments_in(clause),
                            roles=placed.roles,
                            other_regions=placed.others,
                            evidence=_evidence_line(placed.reason, cues),
                            period=_own_period(clause) or meta.period,
                        )
                    )
            # Figures are read from the whole paragraph: background sentences that are not
            # initiatives still report results (“十三五”期间…累计达26.2万人).
            looking_ahead = forward and not paragraph.is_retrospective
            for fig in targets.find_figures(
                text, paragraph.start, paragraph.end, forward_looking=looking_ahead
            ):
                index = next(
                    (
                        k
                        for k in range(first_initiative, len(result.initiatives))
                        if result.initiatives[k].start <= fig.start < result.initiatives[k].end
                    ),
                    None,
                )
                region = (
                    result.initiatives[index].region_codes[0]
                    if index is not None
                    else heading_region
                )
                target = self._target(text, fig, region, meta)
                target.initiative_index = index
                result.targets.append(target)
        result.targets = _without_repeats(text, result.targets)
        return result

    def _target(self, text, fig, region_code, meta):
        when = targets.figure_time(
            text, fig, doc_year=meta.year, period=meta.period, doc_kind=meta.kind
        )
        return ExtractedTarget(
            start=fig.start,
            end=fig.end,
            indicator=fig.indicator,
            value=fig.value,
            unit=fig.unit,
            comparator=fig.comparator,
            kind=when.kind,
            region_code=region_code,
            year=when.year,
            year_start=when.year_start,
            year_end=when.year_end,
            period_type=when.period_type,
        )

    def _place_led(self, context):
        def led(sentence):
            mentions = self.matcher.find(sentence[:14], context)
            return bool(mentions and mentions[0].start == 0) or is_national_lead(sentence)

        return led

    def _heading_region(self, headings, document_region):
        for heading in reversed([h for h in headings if h]):
            found = self._specific(self.matcher.find(heading, document_region), document_region)
            if found:
                return found[0]
        return document_region

    def _regions(self, clause, context):
        """The counted regions of a clause (its issuers and covered places)."""
        return self._place(clause, context, "", context).codes

    def _place(self, clause, context, context_reason, document_region):
        if is_national_lead(clause) and context == NATIONAL_CODE:
            return Placement([NATIONAL_CODE], {}, [], "全国性表述")
        mentions = self.matcher.find(clause, context)
        others = []
        if mentions and mentions[0].start == 0:
            # A clause led by places belongs to those places only: 云南省、内蒙古通辽市…创立….
            lead = [mentions[0]]
            for m in mentions[1:]:
                if LEAD_JOINER.fullmatch(clause[lead[-1].end : m.start]):
                    lead.append(m)
                else:
                    break
            others = [(m.code, self._side_role(clause, m)) for m in mentions[len(lead) :]]
            # 福建省作为楚雄州劳务输出的重点地区…: in a local document, another province
            # leading a clause about labour cooperation is the other side of it.
            away = [
                m for m in lead if self._outside(m.code, context) and COOPERATION.search(clause)
            ]
            others += [(m.code, "partner") for m in away]
            mentions = [m for m in lead if m not in away]
            how = "句首地名"
        else:
            kept = []
            for m in mentions:
                role = self._side_role(clause, m, context)
                if role:
                    others.append((m.code, role))
                else:
                    kept.append(m)
            mentions = kept
            how = "句中地名"
        found = self._specific(mentions, context)
        others = [(c, r) for c, r in others if c not in found]
        if found:
            names = "、".join(self.g.get(c).name for c in found[:3])
            roles = {c: "issuer" for c in found if c == document_region}
            return Placement(found, roles, others, f"{how} {names}")
        role = "issuer" if context == document_region and context != NATIONAL_CODE else "covered"
        return Placement([context], {context: role}, others, context_reason)

    def _side_role(self, clause, mention, context=None):
        """ "partner" or "mentioned" for a place that is not where the measure happens."""
        before = clause[max(0, mention.start - 4) : mention.start]
        after = clause[mention.end : mention.end + 4]
        if ORGANISATION_AFTER.match(after):
            # 浙江商会, 湖南工业园, 峨眉山茶: a name, not an actor.
            return "mentioned"
        if PARTNER_BEFORE.search(before):
            # Places a measure reaches out to (输出到湖州, 与浙江协作) are not where it happens.
            return "partner"
        if self._outside(mention.code, context):
            # Another province in a local document: the other side of 劳务协作, a
            # destination of workers, or a venue.
            return "partner" if COOPERATION.search(clause) else "mentioned"
        return ""

    def _outside(self, code, context):
        """True when ``code`` lies outside the province of a local (not national) context."""
        if not context or context == NATIONAL_CODE:
            return False
        province = self.g.province_of(context)
        return bool(province) and not self.g.is_within(code, province.code)

    def _specific(self, mentions, context):
        """Distinct places, dropping any that only repeat an ancestor of the context or of
        another mention (四川 in a 乐山 document, 湖北 beside 麻城市)."""
        codes = list(dict.fromkeys(m.code for m in mentions))
        kept = []
        for code in codes:
            if code != context and context and self.g.is_within(context, code):
                continue
            if any(other != code and self.g.is_within(other, code) for other in codes):
                continue
            kept.append(code)
        return kept
