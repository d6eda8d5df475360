"""Per-account security state that Django's user model has no field for."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffSecurity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security",
        verbose_name=_("user"),
    )
    # Sessions that began before this moment are ended on their next request.
    sessions_valid_after = models.DateTimeField(_("sessions valid after"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff security")
        verbose_name_plural = _("staff security")

    def __str__(self):
        return str(self.user)
