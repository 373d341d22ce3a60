"""The curators' admin: review what the machine extracted, correct it, publish or hide it.

Built to stay quick at 100,000 initiatives: no full result count, related rows joined or
prefetched for the page only, long text columns left out of list queries, facets off.
Only the fields a curator changes are recorded in ``curated_fields``, and every change is
written to the activity log (see ``curation``).
"""

from initiatives.curation.admin import (  # noqa: F401  (registers)
    activity,
    documents,
    initiatives,
    vocabularies,
)
