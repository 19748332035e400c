from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sunlit.accounts"
    verbose_name = "Accounts"
