"""Telegram channels: each edition's publications posted to its channel through the Bot API."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelegramConfig(AppConfig):
    name = "samizdat.telegram"
    label = "telegram"
    verbose_name = _("Telegram")

    def ready(self):
        from django.db.models.signals import post_save

        from . import services

        post_save.connect(services.article_saved, sender="newsroom.Article",
                          dispatch_uid="telegram-article")
