from __future__ import annotations

from django.urls import path

from sunlit.projects import public, views

app_name = "projects"

# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("v/<str:code>/projects/", public.village, name="village"),
    path("t/<str:code>/projects/", public.township, name="township"),
    path("projects/<str:number>/", public.project, name="project"),
    path("projects/<str:number>/documents/<str:sha256>/", public.document, name="document"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    path("t/<str:code>/projects/ocds.json", public.township_ocds, name="township_ocds"),
    path("projects/<str:number>/ocds.json", public.project_ocds, name="project_ocds"),
    path("projects/<str:number>/documents/<str:sha256>/file", public.document_file, name="document_file"),
    path(
        "projects/<str:number>/documents/<str:sha256>/thumb",
        public.document_file,
        {"thumb": True},
        name="document_thumb",
    ),
    path("projects/import-template.<str:fmt>", views.import_template, name="import_template"),
    path("office/projects/", views.office, name="office"),
    path("office/projects/imports/", views.imports, name="imports"),
    path("office/projects/imports/<int:pk>/", views.import_detail, name="import"),
    path("office/projects/imports/<int:pk>/progress", views.import_progress, name="import_progress"),
    path("office/projects/v/<str:code>/", views.desk, name="desk"),
    path("office/projects/v/<str:code>/new/", views.project_new, name="new"),
    path("office/projects/<int:pk>/", views.detail, name="detail"),
]
