"""CSV export, JSON API, OpenAPI description and full download (included before
initiatives.urls, at one address each); ``pages``: the data dictionary, a page in both
languages (config.urls)."""

from django.urls import path

from initiatives.exports import link_tables, openapi, research
from initiatives.exports import views as export_views

urlpatterns = [
    path("initiatives/export.csv", export_views.initiative_csv, name="initiative_export"),
    # Link tables: one row per initiative × region / theme / instrument, same filters.
    path(
        "initiatives/regions.csv",
        link_tables.initiative_regions_csv,
        name="initiative_regions_export",
    ),
    path(
        "initiatives/themes.csv", link_tables.initiative_themes_csv, name="initiative_themes_export"
    ),
    path(
        "initiatives/instruments.csv",
        link_tables.initiative_instruments_csv,
        name="initiative_instruments_export",
    ),
    path("targets/export.csv", export_views.target_csv, name="target_export"),
    path("api/initiatives", export_views.api_initiatives, name="api_initiatives"),
    path("api/targets", export_views.api_targets, name="api_targets"),
    path("api/openapi.json", openapi.openapi, name="api_openapi"),
    # Coverage and the adoption panel (initiatives.exports.research): whole tables, no filters.
    path("data/coverage.csv", research.coverage_csv, name="coverage_export"),
    path("data/adoption_panel.csv", research.adoption_panel_csv, name="adoption_panel_export"),
    path("data/knowledge-base.zip", export_views.knowledge_base_download, name="data_download"),
]

pages = [path("data/", export_views.data_dictionary, name="data_dictionary")]
