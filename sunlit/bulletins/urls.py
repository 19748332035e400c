from __future__ import annotations

from django.urls import path

from sunlit.bulletins import views

app_name = "bulletins"
# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("bulletins/", views.bulletin_list, name="list"),
    path("bulletins/<str:number>/", views.bulletin_detail, name="detail"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    path("bulletins/files/<str:sha256>", views.attachment, name="attachment"),
    path("office/bulletins/", views.office, name="office"),
]
