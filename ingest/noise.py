"""Sentences of official documents that are not measures, whatever verbs they use.

Every document carries text around its measures: its own title repeated, the forwarding
notice (现将…印发给你们，请认真贯彻执行), the purpose preamble (为贯彻落实…精神，现提出如下
意见), guiding ideology, meeting reports (…主持召开…会议, 会议强调…), self-assessment
(取得了显著成效) and problem statements (矛盾依然突出). They use the same verbs as measures
(落实, 推动, 实施), so the verb test in units.py cannot tell them apart; these patterns name
the genre's fixed phrasing instead. The text is the simplified reading copy.
"""

import re

# 现将《…》印发给你们，请认真贯彻执行 / 已经市政府同意 / 实施中遇到的问题请…反映.
FORWARDING = re.compile(
    r"印发给你们|转发给你们|请认真(?:贯彻|组织|抓好|遵照)?(?:执行|实施|落实)|请结合实际"
    r"|遇到的问题.{0,12}(?:请|及时)|已经.{0,24}同意|现予(?:印发|公布|发布)|自印发之日起"
    r"|自(?:发布|公布)之日起(?:施行|实施)"
)
# 为贯彻落实《…》精神，…现提出如下措施: the opening clause names what is implemented.
PURPOSE = re.compile(
    r"^(?:\d{1,2}月\d{1,2}日[上下]?午?[,，])?为(?:了)?[^,，。]{0,12}(?:贯彻|落实|实施)"
    r"[^。]{0,120}?(?:精神|部署|要求|意见|通知|规划|决定|战略|》)"
)
ANNOUNCES = re.compile(
    r"现(?:提出|制定)(?:以下|如下)|(?:提出|制定)(?:以下|如下)|特制定本|编制本(?:规划|方案)"
    r"|制定本(?:实施)?(?:规划|方案|办法|意见|细则)"
)
GUIDING = re.compile(
    r"习近平|坚强领导|重要指示|重要讲话|决策部署|部署要求|高度重视|以人民为中心|新发展理念"
    r"|二十大|十九大|指导思想|总体要求是|基本原则是"
)
# News furniture: 新华社哈尔滨4月13日电(记者 …), 本报讯, 记者从…了解到.
BYLINE = re.compile(
    r"^(?:新华社|本报讯|本报|央广网|人民网|中新网|新华网)|^[^,。]{0,16}\d{1,2}月\d{1,2}日电"
    r"|记者从[^,。]{0,30}(?:了解到|获悉)|^记者[^,。]{0,10}(?:了解到|获悉)"
)
# A clause that only says when: 2021年, 截至4月上旬, 今年以来, 1—6月.
TIME_CLAUSE = re.compile(
    r"(?:截至|截止|至|到)?[^,;:]{0,10}?(?:年|月|旬|日|以来|目前|底|末|季度|半年)(?:[上中下]旬|底|末)?"
)
# 到2025年, 力争2018年: how a sentence listing the goals opens.
GOAL_OPENING = re.compile(r"(?:(?:力争|确保|争取)(?:到|至|在)?|到|至)20\d\d年(?:底|末)?")
# How the goals end: the state they should bring about, not something done (残疾人就业权益
# 得到更好保障, 形成…的良好社会环境).
OUTCOME_CLAUSE = re.compile(
    r"得到(?:更好|有效|明显|进一步|充分)?(?:的)?(?:保障|落实|提升|改善|加强|维护)"
    r"|(?:良好|浓厚)[^,，;；]{0,8}(?:氛围|环境)|格局(?:基本)?形成"
    r"|(?:体系|机制|制度)(?:更加|日益|基本|逐步)(?:完善|健全|成熟)"
    r"|基本实现[^,，;；]{0,10}就业$"
)
# What a goal or a result measures, not a tool that reaches it: jobs created, people
# re-employed or moved into work, their earnings, the unemployment rate.
OUTCOME_FIGURE = re.compile(
    r"新增(?:城镇)?就业|城镇新增|再就业|实现就业|转移就业|务工就业|输出就业|就业规模|就业人数"
    r"|劳务收入|工资性收入|人均(?:月|年)?增收|失业率|就业率|带动就业"
)
# A slogan that frames the clauses after it: 突出…“两个关键”, 依托…“两个抓手”.
SLOGAN_FRAME = re.compile(r"“[两二三四五六七八九十]个[^”]{1,6}”$")
# How a goal is phrased around its figure: 确保年内, 力争, 达到, 稳定在.
GOAL_WORDS = re.compile(r"确保|力争|争取|达到|突破|稳定在|控制在|实现|保持")
# A count or a rate, not a bare year: 3.36%, 2316人, 0.09个百分点.
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:万|亿|千)?(?:人次|人|名|户|个|家|元|%|项|所|笔)")
# Who spoke at an event: …讲话, …致辞, 孔繁军表示, …宣布活动启动.
SPEECH = re.compile(
    r"(?<!重要)讲话|致辞|^[一-鿿]{2,4}(?:表示|指出|强调|介绍)[,:]|宣布[^,。]{0,8}(?:启动|开幕|开始)"
)
# The verbs of a programme: a sentence of figures without one of them only reports results.
PROGRAMME_VERB = re.compile(
    r"发放|培训|扶持|建设|建成|开发|举办|帮助|认定|落实|新建|设立|设置|开展|实施|出台|制定|建立"
    r"|给予|安排|打造|依托|提出|调整|通过|印发|培育|降至|上调|下调|减收"
)
# How a sentence that only reports results opens: 2021年, 1—6月, 截至目前, 全县.
REPORT_OPENING = re.compile(
    r"^(?:(?:19|20)\d\d年(?:[上下]半年|\d{1,2}[—-]\d{1,2}月|\d{1,2}月)?|今年以来|\d{1,2}[—-]\d{1,2}月"
    r"|[一二三四]季度|前三季度|[上下]半年"
    r"|截至|截止|全年|[全我本](?:省|市|县|区|州|旗)|今年(?!以内)|至\d{1,2}月)"
)
# What only a report of results says: a comparison with the year before, who benefited.
# With one of these a sentence of figures reports what was done even with a programme's verb
# (今年全县共发放奖补资金64.8万元,较去年同期增长18.5%).
RESULT_MARKER = re.compile(
    r"较(?:去年|上年)同期|与(?:去年|上年)同期相比|同比(?:增长|下降|增加|减少)|惠及"
)
# A news item's opening on an event: 1月31日上午,…专场招聘会启动。
EVENT = re.compile(
    r"^\d{1,2}月\d{1,2}日[上下]?午?[,，][^。]{0,90}(?:启动|开幕|闭幕|举行|举办)[。]?$"
)
# A reading of a document (an interpretation text): 规划把“扩总量、提质量”作为基本立足点,
# 方案明确了三项任务, 突出把握三点.
INTERPRETATION = re.compile(
    r"^(?:该|本|此)?(?:规划|方案|意见|措施|文件|政策|通知|办法)(?:把|将|明确|提出|强调|共分|分为|从|围绕|坚持|突出|对)"
    r"|把握[两二三四五六七八九十]点|(?:主要|重点)?(?:内容|亮点)(?:包括|有)[两二三四五六七八九十]"
)
MEETING = re.compile(
    r"主持召开|召开(?:了)?[^,，。]{0,14}(?:会议|工作会|常务会|座谈会|推进会|部署会)"
    r"|^会议(?:强调|指出|要求|认为|还研究|提出)|^会上[,，]?(?:对|分析|强调|指出|总结)"
)
VIEW_OF_MEETING = re.compile(r"^会议(?:强调|指出|认为)")
ASSESSMENT = re.compile(
    r"取得(?:了)?(?:显著|积极|明显|良好|较好|新的|重要|长足)?(?:的)?(?:成效|进展|成绩|成果)"
    r"|形势(?:总体|保持)?(?:稳定|平稳|向好|稳中向好)|矛盾(?:依然|仍然|较为)?突出|任务(?:依然)?艰巨"
    r"|压力(?:有增无减|较大|加大|不减)|面临(?:着)?[^,，。]{0,8}(?:问题|挑战|困难)"
    r"|是最大的民生|民生之本|基本支撑|重要保障"
)
# A line that only announces a list: 统筹考虑以下三个方面：
LIST_INTRO = re.compile(
    r"(?:以下|如下|几个方面|[两二三四五六七八九十]个方面|[两二三四五六七八九十]点)[^。]{0,6}[:：]$"
)
TITLE = re.compile(
    r"^[^。,，;；]{0,80}(?:关于|印发)[^。;；]{0,80}(?:通知|意见|方案|规划|办法|决定|细则|函|措施)$"
    r"|^[^。,，;；:]{0,40}关于印发《[^。]*$"
    r"|^[^。,，;；:]{4,60}(?:实施方案|行动方案|工作方案|实施意见|实施细则|规划|办法)"
    r"(?:\([^()]{0,16}\))?$"
)
# The seal and publication notes under a signature: (…厅代章), (此件公开发布).
SIGNATURE_NOTE = re.compile(r"^\((?:[^()]{0,30}代章|此件[^()]{0,12})\)$")
# An addressee line on its own: 各市(地)、县(市、区)农业农村局、人力资源和社会保障局:
ADDRESSEE = re.compile(r"^各[^。]{0,160}(?:政府|局|厅|委|办|部门|单位|机构|院校|企业)[:：]$")
RESPONSIBLE = re.compile(r"^[(（](?:责任单位|牵头单位|责任部门|牵头部门)[:：]")
# What makes a sentence concrete despite a cue above: a named tool or programme.
CONCRETE = re.compile(
    r"补贴|补助|贷款|贴息|奖补|基地|平台|岗位|专项|计划|行动|(?<!民生)(?<!民心)工程|(?<!各)(?<!投资)项目(?!标)|减免|缓缴"
    r"|减税|降费|税收"
)
# A sentence describing a document or the labour market rather than acting on it: 《…规划》
# 全面总结了…; 就业结构从…调整为…; 专业技术人才总量106万人.
DESCRIPTION = re.compile(
    r"》(?:全面|系统)?(?:总结|谋划|勾勒)|》(?:的)?(?:主要)?内容包括|^该《|\d部分\d+条"
    r"|^(?:(?:19|20)\d\d年\d{1,2}月\d{1,2}日[,，])?[^,，。]{2,24}印发(?:了)?《[^》]+》[。]?$"
)
STATISTIC = re.compile(r"比重|结构(?:持续|不断)?(?:优化|改善|为|从)|总量|占比|素质")
# What the year or the thing is, not what is done: 2018年是…的第二年, …是稳定就业的重要支撑.
CONTEXT = re.compile(
    r"^(?:19|20)\d\d年是|(?:关键|开局|收官|决胜|攻坚)之年"
    r"|是[^,，。]{0,24}(?:重要|基本|根本|关键)(?:支撑|途径|保障|基础|内容|环节)"
)
# Steering the economy for employment, the opening of every 就业创业 opinion since 2015
# (坚持就业优先战略, 促进经济增长与扩大就业联动, 推动经济发展带动就业): policy stance,
# not a measure, unless a named tool comes with it.
MACRO = re.compile(
    r"宏观(?:调控|政策)|经济(?:增长|运行|调控)|经济发展[^,，。]{0,6}(?:带动|促进|扩大)就业"
    r"|就业优先(?:发展)?战略|扩大就业(?:发展)?战略|(?:产业|经济)结构(?:调整|升级)"
    r"|就业增长点|就业潜力|优先选项|对就业[^。]{0,60}影响|吸纳就业能力强的(?:产业|行业)"
)
# 就业规模逐步扩大, 劳动生产率不断提高: a clause stating how things turn out.
STATE_CLAUSE = re.compile(
    r"^(?!(?:加强|提高|提升|扩大|促进|推动|推进|完善|优化|加快|增强|改善|实现|健全))[^,，;；]{2,30}?"
    r"(?:稳步|逐步|不断|持续|明显|显著|合理|进一步|大幅|有所|基本)?"
    r"(?:增长|扩大|提高|提升|改善|增强|优化|加强|下降|减少|完善)$"
)
STATE_ADVERB = re.compile(
    r"(?:稳步|逐步|不断|持续|明显|显著|合理|大幅|有所)(?:增长|扩大|提高|提升|改善|增强|优化|加强|下降|减少|完善)$"
)
# 完成全年任务的150%: a progress report clause.
PROGRESS = re.compile(r"完成(?:全年|年度)?(?:目标)?任务(?:数)?的\d")
# Words of employment policy: its people, its tools, its outcomes, the organisation of the
# work (工作机制, 责任). A sentence with none of them that speaks of industries, investment or
# innovation is economic policy that the document lists beside its measures (加快创新主体
# 培育…; 打造…生猪…全产业链), not an employment initiative. The digital and platform economy are where employment plans place
# new forms of work (新业态), so they count as employment words.
EMPLOYMENT = re.compile(
    r"就业|创业|岗|培训|务工|劳动|劳务|人才|招聘|用工|技能|职业|失业|社保|社会保险|毕业生"
    r"|农民工|贫困|脱贫|帮扶|工资|见习|人员|群众|农民|居民|青年|学生|残疾|退役|妇女|家庭"
    r"|人社|人力资源|补贴|补助|贷款|奖补|工匠|技工|个体|创客|孵化|增收|收入|用人|雇"
    r"|新业态|数字经济|平台经济|工作机制|责任"
)
ECONOMY = re.compile(r"产业|经济|投资|创新|农业|畜牧|工业|制造|科技|招商|消费|基础设施|园区")
# Page-side pinyin readings inserted after characters (發(fā)): not part of the words.
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6}\)")


