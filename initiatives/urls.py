from django.urls import path

from initiatives import views

urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument_detail"),
]
