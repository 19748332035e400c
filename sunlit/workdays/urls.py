from __future__ import annotations

from django.urls import path

from sunlit.workdays import views

app_name = "workdays"

urlpatterns = [
    path("office/workdays/", views.overrides, name="overrides"),
]
