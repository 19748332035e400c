from django.urls import include, path

urlpatterns = [
    path("", include("sunlit.accounts.urls")),
    path("", include("sunlit.transparency.urls")),
    path("", include("sunlit.portal.urls")),
    path("", include("sunlit.powers.urls")),
    path("", include("sunlit.cases.urls")),
    path("", include("sunlit.finance.urls")),
    path("", include("sunlit.projects.urls")),
    path("", include("sunlit.welfare.urls")),
    path("", include("sunlit.reports.urls")),
    path("", include("sunlit.bulletins.urls")),
]

# Every 404 gets the friendly page, in the kiosk layout under /kiosk/.
handler404 = "sunlit.portal.views.page_not_found"
