from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "sunlit.regions"
    verbose_name = "Regions"
