from __future__ import annotations

from django.urls import path

from sunlit.reports import public, views

app_name = "reports"
# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("reports/new/", public.new, name="new"),
    path("reports/follow/", public.follow, name="follow"),
    path("reports/statistics/", public.stats, name="stats"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    # Open311 GeoReport v2 (read only: statuses, no personal data, no text).
    path("open311/v2/services.json", public.open311_services, name="open311_services"),
    path("open311/v2/requests.json", public.open311_requests, name="open311_requests"),
    path("open311/v2/requests/<str:public_id>.json", public.open311_request, name="open311_request"),
    path("office/reports/", views.office, name="office"),
    path("office/kiosk-unlock/", views.kiosk_unlock, name="unlock_kiosk"),
    path("office/reports/<str:public_id>/", views.detail, name="detail"),
    path("office/reports/<str:public_id>/views/", views.view_log, name="views"),
    path("office/reports/<str:public_id>/files/<int:file_id>/", views.file_clean, name="file"),
    path("office/reports/<str:public_id>/files/<int:file_id>/sealed/", views.file_sealed, name="sealed"),
]
