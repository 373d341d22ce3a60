"""Cut paragraphs into initiatives: the smallest self-contained measures.

Three shapes occur in the documents:
- enumerations inside a paragraph (一是…二是…, 一方面…另一方面…): one initiative per item;
- round-ups, where each clause is led by a place (四川省出台…;吉林省建立…): one per clause;
- plain prose: one per sentence that states an action; sentences that only explain or
  report on the previous one (其中…, 目前…, 截至…) stay with it.
"""

import re
from dataclasses import dataclass

from ingest import noise

ENUMERATION = re.compile(
    r"(?:(?<=[。;:,])|^)\s*([一二三四五六七八九十]+是|一方面|另一方面|其次|再次|最后"
    r"|\(\d{1,2}\)|\([一二三四五六七八九十]{1,2}\))"
)
ENUMERATION_LABEL = re.compile(
    r"[一二三四五六七八九十]+是|一方面|另一方面|其次|再次|最后|\(\d{1,2}\)|\([一二三四五六七八九十]{1,2}\)"
)
SENTENCE_END = re.compile(r"(?<=[。!?;])")
# A trailing "(市发改委、市人社局等负责)" names the lead departments, not a measure.
LEAD_DEPARTMENTS = re.compile(
    r"\s*\((?:[^()]|\([^()]{0,8}\)){2,200}(?:负责|牵头|配合|落实|参加)(?:[^()]|\([^()]{0,8}\)){0,60}\)\s*$"
    r"|\s*\((?:责任单位|牵头单位|责任部门|牵头部门)[:：](?:[^()]|\([^()]{0,8}\)){0,200}\)\s*$"
)
CONTINUATION = re.compile(
    r"^(?:其中|目前|截至|截止|特别是|尤其是|至此|由此|此举|这一|该|对此|从而|并且|累计|共|现已|已|全年|期间|同比|较上年|占|为此|据统计|经过)"
)
ACTION = re.compile(
    r"出台|建立|实施|开展|推进|推动|设立|打造|落实|加强|完善|提供|给予|支持|鼓励|引导|组织|启动|创建|建设|"
    r"举办|搭建|开通|组建|采取|实行|制定|提高|扩大|降低|放宽|发放|培育|创立|探索|健全|强化|加大|深化|优化|"
    r"规范|促进|帮助|扶持|补贴|奖励|免费|纳入|开发|安置|吸纳|招聘|培训|设置|推广|聚焦|依托|围绕|整合|"
    r"实现|免除|减免|延长|简化|取消|畅通|拓宽|拓展|保障|落地|兑现|认定|评选|选树|命名|"
    r"举行|输送|签约|征收|安排|做好|抓好"
)
MIN_LENGTH = 10
# Openings that say when, not what: "2019年,", "近日,", "今年以来,".
TITLE_PREAMBLE = re.compile(
    r"^(?:(?:\d{4}年(?:度|以来)?|近日|近年来|今年以来|目前|同时|此外|另外|其中)[,:]?)+"
)


@dataclass
class Unit:
    start: int
    end: int
    lead: str = ""  # the enumeration label's own words, e.g. "打造创业孵化基地"
    verbless: bool = False  # a numbered item's body whose verb is in its heading


def split(text, start, end, place_led=None, title=""):
    """Units of ``text[start:end]``. ``place_led(s)`` tells whether a clause opens with a place;
    ``title`` is the paragraph's numbered heading (1.建立“三包”责任机制), whose verb may be
    the only one its body has."""

    def kept(u):
        piece = text[u.start : u.end]
        if u.verbless:
            return len(piece) >= MIN_LENGTH and bool(ACTION.search(title))
        return _substantial(piece)

    body = text[start:end]
    cut = LEAD_DEPARTMENTS.search(body)
    if cut:
        body = body[: cut.start()]
    marks = [m for m in ENUMERATION.finditer(body)]
    if len(marks) >= 2:
        units = []
        pieces = [
            (m.start(1), marks[k + 1].start(1) if k + 1 < len(marks) else len(body))
            for k, m in enumerate(marks)
        ]
        intro = body[: marks[0].start(1)]
        units.extend(_sentences_to_units(intro, start, place_led))
        for a, b in pieces:
            piece = body[a:b]
            lead_match = ENUMERATION_LABEL.match(piece)
            lead = re.split(r"[。,;:]", piece[lead_match.end() :] if lead_match else piece)[0]
            units.extend(_item_units(piece, start + a, place_led, lead))
        return [u for u in units if kept(u)]
    return [u for u in _sentences_to_units(body, start, place_led) if kept(u)]


