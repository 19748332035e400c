from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "sunlit.ops"
