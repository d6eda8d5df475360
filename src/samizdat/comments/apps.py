"""Reader comments: posting without an account, moderation, abuse protection."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "samizdat.comments"
    label = "comments"
    verbose_name = _("Comments")