def _item_units(piece, offset, place_led, lead):
    """An enumerated item is one initiative, unless several places lead clauses inside it."""
    sentences = _sentences(piece, offset)
    first = noise.kind(sentences[0][2]) if sentences else ""
    if first and (
        first not in noise.STANCE_KINDS or all(noise.is_noise(t) for _, _, t in sentences)
    ):
        # 二是…任务艰巨。…: an item that opens with a problem or a preamble is not a measure.
        # One headed by a policy stance (促进经济增长与扩大就业联动。) is, when a sentence
        # below it does something.
        return []
    if sum(1 for s, e, t in sentences if place_led and place_led(t)) >= 2:
        return _group(sentences, place_led)
    piece = piece.rstrip()
    return [Unit(offset, offset + len(piece), lead)]


def _sentences_to_units(body, offset, place_led):
    return _group(_sentences(body, offset), place_led)


def _sentences(body, offset):
    out = []
    position = 0
    for part in SENTENCE_END.split(body):
        if part.strip():
            lead_space = len(part) - len(part.lstrip())
            s = offset + position + lead_space
            out.append((s, offset + position + len(part.rstrip()), part.strip()))
        position += len(part)
    return out


def _split_place_led(sentences, place_led):
    """Round-ups chain clauses led by different places with commas: 重庆市实行…,陕西省制定…,
    柳州市采取…. Cut before each such clause, unless what precedes is only a list of places
    (云南省、内蒙古通辽市、湖北麻城市…创立…), which has no action of its own."""
    out = []
    for s, e, t in sentences:
        if not (place_led and place_led(t)):
            out.append((s, e, t))
            continue
        cut_from = 0
        for m in re.finditer(r"[,、]", t):
            rest = t[m.end() :]
            head = t[cut_from : m.start()]
            if ACTION.search(head) and place_led(rest):
                out.append((s + cut_from, s + m.start() + 1, t[cut_from : m.start() + 1]))
                cut_from = m.end()
        out.append((s + cut_from, e, t[cut_from:]))
    return out


# How a clause that starts a measure of its own opens, inside a sentence that chains several
# (落实…政策措施,制定实施…措施办法,实施援企稳岗政策): a verb of doing, perhaps after an adverb,
# or 对…的 naming whom the next tool is for (…,对…办公用房…给予补贴).
CHAINED_MEASURE = re.compile(
    r"^(?:同时|并|还|积极|大力|深入|全面|持续|继续|主动|切实|广泛|按规定|按照规定)?"
    r"(?:落实|制定|实施|开展|发放|组织|给予|开发|举办|建立|设立|推行|出台|联合|举行|启动"
    r"|推出|确定|认定|选拔|创建|实行)"
    # 实施期限至…, 发放标准为…: the verb heads a noun that states a term or a parameter.
    r"(?!期限|时间|期间|范围|对象|标准|细则|办法|主体|单位|部门)"
    r"|^对[^,，]{2,40}(?:的|者)?[,，]?[^,，]{0,30}(?:给予|补贴|奖补|奖励)"
)


# The verbs of a measure being done, not of its framing (聚焦…群体, 围绕…, 坚持…).
DOING = re.compile(
    r"落实|制定|实施|开展|发放|组织|给予|开发|举办|建立|设立|推行|出台|提供|建设|打造|搭建|培训"
    r"|安置|吸纳|招聘|认定|扶持|帮助|补贴|鼓励|支持|推动|推进|加强|完善|健全|深化|拓展|联合|举行"
)
# A clause that only says for whom or by what means the next one acts (对…, 依托…, 通过…).
FRAMING = re.compile(r"^(?:对|为|针对|依托|通过|围绕|面向|按照|根据|在|以|结合|紧密结合)")


PEOPLE_COUNT = re.compile(r"\d+(?:\.\d+)?万?(?:名|人次|人)")
# Words too common in employment texts to tie a clause to the one before it.
COMMON_PAIRS = {"就业", "创业", "高校", "毕业", "业生", "组织", "人员", "劳动", "动力", "开展"}


