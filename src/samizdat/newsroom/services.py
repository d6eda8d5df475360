"""Editorial actions: every change of an article's state goes through one of these functions.

Views, the admin, commands, tasks and tests call them; each checks the rules and the
actor's rights, saves atomically, keeps a revision, writes the audit log and announces
the change so caches and static copies follow.
"""

import datetime
import difflib
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from samizdat.photos import services as photos

from . import bulk
from .html import sanitize_html
from .models import (
    Article,
    AuditEntry,
    Author,
    Byline,
    Revision,
    Section,
    Tag,
    local_date,
)
from .workflow import EDITORIAL, Status, check_transition

# Sent after a change readers can see (publish, update of a published article, unpublish).
# Receivers: the page cache, the static copy. Arguments: article, action.
content_changed = Signal()

# The fields a revision keeps and a restore brings back.
REVISION_FIELDS = (
    "headline", "slug", "lead", "body", "section_id", "is_breaking", "is_featured",
    "is_photo_report", "has_video", "update_note", "comment_policy",
)


# --- Rights ---------------------------------------------------------------------------------

def can_publish(user) -> bool:
    return user.is_active and user.has_perm("newsroom.publish_article")


def can_edit(user, article: Article) -> bool:
    if not (user.is_active and user.has_perm("newsroom.change_article")):
        return False
    if user.has_perm("newsroom.edit_any_article"):
        return True
    # A contributor edits their own drafts until an editor takes them over.
    own = article.pk is None or article.created_by_id == user.pk
    return own and article.status in (Status.DRAFT, Status.REVIEW)


def visible_articles(user):
    """The articles a staff member may see in the desk: all of them for editors, their own
    and those they sign for contributors (the article list, the translation search)."""
    articles = Article.objects.all()
    if user.has_perm("newsroom.edit_any_article"):
        return articles
    return articles.filter(Q(created_by=user) | Q(authors__user=user)).distinct()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- Audit ----------------------------------------------------------------------------------

def audit(actor, action: str, obj, **details) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None and actor.pk else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:250],
        details=details,
    )


# --- Revisions ------------------------------------------------------------------------------

def snapshot(article: Article) -> dict:
    data = {name: getattr(article, name) for name in REVISION_FIELDS}
    data["extra_section_ids"] = sorted(article.extra_sections.values_list("id", flat=True))
    data["tag_ids"] = sorted(article.tags.values_list("id", flat=True))
    data["author_ids"] = list(article.bylines.values_list("author_id", flat=True))
    return data


def record_revision(article: Article, user=None, note: str = "") -> Revision:
    return Revision.objects.create(
        article=article, user=user if user is not None and user.pk else None,
        status=article.status, data=snapshot(article), note=note[:200],
    )


def compare_revisions(old: Revision, new: Revision) -> list[dict]:
    """Per changed field, a line diff of the two versions' text, for the compare screen."""
    return compare_data(old.data, new.data)


# Which of the article's fields a revision's key stands for, for its label.
_FIELD_OF = {"section_id": "section", "extra_section_ids": "extra_sections", "tag_ids": "tags",
             "author_ids": "authors"}


def compare_data(old: dict, new: dict) -> list[dict]:
    """Per changed field of two snapshots: its label, name and a line diff of the texts."""
    names = {
        "section_id": Section, "extra_section_ids": Section, "tag_ids": Tag, "author_ids": Author,
    }
    changes = []
    for field in ("status", *REVISION_FIELDS, "extra_section_ids", "tag_ids", "author_ids"):
        a, b = old.get(field), new.get(field)
        if a == b:
            continue
        if field in names:
            model = names[field]
            ids = [i for v in (a, b) for i in (v if isinstance(v, list) else [v]) if i]
            labels = {o.pk: str(o) for o in model.objects.filter(pk__in=ids)}
            a = ", ".join(labels.get(i, "?") for i in (a if isinstance(a, list) else [a]) if i)
            b = ", ".join(labels.get(i, "?") for i in (b if isinstance(b, list) else [b]) if i)
        elif field == "status":
            a, b = (Status(v).label if v else "" for v in (a, b))
        a_lines = _text_lines(a)
        b_lines = _text_lines(b)
        diff = [
            line for line in difflib.ndiff(a_lines, b_lines) if not line.startswith("?")
        ]
        label = Article._meta.get_field(_FIELD_OF.get(field, field)).verbose_name
        changes.append({"field": field, "label": capfirst(label), "diff": diff})
    return changes


