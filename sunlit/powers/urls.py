from __future__ import annotations

from django.urls import path

from sunlit.powers import views

app_name = "powers"

KIOSK = {"layout": "kiosk"}

urlpatterns = [
    path("powers/", views.power_list, name="list"),
    path("powers/versions/", views.versions, name="versions"),
    path("powers/versions/<int:number>/", views.version_detail, name="version"),
    path("powers/versions/<int:number>/source.yaml", views.version_source, name="version_source"),
    path("powers/versions/<int:number>/<str:code>/", views.version_item, name="version_item"),
    path("powers/changes/<int:a>-<int:b>/", views.version_diff, name="diff"),
    path("powers/<str:code>/", views.item_detail, name="item"),
    path("powers/<str:code>/print/", views.item_print, name="print"),
    path("t/<str:code>/powers/", views.township_list, name="township"),
    path("v/<str:code>/powers/", views.village_list, name="village"),
    # The same pages for the touch screens in village halls (no print, no raw file).
    path("kiosk/powers/", views.power_list, KIOSK, name="kiosk_list"),
    path("kiosk/powers/versions/", views.versions, KIOSK, name="kiosk_versions"),
    path("kiosk/powers/versions/<int:number>/", views.version_detail, KIOSK, name="kiosk_version"),
    path("kiosk/powers/versions/<int:number>/<str:code>/", views.version_item, KIOSK, name="kiosk_version_item"),
    path("kiosk/powers/changes/<int:a>-<int:b>/", views.version_diff, KIOSK, name="kiosk_diff"),
    path("kiosk/powers/<str:code>/", views.item_detail, KIOSK, name="kiosk_item"),
    path("kiosk/t/<str:code>/powers/", views.township_list, KIOSK, name="kiosk_township"),
    path("kiosk/v/<str:code>/powers/", views.village_list, KIOSK, name="kiosk_village"),
    # Back office.
    path("office/powers/", views.office, name="office"),
]
