"""The site's URLs: every room's, as its manifest names them (sunlit/lib/rooms.py).

Each room's public pages are mounted twice, under / and under /kiosk/ (the layout for the
touch screens in village halls), so no public page can lack its kiosk version.
"""

from sunlit.lib import rooms

urlpatterns = rooms.urlpatterns()

# Every 404 gets the friendly page, in the kiosk layout under /kiosk/.
handler404 = "sunlit.portal.views.page_not_found"
