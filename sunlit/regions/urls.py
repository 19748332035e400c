from __future__ import annotations

from django.urls import path

from sunlit.regions import views

app_name = "regions"

urlpatterns = [
    path("office/regions/<str:code>/", views.region_detail, name="detail"),
]