# Kinds that state a stance: they head items whose later sentences may still be measures.
STANCE_KINDS = {"macro"}


def kind(sentence):
    """The kind of non-measure ``sentence`` is, or "" for a sentence that may be a measure."""
    s = PINYIN.sub("", sentence).strip()
    # A line break of the source inside a word leaves a space (发展战 略): join it.
    s = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", s)
    if not s:
        return "empty"
    if RESPONSIBLE.match(s):
        return "responsibility"
    if BYLINE.search(s):
        return "byline"
    if SIGNATURE_NOTE.match(s) or ADDRESSEE.match(s):
        return "letterhead"
    if TITLE.match(s.rstrip("。 ")) and "。" not in s.rstrip("。"):
        return "title"
    if FORWARDING.search(s):
        return "forwarding"
    # A cited title (《…行动方案》) says nothing about what this sentence does.
    concrete = CONCRETE.search(re.sub(r"《[^》]*》", "", s))
    if ANNOUNCES.search(s) or (PURPOSE.search(s) and not concrete):
        return "preamble"
    if LIST_INTRO.search(s.rstrip()):
        return "list_intro"
    # 会议强调/指出: what a meeting urged, however concrete its words (制定工作计划).
    if VIEW_OF_MEETING.match(s) or (
        MEETING.search(s) and not re.search(r"出台|印发|建立|制定|发放|设立", s)
    ):
        return "meeting"
    if SPEECH.search(s) and not concrete:
        return "speech"
    if EVENT.match(s):
        return "event"
    uncited = re.sub(r"《[^》]*》", "", s)
    clauses = [
        c
        for c in re.split(r"[,;:]", uncited.rstrip("。"))
        if c and not TIME_CLAUSE.fullmatch(c.strip())
    ]
    if (
        REPORT_OPENING.match(uncited)
        and clauses
        and all(FIGURE.search(c) for c in clauses)
        and (not PROGRAMME_VERB.search(uncited) or RESULT_MARKER.search(uncited))
    ):
        # 2021年,城镇登记失业率为3.36%,与去年相比降低0.09个百分点: results, read as targets.
        return "result"
    goal_clauses = [c for c in clauses if not re.fullmatch(r"(?:到|至)20\d\d年(?:底|末)?", c)]
    goal_clauses = [c for c in goal_clauses if not GOAL_OPENING.fullmatch(c)]
    figured = [c for c in goal_clauses if FIGURE.search(c)]
    unfigured = [c for c in goal_clauses if not FIGURE.search(c)]
    if GOAL_OPENING.match(s) and (
        not unfigured or (len(figured) >= 2 and all(OUTCOME_CLAUSE.search(c) for c in unfigured))
    ):
        # 到2025年,全市新增残疾人就业800人以上,…: the goals, read as targets.
        return "goal"
    if (
        clauses
        and any(PROGRESS.search(c) for c in clauses)
        and all(FIGURE.search(c) for c in clauses)
    ):
        # 新创设公益性岗位1.5万个,完成全年任务的150%: a report on progress, whatever its
        # verb, read as targets.
        return "result"
    if _outcomes_only(goal_clauses):
        # 确保年内全省农民工省际输出就业规模达到100万人; 城镇新增就业2093人,城镇登记失业率
        # 控制在3.8%: how many found work, not what was done for it (the figures are read
        # as targets).
        return "outcome"
    stated = [c.strip() for c in goal_clauses if not TIME_CLAUSE.fullmatch(c.strip())]
    if (
        len(stated) >= 2
        and all(STATE_CLAUSE.match(c) for c in stated)
        and any(STATE_ADVERB.search(c) for c in stated)
    ):
        # 到2020年,城镇就业规模逐步扩大,劳动生产率不断提高: outcomes, not what is done.
        return "outcome"
    if (
        len(stated) == 1
        and len(stated[0]) <= 20
        and STATE_CLAUSE.match(stated[0])
        and STATE_ADVERB.search(stated[0])
    ):
        # 就业结构持续优化。: a look-back's heading that says how things turned out.
        return "outcome"
    if CONTEXT.search(s):
        return "context"
    if MACRO.search(s) and not concrete:
        return "macro"
    if GUIDING.search(s) and not concrete:
        return "guiding"
    if ASSESSMENT.search(s) and not concrete:
        return "assessment"
    if INTERPRETATION.search(s) and not concrete:
        return "interpretation"
    if DESCRIPTION.search(s) and not concrete:
        return "description"
    if STATISTIC.search(s) and not concrete and re.search(r"\d", s):
        return "statistic"
    if ECONOMY.search(uncited) and not EMPLOYMENT.search(uncited):
        return "economy"
    return ""


