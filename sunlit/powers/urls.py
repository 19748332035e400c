from __future__ import annotations

from django.urls import path

from sunlit.powers import views

app_name = "powers"

# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("powers/", views.power_list, name="list"),
    path("powers/versions/", views.versions, name="versions"),
    path("powers/versions/<int:number>/", views.version_detail, name="version"),
    path("powers/versions/<int:number>/<str:code>/", views.version_item, name="version_item"),
    path("powers/changes/<int:a>-<int:b>/", views.version_diff, name="diff"),
    path("powers/<str:code>/", views.item_detail, name="item"),
    path("t/<str:code>/powers/", views.township_list, name="township"),
    path("v/<str:code>/powers/", views.village_list, name="village"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    path("powers/versions/<int:number>/source.yaml", views.version_source, name="version_source"),
    path("powers/<str:code>/print/", views.item_print, name="print"),
    path("office/powers/", views.office, name="office"),
]
