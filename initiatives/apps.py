from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("就业举措")

    def ready(self):
        from initiatives import signals  # noqa: F401  (keeps the search index in step)
