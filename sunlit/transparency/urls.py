from __future__ import annotations

from django.urls import path

from sunlit.transparency import views

app_name = "transparency"

urlpatterns = [
    path("transparency/", views.index, name="index"),
    path("transparency/lookup/", views.lookup, name="lookup"),
    path("transparency/public-key.pem", views.public_key_pem, name="public_key"),
    path("transparency/roots/", views.roots, name="roots"),
    path("transparency/roots.json", views.roots_json, name="roots_json"),
    path("transparency/roots/<int:batch>.json", views.root_json, name="root_json"),
    path("transparency/entries/<int:entry_id>/", views.entry, name="entry"),
    path("transparency/entries/<int:entry_id>.json", views.entry_json, name="entry_json"),
    path("transparency/chains/<str:code>/", views.chain, name="chain"),
]
