from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("sunlit.accounts.urls")),
    path("", include("sunlit.transparency.urls")),
    path("", include("sunlit.portal.urls")),
]
