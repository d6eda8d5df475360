"""Translations on the article's change form: the versions side by side, "create the …
version" prefilled from the original, linking from a search box and unlinking."""

import lxml.html
import pytest

from samizdat.newsroom import services
from samizdat.newsroom.models import Article, AuditEntry
from samizdat.photos import samples
from samizdat.photos import services as photos
from tests.conftest import sign_in
from tests.newsroom.test_conflict import change_url, form_data

ADD = "/admin/newsroom/article/add/"
SEARCH = "/admin/newsroom/article/translations/search/"
ERRORS = "//*[contains(@class, 'field-translation_of')]//ul[contains(@class, 'errorlist')]"


@pytest.fixture(autouse=True)
def _english_admin(client, editor):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, editor)


@pytest.fixture
def story(make_article, scaffold):
    """An English article with a Russian version; no Belarusian one yet."""
    en = make_article("en", headline="Strike at the tractor works", tag_ids=[
        t.pk for t in scaffold["tags"]["en"][:2]])
    ru = make_article("ru", headline="Забастовка на тракторном", status="draft")
    services.link_translation(ru, en, ru.created_by)
    return en, ru


def page(response):
    assert response.status_code == 200, response.content[:2000]
    return lxml.html.fromstring(response.content.decode())


def columns(tree):
    found = tree.xpath("//section[contains(@class, 'translation-column')]")
    return {c.get("data-edition"): c for c in found}


def test_the_versions_are_shown_side_by_side_with_their_links(client, story, scaffold):
    en, ru = story
    found = columns(page(client.get(change_url(en))))
    assert list(found) == ["be", "ru", "en"]
    assert "current" in found["en"].get("class")
    russian = found["ru"]
    assert russian.xpath(".//p[@class='translation-headline']")[0].text_content() == ru.headline
    assert "Draft" in russian.xpath(".//p[@class='translation-status']")[0].text_content()
    links = [a.get("href") for a in russian.xpath(".//a")]
    assert change_url(ru) in links
    assert ru.get_absolute_url() not in links  # a draft has no live page
    # From the Russian version: the English one is published, so its live page is linked.
    english = columns(page(client.get(change_url(ru))))["en"]
    assert en.get_absolute_url() in [a.get("href") for a in english.xpath(".//a")]
    create = found["be"].xpath(".//a[@class='button']")[0]
    assert create.text_content() == "Create the Belarusian version"
    be = scaffold["editions"]["be"]
    assert create.get("href") == f"{ADD}?translation_from={en.pk}&edition={be.pk}"


def test_the_labels_are_in_the_staff_members_language(client, story):
    en, _ru = story
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "be"
    tree = page(client.get(change_url(en)))
    assert columns(tree)["be"].xpath(".//a[@class='button']")[0].text_content() == \
        "Стварыць беларускую версію"
    assert tree.xpath("//*[@id='article-translations']/h2")[0].text_content() == "Пераклады"


def test_create_starts_a_prefilled_version_in_the_other_edition(client, story, scaffold):
    en, _ru = story
    hero = photos.ingest(samples.jpeg(600, 400, seed=3), alt_text="The works",
                         make_renditions=False)
    Article.objects.filter(pk=en.pk).update(hero_photo=hero)
    be = scaffold["editions"]["be"]
    create = columns(page(client.get(change_url(en))))["be"].xpath(".//a[@class='button']")[0]
    response = client.get(create.get("href"))
    data = form_data(response)
    assert data["edition"] == [str(be.pk)]
    assert data["headline"] == [en.headline]
    assert data["lead"] == [en.lead]
    assert en.body in data["body"][0]
    assert data["hero_photo"] == [str(hero.pk)]
    # The English "belarus" section has a Belarusian one of the same slug.
    assert data["section"] == [str(scaffold["sections"]["be"][0].pk)]
    assert data["translation_of"] == [str(en.pk)]
    assert data["bylines-0-author"] == [str(scaffold["authors"][0].pk)]
    # Saving it makes the Belarusian version, linked to the others.
    data["slug"] = ["zabastouka"]
    response = client.post(create.get("href"), data)
    assert response.status_code == 302, response.content[:3000]
    made = Article.objects.get(edition=be, slug="zabastouka")
    assert made.translation_key == en.translation_key
    assert made.hero_photo == hero
    assert [b.author for b in made.bylines.all()] == [scaffold["authors"][0]]
    assert {a.edition.language for a in Article.objects.filter(
        translation_key=en.translation_key)} == {"be", "ru", "en"}


def test_sections_and_tags_map_where_the_mapping_is_clear(make_article, scaffold):
    en_politics = scaffold["sections"]["en"][1]  # "politics": no "politics" in be
    be_politics = scaffold["sections"]["be"][1]  # "palityka"
    source = make_article("en", headline="Politics one")
    source.section = en_politics
    source.save()
    be = scaffold["editions"]["be"]
    assert services.matching_section(en_politics, be) is None  # nothing to go by yet
    earlier = make_article("en", headline="Politics before")
    earlier.section = en_politics
    earlier.save()
    version = make_article("be", headline="Палітыка раней")
    version.section = be_politics
    version.save()
    services.link_translation(version, earlier, version.created_by)
    assert services.matching_section(en_politics, be) == be_politics
    en_tag, be_tag = scaffold["tags"]["en"][0], scaffold["tags"]["be"][0]
    be_tag.slug = en_tag.slug
    be_tag.save()
    source.tags.set([en_tag, scaffold["tags"]["en"][5]])
    start = services.translation_start(source, be)
    assert start["section"] == be_politics.pk
    assert start["tags"] == [be_tag.pk]


