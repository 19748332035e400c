from __future__ import annotations

from django.urls import path

from sunlit.transparency import views

app_name = "transparency"

# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("transparency/", views.index, name="index"),
    path("transparency/lookup/", views.lookup, name="lookup"),
    path("transparency/roots/", views.roots, name="roots"),
    path("transparency/entries/<int:entry_id>/", views.entry, name="entry"),
    path("transparency/chains/<str:code>/", views.chain, name="chain"),
]

# The key and the JSON that outside verifiers fetch: one URL each.
urlpatterns = [
    path("transparency/public-key.pem", views.public_key_pem, name="public_key"),
    path("transparency/roots.json", views.roots_json, name="roots_json"),
    path("transparency/roots/<int:batch>.json", views.root_json, name="root_json"),
    path("transparency/entries/<int:entry_id>.json", views.entry_json, name="entry_json"),
]
