from __future__ import annotations

from django.urls import path

from sunlit.cases import public, views
from sunlit.workdays import views as workdays_views

app_name = "cases"

urlpatterns = [
    # Back office.
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
    path("office/workdays/", workdays_views.overrides, name="workdays"),
    # Public: phone and kiosk.
    path("v/<str:code>/cases/", public.village_cases, name="village_cases"),
    path("cases/follow/", public.follow, name="follow"),
    path("cases/<str:number>/", public.case_page, name="public_case"),
    path("kiosk/v/<str:code>/cases/", public.village_cases, {"layout": "kiosk"}, name="kiosk_village_cases"),
    path("kiosk/cases/follow/", public.follow, {"layout": "kiosk"}, name="kiosk_follow"),
    path("kiosk/cases/<str:number>/", public.case_page, {"layout": "kiosk"}, name="kiosk_case"),
]
