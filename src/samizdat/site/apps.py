"""The reader site: every page a reader sees, server-rendered and cacheable as a whole."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Everything a reader page shows besides articles (which go through the newsroom's actions
# and their content_changed signal) and photos (which send it when a page shows them): a
# change to any of these makes every cached page stale.
READER_VISIBLE = ("newsroom.Edition", "newsroom.Section", "newsroom.Tag", "newsroom.Author",
                  "newsroom.Page", "newsroom.SiteSettings", "newsroom.SocialAccount",
                  "newsroom.DonationMethod", "photos.GalleryItem")


class SiteConfig(AppConfig):
    name = "samizdat.site"
    label = "site"
    verbose_name = _("Reader site")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

        from samizdat.newsroom.services import content_changed

        from . import fragments
        from .pagecache import on_content_changed, on_model_changed

        # Fragments first: render on write (pagecache.on_content_changed) renders pages
        # from them.
        content_changed.connect(fragments.content_changed, dispatch_uid="site-fragments")
        content_changed.connect(on_content_changed, dispatch_uid="site-page-cache")
        for name in READER_VISIBLE:
            model = self.apps.get_model(name)
            for signal in (post_save, post_delete):
                signal.connect(on_model_changed, sender=model,
                               dispatch_uid=f"site-page-cache-{name}-{signal}")
                signal.connect(fragments.site_changed, sender=model,
                               dispatch_uid=f"site-fragments-{name}-{signal}")
        # Articles and their parts: their own fragments, not every page's.
        article = self.apps.get_model("newsroom.Article")
        pre_save.connect(fragments.article_about_to_change, sender=article,
                         dispatch_uid="site-fragments-article-pre")
        for signal in (post_save, post_delete):
            signal.connect(fragments.article_changed, sender=article,
                           dispatch_uid=f"site-fragments-article-{signal}")
            for name in ("newsroom.Byline", "photos.GalleryItem"):
                signal.connect(fragments.part_changed, sender=self.apps.get_model(name),
                               dispatch_uid=f"site-fragments-{name}-{signal}")
        m2m_changed.connect(fragments.tags_changed, sender=article.tags.through,
                            dispatch_uid="site-fragments-tags")
