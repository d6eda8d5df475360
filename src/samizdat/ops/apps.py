"""The operations app: imports and exports that move a newsroom's archive."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "samizdat.ops"
    verbose_name = _("Operations")
