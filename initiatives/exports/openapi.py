"""The OpenAPI description of the JSON API and the CSV exports (``/api/openapi.json``): schemas
of the rows, the parameters every filtered endpoint accepts, the error and list envelopes."""

from django.views.decorators.http import require_safe

from initiatives.exports.rows import (
    INITIATIVE_COLUMNS,
    INSTRUMENT_LINK_COLUMNS,
    REGION_LINK_COLUMNS,
    TARGET_COLUMNS,
    THEME_LINK_COLUMNS,
)
from initiatives.exports.views import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, json_response

# OpenAPI -----------------------------------------------------------------------------------

_STRING_LIST = {"type": "array", "items": {"type": "string"}}
_NULLABLE_INT = {"type": ["integer", "null"]}

INITIATIVE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "text": {"type": "string", "description": "The initiative as it stands in the source."},
        "regions": {**_STRING_LIST, "description": "Official-name paths, e.g. 四川省/乐山市."},
        "region_codes": {**_STRING_LIST, "description": "GB/T 2260 codes, same order."},
        "provinces": {**_STRING_LIST, "description": "Distinct province names (全国: nationwide)."},
        "year": {**_NULLABLE_INT, "description": "The document's year (of issue or report)."},
        "year_start": {**_NULLABLE_INT, "description": "First year of the period in force."},
        "year_end": {**_NULLABLE_INT, "description": "Last year of the period in force."},
        "themes": {**_STRING_LIST, "description": "Theme keys."},
        "instruments": {**_STRING_LIST, "description": "Policy instrument names."},
        "status": {"type": "string", "enum": ["extracted", "reviewed"]},
        "document": {"type": "string", "description": "Source document title."},
        "document_id": {"type": "integer", "description": "Source document id (/documents/<id>/)."},
        "document_file": {"type": "string", "description": "File the document was ingested from."},
        "start": {"type": "integer", "description": "Offset of text in the document's text."},
        "end": {"type": "integer"},
        "url": {"type": "string", "format": "uri"},
        "key": {"type": "string", "description": "Stable key (the same in every installation)."},
    },
}

TARGET_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "indicator": {"type": "string", "description": "Normalised indicator, e.g. 城镇新增就业."},
        "value": {"type": "number", "description": "In base units (1.2万人 → 12000)."},
        "unit": {"type": "string"},
        "comparator": {"type": "string", "enum": ["=", ">", "<", "≥", "≤"]},
        "kind": {"type": "string", "enum": ["target", "achieved"]},
        "year": {**_NULLABLE_INT, "description": "Year the figure refers to; none if yearly."},
        "year_start": {**_NULLABLE_INT, "description": "First year a multi-year figure covers."},
        "year_end": {**_NULLABLE_INT, "description": "Last year a multi-year figure covers."},
        "regions": {**_STRING_LIST, "description": "At most one official-name path."},
        "region_codes": {**_STRING_LIST, "description": "At most one GB/T 2260 code."},
        "text": {"type": "string"},
        "document": {"type": "string"},
        "document_id": {"type": "integer"},
        "document_file": {"type": "string"},
        "start": {"type": "integer"},
        "end": {"type": "integer"},
        "initiative_id": _NULLABLE_INT,
        "period_type": {
            "type": "string",
            "enum": ["annual", "cumulative", "level", ""],
            "description": "annual: one year's (or each year's) figure; cumulative: summed "
            "over year_start–year_end; level: a rate or stock at a time.",
        },
        "indicator_code": {
            "type": "string",
            "description": "Canonical indicator code (urban_new_jobs…); empty: none.",
        },
        "key": {"type": "string", "description": "Stable key (the same in every installation)."},
    },
}


def _param(name, description, schema=None, repeatable=False):
    schema = schema or {"type": "string"}
    if repeatable:
        schema = {"type": "array", "items": schema}
    param = {"name": name, "in": "query", "required": False, "description": description}
    param["schema"] = schema
    if repeatable:
        param["style"], param["explode"] = "form", True
    return param


