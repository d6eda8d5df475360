"""Comment feeds: the latest published comments of an edition, or of one article."""

from django.contrib.syndication.views import Feed
from django.utils.translation import gettext as _

from samizdat.site import pagecache
from samizdat.site.views import current_edition

from . import services, text
from .models import Comment, Status

ITEMS = 50


class EditionComments(Feed):
    def get_object(self, request, article_id=None):
        return current_edition()

    def title(self, edition):
        return _("%(site)s: latest comments") % {"site": edition.site_name}

    def link(self, edition):
        return edition.get_absolute_url()

    def description(self, edition):
        return self.title(edition)

    def items(self, edition):
        return (Comment.objects.filter(status=Status.APPROVED, article__edition=edition)
                .select_related("article__edition").order_by("-id")[:ITEMS])

    def item_title(self, comment):
        return _("%(name)s on “%(headline)s”") % {"name": comment.name,
                                                   "headline": comment.article.headline}

    def item_description(self, comment):
        return text.render(comment.body)

    def item_link(self, comment):
        return comment.get_absolute_url()

    def item_pubdate(self, comment):
        return comment.created_at

    def item_author_name(self, comment):
        return comment.name


class ArticleComments(EditionComments):
    def get_object(self, request, article_id=None):
        from .views import _article

        return _article(article_id)

    def title(self, article):
        return _("Comments on “%(headline)s”") % {"headline": article.headline}

    def link(self, article):
        return article.get_absolute_url() + "#comments"

    def items(self, article):
        return (Comment.objects.filter(status=Status.APPROVED, article=article)
                .select_related("article__edition").order_by("-id")[:ITEMS])


def edition_feed(request):
    pagecache.depends_on(request, services.edition_dependency(current_edition().pk))
    return EditionComments()(request)


def article_feed(request, article_id):
    pagecache.depends_on(request, services.dependency(article_id))
    return ArticleComments()(request, article_id=article_id)
