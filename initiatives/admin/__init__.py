"""The curators' admin: review what the machine extracted, correct it, publish or hide it.

Built to stay quick at 100,000 initiatives: no full result count, related rows joined or
prefetched for the page only, long text columns left out of list queries, facets off.
Every field a curator changes is recorded in ``curated_fields`` (see ``curation``).
"""

from initiatives.admin import documents, initiatives, vocabularies  # noqa: F401  (registers)
