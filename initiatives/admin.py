"""Django looks for ``initiatives.admin``; the curators' admin lives with the rest of curation."""

from initiatives.curation import admin  # noqa: F401  (registers the model admins)
