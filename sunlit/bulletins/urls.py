from __future__ import annotations

from django.urls import path

from sunlit.bulletins import views

app_name = "bulletins"
KIOSK = {"layout": "kiosk"}

urlpatterns = [
    path("bulletins/", views.bulletin_list, name="list"),
    path("bulletins/files/<str:sha256>", views.attachment, name="attachment"),
    path("bulletins/<str:number>/", views.bulletin_detail, name="detail"),
    path("kiosk/bulletins/", views.bulletin_list, KIOSK, name="kiosk_list"),
    path("kiosk/bulletins/<str:number>/", views.bulletin_detail, KIOSK, name="kiosk_detail"),
    path("office/bulletins/", views.office, name="office"),
]
