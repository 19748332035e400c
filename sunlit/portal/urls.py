from __future__ import annotations

from django.urls import path

from sunlit.portal import views

app_name = "portal"

# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("", views.home, name="home"),
    path("t/<str:code>/", views.township, name="township"),
    path("v/<str:code>/", views.village, name="village"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    path("language/", views.language, name="language"),
]
