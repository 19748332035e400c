from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "throwaway"


def note(request: HttpRequest, ref: str, layout: str = "portal") -> HttpResponse:
    return HttpResponse(f"{layout}:{ref}")


def desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("desk")


pages = [path("throwaway/<str:ref>/", note, name="note")]
urlpatterns = [path("office/throwaway/", desk, name="desk")]