def _text_lines(value) -> list[str]:
    text = "" if value is None else str(value)
    if "<" in text:
        text = text.replace("</p>", "</p>\n").replace("<br>", "\n")
        text = strip_tags(text)
    return text.splitlines() or [""]


def latest_revision_id(article: Article) -> int:
    """The version an edit starts from: the article's newest revision (0 for none)."""
    return article.revisions.order_by("-pk").values_list("pk", flat=True).first() or 0


def opened_version(article: Article) -> int:
    """The version a change form opens at. An article never saved through the actions (the
    demo's, a bulk load's) gets a first revision of itself as it stands, so an editor who
    meets another's save can be shown what that save changed."""
    found = latest_revision_id(article)
    if found:
        return found
    with transaction.atomic():  # two editors opening it at once make one first revision
        list(Article.objects.select_for_update().filter(pk=article.pk).values_list("pk"))
        return latest_revision_id(article) or record_revision(
            article, note=_("As it was before its first edit")).pk


@dataclass
class Conflict:
    """Saves that happened after a form was opened: the edit must not overwrite them."""

    revisions: list[Revision]  # newest first
    changes: list[dict]  # compare_data of the opened version and the newest, [] if unknown

    @property
    def latest(self) -> Revision:
        return self.revisions[0]


def find_conflict(article: Article, opened: int) -> Conflict | None:
    """Whoever saved `article` after revision `opened` (0: none) and what they changed.

    Locks the article's row first. Called inside the transaction that saves the edit, the
    lock holds until that commits: every save records its revision in a transaction that has
    written the row, so another save is either seen here or waits for this one.
    """
    list(Article.objects.select_for_update().filter(pk=article.pk).values_list("pk"))
    newer = list(article.revisions.filter(pk__gt=opened).select_related("user").order_by("-pk"))
    if not newer:
        return None
    base = article.revisions.filter(pk=opened).first() if opened else None
    changes = []
    if base is not None:
        changes = compare_data({**base.data, "status": base.status},
                               {**newer[0].data, "status": newer[0].status})
    return Conflict(revisions=newer, changes=changes)


