from __future__ import annotations

from django.urls import path

from sunlit.finance import public, views

app_name = "finance"

# Public pages: mounted under / and, for the touch screens in village halls, under /kiosk/
# (sunlit/lib/rooms.py makes each one's kiosk twin, named kiosk_<name>).
pages = [
    path("v/<str:code>/finance/", public.village, name="village"),
    path("v/<str:code>/finance/search/", public.village_search, name="village_search"),
    path("v/<str:code>/finance/accounts/<str:year>/", public.accounts, name="accounts"),
    path("v/<str:code>/finance/accounts/<str:year>/<str:account>/", public.account, name="account"),
    path("v/<str:code>/finance/<str:period>/", public.month, name="month"),
    path("t/<str:code>/finance/search/", public.township_search, name="township_search"),
    path("t/<str:code>/finance/timeliness/", public.timeliness, name="timeliness"),
    path("finance/receipts/<str:sha256>/", public.receipt, name="receipt"),
]

# Downloads, files, feeds and the back office: one URL each.
urlpatterns = [
    path(
        "v/<str:code>/finance/accounts/<str:year>/<str:account>.csv", public.account, {"fmt": "csv"}, name="account_csv"
    ),
    path(
        "v/<str:code>/finance/accounts/<str:year>/<str:account>.xlsx",
        public.account,
        {"fmt": "xlsx"},
        name="account_xlsx",
    ),
    path("v/<str:code>/finance/<str:period>.json", public.month_json, name="month_json"),
    path("v/<str:code>/finance/<str:period>.csv", public.month_download, {"fmt": "csv"}, name="month_csv"),
    path("v/<str:code>/finance/<str:period>.xlsx", public.month_download, {"fmt": "xlsx"}, name="month_xlsx"),
    path("t/<str:code>/finance/search.json", public.township_search, {"fmt": "json"}, name="township_search_json"),
    path("t/<str:code>/finance/search.csv", public.township_search, {"fmt": "csv"}, name="township_search_csv"),
    path("t/<str:code>/finance/search.xlsx", public.township_search, {"fmt": "xlsx"}, name="township_search_xlsx"),
    path("finance/receipts/<str:sha256>/file", public.receipt_file, name="receipt_file"),
    path("finance/receipts/<str:sha256>/thumb", public.receipt_file, {"thumb": True}, name="receipt_thumb"),
    path("finance/finance-import-template.<str:fmt>", public.import_template, name="import_template"),
    path("office/finance/", views.office, name="office"),
    path("office/finance/imports/", views.imports, name="imports"),
    path("office/finance/imports/<int:pk>/", views.import_detail, name="import"),
    path("office/finance/imports/<int:pk>/progress", views.import_progress, name="import_progress"),
    path("office/finance/late/", views.late, name="late"),
    path("office/finance/charts/", views.charts, name="charts"),
    path("office/finance/charts/<str:code>/", views.chart_detail, name="chart"),
    path("office/finance/v/<str:code>/chart-year/", views.chart_year, name="chart_year"),
    path("office/finance/v/<str:code>/", views.village_books, name="books"),
    path("office/finance/v/<str:code>/new/", views.voucher_new, name="voucher_new"),
    path("office/finance/v/<str:code>/<str:period>/", views.month_desk, name="month_desk"),
    path("office/finance/vouchers/<int:pk>/", views.voucher, name="voucher"),
    path("office/finance/vouchers/<int:pk>/edit/", views.voucher_edit, name="voucher_edit"),
    path("office/finance/vouchers/<int:pk>/receipts/<int:receipt_id>", views.voucher_receipt, name="voucher_receipt"),
]
