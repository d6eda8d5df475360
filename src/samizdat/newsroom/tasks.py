"""Background work of the newsroom, run by the task queue's worker."""

from django_tasks import task

from . import services


@task()
def publish_due_articles() -> list[int]:
    """Publish the scheduled articles whose time has come; enqueued for each schedule."""
    return services.publish_due()