def _outcomes_only(clauses):
    """True when every clause is an employment outcome with its figure (新增就业2093人,
    失业率控制在3.8%), a completion ratio or breakdown of one, a state reached (基本实现
    就地就近就业) or the slogan framing them; and at least one outcome is counted."""
    counted = False
    for clause in (c.strip() for c in clauses):
        if not clause or TIME_CLAUSE.fullmatch(clause) or SLOGAN_FRAME.search(clause):
            continue
        if clause.startswith("其中") or PROGRESS.search(clause) or OUTCOME_CLAUSE.search(clause):
            continue
        if re.fullmatch(r"(?:完成|占)[^,，]{0,16}\d+(?:\.\d+)?%", clause):
            continue
        if not is_outcome_clause(clause):
            return False
        counted = True
    return counted


def is_outcome_clause(clause):
    """True for a clause that only counts an employment outcome (城镇新增就业2093人,
    确保…务工就业规模稳定在95万人以上), naming no tool or programme that reaches it."""
    return bool(
        FIGURE.search(clause)
        and OUTCOME_FIGURE.search(clause)
        and not CONCRETE.search(clause)
        and not PROGRAMME_VERB.search(GOAL_WORDS.sub("", clause))
    )


def is_noise(sentence):
    return bool(kind(sentence))
