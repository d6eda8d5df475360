"""The workflow rules, enforced by the actions and by the model itself."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samizdat.newsroom import services
from samizdat.newsroom.models import Article, AuditEntry
from samizdat.newsroom.workflow import Status, TransitionError


def test_editor_publishes_a_draft(make_article, editor):
    article = make_article(status="draft")
    services.publish(article, editor)
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.published_at is not None
    assert article.pub_date == article.published_at.astimezone(
        datetime.timezone(datetime.timedelta(hours=3))).date()
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert AuditEntry.objects.filter(action="publish", object_id=str(article.pk),
                                     actor=editor).exists()


def test_contributor_cannot_publish(make_article, contributor):
    article = make_article(status="draft", user=contributor)
    with pytest.raises(PermissionDenied):
        services.publish(article, contributor)
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_contributor_submits_own_draft_for_review(make_article, contributor):
    article = make_article(status="draft", user=contributor)
    services.submit_for_review(article, contributor)
    assert Article.objects.get(pk=article.pk).status == Status.REVIEW


def test_publishing_without_section_is_refused(make_article, editor):
    article = make_article(status="draft", section=False)
    with pytest.raises(ValidationError) as exc:
        services.publish(article, editor)
    assert "section" in exc.value.message_dict
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_model_refuses_a_jump_outside_the_workflow(make_article):
    article = make_article(status="draft")
    article.status = Status.UNPUBLISHED
    with pytest.raises(TransitionError):
        article.save()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_schedule_in_the_past_is_refused(make_article, editor):
    article = make_article(status="draft")
    with pytest.raises(ValidationError) as exc:
        services.schedule(article, editor, timezone.now() - datetime.timedelta(minutes=1))
    assert "publish_at" in exc.value.message_dict


def test_scheduled_article_is_invisible_until_due(make_article, editor):
    article = make_article(status="draft")
    when = timezone.now() + datetime.timedelta(hours=1)
    services.schedule(article, editor, when)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert services.publish_due() == []
    due = timezone.now() - datetime.timedelta(seconds=1)
    Article.objects.filter(pk=article.pk).update(publish_at=due)
    assert services.publish_due() == [article.pk]
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.published_at == due
