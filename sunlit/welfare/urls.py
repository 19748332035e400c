from __future__ import annotations

from django.urls import path

from sunlit.welfare import downloads, public, views

app_name = "welfare"

# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("welfare/", public.section_page, name="section"),
    path("welfare/check/", public.check, name="check"),
    path("t/<str:code>/welfare/", public.township_section, name="township_section"),
    path("v/<str:code>/welfare/", public.village, name="village_lists"),
    path("v/<str:code>/welfare/<slug:programme>/<int:year>/", public.programme_list, name="list"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    path("welfare/welfare-import-template.<str:fmt>", downloads.import_template, name="import_template"),
    path(
        "v/<str:code>/welfare/<slug:programme>/<int:year>.json", public.list_download, {"fmt": "json"}, name="list_json"
    ),
    path("v/<str:code>/welfare/<slug:programme>/<int:year>.csv", public.list_download, {"fmt": "csv"}, name="list_csv"),
    path("office/welfare/", views.office, name="office"),
    path("office/welfare/v/<str:code>/", views.village_households, name="village"),
    path("office/welfare/v/<str:code>/new/", views.household_new, name="household_new"),
    path("office/welfare/v/<str:code>/publish/", views.publish, name="publish"),
    path("office/welfare/households/<int:pk>/", views.household, name="household"),
    path("office/welfare/households/<int:pk>/members/", views.member_add, name="member_add"),
    path("office/welfare/households/<int:pk>/status/", views.status_set, name="status"),
    path("office/welfare/households/<int:pk>/payments/", views.payment_new, name="payment_new"),
    path("office/welfare/relatives/", views.relatives, name="relatives"),
    path("office/welfare/relatives/<int:pk>/withdraw/", views.relative_withdraw, name="relative_withdraw"),
    path("office/welfare/review/", views.review, name="review"),
    path("office/welfare/imports/", views.imports, name="imports"),
    path("office/welfare/imports/<int:pk>/", views.import_detail, name="import"),
    path("office/welfare/imports/<int:pk>/progress", views.import_progress, name="import_progress"),
]
