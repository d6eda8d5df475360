"""Old addresses of published articles answer with a 301 to the current one, forever."""

import datetime

from samizdat.newsroom.models import Article, ArticleRedirect


def _move(article, **changes):
    article = Article.objects.get(pk=article.pk)
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()
    return Article.objects.select_related("edition").get(pk=article.pk)


def test_slug_change_redirects_old_address(client, make_article):
    article = make_article(slug="first")
    old = article.get_absolute_url()
    article = _move(article, slug="second")
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_chains_collapse_and_moving_back_restores_the_page(client, make_article):
    article = make_article(slug="a")
    url_a = article.get_absolute_url()
    url_b = _move(article, slug="b").get_absolute_url()
    url_c = _move(article, slug="c").get_absolute_url()
    for old in (url_a, url_b):
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == url_c
    article = _move(article, slug="a")
    assert client.get(url_a).status_code == 200
    assert not ArticleRedirect.objects.filter(old_path=url_a).exists()
    assert client.get(url_c)["Location"] == url_a


def test_date_change_redirects(client, make_article):
    article = make_article(slug="dated")
    old = article.get_absolute_url()
    article = _move(article, published_at=article.published_at - datetime.timedelta(days=3))
    assert article.get_absolute_url() != old
    assert client.get(old)["Location"] == article.get_absolute_url()


def test_drafts_leave_no_redirects(make_article):
    article = make_article(status="draft", slug="draft-one")
    _move(article, slug="draft-two")
    assert not ArticleRedirect.objects.exists()


def test_unpublished_article_redirect_404s(client, make_article, editor):
    from samizdat.newsroom import services

    article = make_article(slug="gone")
    old = article.get_absolute_url()
    article = _move(article, slug="gone-again")
    services.unpublish(article, editor)
    assert client.get(old).status_code == 404
