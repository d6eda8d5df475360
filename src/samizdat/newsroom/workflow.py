"""The editorial workflow: the statuses an article moves through and the moves allowed."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


# From each status, where an article may go next. Staying put is always allowed (an edit).
TRANSITIONS: dict[str | None, set[str]] = {
    None: {Status.DRAFT, Status.REVIEW},
    Status.DRAFT: {Status.REVIEW, Status.SCHEDULED, Status.PUBLISHED},
    Status.REVIEW: {Status.DRAFT, Status.SCHEDULED, Status.PUBLISHED},
    Status.SCHEDULED: {Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.UNPUBLISHED},
    Status.UNPUBLISHED: {Status.PUBLISHED, Status.DRAFT},
}

# Statuses an article can only reach through someone with the publish permission.
EDITORIAL = {Status.SCHEDULED, Status.PUBLISHED, Status.UNPUBLISHED}


class TransitionError(ValidationError):
    pass


def check_transition(old: str | None, new: str) -> None:
    if old == new:
        return
    if new not in TRANSITIONS.get(old, set()):
        old_label = Status(old).label if old else _("new")
        raise TransitionError(
            _("An article cannot go from “%(old)s” to “%(new)s”.")
            % {"old": old_label, "new": Status(new).label}
        )
