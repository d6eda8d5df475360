"""Search and "Most read" in Chromium: the header's search box leads to marked results, and
opening an article sends the reading beacon as a real browser does (same origin, no
cookie), which the server counts once."""

import pytest

from samizdat.newsroom.models import Article
from samizdat.popular import counting
from samizdat.popular.models import ReadCount

pytestmark = pytest.mark.browser


def test_search_from_the_header_box(watched, site):
    article = (Article.objects.published().filter(edition__language="en")
               .order_by("-published_at").first())
    word = max(article.headline.split(), key=len).strip(".,")
    w = watched()
    w.page.goto(site + "/en/")
    w.page.fill(".search-box input[name=q]", word)
    w.page.press(".search-box input[name=q]", "Enter")
    w.page.wait_for_load_state()
    assert w.page.url.startswith(site + "/en/search/?q=")
    assert w.page.locator(".search-results li").count() >= 1
    assert word.lower() in w.page.locator(".search-results mark").first.inner_text().lower()
    w.page.locator(".search-results a").first.click()
    w.page.wait_for_load_state()
    assert "/news/" in w.page.url
    assert not w.errors and not w.foreign_requests()


def test_opening_an_article_counts_one_reading(watched, site, settings):
    settings.POPULAR_FLUSH_SECONDS = 0
    counting._pending.clear()
    article = (Article.objects.published().filter(edition__language="be")
               .order_by("-published_at").first())
    w = watched()

    def is_beacon(response):
        return response.url.endswith(f"/read/{article.pk}/")

    with w.page.expect_response(is_beacon) as beacon:
        w.page.goto(site + article.get_absolute_url())
    assert beacon.value.request.method == "POST" and beacon.value.status == 204
    with w.page.expect_response(is_beacon):
        w.page.reload()  # the same reader again
    assert ReadCount.objects.get(article=article).count == 1
    assert w.page.context.cookies() == []
    assert not w.errors and not w.foreign_requests()