def test_the_search_box_offers_other_editions_only(client, story, make_article):
    en, ru = story
    make_article("en", headline="Strike elsewhere, same edition")
    other = make_article("be", headline="Strike in Belarusian")
    tree = page(client.get(change_url(en)))
    box = tree.xpath("//select[@name='translation_of']")[0]
    assert "admin-autocomplete" in box.get("class")
    assert box.get("data-ajax--url") == f"{SEARCH}?other_than={en.edition_id}"
    assert not tree.xpath("//input[@name='translation_of']")  # never a typed number
    # As select2 asks: its own parameters added to the box's address.
    found = client.get(box.get("data-ajax--url") + "&term=strike&page=1").json()
    assert [r["id"] for r in found["results"]] == [str(other.pk)]
    assert found["results"][0]["text"] == "Strike in Belarusian (be, Published)"
    assert found["pagination"] == {"more": False}
    assert client.get(SEARCH, {"term": "Забастовка"}).json()["results"][0]["id"] == str(ru.pk)


def test_a_contributor_searches_only_what_they_may_see(client, contributor, make_article):
    make_article("be", headline="Someone else's story")
    sign_in(client, contributor)
    assert client.get(SEARCH, {"term": "story"}).json()["results"] == []


def test_a_contributor_cannot_link_to_or_read_another_s_draft(client, contributor,
                                                              make_article):
    """Naming another's draft by its id in the form gets a plain "not a valid choice": no
    headline in the error, the panel or the search box, and no link made."""
    secret = make_article("en", headline="Unannounced investigation", status="draft")
    own = make_article("be", headline="Мой чарнавік", status="draft", user=contributor)
    sign_in(client, contributor)
    data = form_data(client.get(change_url(own)))
    data["translation_of"] = [str(secret.pk)]
    response = client.post(change_url(own), data)
    assert response.status_code == 200
    assert "Unannounced investigation" not in response.content.decode()
    assert page(response).xpath(ERRORS)
    own.refresh_from_db()
    assert own.translation_key != secret.translation_key
    with pytest.raises(services.PermissionDenied):
        services.link_translation(own, secret, contributor)


def test_linking_from_the_search_box(client, make_article):
    en = make_article("en", headline="Floods in the south")
    be = make_article("be", headline="Паводка на поўдні")
    data = form_data(client.get(change_url(be)))
    data["translation_of"] = [str(en.pk)]
    response = client.post(change_url(be), data)
    assert response.status_code == 302, response.content[:3000]
    be.refresh_from_db()
    assert be.translation_key == en.translation_key
    assert AuditEntry.objects.filter(action="link-translation", object_id=str(be.pk)).exists()


def test_linking_within_one_edition_is_refused_clearly(client, make_article):
    one = make_article("en", headline="Floods in the south")
    two = make_article("en", headline="Floods, the second story")
    data = form_data(client.get(change_url(two)))
    data["translation_of"] = [str(one.pk)]
    response = client.post(change_url(two), data)
    assert response.status_code == 200
    errors = page(response).xpath(ERRORS)[0].text_content()
    assert errors == ("“Floods in the south” is in the same edition as this article; a "
                      "translation must be in another edition.")
    two.refresh_from_db()
    assert two.translation_key != one.translation_key


def test_a_group_takes_one_version_per_edition(client, story, make_article):
    en, ru = story
    second = make_article("ru", headline="Ещё одна забастовка")
    data = form_data(client.get(change_url(second)))
    data["translation_of"] = [str(en.pk)]
    response = client.post(change_url(second), data)
    errors = page(response).xpath(ERRORS)[0].text_content()
    assert "already has a version in this edition: “Забастовка на тракторном”" in errors
    assert Article.objects.get(pk=second.pk).translation_key != en.translation_key


def test_unlinking_takes_one_version_out(client, story, make_article):
    en, ru = story
    be = make_article("be", headline="Забастоўка")
    services.link_translation(be, en, be.created_by)
    tree = page(client.get(change_url(en)))
    button = columns(tree)["ru"].xpath(".//button[@name='unlink']")[0]
    assert button.get("value") == str(ru.pk)
    data = form_data(client.get(change_url(en)))
    response = client.post(button.get("formaction"), {**data, "unlink": [str(ru.pk)]})
    assert response.status_code == 302
    assert response["Location"] == change_url(en)
    keys = {a.pk: a.translation_key for a in Article.objects.filter(pk__in=[en.pk, ru.pk, be.pk])}
    assert keys[ru.pk] != keys[en.pk] == keys[be.pk]
    assert AuditEntry.objects.filter(action="unlink-translation", object_id=str(ru.pk)).exists()
    # Alone now: nothing to unlink, and every other edition offers a start.
    alone = columns(page(client.get(change_url(ru))))
    assert not page(client.get(change_url(ru))).xpath(".//button[@name='unlink']")
    create = alone["en"].xpath(".//a[@class='button']")[0]
    assert create.text_content() == "Create the English version"


def test_unlinking_needs_a_post_and_an_article_of_the_group(client, story, make_article):
    en, _ru = story
    stranger = make_article("be", headline="Not in the group")
    url = f"/admin/newsroom/article/{en.pk}/translations/unlink/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"unlink": stranger.pk}).status_code == 404
