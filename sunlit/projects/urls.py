from __future__ import annotations

from django.urls import path

from sunlit.projects import public, views

app_name = "projects"

KIOSK = {"layout": "kiosk"}

urlpatterns = [
    # Public: each village's and township's published projects, each project's page.
    path("v/<str:code>/projects/", public.village, name="village"),
    path("t/<str:code>/projects/", public.township, name="township"),
    path("t/<str:code>/projects/ocds.json", public.township_ocds, name="township_ocds"),
    path("projects/<str:number>/", public.project, name="project"),
    path("projects/<str:number>/ocds.json", public.project_ocds, name="project_ocds"),
    path("projects/<str:number>/documents/<str:sha256>/", public.document, name="document"),
    path("projects/<str:number>/documents/<str:sha256>/file", public.document_file, name="document_file"),
    path(
        "projects/<str:number>/documents/<str:sha256>/thumb",
        public.document_file,
        {"thumb": True},
        name="document_thumb",
    ),
    path("projects/import-template.<str:fmt>", views.import_template, name="import_template"),
    # The same pages for the touch screens in village halls.
    path("kiosk/v/<str:code>/projects/", public.village, KIOSK, name="kiosk_village"),
    path("kiosk/t/<str:code>/projects/", public.township, KIOSK, name="kiosk_township"),
    path("kiosk/projects/<str:number>/", public.project, KIOSK, name="kiosk_project"),
    path("kiosk/projects/<str:number>/documents/<str:sha256>/", public.document, KIOSK, name="kiosk_document"),
    # Back office.
    path("office/projects/", views.office, name="office"),
    path("office/projects/imports/", views.imports, name="imports"),
    path("office/projects/imports/<int:pk>/", views.import_detail, name="import"),
    path("office/projects/imports/<int:pk>/progress", views.import_progress, name="import_progress"),
    path("office/projects/v/<str:code>/", views.desk, name="desk"),
    path("office/projects/v/<str:code>/new/", views.project_new, name="new"),
    path("office/projects/<int:pk>/", views.detail, name="detail"),
]