_YEAR = {"type": "integer", "minimum": 1949, "maximum": 2100}
_PLACE_PARAMS = [
    _param(
        "province",
        "6-digit province code or unambiguous name; includes its cities and counties.",
        None,
        True,
    ),
    _param(
        "region", "Any region code or unambiguous name; includes everything below it.", None, True
    ),
    _param("year", "Year reported for.", _YEAR, True),
    _param("year_min", "Earliest year.", _YEAR),
    _param("year_max", "Latest year.", _YEAR),
    _param("in_force", "Rows whose period contains this year (no period: their year).", _YEAR),
    _param("kind", "Document kind (summary, opinion, plan, case_study, news, …).", None, True),
]
INITIATIVE_PARAMS = [
    _param("q", "Chinese full-text query (words ANDed)."),
    *_PLACE_PARAMS,
    _param("theme", "Theme key (e.g. graduates) or name.", None, True),
    _param("instrument", "Policy instrument id, slug or name.", None, True),
    _param("sort", "relevance | newest | region", {"enum": ["relevance", "newest", "region"]}),
]
TARGET_PARAMS = [
    _param(
        "q",
        "Full-text query over the initiative each target belongs to (targets of no initiative "
        "never match a word); places named in it restrict the target's own region.",
    ),
    *_PLACE_PARAMS,
    _param("theme", "Theme key or name, of the target's initiative.", None, True),
    _param(
        "instrument", "Policy instrument id, slug or name, of the target's initiative.", None, True
    ),
    _param("indicator", "Normalised indicator name.", None, True),
    _param("target_kind", "target | achieved", {"enum": ["target", "achieved"]}, True),
]
PAGE_PARAMS = [
    _param("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    _param(
        "page_size",
        f"Results per page (default {DEFAULT_PAGE_SIZE}).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    ),
]
_ERROR = {
    "description": "A bad or inapplicable filter value, or a bad page, page_size or facets.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_FILTER_NOTE = (
    " A filter value that cannot be recognised, or a filter the table does not have, is "
    "refused with 400 naming the parameter and the form it accepts. Names are accepted "
    "where they name one thing (province=四川省, instrument=创业担保贷款)."
)


def _list_response(schema_ref, extra=None):
    properties = {
        "count": {"type": "integer"},
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "next": {"type": ["string", "null"], "format": "uri"},
        "previous": {"type": ["string", "null"], "format": "uri"},
        "notices": _STRING_LIST,
        "results": {"type": "array", "items": {"$ref": schema_ref}},
        **(extra or {}),
    }
    return {
        "description": "One page of results.",
        "content": {"application/json": {"schema": {"type": "object", "properties": properties}}},
    }


def _csv_operation(summary, columns):
    return {
        "get": {
            "summary": summary,
            "description": (
                "UTF-8 with BOM; cells starting with = + - @ are prefixed with '; "
                "many-valued cells joined with '; '. Columns: "
                + ", ".join(columns)
                + "."
                + _FILTER_NOTE
            ),
            "responses": {
                "200": {
                    "description": "The CSV file (streamed, attachment).",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                "400": {
                    "description": "Refused filter values, one per line.",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
            },
        }
    }


OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Local employment initiatives knowledge base",
        "version": "1.0",
        "description": "Read-only access to the initiatives and targets the search pages show.",
    },
    "paths": {
        "/api/initiatives": {
            "get": {
                "summary": "Initiatives matching the search page's filters." + _FILTER_NOTE,
                "parameters": [
                    *INITIATIVE_PARAMS,
                    *PAGE_PARAMS,
                    _param("facets", "1: add facet counts.", {"enum": ["0", "1"]}),
                ],
                "responses": {
                    "200": _list_response(
                        "#/components/schemas/Initiative",
                        {"facets": {"type": "object", "description": "With facets=1."}},
                    ),
                    "400": _ERROR,
                },
            }
        },
        "/api/targets": {
            "get": {
                "summary": "Quantitative targets matching the target page's filters."
                + _FILTER_NOTE,
                "parameters": [*TARGET_PARAMS, *PAGE_PARAMS],
                "responses": {
                    "200": _list_response("#/components/schemas/Target"),
                    "400": _ERROR,
                },
            }
        },
        "/initiatives/export.csv": _csv_operation(
            "All matching initiatives as CSV.", INITIATIVE_COLUMNS
        ),
        "/targets/export.csv": _csv_operation("All matching targets as CSV.", TARGET_COLUMNS),
        "/initiatives/regions.csv": _csv_operation(
            "Link table: one row per matching initiative × region, every role (issuer, "
            "covered, partner, mentioned); prefecture_code and province_code from the "
            "gazetteer (empty when there is none).",
            REGION_LINK_COLUMNS,
        ),
        "/initiatives/themes.csv": _csv_operation(
            "Link table: one row per matching initiative × theme.", THEME_LINK_COLUMNS
        ),
        "/initiatives/instruments.csv": _csv_operation(
            "Link table: one row per matching initiative × policy instrument.",
            INSTRUMENT_LINK_COLUMNS,
        ),
    },
    "components": {
        "schemas": {
            "Initiative": INITIATIVE_SCHEMA,
            "Target": TARGET_SCHEMA,
            "Error": {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "required": ["error", "parameters"],
            },
        }
    },
}
_CSV_PATH_PARAMS = {
    "/initiatives/export.csv": INITIATIVE_PARAMS,
    "/initiatives/regions.csv": INITIATIVE_PARAMS,
    "/initiatives/themes.csv": INITIATIVE_PARAMS,
    "/initiatives/instruments.csv": INITIATIVE_PARAMS,
    "/targets/export.csv": TARGET_PARAMS,
}
for _path, _params in _CSV_PATH_PARAMS.items():
    OPENAPI["paths"][_path]["get"]["parameters"] = _params


@require_safe
def openapi(request):
    return json_response(OPENAPI)
