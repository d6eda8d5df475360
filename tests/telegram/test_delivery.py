"""Articles reach their edition's Telegram channel through the real actions, the task queue and
`samizdat worker`, against a local server speaking the Bot API."""

import re

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samizdat.newsroom import services
from samizdat.photos import samples
from samizdat.photos import services as photos
from samizdat.telegram import services as telegram
from samizdat.telegram.models import Post
from samizdat.telegram.tasks import deliver

from .botapi import visible_length
from .conftest import CHANNEL

pytestmark = pytest.mark.django_db(transaction=True)


def deliver_tasks(status=None):
    tasks = DBTaskResult.objects.filter(task_path="samizdat.telegram.tasks.deliver")
    return tasks.filter(status=status) if status else tasks


@pytest.fixture
def photo(db):
    return photos.ingest(samples.jpeg(1000, 700), alt_text="A square in Minsk",
                         make_renditions=False)


@pytest.fixture
def story(make_article, photo):
    def make(**fields):
        fields.setdefault("hero_photo", photo)
        fields.setdefault("status", "published")
        return make_article(**fields)

    return make


def test_publish_posts_the_photo_as_a_file_then_edits_and_deletes(bot, story, editor, photo,
                                                                  run_worker, settings):
    article = story(headline="Protest in Minsk", lead="Thousands walked to the square.")
    post = Post.objects.get(article=article)
    # The intent and its task were written with the publication itself.
    assert post.version == 1 and post.due_at is not None
    assert deliver_tasks(TaskResultStatus.READY).count() == 1

    run_worker()
    [call] = bot.calls
    assert call.method == "sendPhoto"
    filename, content_type, data = call.files["photo"]
    with default_storage.open(photo.rendition_name(photo.renditions["widths"][-1],
                                                   "jpeg"), "rb") as stored:
        assert data == stored.read()
    assert content_type == "image/jpeg" and data[:3] == b"\xff\xd8\xff"
    assert call.params["chat_id"] == CHANNEL
    assert "disable_notification" not in call.params
    caption = call.params["caption"]
    url = settings.SITE_URL + article.get_absolute_url()
    assert caption.startswith("<b>Protest in Minsk</b>\n\nThousands walked to the square.")
    assert f'<a href="{url}">Read on the website</a>' in caption
    # Telegram gets the file; it is never sent to fetch anything from the site.
    assert "/media/" not in str(call.params) and "photo" not in call.params
    post.refresh_from_db()
    assert post.state == Post.State.POSTED and post.kind == "photo"
    assert bot.in_channel(CHANNEL)[post.message_id]["caption"] == caption

    # An edited headline or lead edits the message.
    article.headline = "Protest in Minsk: the police arrive"
    article.lead = "Thousands walked to the square; buses came at noon."
    article.save()
    services.save_article(article, editor)
    run_worker()
    assert [c.method for c in bot.calls] == ["sendPhoto", "editMessageCaption"]
    edit = bot.calls[-1].params
    assert edit["message_id"] == post.message_id and edit["chat_id"] == CHANNEL
    assert "the police arrive" in edit["caption"] and "buses came at noon" in edit["caption"]
    assert "buses" in bot.in_channel(CHANNEL)[post.message_id]["caption"]

    # An edit readers do not see in the post (the body) sends nothing.
    article.body = "<p>More text.</p>"
    article.save()
    services.save_article(article, editor)
    run_worker()
    assert len(bot.calls) == 2

    # Unpublished: the message is deleted.
    services.unpublish(article, editor)
    run_worker()
    assert bot.calls[-1].method == "deleteMessage"
    assert bot.calls[-1].params == {"chat_id": CHANNEL, "message_id": post.message_id}
    assert bot.in_channel(CHANNEL) == {}
    post.refresh_from_db()
    assert post.state == Post.State.REMOVED and post.message_id is None

    # A second run, and a task enqueued again by hand, post nothing twice.
    run_worker()
    deliver.enqueue(article.pk)
    run_worker()
    assert len(bot.calls) == 3

    # Published again: a new post.
    services.publish(article, editor)
    run_worker()
    assert bot.calls[-1].method == "sendPhoto" and len(bot.in_channel(CHANNEL)) == 1


