from django.urls import path

from initiatives import feeds
from regions import views

urlpatterns = [
    path("regions/<slug:code>/", views.region_detail, name="region_detail"),
    path("regions/<slug:code>/feed/", feeds.region_feed, name="region_feed"),
]
