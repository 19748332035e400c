from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sunlit.audit"
    verbose_name = "Audit log"
