"""The data dictionary and the full download (``/data/``, ``/data/knowledge-base.zip``).

One description of every published table — its columns, their types, meanings (Chinese and
English) and examples — feeds three things, so they cannot drift apart: the ``/data/`` page,
the Frictionless ``datapackage.json`` inside the zip, and the CSV headers themselves. The
initiative and target tables reuse the export contract (``initiatives.exports.rows``) column for
column and row for row.

This module lists every published table (``TABLES``) and reads each one's rows; it holds the
link and research tables. ``tables`` describes columns and the initiative and target tables,
``reference_tables`` regions, themes, instruments and documents, ``package`` builds the zip.
"""

from initiatives.exports.reference_tables import (
    DOCUMENT_TABLE,
    INSTRUMENT_TABLE,
    REGION_TABLE,
    THEME_TABLE,
    document_rows,
    instrument_rows,
    region_rows,
    theme_rows,
)
from initiatives.exports.releases import CHANGE_TABLE
from initiatives.exports.rows import (
    INITIATIVE_COLUMNS,
    INSTRUMENT_LINK_COLUMNS,
    REGION_LINK_COLUMNS,
    TARGET_COLUMNS,
    THEME_LINK_COLUMNS,
    initiative_rows,
    target_rows,
)
from initiatives.exports.tables import (
    CODE,
    INITIATIVE_TABLE,
    LEVEL_NAMES,
    REQUIRED,
    TARGET_TABLE,
    Column,
    Table,
)
from initiatives.models import (
    Initiative,
    InitiativeRegion,
    Target,
)

_INITIATIVE_ID = Column(
    "initiative_id",
    "integer",
    "举措编号（initiatives.csv 的 id）",
    "Initiative id (the id of initiatives.csv).",
    "1024",
    constraints=REQUIRED,
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
            constraints={**REQUIRED, **CODE},
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
            constraints=CODE,
        ),
        Column(
            "province_code",
            "string",
            "所属省级地区代码（省级为其本身）；全国为空",
            "Code of its province (itself for a province); empty for 全国.",
            "510000",
            constraints=CODE,
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
            constraints=REQUIRED,
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
            constraints=REQUIRED,
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
            constraints={**REQUIRED, **CODE},
        ),
        Column(
            "level",
            "string",
            "级别",
            "Level: national, province, prefecture or county.",
            "prefecture",
            constraints={"enum": list(LEVEL_NAMES.values())},
        ),
        Column("year", "integer", "文件年份", "Document year.", "2022", constraints=REQUIRED),
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
            constraints={**REQUIRED, **CODE},
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
            constraints=CODE,
        ),
        Column(
            "province_code",
            "string",
            "所属省级地区代码",
            "Code of its province (itself for a province).",
            "510000",
            constraints=CODE,
        ),
        Column("year", "integer", "年份", "Year.", "2022", constraints=REQUIRED),
        Column(
            "instrument",
            "string",
            "政策工具标识（instruments.csv 的 slug）",
            "Instrument identifier (the slug of instruments.csv).",
            "business-startup-guarantee-loan",
            constraints=REQUIRED,
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
    CHANGE_TABLE,  # written last, from the others (initiatives.exports.releases)
)
ZIP_MEMBERS = [*(t.path for t in TABLES), "datapackage.json", "README.txt"]

assert INITIATIVE_TABLE.column_names == INITIATIVE_COLUMNS
assert TARGET_TABLE.column_names == TARGET_COLUMNS
assert INITIATIVE_REGION_TABLE.column_names == REGION_LINK_COLUMNS
assert INITIATIVE_THEME_TABLE.column_names == THEME_LINK_COLUMNS
assert INITIATIVE_INSTRUMENT_TABLE.column_names == INSTRUMENT_LINK_COLUMNS


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
