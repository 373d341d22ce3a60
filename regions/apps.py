from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("行政区划")

    def ready(self):
        from regions import signals  # noqa: F401  (clears the gazetteer cache on edits)
