"""The editorial admin as each role sees it: workflow buttons, clear errors, revisions, audit."""

import datetime

import pytest
from django.utils import timezone

from samizdat.newsroom.models import Article, AuditEntry, Revision
from samizdat.newsroom.workflow import Status
from tests.conftest import sign_in

ADD = "/admin/newsroom/article/add/"


@pytest.fixture(autouse=True)
def _english_admin(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _form(scaffold, **overrides):
    data = {
        "edition": scaffold["editions"]["en"].pk,
        "headline": "From the admin",
        "slug": "from-the-admin",
        "lead": "A lead.",
        "body": "<p>Body <script>alert(1)</script></p>",
        "section": scaffold["sections"]["en"][0].pk,
        "comment_policy": "default",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "bylines-0-author": scaffold["authors"][0].pk,
        "bylines-0-position": "0",
        "gallery-TOTAL_FORMS": "0",
        "gallery-INITIAL_FORMS": "0",
        "gallery-MIN_NUM_FORMS": "0",
        "gallery-MAX_NUM_FORMS": "1000",
        "telegram_post-TOTAL_FORMS": "0",
        "telegram_post-INITIAL_FORMS": "0",
        "email_alert-TOTAL_FORMS": "0",
        "email_alert-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_editor_publishes_from_the_add_form(client, editor, scaffold):
    sign_in(client, editor)
    response = client.post(ADD, _form(scaffold, _publish="Publish"))
    assert response.status_code == 302, response.content[:3000]
    article = Article.objects.get(slug="from-the-admin")
    assert article.status == Status.PUBLISHED
    assert "<script" not in article.body
    assert [b.author for b in article.bylines.all()] == [scaffold["authors"][0]]
    assert article.revisions.count() >= 1
    assert AuditEntry.objects.filter(actor=editor, action="publish").exists()


@pytest.mark.parametrize("overrides, message", [
    ({"headline": ""}, "This field is required"),
    ({"section": None, "_publish": "Publish"}, "Choose a section before publishing"),
    ({"_schedule": "Schedule", "publish_at_0": "2001-01-01", "publish_at_1": "10:00"},
     "The scheduled time has passed"),
])
def test_bad_input_gets_a_clear_message_and_saves_nothing(client, editor, scaffold, overrides,
                                                           message):
    sign_in(client, editor)
    response = client.post(ADD, _form(scaffold, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_duplicate_slug_on_the_same_day_is_refused(client, editor, scaffold, make_article):
    existing = make_article(slug="same-slug")
    sign_in(client, editor)
    response = client.post(ADD, _form(scaffold, slug="same-slug", _publish="Publish"))
    assert response.status_code == 200
    assert "already has this address" in response.content.decode()
    assert list(Article.objects.all()) == [existing]


def test_contributor_cannot_publish_or_see_others(client, contributor, scaffold, make_article):
    other = make_article(headline="Someone else's")
    sign_in(client, contributor)
    response = client.post(ADD, _form(scaffold, _publish="Publish"))
    assert response.status_code == 200
    assert "Only editors can publish" in response.content.decode()
    assert not Article.objects.filter(slug="from-the-admin").exists()
    listing = client.get("/admin/newsroom/article/").content.decode()
    assert "Someone else" not in listing
    assert client.get(f"/admin/newsroom/article/{other.pk}/change/").status_code in (302, 403, 404)
    response = client.post(ADD, _form(scaffold, _submit="Submit for review"))
    assert response.status_code == 302
    assert Article.objects.get(slug="from-the-admin").status == Status.REVIEW


def test_moderator_has_no_article_access(client, staff):
    sign_in(client, staff["moderator"])
    assert client.get("/admin/newsroom/article/").status_code == 403


def test_changelist_filters_search_and_bulk_actions(client, editor, make_article, scaffold):
    draft = make_article(headline="Needle draft", status="draft")
    make_article(headline="Haystack published")
    sign_in(client, editor)
    base = "/admin/newsroom/article/"
    assert "Needle draft" in client.get(base + "?q=Needle").content.decode()
    assert "Haystack" not in client.get(base + "?q=Needle").content.decode()
    filtered = client.get(base + "?status__exact=draft&edition=en").content.decode()
    assert "Needle draft" in filtered and "Haystack" not in filtered
    section = scaffold["sections"]["en"][0]
    author = scaffold["authors"][0]
    assert client.get(base + f"?section__id__exact={section.pk}"
                      f"&authors__id__exact={author.pk}").status_code == 200
    client.post(base, {"action": "publish_selected", "_selected_action": [draft.pk]})
    assert Article.objects.get(pk=draft.pk).status == Status.PUBLISHED


def test_revisions_compare_and_restore(client, editor, make_article, scaffold):
    article = make_article(headline="Original headline", body="<p>Original body</p>")
    sign_in(client, editor)
    change = f"/admin/newsroom/article/{article.pk}/change/"
    data = _form(scaffold, headline="Changed headline", slug=article.slug,
                 body="<p>Changed body</p>", **{"bylines-INITIAL_FORMS": "0"})
    Article.objects.get(pk=article.pk).bylines.all().delete()
    assert client.post(change, data).status_code == 302
    revisions = list(Revision.objects.filter(article=article))
    assert len(revisions) >= 3
    page = client.get(f"/admin/newsroom/article/{article.pk}/revisions/").content.decode()
    assert "Original headline" in page and "Changed headline" in page
    oldest = revisions[-1]
    response = client.post(f"/admin/newsroom/article/{article.pk}/revisions/{oldest.pk}/restore/")
    assert response.status_code == 302
    restored = Article.objects.get(pk=article.pk)
    assert restored.headline == "Original headline"
    assert "Original body" in restored.body
    assert Revision.objects.filter(article=article).count() == len(revisions) + 1


def test_audit_log_is_read_only_and_for_administrators(client, staff, make_article):
    make_article()
    entry = AuditEntry.objects.first()
    sign_in(client, staff["editor"])
    assert client.get("/admin/newsroom/auditentry/").status_code == 403
    sign_in(client, staff["administrator"])
    assert client.get("/admin/newsroom/auditentry/").status_code == 200
    assert client.post(f"/admin/newsroom/auditentry/{entry.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_schedule_from_the_admin(client, editor, scaffold):
    sign_in(client, editor)
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    response = client.post(ADD, _form(scaffold, _schedule="Schedule",
                                      publish_at_0=when.strftime("%Y-%m-%d"),
                                      publish_at_1=when.strftime("%H:%M:%S")))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Status.SCHEDULED
    assert not Article.objects.published().exists()
