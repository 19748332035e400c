from __future__ import annotations

from django.urls import path  # noqa: F401 -- the room's URLs are added here

app_name = "projects"

urlpatterns: list = []