def test_text_post_without_photo(bot, make_article, editor, run_worker):
    article = make_article(headline="Curfew <tonight> & tomorrow", lead="A lead.")
    run_worker()
    [call] = bot.calls
    assert call.method == "sendMessage" and not call.files
    assert call.params["text"].startswith("<b>Curfew &lt;tonight&gt; &amp; tomorrow</b>")
    assert call.params["link_preview_options"] == {"is_disabled": True}
    article.lead = "A better lead."
    article.save()
    services.save_article(article, editor)
    run_worker()
    assert bot.calls[-1].method == "editMessageText"
    assert "A better lead." in bot.calls[-1].params["text"]


def test_silent_and_do_not_post(bot, make_article, editor, run_worker):
    quiet = make_article(status="draft")
    Post.objects.create(article=quiet, mode=Post.Mode.SILENT)
    skipped = make_article(status="draft")
    Post.objects.create(article=skipped, mode=Post.Mode.SKIP)
    services.publish(quiet, editor)
    services.publish(skipped, editor)
    run_worker()
    [call] = bot.calls
    assert call.params["disable_notification"] is True
    assert Post.objects.get(article=skipped).state == Post.State.SKIPPED
    assert Post.objects.get(article=quiet).state == Post.State.POSTED


def test_an_edition_without_a_channel_posts_nothing(bot, make_article, run_worker):
    article = make_article(language="be")
    run_worker()
    assert bot.calls == [] and not Post.objects.filter(article=article).exists()


def test_429_waits_for_retry_after(bot, story, run_worker, clock):
    bot.fail("sendPhoto", 429, "Too Many Requests: retry after 7", retry_after=7)
    article = story()
    run_worker()
    assert len(bot.calls) == 1 and bot.in_channel(CHANNEL) == {}
    post = Post.objects.get(article=article)
    assert post.state == Post.State.RETRYING and "429" in post.error
    [waiting] = deliver_tasks(TaskResultStatus.READY)
    assert 6 <= (waiting.run_after - post.error_at).total_seconds() <= 8

    clock.forward(5)  # not yet
    run_worker()
    assert len(bot.calls) == 1
    clock.forward(3)
    run_worker()
    assert [c.method for c in bot.calls] == ["sendPhoto", "sendPhoto"]
    post.refresh_from_db()
    assert post.state == Post.State.POSTED and len(bot.in_channel(CHANNEL)) == 1
    assert post.error == ""


def test_a_removed_bot_fails_clearly_and_stops(bot, story, run_worker, clock):
    bot.fail("sendPhoto", 403, "Forbidden: bot was kicked from the channel chat")
    article = story()
    run_worker()
    post = Post.objects.get(article=article)
    assert post.state == Post.State.FAILED and post.error_code == 403
    assert "bot was kicked from the channel chat" in post.error
    assert "administrator" in post.error
    assert not deliver_tasks(TaskResultStatus.READY).exists() and post.due_at is None
    clock.forward(24 * 3600)
    run_worker()
    assert len(bot.calls) == 1
    # Fixed in Telegram, then "Try again" in the admin.
    telegram.retry(post)
    run_worker()
    post.refresh_from_db()
    assert post.state == Post.State.POSTED and len(bot.calls) == 2


def test_a_broken_token_fails_clearly_without_showing_it(bot, story, run_worker, settings):
    settings.TELEGRAM_BOT_TOKEN = "999:wrong-token-value"
    article = story()
    run_worker()
    post = Post.objects.get(article=article)
    assert post.state == Post.State.FAILED and post.error_code == 401
    assert "SAMIZDAT_TELEGRAM_BOT_TOKEN" in post.error and "wrong-token" not in post.error
    assert not deliver_tasks(TaskResultStatus.READY).exists()


def test_server_errors_back_off_then_succeed(bot, story, run_worker, clock):
    bot.fail("sendPhoto", 502, "Bad Gateway", times=2)
    article = story()
    run_worker()
    post = Post.objects.get(article=article)
    assert post.state == Post.State.RETRYING and post.attempts == 1
    assert round((post.due_at - post.error_at).total_seconds()) == 10
    clock.forward(11)
    run_worker()
    post.refresh_from_db()
    assert post.attempts == 2 and round((post.due_at - post.error_at).total_seconds()) == 20
    clock.forward(21)
    run_worker()
    post.refresh_from_db()
    assert post.state == Post.State.POSTED and len(bot.calls) == 3


