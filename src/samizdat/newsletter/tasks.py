"""The newsletter's background work: confirmation emails and mailings, run by the worker."""

from django.core.mail import get_connection
from django_tasks import task

from samizdat.newsroom.worker import once

from . import services
from .models import Subscriber


@task()
def send_confirmation(subscriber_id: int, digest: bool, alerts: bool, asked_at: str) -> bool:
    """Ask the owner of a new (or changing) subscription to confirm it. Once per request,
    even when the task runs again after its worker died."""
    from django.urls import reverse
    from django.utils.translation import override

    from . import mail

    subscriber = Subscriber.objects.select_related("edition").filter(pk=subscriber_id).first()
    if subscriber is None or not once(f"newsletter.confirm:{subscriber_id}:{asked_at}"):
        return False
    token = services.confirm_token(subscriber, digest, alerts)
    with override(subscriber.edition.language):
        link = mail.absolute(reverse("newsletter:confirm", kwargs={"token": token}))
    message = mail.confirmation(subscriber.edition, subscriber.address, link, digest, alerts)
    get_connection(fail_silently=False).send_messages([message])
    return True


@task(takes_context=True)
def deliver(context, send_id: int) -> dict:
    """Send a mailing (services.deliver). Run again after its worker died, it resumes with
    the recipients it had not marked: it claims rows as this task's result id."""
    return services.deliver(send_id, f"task:{context.task_result.id}")


