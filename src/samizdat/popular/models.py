from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadCount(models.Model):
    """Readings of one article in one hour: a number, nothing about the readers."""

    article = models.ForeignKey("newsroom.Article", on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey("newsroom.Edition", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("readings"), default=0)

    class Meta:
        verbose_name = _("reading count")
        verbose_name_plural = _("reading counts")
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="readcount_article_hour"),
        ]
        indexes = [models.Index(fields=["edition", "hour"], name="readcount_edition_hour")]

    def __str__(self):
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H}: {self.count}"
