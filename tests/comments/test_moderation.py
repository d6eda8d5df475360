"""The moderation queue and actions, as the moderator role sees them; the scale bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samizdat.comments.models import Ban, Comment
from samizdat.newsroom.models import AuditEntry
from tests.conftest import sign_in

QUEUE = "/admin/comments/comment/queue/"


@pytest.fixture(autouse=True)
def _english_admin(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def waiting(article, post):
    type(article).objects.filter(pk=article.pk).update(comment_policy="pre")
    post(body="Earlier words", address="198.51.100.1")
    Comment.objects.update(status="approved")
    root = Comment.objects.get()
    post(body="Second thought", address="198.51.100.1")
    post(body="A reply to the first", parent=str(root.pk), address="198.51.100.2")
    return list(Comment.objects.filter(status="pending").order_by("id"))


def test_the_queue_shows_each_comment_with_its_context(client, staff, waiting, article):
    sign_in(client, staff["moderator"])
    html = client.get(QUEUE).content.decode()
    assert "2 comments wait" in html
    assert "Second thought" in html and "A reply to the first" in html
    assert article.headline in html
    assert "Earlier words" in html  # the thread it answers, and the writer's history
    assert "Their other recent comments" in html
    assert client.get("/admin/newsroom/article/").status_code == 403  # comments only


def test_one_button_acts_on_one_comment_and_bulk_on_the_selection(
        client, staff, waiting, article, django_capture_on_commit_callbacks):
    sign_in(client, staff["moderator"])
    first, second = waiting
    with django_capture_on_commit_callbacks(execute=True):
        client.post(QUEUE, {"single": f"approve:{first.pk}", "comment": [second.pk]})
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "pending")
    assert "Second thought" in client.get(article.get_absolute_url()).content.decode()
    client.post(QUEUE, {"action": "spam", "comment": [second.pk]})
    second.refresh_from_db()
    assert second.status == "spam" and second.moderated_by == staff["moderator"]
    assert AuditEntry.objects.filter(action="comment approved").count() == 1


def test_banning_from_the_queue_hides_all_their_comments(client, staff, waiting, post):
    sign_in(client, staff["moderator"])
    client.post(QUEUE, {"action": "ban", "comment": [waiting[0].pk]})
    assert Ban.objects.filter(client=waiting[0].client).exists()
    assert set(Comment.objects.filter(client=waiting[0].client)
               .values_list("status", flat=True)) == {"spam"}
    assert post(body="Back again", address="198.51.100.1").status_code == 403


def test_readers_and_contributors_cannot_moderate(client, staff, waiting):
    assert client.get(QUEUE).status_code == 302
    sign_in(client, staff["contributor"])
    assert client.get(QUEUE).status_code == 403
    assert client.post(QUEUE, {"action": "approve",
                               "comment": [waiting[0].pk]}).status_code == 403


def test_five_thousand_comments_cost_the_same_queries_as_ten(client, article, settings,
                                                             make_article):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Both after `article`, so both have related articles to show.
    big, small = make_article(slug="big"), make_article(slug="small")
    loaded = type(article).objects.select_related("edition").in_bulk([big.pk, small.pk])
    big, small = loaded[big.pk], loaded[small.pk]

    def fill(target, threads, replies):
        roots = Comment.objects.bulk_create(
            Comment(article=target, name=f"R{n}", body=f"root {n}", client="c" * 32,
                    status="approved") for n in range(threads))
        Comment.objects.bulk_create(
            Comment(article=target, parent=r, thread=r, depth=1, name="x", body="reply",
                    client="c" * 32, status="approved")
            for r in roots for _ in range(replies))
    fill(big, 250, 19)  # 5,000 comments
    fill(small, 5, 1)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()
    count(small.get_absolute_url())  # warm the per-worker chrome
    big_queries, big_html = count(big.get_absolute_url())
    small_queries, _ = count(small.get_absolute_url())
    assert big_queries == small_queries
    assert "(5000)" in big_html and big_html.count('class="comment"') == 20 * 11
    assert "All replies" in big_html and "Older comments" in big_html
    assert len(big_html) < 150_000


def test_the_comment_list_searches_filters_and_acts(client, staff, waiting,
                                                    django_capture_on_commit_callbacks):
    sign_in(client, staff["editor"])
    listing = client.get("/admin/comments/comment/?q=Second&status=pending&reported=yes")
    assert listing.status_code == 200 and "Moderation queue" in listing.content.decode()
    found = client.get("/admin/comments/comment/?q=Second").content.decode()
    assert "Second thought" in found and "Earlier words" not in found
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/comments/comment/", {
            "action": "approve", "_selected_action": [c.pk for c in waiting]})
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    assert client.get(f"/admin/comments/comment/{waiting[0].pk}/change/").status_code == 200
