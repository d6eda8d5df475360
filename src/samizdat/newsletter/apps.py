"""Email newsletters: each edition's daily digest and breaking news alerts, double opt-in,
one-click unsubscribe, addresses encrypted at rest (docs/newsletter.md)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "samizdat.newsletter"
    label = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from samizdat.newsroom.services import content_changed
        from samizdat.site import fragments, pagecache

        from . import services
        from .models import ArticleAlert, EditionNewsletter

        content_changed.connect(services.on_content_changed, dispatch_uid="newsletter-alerts")
        post_save.connect(services.on_alert_saved, sender=ArticleAlert,
                          dispatch_uid="newsletter-alert-saved")
        # Whether an edition offers the newsletter shows in every page's footer.
        for signal in (post_save, post_delete):
            signal.connect(pagecache.on_model_changed, sender=EditionNewsletter,
                           dispatch_uid=f"newsletter-page-cache-{signal}")
            signal.connect(fragments.site_changed, sender=EditionNewsletter,
                           dispatch_uid=f"newsletter-fragments-{signal}")