@transaction.atomic
def restore_revision(revision: Revision, user) -> Article:
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    _require(can_edit(user, article), _("You may not edit this article."))
    data = revision.data
    for name in REVISION_FIELDS:
        if name in data:
            setattr(article, name, data[name])
    article.full_clean(exclude=["status"])
    article.save()
    article.extra_sections.set(Section.objects.filter(pk__in=data.get("extra_section_ids", [])))
    article.tags.set(Tag.objects.filter(pk__in=data.get("tag_ids", [])))
    set_bylines(article, data.get("author_ids", []))
    record_revision(article, user, note=_("Restored from %(when)s") % {
        "when": timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M:%S")})
    audit(user, "restore", article, revision=revision.pk)
    _announce(article, "update")
    return article


def set_bylines(article: Article, author_ids: list[int]) -> None:
    # One by one, not in bulk: a handful of rows, and their save signals keep the search
    # index's author filter in step.
    article.bylines.all().delete()
    for position, author_id in enumerate(dict.fromkeys(author_ids)):
        article.bylines.create(author_id=author_id, position=position)


# --- Workflow -------------------------------------------------------------------------------

def validate_for_readers(article: Article) -> None:
    """What an article needs before readers can see it."""
    errors = {}
    if not article.headline.strip():
        errors["headline"] = _("Write a headline.")
    if not article.section_id:
        errors["section"] = _("Choose a section before publishing.")
    if not article.slug:
        errors["slug"] = _("Give the article a slug.")
    if errors:
        raise ValidationError(errors)
    photos.check_for_publishing(article)


def validate_action(article: Article, action: str, user, when=None) -> None:
    """Raise ValidationError or PermissionDenied if `user` may not do `action` now."""
    target = ACTION_TARGETS[action]
    if target in EDITORIAL or action == "return":
        _require(can_publish(user), _("Only editors can publish, schedule or unpublish."))
    check_transition(article.status, target)
    if target in (Status.PUBLISHED, Status.SCHEDULED):
        validate_for_readers(article)
        moment = when if target == Status.SCHEDULED else article.published_at or timezone.now()
        if moment is not None:
            _check_address_free(article, moment)
    if target == Status.SCHEDULED:
        if when is None:
            raise ValidationError({"publish_at": _("Choose when to publish.")})
        if when <= timezone.now():
            raise ValidationError({"publish_at": _("The scheduled time has passed; choose a "
                                                   "time in the future.")})


def _check_address_free(article: Article, moment: datetime.datetime) -> None:
    """The dated address the article would take must not belong to another article."""
    day = local_date(moment)
    clash = Article.objects.filter(edition_id=article.edition_id, pub_date=day,
                                   slug=article.slug).exclude(pk=article.pk)
    if clash.exists():
        raise ValidationError({"slug": _(
            "Another article of this edition on %(day)s already has this address; "
            "choose another slug.") % {"day": day.isoformat()}})


ACTION_TARGETS = {
    "submit": Status.REVIEW,
    "return": Status.DRAFT,
    "schedule": Status.SCHEDULED,
    "publish": Status.PUBLISHED,
    "unpublish": Status.UNPUBLISHED,
    "unschedule": Status.DRAFT,
}


@transaction.atomic
def create_article(user, **fields) -> Article:
    """A new draft. Bylines, tags and extra sections go in as id lists."""
    _require(user.is_active and user.has_perm("newsroom.add_article"),
             _("You may not write articles."))
    author_ids = fields.pop("author_ids", [])
    tag_ids = fields.pop("tag_ids", [])
    extra_ids = fields.pop("extra_section_ids", [])
    article = Article(created_by=user if user.pk else None, **fields)
    article.full_clean(exclude=["status"])
    article.save()
    article.tags.set(tag_ids)
    article.extra_sections.set(extra_ids)
    set_bylines(article, author_ids)
    record_revision(article, user)
    audit(user, "create", article)
    return article


@transaction.atomic
def import_articles(user, staged: list[tuple[Article, list[int], list[int], list[int]]],
                    note: str, summary: str) -> list[Article]:
    """Articles brought in from another system, many at once: each left as `create_article`
    and the workflow's actions would leave it, in a few statements for all of them.

    `staged`: unsaved articles with their status and times set (published_at for published,
    publish_at for scheduled), each with its tag, extra section and author ids. The caller
    has checked what `transition` checks (the address is free that day, the photos shown
    have alternative text). Each article gets one revision (`note`), the batch one audit
    entry (`summary`); the search index is written and, after the commit, the caches told
    once and one publication task enqueued per scheduled time.
    """
    _require(user.is_active and user.has_perm("newsroom.add_article"),
             _("You may not write articles."))
    if any(a.status != Status.DRAFT for a, *_ids in staged):
        _require(can_publish(user), _("Only editors can publish, schedule or unpublish."))
    articles = []
    for article, *_ids in staged:
        # What Article.save and the actions would do, bulk_create doing neither: made a
        # draft, then moved on by one action.
        check_transition(Status.DRAFT, article.status)
        if article.status in (Status.PUBLISHED, Status.UNPUBLISHED) and not article.published_at:
            raise ValidationError(_("A published article needs its publication time."))
        article.created_by = user if user.pk else None
        article.body = sanitize_html(article.body)
        moment = article.published_at or (
            article.publish_at if article.status == Status.SCHEDULED else None)
        article.pub_date = local_date(moment) if moment else None
        articles.append(article)
    Article.objects.bulk_create(articles)
    tags, extras, bylines, revisions = [], [], [], []
    user_id = user.pk or None
    for article, tag_ids, extra_ids, author_ids in staged:
        tags += [{"article_id": article.pk, "tag_id": pk} for pk in dict.fromkeys(tag_ids)]
        extras += [{"article_id": article.pk, "section_id": pk}
                   for pk in dict.fromkeys(extra_ids)]
        authors = list(dict.fromkeys(author_ids))
        bylines += [{"article_id": article.pk, "author_id": pk, "position": position}
                    for position, pk in enumerate(authors)]
        data = {name: getattr(article, name) for name in REVISION_FIELDS}
        data.update(extra_section_ids=sorted(set(extra_ids)), tag_ids=sorted(set(tag_ids)),
                    author_ids=authors)
        revisions.append({"article_id": article.pk, "user_id": user_id,
                          "status": article.status, "data": data, "note": note[:200]})
    bulk.insert(Article.tags.through, tags)
    bulk.insert(Article.extra_sections.through, extras)
    bulk.insert(Byline, bylines)
    bulk.insert(Revision, revisions)
    if articles:
        AuditEntry.objects.create(
            actor=user if user.pk else None,
            actor_name=user.get_username() if user.pk else "system", action="import",
            object_type=Article._meta.label_lower, object_id=str(articles[0].pk),
            object_repr=summary[:250], details={"articles": [a.pk for a in articles]})
    from samizdat.search.indexing import index_articles

    index_articles([a.pk for a in articles if a.status == Status.PUBLISHED])
    from .tasks import publish_due_articles

    for when in sorted({a.publish_at for a in articles if a.status == Status.SCHEDULED}):
        transaction.on_commit(
            lambda when=when: publish_due_articles.using(run_after=when).enqueue())
    if any(a.status == Status.PUBLISHED for a in articles):
        transaction.on_commit(
            lambda: content_changed.send(Article, article=None, action="import"))
    return articles


@transaction.atomic
def save_article(article: Article, user, note: str = "") -> Article:
    """Record an edit already saved by a form: revision, audit, update time, announcement."""
    if article.status == Status.PUBLISHED:
        previous = article.revisions.first()
        if previous is None or any(
            previous.data.get(f) != getattr(article, f) for f in ("headline", "lead", "body")
        ):
            article.updated_at = timezone.now()
            Article.objects.filter(pk=article.pk).update(updated_at=article.updated_at)
    record_revision(article, user, note)
    audit(user, "edit", article)
    if article.status == Status.PUBLISHED:
        _announce(article, "update")
    return article


@transaction.atomic
def transition(article: Article, action: str, user, when: datetime.datetime | None = None,
               ) -> Article:
    """Move an article along the workflow (`submit`, `publish`, `schedule` ...)."""
    if action == "submit":
        _require(can_edit(user, article), _("You may not edit this article."))
    validate_action(article, action, user, when)
    target = ACTION_TARGETS[action]
    now = timezone.now()
    article.status = target
    if target == Status.PUBLISHED:
        article.publish_at = None
        # A republished article keeps its first publication time and so its address.
        if article.published_at is None:
            article.published_at = now
    elif target == Status.SCHEDULED:
        article.publish_at = when
    elif target == Status.DRAFT:
        article.publish_at = None
    article.full_clean(exclude=["status"])
    article.save()
    record_revision(article, user, note=str(target.label))
    audit(user, action, article, **({"when": when.isoformat()} if when else {}))
    if target == Status.SCHEDULED:
        from .tasks import publish_due_articles

        transaction.on_commit(
            lambda: publish_due_articles.using(run_after=when).enqueue()
        )
    if target in (Status.PUBLISHED, Status.UNPUBLISHED):
        _announce(article, action)
    return article


def publish(article, user):
    return transition(article, "publish", user)


def unpublish(article, user):
    return transition(article, "unpublish", user)


def schedule(article, user, when):
    return transition(article, "schedule", user, when)


def submit_for_review(article, user):
    return transition(article, "submit", user)


def publish_due(now: datetime.datetime | None = None) -> list[int]:
    """Publish every scheduled article whose time has come. Run by the task queue."""
    now = now or timezone.now()
    done = []
    due = Article.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
    due = due.order_by("publish_at")
    for pk in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(
                pk=pk, status=Status.SCHEDULED, publish_at__lte=now
            ).first()
            if article is None:
                continue
            article.status = Status.PUBLISHED
            article.published_at = article.publish_at
            article.publish_at = None
            article.save()
            record_revision(article, None, note=str(Status.PUBLISHED.label))
            audit(None, "publish-scheduled", article)
            _announce(article, "publish")
        done.append(pk)
    return done


def _announce(article: Article, action: str) -> None:
    transaction.on_commit(lambda: content_changed.send(Article, article=article, action=action))


# --- Translations ---------------------------------------------------------------------------
# One story's versions share a translation_key, at most one per edition.

@transaction.atomic
def link_translation(article: Article, other: Article, user) -> Article:
    """Put `article` in the translation group of `other` (it leaves its own group)."""
    _require(can_edit(user, article), _("You may not edit this article."))
    # Not a way to read others' drafts: the other version must be one the user may see.
    _require(visible_articles(user).filter(pk=other.pk).exists(),
             _("You may not edit this article."))
    check_translation(article, other)
    article.translation_key = other.translation_key
    article.save(update_fields=["translation_key", "modified_at"])  # signals: both groups
    audit(user, "link-translation", article, other=other.pk)
    if article.status == Status.PUBLISHED or other.status == Status.PUBLISHED:
        _announce(article, "translation")
    return article


def check_translation(article: Article, other: Article) -> None:
    """Refuse a link that would put two versions of one edition in a group."""
    if other.pk == article.pk:
        raise ValidationError(_("An article cannot be its own translation."))
    if other.edition_id == article.edition_id:
        raise ValidationError(
            _("“%(headline)s” is in the same edition as this article; a translation must be "
              "in another edition.") % {"headline": other.headline})
    taken = (Article.objects.filter(translation_key=other.translation_key,
                                    edition_id=article.edition_id)
             .exclude(pk=article.pk).first())
    if taken is not None:
        raise ValidationError(
            _("“%(headline)s” already has a version in this edition: “%(taken)s”. Unlink that "
              "one first.") % {"headline": other.headline, "taken": taken.headline})


@transaction.atomic
def unlink_translation(article: Article, user) -> Article:
    """Take `article` out of its translation group; the others stay linked to each other."""
    _require(can_edit(user, article), _("You may not edit this article."))
    was = article.translation_key
    article.translation_key = uuid.uuid4()
    article.save(update_fields=["translation_key", "modified_at"])
    audit(user, "unlink-translation", article, group=str(was))
    if article.status == Status.PUBLISHED:
        _announce(article, "translation")
    return article


def matching_section(section: Section | None, edition) -> Section | None:
    """The section of `edition` that corresponds to `section`, when that is clear: the same
    slug, else the one translations of that section's articles were placed in each time."""
    if section is None:
        return None
    if section.edition_id == edition.pk:
        return section
    same = Section.objects.filter(edition=edition, slug=section.slug).first()
    if same is not None:
        return same
    used = set(Article.objects.filter(
        edition=edition, section__isnull=False,
        translation_key__in=Article.objects.filter(section=section).values("translation_key"),
    ).values_list("section_id", flat=True).distinct()[:2])
    return Section.objects.get(pk=used.pop()) if len(used) == 1 else None


def matching_tags(tags, edition) -> list[Tag]:
    """The tags of `edition` with the slugs of `tags` (the same name, transliterated)."""
    return list(Tag.objects.filter(edition=edition, slug__in=[t.slug for t in tags]))


def translation_start(source: Article, edition) -> dict:
    """What a new version of `source` in `edition` starts with: its text to translate, its
    photo, the matching section and tags, its authors, and its translation group."""
    section = matching_section(source.section, edition)
    return {
        "edition": edition.pk,
        "headline": source.headline,
        "slug": source.slug,
        "lead": source.lead,
        "body": source.body,
        "hero_photo": source.hero_photo_id,
        "section": section.pk if section else None,
        "tags": [t.pk for t in matching_tags(source.tags.all(), edition)],
        "is_photo_report": source.is_photo_report,
        "has_video": source.has_video,
        "translation_of": source.pk,
        "author_ids": list(source.bylines.values_list("author_id", flat=True)),
    }