def test_captions_and_texts_are_cut_to_telegram_limits(bot, story, make_article, run_worker):
    words = " ".join(f"word{n}" for n in range(1500))  # about 10,000 characters
    story(headline="Long", lead=words)
    make_article(headline="Long text", lead=words + " " + words)
    run_worker()
    [photo_call] = bot.calls_of("sendPhoto")
    [text_call] = bot.calls_of("sendMessage")
    assert photo_call.method == "sendPhoto" and text_call.method == "sendMessage"
    caption, text = photo_call.params["caption"], text_call.params["text"]
    assert 1000 < visible_length(caption) <= 1024
    assert 4000 < visible_length(text) <= 4096
    for message in (caption, text):
        lead = message.split("\n\n")[1]
        assert re.fullmatch(r"(word\d+ )*word\d+…", lead)  # cut at a word, marked
        assert message.endswith("Read on the website</a>")
    assert len(bot.in_channel(CHANNEL)) == 2


def test_a_refused_caption_is_sent_shorter(bot, story, run_worker):
    bot.fail("sendPhoto", 400, "Bad Request: message caption is too long")
    story(headline="Headline", lead="A lead Telegram counted longer than we did.")
    run_worker()
    first, second = bot.calls
    assert "A lead" in first.params["caption"] and "A lead" not in second.params["caption"]
    assert "<b>Headline</b>" in second.params["caption"]
    assert len(bot.in_channel(CHANNEL)) == 1


def test_a_correction_goes_as_a_reply(bot, story, run_worker):
    article = story()
    run_worker()
    post = Post.objects.get(article=article)
    telegram.add_correction(post, "Correction: 3,000 people, not 30,000.")
    run_worker()
    reply = bot.calls[-1]
    assert reply.method == "sendMessage"
    assert reply.params["reply_parameters"]["message_id"] == post.message_id
    assert reply.params["text"] == "Correction: 3,000 people, not 30,000."
    assert post.corrections.get().message_id is not None
    run_worker()
    assert len(bot.calls) == 2


def test_a_message_deleted_in_the_channel_is_not_posted_again(bot, make_article, editor,
                                                              run_worker):
    article = make_article()
    run_worker()
    bot.messages.clear()  # an admin of the channel deleted it
    article.headline = "Changed"
    article.save()
    services.save_article(article, editor)
    run_worker()
    post = Post.objects.get(article=article)
    assert post.state == Post.State.REMOVED and post.mode == Post.Mode.SKIP
    assert [c.method for c in bot.calls] == ["sendMessage", "editMessageText"]


def test_second_link_to_the_onion_address(bot, make_article, run_worker, settings):
    settings.TELEGRAM_SECOND_LINK = "onion"
    settings.ONION_ADDRESS = "exampleonionaddressxyz.onion"
    article = make_article()
    run_worker()
    text = bot.calls[0].params["text"]
    assert (f'<a href="http://exampleonionaddressxyz.onion{article.get_absolute_url()}">'
            "Onion address (Tor)</a>") in text


# --- Exactly once ---------------------------------------------------------------------------

def test_the_intent_commits_with_the_publication_or_not_at_all(bot, make_article, editor,
                                                               run_worker):
    article = make_article(status="draft")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.publish(article, editor)
        raise RuntimeError("the process dies before the commit")
    assert not Post.objects.exists() and not deliver_tasks().exists()
    run_worker()
    assert bot.calls == []


def test_a_lost_task_is_enqueued_again_by_the_sweep(bot, story, run_worker, clock):
    article = story()
    deliver_tasks().delete()  # a backend that lost it, or enqueued after a crash
    run_worker()
    assert bot.calls == []  # not yet: it may still be on its way
    clock.forward(telegram.REENQUEUE_SECONDS + 1)
    run_worker()
    assert len(bot.calls) == 1
    assert Post.objects.get(article=article).state == Post.State.POSTED


