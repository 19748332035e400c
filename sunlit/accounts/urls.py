from django.contrib.auth import views as auth_views
from django.urls import path

from sunlit.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", views.otp_verify, name="otp_verify"),
    path("accounts/otp/setup/", views.otp_setup, name="otp_setup"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("office/", views.office, name="office"),
    path("office/memberships/", views.memberships, name="memberships"),
    path("office/audit/", views.audit_log, name="audit"),
]