def _reached_by(clause, head):
    """True when ``clause`` counts the people the measure in ``head`` reached: 开发就业见习
    岗位620个,组织412名高校毕业生参加见习 is one measure (the 见习 of both)."""
    if not PEOPLE_COUNT.search(clause):
        return False
    words = re.sub(r"[^\u4e00-\u9fff]", " ", clause)
    pairs = {words[k : k + 2] for k in range(len(words) - 1)} - COMMON_PAIRS
    return any(" " not in pair and pair in head for pair in pairs)


def _leads_into_next(clause):
    """True when ``clause`` only says for whom, on what condition or by what means the next
    clause acts: 依托…中心, …输出的, 县人社局对有组织赴省外务工的脱贫劳动力 (the subject and
    the 对 phrase before the verb 给予 that follows)."""
    clause = clause.strip()
    if FRAMING.match(clause) or clause.endswith("的"):
        return True
    at = clause.find("对")
    return at >= 0 and not DOING.search(clause[:at])


def _split_chained(sentences, place_led=None):
    """A sentence chaining measures with commas is one initiative per measure, as a careful
    reader quotes them: cut before each clause that opens a measure of its own, when what
    precedes already states one. Clauses that only count results stay with their measure,
    and so does a round-up's clause led by a place (one initiative per place)."""
    out = []
    for s, e, t in sentences:
        if place_led and place_led(t):
            out.append((s, e, t))
            continue
        cut_from = 0
        for m in re.finditer(r"[,，]", t):
            rest = t[m.end() :]
            head = t[cut_from : m.start()]
            first = re.split(r"[,，]", rest)[0]
            if (
                len(head) >= MIN_LENGTH
                and DOING.search(head)
                and not FRAMING.match(head)
                and not _leads_into_next(re.split(r"[,，]", head)[-1])
                and CHAINED_MEASURE.match(rest)
                and len(first) >= 6
                and not noise.is_outcome_clause(first)
                and not _reached_by(first, head)
            ):
                # The comma stays on the text judged (a clause ending in 办法 alone reads as
                # a title), not in the span.
                out.append((s + cut_from, s + m.start(), t[cut_from : m.end()]))
                cut_from = m.end()
        out.append((s + cut_from, e, t[cut_from:]))
    return out


def _describes_a_document(sentence):
    plain = noise.PINYIN.sub("", sentence)
    return bool(noise.DESCRIPTION.search(plain) or noise.INTERPRETATION.search(plain))


def _group(sentences, place_led):
    units = []
    pending = None  # a leading sentence with no verb of its own waits for the next one
    # Noise is judged on whole sentences first: a preamble's later clauses (…,根据《…》,
    # 制定本方案) must not become measures by being cut off.
    whole = [(s, e, t) for s, e, t in _split_place_led(sentences, place_led)]
    noisy = set()
    describing = False
    for s, e, t in whole:
        kind = noise.kind(t)
        # 该《意见》分把就业摆在…;大力促进创新引领创业…;…5部分26条。: the items of a list
        # that describes a document are its section titles, not measures, up to the 。.
        if kind or describing:
            noisy.add((s, e))
        if kind and _describes_a_document(t):
            describing = True
        if not t.rstrip().endswith((";", "；")):
            describing = False
    for s, e, t in _split_chained(whole, place_led):
        if any(a <= s and e <= b for a, b in noisy) or noise.is_noise(t):
            # Forwarding lines, preambles, meeting reports: neither a unit nor part of one.
            pending = None
            continue
        led = bool(place_led and place_led(t))
        joins_previous = (
            units
            and not led
            and (CONTINUATION.match(t) or not ACTION.search(t) or len(t) < MIN_LENGTH)
        )
        if joins_previous:
            units[-1].end = e
        elif not units and not led and not ACTION.search(t):
            # 市级领导包区、县…的工作机制;…开展…活动: the opening states the measure's object.
            pending = pending or (s, e)
            pending = (pending[0], e)
        else:
            units.append(Unit(pending[0] if pending else s, e, ""))
            pending = None
    if pending and not units:
        units.append(Unit(pending[0], pending[1], "", verbless=True))
    return units


def _substantial(text):
    return len(text) >= MIN_LENGTH and bool(ACTION.search(text))


def title_for(text, lead, heading):
    """A short title: the enumeration label, else the opening clause, else the heading."""
    opening = TITLE_PREAMBLE.sub("", text)
    for candidate in (lead, re.split(r"[。,;:!?]", opening)[0], heading):
        candidate = (candidate or "").strip(" ,。;:")
        if len(candidate) >= 4:
            return candidate[:60] + ("…" if len(candidate) > 60 else "")
    return text[:60]
