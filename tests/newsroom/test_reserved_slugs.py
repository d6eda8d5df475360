"""A static page cannot take an address the site answers itself (the audit's finding: a page
slugged `search` or `lite` was saved and never shown)."""

import pytest
from django.core.exceptions import ValidationError

from samizdat.newsroom.models import Page
from samizdat.newsroom.reserved import taken_by_the_site
from tests.conftest import sign_in


@pytest.mark.parametrize("slug", ["search", "lite", "news", "popular", "mirrors"])
def test_the_site_s_own_addresses_are_refused_with_a_clear_message(scaffold, slug):
    edition = scaffold["editions"]["ru"]
    page = Page(edition=edition, title="Поиск", slug=slug, body="<p>x</p>")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert f"/ru/{slug}/" in str(error.value.message_dict["slug"])


def test_other_slugs_are_pages_and_are_shown(scaffold, client):
    edition = scaffold["editions"]["be"]
    assert not taken_by_the_site("be", "pra-nas")
    page = Page(edition=edition, title="Пра нас", slug="pra-nas", body="<p>Рэдакцыя</p>")
    page.full_clean()
    page.save()
    assert client.get("/be/pra-nas/").status_code == 200


def test_the_admin_form_says_so_and_saves_nothing(scaffold, staff, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, staff["administrator"])
    edition = scaffold["editions"]["en"]
    response = client.post("/admin/newsroom/page/add/", {
        "edition": edition.pk, "kind": "other", "title": "Search", "slug": "search",
        "body": "<p>x</p>", "is_published": "on", "position": 0})
    assert response.status_code == 200
    assert "/en/search/ is the site&#x27;s own" in response.content.decode()
    assert not Page.objects.filter(slug="search").exists()
