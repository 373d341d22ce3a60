from django.urls import path

from initiatives import browse, compare, feeds, views

# /initiatives/export.csv, /targets/export.csv and /api/… are added by the export/API work.
urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/feed/", feeds.initiative_feed, name="initiative_feed"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("compare/", compare.compare, name="compare"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("documents/", browse.document_list, name="document_list"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("instruments/", browse.instrument_list, name="instrument_list"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<slug:slug>/feed/", feeds.instrument_feed, name="instrument_feed"),
    path("indicators/", browse.indicator_list, name="indicator_list"),
    # Indicators are free Chinese text that may hold a "/": hence <path:>, the feed first.
    path("indicators/<path:indicator>/feed/", feeds.indicator_feed, name="indicator_feed"),
    path("indicators/<path:indicator>/", views.indicator_detail, name="indicator_detail"),
]
