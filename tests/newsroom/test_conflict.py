"""Two people saving one article in the admin: the second save is refused, shown the first's
changes and keeps what was typed; a save nobody else overtook goes through."""

import threading
import time

import lxml.html
import pytest
from django.db import connection

from samizdat.newsroom import services
from samizdat.newsroom.models import Article, Revision
from samizdat.newsroom.workflow import Status

# Both editors may edit a contributor's draft; so may the contributor.
EDITING_PAIRS = [
    ("editor", "administrator"),
    ("administrator", "editor"),
    ("contributor", "editor"),
    ("editor", "contributor"),
]


def change_url(article):
    return f"/admin/newsroom/article/{article.pk}/change/"


def open_form(client, article):
    """The change form as the browser got it: every field's value, ready to post back."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    return form_data(response)


def form_data(response):
    form = lxml.html.fromstring(response.content.decode()).get_element_by_id("article_form")
    data = {}
    for name, value in form.form_values():
        # A browser drops the newline that follows <textarea>; lxml keeps it.
        data.setdefault(name, []).append(value.removeprefix("\n"))
    return data


def save(client, article, data, **changes):
    return client.post(change_url(article), {**data, **{k: [v] for k, v in changes.items()}})


@pytest.fixture
def draft(make_article, contributor):
    return make_article(status="draft", user=contributor, headline="The draft",
                        lead="The first lead.", body="<p>The first body.</p>")


@pytest.mark.parametrize("first, second", EDITING_PAIRS)
def test_the_second_save_is_refused_with_the_first_ones_changes(
        signed_in, staff, draft, first, second):
    one, two = signed_in(first, second)
    mine, theirs = open_form(one, draft), open_form(two, draft)
    assert mine["opened_revision"] == theirs["opened_revision"] != [""]

    assert save(one, draft, mine, headline="The first headline").status_code == 302
    response = save(two, draft, theirs, lead="The second lead.")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this article after you opened it" in page
    conflict = lxml.html.fromstring(response.content.decode()).get_element_by_id("article-conflict")
    text = conflict.text_content()
    assert staff[first].get_username() in text
    assert "Headline" in [h.text_content() for h in conflict.findall(".//h3")]
    assert "- The draft" in text and "+ The first headline" in text
    assert "Lead" not in [h.text_content() for h in conflict.findall(".//h3")]  # not theirs
    article = Article.objects.get(pk=draft.pk)
    assert (article.headline, article.lead) == ("The first headline", "The first lead.")
    # What the second one typed is still in the form, and saving it again is now deliberate.
    again = form_data(response)
    assert again["lead"] == ["The second lead."] and again["headline"] == ["The draft"]
    latest = Revision.objects.filter(article=draft).order_by("-pk").first()
    assert again["opened_revision"] == [str(latest.pk)]
    assert save(two, draft, again).status_code == 302
    assert Article.objects.get(pk=draft.pk).lead == "The second lead."


@pytest.mark.parametrize("role", ["editor", "administrator", "contributor"])
def test_a_save_nobody_overtook_goes_through(signed_in, draft, role):
    (client,) = signed_in(role)
    data = open_form(client, draft)
    response = save(client, draft, data, headline="Edited alone", _continue="1")
    assert response.status_code == 302
    assert Article.objects.get(pk=draft.pk).headline == "Edited alone"
    # The next save starts from the version this one made: no conflict with oneself.
    data = open_form(client, draft)
    assert save(client, draft, data, lead="Edited again").status_code == 302
    assert Article.objects.get(pk=draft.pk).lead == "Edited again"


def test_two_open_and_one_saves_without_a_conflict(signed_in, staff, draft):
    one, two = signed_in("editor", "administrator")
    data = open_form(one, draft)
    open_form(two, draft)
    assert save(one, draft, data, headline="Only one saved").status_code == 302
    assert Article.objects.get(pk=draft.pk).headline == "Only one saved"


def test_a_workflow_button_is_refused_too(signed_in, staff, draft):
    one, two = signed_in("contributor", "editor")
    mine, theirs = open_form(one, draft), open_form(two, draft)
    assert save(one, draft, mine, body="<p>Rewritten.</p>").status_code == 302
    response = save(two, draft, theirs, _publish="Publish")
    assert response.status_code == 200
    article = Article.objects.get(pk=draft.pk)
    assert article.status == Status.DRAFT and "Rewritten" in article.body


def test_a_restore_by_someone_else_counts_as_a_save(signed_in, staff, draft):
    one, two = signed_in("editor", "administrator")
    data = open_form(one, draft)
    services.restore_revision(draft.revisions.last(), staff["administrator"])
    assert save(one, draft, data, headline="Over the restore").status_code == 200
    assert Article.objects.get(pk=draft.pk).headline == "The draft"


def test_the_conflict_is_in_the_staff_members_language(signed_in, staff, draft):
    one, two = signed_in("editor", "administrator")
    two.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"  # the second one works in Russian
    mine, theirs = open_form(one, draft), open_form(two, draft)
    save(one, draft, mine, headline="Новый заголовок")
    response = save(two, draft, theirs, lead="Мой лид.")
    page = response.content.decode()
    assert "Кто-то другой сохранил эту статью" in page
    conflict = lxml.html.fromstring(response.content.decode()).get_element_by_id("article-conflict")
    assert "Заголовок" in [h.text_content() for h in conflict.findall(".//h3")]
    assert "Someone else" not in page


def test_an_article_saved_without_revisions_is_compared_from_how_it_was_opened(
        signed_in, draft):
    Revision.objects.filter(article=draft).delete()  # as the demo and bulk loads leave them
    one, two = signed_in("editor", "administrator")
    mine, theirs = open_form(one, draft), open_form(two, draft)
    assert Revision.objects.filter(article=draft).count() == 1  # the first opening made it
    save(one, draft, mine, headline="Changed from the demo")
    response = save(two, draft, theirs, lead="Mine.")
    conflict = lxml.html.fromstring(response.content.decode()).get_element_by_id("article-conflict")
    assert "+ Changed from the demo" in conflict.text_content()
    assert Article.objects.get(pk=draft.pk).lead == "The first lead."


def test_only_someone_who_may_edit_it_makes_the_first_revision(signed_in, draft):
    """Opening an article one may only read (a contributor's own once published) writes
    nothing: no first revision for a form that cannot be saved."""
    Revision.objects.filter(article=draft).delete()
    Article.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)
    (contributor,) = signed_in("contributor")
    assert contributor.get(change_url(draft)).status_code == 200
    assert not Revision.objects.filter(article=draft).exists()


@pytest.mark.engine("postgresql")
def test_two_saves_at_the_same_moment_cannot_both_pass(transactional_db, signed_in, draft,
                                                        monkeypatch):
    """Each save checks for others' saves, then saves: with both checks done before either
    save, both would go through. The check locks the article's row until its save commits,
    so the other one waits, then sees that save."""
    one, two = signed_in("editor", "administrator")
    forms = {one: open_form(one, draft), two: open_form(two, draft)}
    check = services.find_conflict

    def slow_check(article, opened):
        found = check(article, opened)
        time.sleep(0.5)  # long enough for the other request to reach its own check
        return found

    monkeypatch.setattr(services, "find_conflict", slow_check)
    answers = {}

    def post(client, headline):
        try:
            answers[headline] = save(client, draft, forms[client], headline=headline).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c, h))
               for c, h in ((one, "From one"), (two, "From two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [200, 302]
    saved = next(h for h, code in answers.items() if code == 302)
    assert Article.objects.get(pk=draft.pk).headline == saved
