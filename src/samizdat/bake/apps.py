"""The baked copy: the whole public site as plain files that work from any host, folder or
disk (`samizdat bake`), kept in step with publishing (tasks.py)."""

from django.apps import AppConfig


class BakeConfig(AppConfig):
    name = "samizdat.bake"
    label = "bake"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

        from samizdat.newsroom.models import Article, Byline, LegacyRedirect
        from samizdat.site import pagecache

        from . import onwrite, tasks, update

        # Render on write (onwrite.py): the page cache takes forward the baked routes'
        # pages a change left alone, and renders the others before readers ask.
        pagecache.carriable = update.in_copy
        pagecache.on_write = onwrite.on_write
        pre_save.connect(onwrite.capture, sender=Article, dispatch_uid="bake-onwrite-capture")

        post_save.connect(tasks.article_saved, sender=Article, dispatch_uid="bake-article")
        post_delete.connect(tasks.article_saved, sender=Article, dispatch_uid="bake-article-del")
        m2m_changed.connect(tasks.tags_changed, sender=Article.tags.through,
                            dispatch_uid="bake-tags")
        post_save.connect(tasks.byline_changed, sender=Byline, dispatch_uid="bake-byline")
        post_delete.connect(tasks.byline_changed, sender=Byline, dispatch_uid="bake-byline-del")
        for signal in (post_save, post_delete):
            signal.connect(tasks.legacy_redirect_changed, sender=LegacyRedirect,
                           dispatch_uid=f"bake-legacy-{signal}")
