from __future__ import annotations

app_name = "bulletins"
urlpatterns: list = []
