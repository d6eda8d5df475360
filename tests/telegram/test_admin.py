"""The Telegram admin: channels with a write-only token, each article's choice and delivery in
its form, the list of deliveries with errors and "Try again"."""

import re

import pytest

from samizdat.newsroom.models import AuditEntry
from samizdat.telegram import crypto
from samizdat.telegram import services as telegram
from samizdat.telegram.models import Channel, Post
from tests.conftest import sign_in
from tests.newsroom.test_admin import ADD, _form

from .conftest import CHANNEL

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _english_admin(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def article_form(client, url, scaffold, **overrides):
    """The newsroom tests' article form, with the management forms of whatever other inlines
    the page has (other apps add theirs) as the page gives them."""
    page = client.get(url).content.decode()
    data = _form(scaffold)
    for name, value in re.findall(
            r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d+)"', page):
        data.setdefault(name, value)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_channel_token_is_stored_encrypted_and_never_shown(client, staff, scaffold, bot):
    sign_in(client, staff["administrator"])
    edition = scaffold["editions"]["ru"]
    token = "7654321:AAH-secret-part-of-the-tokenWXYZ"
    response = client.post("/admin/telegram/channel/add/", {
        "edition": edition.pk, "chat_id": "@samizdat_ru", "token": token, "is_active": "on"})
    assert response.status_code == 302, response.content[:2000]
    channel = Channel.objects.get(edition=edition)
    assert token not in channel.token_encrypted and channel.token_hint == "WXYZ"
    assert crypto.decrypt(channel.token_encrypted) == token
    assert telegram.target(edition).token == token
    page = client.get(f"/admin/telegram/channel/{channel.pk}/change/").content.decode()
    assert token not in page and "secret" not in page and "…WXYZ" in page
    assert 'type="password"' in page
    # Saved again without a token: the stored one stays.
    client.post(f"/admin/telegram/channel/{channel.pk}/change/", {
        "edition": edition.pk, "chat_id": "@samizdat_ru", "token": "", "is_active": "on"})
    assert telegram.target(edition).token == token
    listing = client.get("/admin/telegram/channel/").content.decode()
    assert "…WXYZ" in listing and token not in listing
    entries = AuditEntry.objects.filter(object_type="telegram.channel")
    assert entries.count() == 2 and token not in str(list(entries.values()))
    assert entries.order_by("id").first().details["fields"] == ["chat_id", "edition", "token"]


def test_the_environment_token_shows_its_last_characters_only(client, staff, scaffold, bot,
                                                               settings):
    sign_in(client, staff["administrator"])
    Channel.objects.create(edition=scaffold["editions"]["en"])
    listing = client.get("/admin/telegram/channel/").content.decode()
    assert f"environment, ending in …{settings.TELEGRAM_BOT_TOKEN[-4:]}" in listing
    assert settings.TELEGRAM_BOT_TOKEN not in listing
    assert f"{CHANNEL} (environment)" in listing


def test_an_editor_publishes_silently_from_the_article_form(client, editor, scaffold, bot,
                                                            run_worker):
    sign_in(client, editor)
    page = client.get(ADD).content.decode()
    assert "Post silently (no notification)" in page and "Do not post" in page
    response = client.post(ADD, article_form(client, ADD, scaffold, **{
        "_publish": "Publish", "telegram_post-TOTAL_FORMS": "1",
        "telegram_post-0-mode": "silent", "telegram_post-0-correction": ""}))
    assert response.status_code == 302, response.content[:3000]
    post = Post.objects.get(article__slug="from-the-admin")
    assert post.mode == Post.Mode.SILENT
    run_worker()
    assert bot.calls[0].params["disable_notification"] is True
    change = f"/admin/newsroom/article/{post.article_id}/change/"
    page = client.get(change).content.decode()
    assert "Posted" in page and f"https://t.me/samizdat_en/{Post.objects.get().message_id}" \
        in page


def test_a_correction_from_the_article_form_goes_as_a_reply(client, editor, make_article, bot,
                                                            run_worker, scaffold):
    article = make_article(slug="from-the-admin", headline="From the admin")
    run_worker()
    post = Post.objects.get(article=article)
    sign_in(client, editor)
    change = f"/admin/newsroom/article/{article.pk}/change/"
    data = article_form(client, change, scaffold, **{
        "bylines-TOTAL_FORMS": "0", "bylines-0-author": None, "bylines-0-position": None,
        "telegram_post-TOTAL_FORMS": "1", "telegram_post-INITIAL_FORMS": "1",
        "telegram_post-0-id": post.pk, "telegram_post-0-article": article.pk,
        "telegram_post-0-mode": "post",
        "telegram_post-0-correction": "Correction: the march was on Sunday."})
    response = client.post(change, data)
    assert response.status_code == 302, response.content[:3000]
    run_worker()
    reply = bot.calls[-1]
    assert reply.params["text"] == "Correction: the march was on Sunday."
    assert reply.params["reply_parameters"]["message_id"] == post.message_id


def test_the_deliveries_list_shows_errors_and_tries_again(client, editor, make_article, bot,
                                                           run_worker):
    bot.fail("sendMessage", 403, "Forbidden: bot was kicked from the channel chat")
    article = make_article()
    run_worker()
    sign_in(client, editor)
    listing = client.get("/admin/telegram/post/").content.decode()
    assert "Failed" in listing and "bot was kicked from the channel chat" in listing
    page = client.get(f"/admin/newsroom/article/{article.pk}/change/").content.decode()
    assert "Add the bot to the channel as an administrator" in page
    post = Post.objects.get(article=article)
    response = client.post("/admin/telegram/post/", {"action": "try_again",
                                                     "_selected_action": [post.pk]})
    assert response.status_code == 302
    run_worker()
    post.refresh_from_db()
    assert post.state == Post.State.POSTED and post.error == ""
