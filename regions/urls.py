from django.urls import path

from regions import views

urlpatterns = [
    path("regions/<slug:code>/", views.region_detail, name="region_detail"),
]