def test_a_task_run_again_after_its_worker_died_posts_nothing_twice(bot, story, run_worker):
    """The worker died after Telegram answered and the message id was recorded, before the
    task was marked done: the lease sets it back to READY and it runs again."""
    story()
    run_worker()
    DBTaskResult.objects.update(status=TaskResultStatus.READY)
    run_worker()
    assert len(bot.calls) == 1 and len(bot.in_channel(CHANNEL)) == 1


def test_a_send_cut_off_midway_waits_for_the_claim_then_says_it_may_be_doubled(
        bot, story, run_worker, clock):
    """A worker killed during sendPhoto leaves its claim and the call it was making. While
    the claim may belong to a live worker waiting for Telegram, nothing is sent; once it is
    stale the post is sent again and the admin says a second copy may exist."""
    article = story()
    post = Post.objects.get(article=article)
    from django.utils import timezone

    Post.objects.filter(pk=post.pk).update(claim="dead-worker", claimed_at=timezone.now(),
                                           in_flight="send")
    run_worker()
    assert bot.calls == []
    clock.forward(telegram.claim_seconds() + 2)
    run_worker()
    assert len(bot.calls) == 1
    post.refresh_from_db()
    assert post.state == Post.State.POSTED and "second copy" in post.note
    assert post.claim == "" and post.in_flight == ""


def test_an_edit_during_a_send_is_delivered_after_it(bot, make_article, editor, run_worker):
    """A change committed while the message is being sent is not lost: the delivery sees
    the newer version when it finishes and edits the message."""
    article = make_article(headline="First")
    original = bot.answer

    def answer_then_edit(token, method, params, files):
        result = original(token, method, params, files)
        if method == "sendMessage":
            from samizdat.newsroom.models import Article

            fresh = Article.objects.get(pk=article.pk)
            fresh.headline = "Second"
            fresh.save()
        return result

    bot.answer = answer_then_edit
    run_worker()
    assert [c.method for c in bot.calls] == ["sendMessage", "editMessageText"]
    assert bot.calls[-1].params["text"].startswith("<b>Second</b>")


def test_a_new_main_photo_replaces_the_posted_one(bot, story, editor, run_worker):
    article = story()
    run_worker()
    other = photos.ingest(samples.jpeg(900, 600, seed=7), alt_text="Another photo",
                          make_renditions=False)
    article.hero_photo = other
    article.save()
    services.save_article(article, editor)
    run_worker()
    media = bot.calls[-1]
    assert media.method == "editMessageMedia"
    assert media.params["media"]["media"] == "attach://photo"
    with default_storage.open(other.rendition_name(other.renditions["widths"][-1], "jpeg"),
                              "rb") as stored:
        assert media.files["photo"][2] == stored.read()


def test_switched_to_do_not_post_after_posting_deletes(bot, make_article, run_worker):
    article = make_article()
    run_worker()
    post = Post.objects.get(article=article)
    post.mode = Post.Mode.SKIP
    post.save()
    telegram.mark_due(post)
    run_worker()
    assert bot.calls[-1].method == "deleteMessage" and bot.in_channel(CHANNEL) == {}


def test_a_scheduled_article_is_posted_when_the_worker_publishes_it(bot, make_article, editor,
                                                                    run_worker, clock):
    import datetime

    from django.utils import timezone

    article = make_article(status="draft")
    services.schedule(article, editor, timezone.now() + datetime.timedelta(hours=1))
    run_worker()
    assert bot.calls == []
    clock.forward(3601)
    run_worker()
    [call] = bot.calls
    assert call.method == "sendMessage" and article.headline in call.params["text"]


def test_a_send_cut_off_before_unpublishing_is_reported(bot, make_article, editor, run_worker,
                                                       clock):
    """Cut off mid-send, then unpublished: nothing is sent, and the admin says the channel
    may hold a post nobody recorded."""
    article = make_article()
    from django.utils import timezone

    Post.objects.filter(article=article).update(claim="dead-worker", claimed_at=timezone.now(),
                                                in_flight="send")
    services.unpublish(article, editor)
    clock.forward(telegram.claim_seconds() + 2)
    run_worker()
    post = Post.objects.get(article=article)
    assert bot.calls == [] and post.state == Post.State.SKIPPED
    assert "never recorded" in post.note
