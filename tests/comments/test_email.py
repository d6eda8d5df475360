"""Reply notifications through a real SMTP server (aiosmtpd) and the task queue's worker."""

import re
import socket
from email import message_from_bytes, policy

import pytest
from django.core.management import call_command

from samizdat.comments.models import Comment


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.messages.append((envelope.rcpt_tos,
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def inbox(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://news.example.org"
    yield box
    controller.stop()


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def link_in(message, path_part):
    found = re.search(r"https://news\.example\.org(/\S+)", message.get_content())
    assert found and path_part in found.group(1), message.get_content()
    return found.group(1)


def test_confirm_then_hear_about_replies_then_unsubscribe(transactional_db, client, inbox,
                                                           make_article):
    article = make_article(slug="mail")
    url = f"/en/comments/{article.pk}/post/"
    same = {"HTTP_SEC_FETCH_SITE": "same-origin"}
    client.post(url, {"name": "Ales", "body": "Tell me about replies",
                      "email": "ales@example.org"}, **same)
    first = Comment.objects.get()
    # A reply before the address is confirmed: nobody is written to.
    client.post(url, {"name": "Olga", "body": "Too early", "parent": first.pk},
                REMOTE_ADDR="192.0.2.5", **same)
    work()
    assert len(inbox.messages) == 1
    to, message = inbox.messages[0]
    assert to == ["ales@example.org"] and "Confirm your email" in message["Subject"]
    confirm = link_in(message, "/en/comments/email/confirm/")
    assert "confirmed" in client.get(confirm).content.decode()
    assert Comment.objects.get(pk=first.pk).email_confirmed

    client.post(url, {"name": "Olga", "body": "Here is my answer", "parent": first.pk},
                REMOTE_ADDR="192.0.2.6", **same)
    work()
    to, note = inbox.messages[-1]
    assert to == ["ales@example.org"] and note["Subject"].startswith("Olga replied")
    assert "Here is my answer" in note.get_content()
    stop = re.findall(r"https://news\.example\.org(/\S+)", note.get_content())[-1]
    assert "/unsubscribe/" in stop
    assert client.get(stop).status_code == 200  # a page with a button: scanners change nothing
    assert Comment.objects.get(pk=first.pk).email == "ales@example.org"
    client.post(stop, **same)
    assert Comment.objects.get(pk=first.pk).email == ""
    assert client.get("/en/comments/email/confirm/forged-token/").status_code == 404


def test_a_mail_task_run_twice_sends_one_email(transactional_db, client, inbox, make_article):
    """A worker killed after sending but before recording it: the task runs again."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    def run_again():
        DBTaskResult.objects.update(status=TaskResultStatus.READY)
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)

    article = make_article(slug="twice")
    url = f"/en/comments/{article.pk}/post/"
    same = {"HTTP_SEC_FETCH_SITE": "same-origin"}
    client.post(url, {"name": "Ales", "body": "Write to me", "email": "ales@example.org"},
                **same)
    work()
    run_again()
    assert len(inbox.messages) == 1
    Comment.objects.update(email_confirmed=True)
    DBTaskResult.objects.all().delete()
    client.post(url, {"name": "Olga", "body": "An answer", "parent": Comment.objects.get().pk},
                REMOTE_ADDR="192.0.2.6", **same)
    work()
    run_again()
    assert [m["Subject"].startswith("Olga replied") for _, m in inbox.messages] == [False, True]
