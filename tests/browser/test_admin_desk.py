"""The article admin in Chromium at 1280 px: the list fits without sideways scrolling, and
the translations panel's search box is Django's select2, served from our origin."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from samizdat.newsroom.models import Article
from tests.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(watched, site):
    """A browser at 1280 × 800, signed in as the editor, asking for Belarusian."""
    client = Client()
    sign_in(client, get_user_model().objects.get(username="editor"))
    w = watched(viewport={"width": 1280, "height": 800}, locale="be-BY",
                extra_http_headers={"Accept-Language": "be"})
    w.page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": site}])
    return w


def test_the_article_list_fits_1280_px(desk, site):
    page = desk.page
    page.goto(site + "/admin/newsroom/article/?edition=all")
    assert page.locator("#result_list tbody tr").count() > 10
    sideways = page.evaluate(
        "() => [document.documentElement.scrollWidth - window.innerWidth,"
        " document.querySelector('#changelist .results').scrollWidth"
        " - document.querySelector('#changelist .results').clientWidth]")
    assert sideways == [0, 0]
    # Every column is on the screen, the authors' last of all.
    right = page.evaluate("() => document.querySelector('#result_list th.column-bylines_list')"
                          ".getBoundingClientRect().right")
    assert right <= 1280
    assert desk.errors == [] and desk.foreign_requests() == []


def test_the_translation_search_box_finds_other_editions(desk, site):
    article = Article.objects.filter(edition__language="be").order_by("pk").first()
    other = Article.objects.filter(edition__language="en").order_by("-pk").first()
    page = desk.page
    page.goto(site + f"/admin/newsroom/article/{article.pk}/change/")
    assert page.locator("#article-translations .translation-column").count() == 3
    page.click(".field-translation_of .select2-selection")
    page.fill(".select2-search__field", other.headline[:20])
    option = page.locator(".select2-results__option", has_text=other.headline[:20]).first
    option.wait_for()
    assert "(en," in option.inner_text()
    assert desk.errors == [] and desk.foreign_requests() == []
