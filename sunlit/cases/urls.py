from __future__ import annotations

from django.urls import path

from sunlit.cases import public, views

app_name = "cases"

# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("v/<str:code>/cases/", public.village_cases, name="village_cases"),
    path("cases/follow/", public.follow, name="follow"),
    path("cases/<str:number>/", public.case_page, name="public_case"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    path("office/cases/", views.case_list, name="list"),
    path("office/cases/open/", views.case_open, name="open"),
    path("office/cases/overdue/", views.overdue, name="overdue"),
    path("office/cases/<str:number>/", views.case_detail, name="detail"),
    path("office/cases/<str:number>/act/", views.case_act, name="act"),
    path("office/cases/<str:number>/opinion/", views.case_opinion, name="opinion"),
    path("office/cases/<str:number>/objection/", views.case_objection, name="objection"),
    path(
        "office/cases/<str:number>/objections/<int:objection_id>/resolve/",
        views.objection_resolve,
        name="objection_resolve",
    ),
    path("office/cases/<str:number>/withdraw/", views.case_withdraw, name="withdraw"),
    path("office/cases/<str:number>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
