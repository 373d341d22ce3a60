"""The reference tables of the full download: regions, themes, instruments and documents,
their columns and their rows."""

from datetime import UTC

from initiatives.exports.rows import (
    MULTI,
)
from initiatives.exports.tables import CODE, LEVEL_NAMES, REQUIRED, Column, Table
from initiatives.models import (
    Document,
    PolicyInstrument,
    Theme,
    iso_date,
)
from regions.models import Region

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
            constraints={**REQUIRED, "unique": True, **CODE},
        ),
        Column("name", "string", "正式名称", "Official name.", "乐山市", constraints=REQUIRED),
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
            constraints=CODE,
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
            constraints={**REQUIRED, "unique": True},
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
            constraints={**REQUIRED, "unique": True},
        ),
        Column(
            "slug",
            "string",
            "英文标识，用于 /instruments/<slug>/",
            "Identifier used in /instruments/<slug>/.",
            "business-startup-guarantee-loan",
            constraints={**REQUIRED, "unique": True},
        ),
        Column(
            "name",
            "string",
            "规范中文名称（instruments 列中的写法）",
            "Canonical Chinese name (as written in the instruments column).",
            "创业担保贷款",
            constraints={**REQUIRED, "unique": True},
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
            constraints={**REQUIRED, "unique": True},
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
            constraints=CODE,
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
            constraints={**REQUIRED, "unique": True},
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
            utc_text(ingested_at),
        ]


def utc_text(moment):
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
