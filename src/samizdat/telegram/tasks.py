"""Telegram work run by the task queue's worker."""

from django_tasks import task

from . import services


@task()
def deliver(article_id: int) -> str:
    """Bring the article's message in its channel in step with the article."""
    return services.deliver(article_id)
