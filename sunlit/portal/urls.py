from __future__ import annotations

from django.urls import path

from sunlit.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("t/<str:code>/", views.township, name="township"),
    path("v/<str:code>/", views.village, name="village"),
    # The same pages for the touch screens in village halls.
    path("kiosk/", views.home, {"layout": "kiosk"}, name="kiosk_home"),
    path("kiosk/t/<str:code>/", views.township, {"layout": "kiosk"}, name="kiosk_township"),
    path("kiosk/v/<str:code>/", views.village, {"layout": "kiosk"}, name="kiosk_village"),
    path("language/", views.language, name="language"),
]
