from django.urls import path

from regions import views

urlpatterns = [
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
]
