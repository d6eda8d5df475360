"""The article list in the admin: six short columns, the staff member's edition first, the
sections of the chosen edition, and a query count that does not grow with the page."""

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import sign_in

LIST = "/admin/newsroom/article/"


@pytest.fixture(autouse=True)
def _signed_in(client, editor):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, editor)


def page(response):
    assert response.status_code == 200, response.content[:2000]
    return lxml.html.fromstring(response.content.decode())


def headlines(tree):
    return {a.text_content() for a in tree.xpath("//table[@id='result_list']//th/a")}


def filter_choices(tree, title):
    """The choices a filter in the side bar offers, by the filter's title."""
    heading = tree.xpath(f"//*[@id='changelist-filter']//summary[normalize-space()="
                         f"'By {title}']")
    return [a.text_content().strip() for a in heading[0].getparent().xpath(".//li/a")]


def test_the_columns_are_the_short_set(client, make_article):
    make_article("en")
    tree = page(client.get(LIST))
    columns = [next(c for c in th.get("class").split() if c.endswith("column") or
                    c.startswith("column-"))
               for th in tree.xpath("//table[@id='result_list']/thead/tr/th")]
    assert columns == ["action-checkbox-column", "column-headline", "column-status_badge",
                       "column-edition_code", "column-section_name", "column-list_time",
                       "column-bylines_list"]
    labels = [th.text_content().strip() for th in
              tree.xpath("//table[@id='result_list']/thead/tr/th")[1:]]
    assert labels == ["Headline", "Status", "Edition", "Section", "Time", "Authors"]


def test_the_list_starts_with_the_staff_members_edition(client, make_article):
    make_article("en", headline="In English")
    make_article("be", headline="Па-беларуску")
    assert headlines(page(client.get(LIST))) == {"In English"}
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "be"
    tree = page(client.get(LIST))
    assert headlines(tree) == {"Па-беларуску"}
    assert headlines(page(client.get(LIST + "?edition=all"))) == {"In English", "Па-беларуску"}
    assert headlines(page(client.get(LIST + "?edition=en"))) == {"In English"}


def test_all_editions_stays_a_choice(client, make_article):
    make_article("en")
    tree = page(client.get(LIST))
    edition = tree.xpath("//*[@id='changelist-filter']//summary[normalize-space()="
                         "'By edition']")[0].getparent()
    choices = {a.text_content().strip(): a.get("href") for a in edition.xpath(".//li/a")}
    assert choices["All editions"] == "?edition=all"
    selected = edition.xpath(".//li[@class='selected']/a")[0].text_content()
    assert selected == "Samizdat (en)"


def test_section_filter_offers_the_chosen_editions_sections(client, scaffold, make_article):
    make_article("en")
    english = [s.name for s in scaffold["sections"]["en"]]
    tree = page(client.get(LIST))
    # "All", the edition's sections, and "-" for articles without one.
    assert filter_choices(tree, "primary section")[1:-1] == english
    russian = [s.name for s in scaffold["sections"]["ru"]]
    tree = page(client.get(LIST + "?edition=ru"))
    assert filter_choices(tree, "primary section")[1:-1] == russian
    everything = filter_choices(page(client.get(LIST + "?edition=all")), "primary section")
    assert "Politics (en)" in everything and "Палітыка (be)" in everything
    section = scaffold["sections"]["en"][0]
    assert page(client.get(LIST + f"?section__id__exact={section.pk}")) is not None


def test_the_query_count_does_not_grow_with_the_list(client, scaffold, make_article):
    def count():
        with CaptureQueriesContext(connection) as queries:
            page(client.get(LIST))
        return len(queries)

    make_article("en", author_ids=[scaffold["authors"][0].pk])
    few = count()
    for n in range(12):
        make_article("en", status="draft" if n % 2 else "published",
                     author_ids=[a.pk for a in scaffold["authors"][:3]])
    assert count() == few
