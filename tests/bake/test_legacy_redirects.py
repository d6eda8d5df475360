"""Old addresses of the site a newsroom moved in from, in the baked copy: folder-style ones
get a page sending readers on, in full bakes and in updates; /?p=123 ones cannot be files."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from samizdat.bake.baker import bake
from samizdat.bake.update import update
from samizdat.newsroom import redirects, services
from samizdat.newsroom.models import Article, Page
from samizdat.site import views as site_views

from .conftest import Links, newsroom, resolve

pytestmark = pytest.mark.django_db

CYRILLIC = "/навіны/старая/"
ENCODED = "/%D0%BD%D0%B0%D0%B2%D1%96%D0%BD%D1%8B/%D1%81%D1%82%D0%B0%D1%80%D0%B0%D1%8F/"


def _stub(out, path):
    return out / path.strip("/") / "index.html"


def _leads_to(out, path) -> str:
    page = _stub(out, path)
    refresh = [v for tag, name, _k, v in Links(page.read_text()).found if name == "refresh"]
    target = resolve(page, refresh[0])
    return "/" + str(target.relative_to(out.resolve()))


@pytest.fixture
def baked(tmp_path, monkeypatch):
    with override_settings(SITE_URL="https://news.example.org", VAR_DIR=tmp_path / "var",
                           MEDIA_ROOT=tmp_path / "var" / "media"):
        monkeypatch.setattr(site_views, "PAGE_SIZE", 4)
        cache.clear()
        newsroom()
        article = Article.objects.published().select_related("edition").filter(
            edition__language="en").first()
        page = Page.objects.filter(is_published=True, edition__language="be").first()
        redirects.add_many([
            ("/2019/05/03/old-wp-slug/", {"article": article, "source": "wordpress"}),
            (ENCODED, {"page": page, "source": "wordpress"}),
            ("/?p=595203", {"article": article, "source": "wordpress"}),
            ("/old-shop.php", {"target": "/en/", "source": "csv"}),
            ("/elsewhere/", {"target": "https://example.org/", "source": "csv"}),
        ])
        out = tmp_path / "www" / "baked"
        summary = bake(out)
        yield {"out": out, "article": article, "page": page, "summary": summary}


def test_full_bake_writes_folder_style_legacy_addresses(baked):
    out, article, page = baked["out"], baked["article"], baked["page"]
    assert _leads_to(out, "/2019/05/03/old-wp-slug/") == \
        article.get_absolute_url() + "index.html"
    # Stored decoded, written as the folder a web server finds for the encoded address.
    assert _stub(out, CYRILLIC).is_file()
    assert _leads_to(out, CYRILLIC) == page.get_absolute_url() + "index.html"
    # /?p= is answered by the application (nginx passes "/" with a query to it); a path
    # that is not a folder, or a target off the site, has no page.
    assert not (out / "old-shop.php").exists()
    assert not (out / "elsewhere").exists()


def test_update_follows_the_article_and_removes_the_page_with_it(baked):
    out = baked["out"]
    article = Article.objects.get(pk=baked["article"].pk)
    editor = article.created_by
    article.slug = "renamed-after-the-move"
    article.save()
    article = Article.objects.select_related("edition").get(pk=article.pk)
    update([article.pk], out)
    assert _leads_to(out, "/2019/05/03/old-wp-slug/") == \
        article.get_absolute_url() + "index.html"
    services.unpublish(article, editor)
    done = update([article.pk], out)
    assert not _stub(out, "/2019/05/03/old-wp-slug/").exists()
    assert "2019/05/03/old-wp-slug/index.html" in done.removed
