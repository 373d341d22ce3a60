"""CSV export, JSON API, OpenAPI description, data dictionary and full download (included
before initiatives.urls)."""

from django.urls import path

from initiatives import export_views

urlpatterns = [
    path("initiatives/export.csv", export_views.initiative_csv, name="initiative_export"),
    path("targets/export.csv", export_views.target_csv, name="target_export"),
    path("api/initiatives", export_views.api_initiatives, name="api_initiatives"),
    path("api/targets", export_views.api_targets, name="api_targets"),
    path("api/openapi.json", export_views.openapi, name="api_openapi"),
    path("data/", export_views.data_dictionary, name="data_dictionary"),
    path("data/knowledge-base.zip", export_views.knowledge_base_download, name="data_download"),
]
