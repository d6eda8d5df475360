"""Scheduled publishing through the real database-backed task queue and its worker."""

import datetime

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samizdat.newsroom import services
from samizdat.newsroom.models import Article
from samizdat.newsroom.workflow import Status


def test_worker_publishes_a_due_article(transactional_db, make_article, editor, client):
    article = make_article(status="draft", slug="on-time")
    when = timezone.now() + datetime.timedelta(hours=2)
    services.schedule(article, editor, when)
    assert DBTaskResult.objects.filter(task_path__endswith="publish_due_articles").exists()
    url = Article.objects.select_related("edition").get(pk=article.pk).get_absolute_url()
    assert client.get(url).status_code == 404
    # Nothing is due yet: the worker runs and the article stays hidden.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Article.objects.get(pk=article.pk).status == Status.SCHEDULED
    # Its time comes: move the schedule and the queued run into the past.
    past = timezone.now() - datetime.timedelta(seconds=5)
    Article.objects.filter(pk=article.pk).update(publish_at=past)
    DBTaskResult.objects.update(run_after=past)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    article = Article.objects.select_related("edition").get(pk=article.pk)
    assert article.status == Status.PUBLISHED
    assert client.get(article.get_absolute_url()).status_code == 200
