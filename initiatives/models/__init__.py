"""Documents, the initiatives and targets extracted from them, and the vocabularies.

One module per group of tables (documents, vocabularies, initiatives, curation); every model
and helper is importable from ``initiatives.models``, as Django and the migrations expect.
"""

from initiatives.models.curation import (
    CurationActivity,
    CurationRecord,
    MergeRecord,
    Upload,
    UploadFile,
)
from initiatives.models.documents import (
    SANE_DOCUMENT_PERIOD,
    SANE_PERIOD,
    SANE_YEARS,
    Document,
    DocumentQuerySet,
    DocumentVersion,
    Precision,
    dated,
    iso_date,
    period_text,
)
from initiatives.models.initiatives import (
    Initiative,
    InitiativeQuerySet,
    InitiativeRegion,
    Status,
    Target,
    TargetQuerySet,
)
from initiatives.models.releases import Release
from initiatives.models.vocabularies import (
    Indicator,
    PolicyInstrument,
    Theme,
)

__all__ = [
    "SANE_YEARS",
    "SANE_PERIOD",
    "SANE_DOCUMENT_PERIOD",
    "Precision",
    "dated",
    "iso_date",
    "period_text",
    "DocumentQuerySet",
    "Document",
    "DocumentVersion",
    "Theme",
    "PolicyInstrument",
    "Indicator",
    "Status",
    "InitiativeQuerySet",
    "Initiative",
    "InitiativeRegion",
    "TargetQuerySet",
    "Target",
    "CurationRecord",
    "CurationActivity",
    "MergeRecord",
    "Upload",
    "UploadFile",
    "Release",
]
