"""The newsroom's content: editions, sections, tags, authors, articles, pages and their history."""

import datetime
import functools
import uuid
import zoneinfo
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from .html import sanitize_html
from .reserved import taken_by_the_site
from .workflow import Status, check_transition


def local_date(moment):
    """The calendar date of an aware datetime in the newsroom's time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


# Clocks of several machines may differ a little; more than this is a mistake.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


class CommentPolicy(models.TextChoices):
    DEFAULT = "default", _("Edition default")
    PREMODERATED = "pre", _("Pre-moderated")
    POSTMODERATED = "post", _("Post-moderated")
    CLOSED = "closed", _("Closed")


# What a list item's thumbnail needs of its photo.
LIST_PHOTO_FIELDS = ("key", "width", "height", "has_alpha", "alt_text", "renditions",
                     "focal_x", "focal_y")


class Edition(models.Model):
    """A language edition of the site: /be/, /ru/, /en/. Created for each configured language."""

    language = models.CharField(_("language"), max_length=8, unique=True)
    site_name = models.CharField(_("site name"), max_length=120)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    comment_policy = models.CharField(
        _("comments"), max_length=8, default=CommentPolicy.POSTMODERATED,
        choices=[c for c in CommentPolicy.choices if c[0] != CommentPolicy.DEFAULT],
        help_text=_("For articles and sections that do not choose their own."))
    comment_days = models.PositiveSmallIntegerField(
        _("days comments stay open"), default=30,
        help_text=_("After this many days from publication an article takes no more comments."))

    class Meta:
        ordering = ["position", "language"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self):
        return f"{self.site_name} ({self.language})"

    def get_absolute_url(self):
        with override(self.language):
            return reverse("site:home")


class Section(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="sections", verbose_name=_("edition")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=False)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    show_on_home = models.BooleanField(_("show a block on the home page"), default=True)
    comment_policy = models.CharField(
        _("comments"), max_length=8, choices=CommentPolicy.choices,
        default=CommentPolicy.DEFAULT)

    class Meta:
        ordering = ["edition", "position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="section_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        with override(self.edition.language):
            return reverse("site:section", kwargs={"slug": self.slug})


class Tag(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="tags", verbose_name=_("edition")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="tag_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        with override(self.edition.language):
            return reverse("site:tag", kwargs={"slug": self.slug})


class Author(models.Model):
    """A byline. The display name may be a pseudonym; the staff account stays private."""

    name = models.CharField(_("display name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(_("biography"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        verbose_name=_("staff account"),
        help_text=_("Optional. Never shown to readers."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self, language=None):
        with override(language or settings.LANGUAGE_CODE):
            return reverse("site:author", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see.

        A published article is never dated in the future (scheduled ones have their own
        status, and Article.save refuses it), so no "published_at <= now" condition is
        needed, and none is added: a second upper bound on published_at makes SQLite walk
        the feed index from today down to the page it was asked for.
        """
        return self.filter(status=Status.PUBLISHED)

    def for_lists(self, *extra: str):
        """Everything a list item shows (and the `extra` fields), in a fixed number of
        queries."""
        return self.select_related("edition", "section", "hero_photo").only(
            "id", "headline", "slug", "lead", "published_at", "pub_date", "is_breaking",
            "is_featured", "is_photo_report", "has_video", "edition__language",
            "section__name", "section__slug", "section__edition_id",
            *(f"hero_photo__{name}" for name in LIST_PHOTO_FIELDS), *extra,
        )


@functools.lru_cache(maxsize=32)
def _article_path(language: str) -> str:
    """The article address pattern of an edition, as the URLconf reverses it."""
    with override(language):
        sample = reverse("site:article", kwargs={
            "year": 1999, "month": "12", "day": "31", "slug": "slug-sample"})
    path = sample.removeprefix(get_script_prefix())
    return path.replace("1999/12/31/slug-sample", "{year}/{month}/{day}/{slug}")


class Article(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="articles", verbose_name=_("edition")
    )
    headline = models.CharField(_("headline"), max_length=250)
    slug = models.SlugField(
        _("slug"), max_length=120, help_text=_("The last part of the address, in Latin letters.")
    )
    lead = models.TextField(_("lead"), blank=True, help_text=_("One or two sentences."))
    body = models.TextField(_("body"), blank=True)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_articles",
        verbose_name=_("primary section"),
    )
    extra_sections = models.ManyToManyField(
        Section, blank=True, related_name="extra_articles", verbose_name=_("extra sections")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    authors = models.ManyToManyField(
        Author, through="Byline", blank=True, related_name="articles", verbose_name=_("authors")
    )

    hero_photo = models.ForeignKey(
        "photos.Photo", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("main photo"), help_text=_("Shown above the text and in lists."),
    )

    is_breaking = models.BooleanField(_("breaking"), default=False)
    is_featured = models.BooleanField(_("featured"), default=False)
    is_photo_report = models.BooleanField(_("photo report"), default=False)
    has_video = models.BooleanField(_("video"), default=False)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    publish_at = models.DateTimeField(
        _("scheduled for"), null=True, blank=True,
        help_text=_("For scheduled articles: when they appear to readers."),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    # The calendar day in the newsroom's time zone: part of the address, so stored and indexed.
    pub_date = models.DateField(_("date in the address"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True, editable=False)
    update_note = models.CharField(
        _("update note"), max_length=250, blank=True,
        help_text=_("Shown to readers as “Updated: …” when filled in on a published article."),
    )
    comment_policy = models.CharField(
        _("comments"), max_length=8, choices=CommentPolicy.choices, default=CommentPolicy.DEFAULT
    )
    translation_key = models.UUIDField(
        _("translation group"), default=uuid.uuid4, db_index=True, editable=False
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish, schedule and unpublish articles")),
            ("edit_any_article", _("Can edit articles of other people")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "pub_date", "slug"],
                condition=Q(pub_date__isnull=False),
                name="article_unique_slug_per_day",
            ),
        ]
        indexes = [
            # Every reader list walks one of these backwards by (published_at, id).
            models.Index(fields=["edition", "status", "published_at", "id"],
                         name="article_edition_feed"),
            models.Index(fields=["section", "status", "published_at", "id"],
                         name="article_section_feed"),
            models.Index(fields=["status", "published_at", "id"], name="article_site_feed"),
            models.Index(fields=["edition", "pub_date", "slug"], name="article_dated_url"),
            models.Index(fields=["status", "publish_at"], name="article_schedule"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        # The workflow is the model's own rule: whatever path saves an article, it cannot
        # jump from draft to unpublished or be saved as published without a date.
        check_transition(getattr(self, "_loaded_status", None), self.status)
        if self.status in (Status.PUBLISHED, Status.UNPUBLISHED) and not self.published_at:
            raise ValidationError(_("A published article needs its publication time."))
        if self.published_at and self.published_at > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError(_("A publication time cannot be in the future; schedule the "
                                    "article instead."))
        self.body = sanitize_html(self.body)
        if self.published_at:
            self.pub_date = local_date(self.published_at)
        elif self.status == Status.SCHEDULED and self.publish_at:
            self.pub_date = local_date(self.publish_at)
        else:
            self.pub_date = None
        old_address = getattr(self, "_loaded_address", None)
        super().save(*args, **kwargs)
        self._loaded_status = self.status
        self._remember_address(old_address)

    def get_absolute_url(self):
        day = self.pub_date or local_date(self.published_at or self.publish_at or timezone.now())
        # The URL resolver's answer, filled in by string formatting: pages list dozens of
        # articles, and reverse() costs more than everything else a list item needs.
        return get_script_prefix() + _article_path(self.edition.language).format(
            year=day.year, month=f"{day.month:02d}", day=f"{day.day:02d}",
            slug=quote(self.slug, safe=""),
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        data = instance.__dict__
        instance._loaded_address = (data.get("edition_id"), data.get("pub_date"), data.get("slug"))
        return instance

    def _remember_address(self, old_address):
        """A once-published article's old address keeps answering, with a 301, forever."""
        address = (self.edition_id, self.pub_date, self.slug)
        self._loaded_address = address
        if not self.published_at or old_address is None or old_address == address:
            return
        edition_id, day, slug = old_address
        if day and slug and edition_id:
            with override(Edition.objects.get(pk=edition_id).language):
                old_path = reverse("site:article", kwargs={
                    "year": day.year, "month": f"{day.month:02d}",
                    "day": f"{day.day:02d}", "slug": slug})
            ArticleRedirect.objects.update_or_create(old_path=old_path,
                                                     defaults={"article": self})
        # Back at an address it once left: the article itself answers there again.
        ArticleRedirect.objects.filter(old_path=self.get_absolute_url()).delete()

    def get_short_url(self):
        return reverse("short-link", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if not (self.headline or "").strip():
            errors["headline"] = _("Write a headline.")
        if self.section_id and self.edition_id and self.section.edition_id != self.edition_id:
            errors["section"] = _("Choose a section of the same edition.")
        day = self.pub_date
        if self.published_at:
            day = local_date(self.published_at)
        elif self.status == Status.SCHEDULED and self.publish_at:
            day = local_date(self.publish_at)
        if day and self.slug and self.edition_id:
            clash = Article.objects.filter(
                edition_id=self.edition_id, pub_date=day, slug=self.slug
            ).exclude(pk=self.pk)
            if clash.exists():
                errors["slug"] = _(
                    "Another article of this edition on %(day)s already has this address; "
                    "choose another slug."
                ) % {"day": day.isoformat()}
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self):
        return self.status == Status.PUBLISHED

    @property
    def marker(self):
        """The "(Photo)" or "(Video)" mark readers see after a headline."""
        if self.is_photo_report:
            return _("Photo")
        if self.has_video:
            return _("Video")
        return ""

    def translations(self) -> list["Article"]:
        """Published versions of this story in other editions.

        Selected by translation_key alone (a handful of rows) and filtered here: with the
        status/date conditions in SQL, SQLite prefers the feed index and scans the archive.
        """
        group = (
            Article.objects.filter(translation_key=self.translation_key)
            .exclude(pk=self.pk)
            .select_related("edition")
            .order_by()
        )
        return sorted((a for a in group if a.is_public), key=lambda a: a.edition.position)


class Byline(models.Model):
    """An author on an article, in the order the bylines are printed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, verbose_name=_("author"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author"),
        ]

    def __str__(self):
        return self.author.name


class ArticleRedirect(models.Model):
    """An old address of a published article; it answers with a 301 forever."""

    old_path = models.CharField(_("old address"), max_length=400, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")

    def __str__(self):
        return self.old_path


class LegacyRedirect(models.Model):
    """An address of the site a newsroom moved in from (WordPress, a custom PHP site): it
    answers with a 301 to what now stands there. Made by imports and editors through
    newsroom.redirects; a slug change of an article here leaves an ArticleRedirect instead.

    The address is kept as Django's request.path gives it (percent-decoded, so Cyrillic is
    readable) plus, for query-style addresses such as /?p=123, the query keys that name
    content, normalised (redirects.normalize).
    """

    class Source(models.TextChoices):
        WORDPRESS = "wordpress", _("WordPress import")
        CSV = "csv", _("CSV import")
        ADMIN = "admin", _("added in the admin")
        SLUG = "slug", _("old slug")
        OTHER = "other", _("other import")

    old_path = models.CharField(_("old address"), max_length=400)
    query = models.CharField(_("query"), max_length=200, blank=True,
                             help_text=_("For addresses such as /?p=123: p=123."))
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="legacy_redirects", verbose_name=_("article"))
    page = models.ForeignKey("Page", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("page"))
    section = models.ForeignKey(Section, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("section"))
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, null=True, blank=True,
                            related_name="+", verbose_name=_("tag"))
    target = models.CharField(_("new address"), max_length=400, blank=True,
                              help_text=_("A path on this site, or a full address."))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.ADMIN, db_index=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("legacy address")
        verbose_name_plural = _("legacy addresses")
        constraints = [
            # Also the index a 404 looks up by.
            models.UniqueConstraint(fields=["old_path", "query"],
                                    name="legacy_redirect_unique_address"),
        ]

    def __str__(self):
        return f"{self.old_path}?{self.query}" if self.query else self.old_path

    def get_absolute_url(self):
        return str(self)

    def clean(self):
        from . import redirects

        redirects.check(self)

    def destination(self) -> str | None:
        """The new address, or None while the target is not public."""
        if self.article_id:
            return self.article.get_absolute_url() if self.article.is_public else None
        if self.page_id:
            return self.page.get_absolute_url() if self.page.is_published else None
        if self.section_id:
            return self.section.get_absolute_url()
        if self.tag_id:
            return self.tag.get_absolute_url()
        return self.target or None


class Revision(models.Model):
    """A copy of an article as it was saved, for comparing and restoring."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(_("saved at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("saved by"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    data = models.JSONField(_("content"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self):
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d %H:%M:%S}"


class ArticlePresence(models.Model):
    """A staff member with an article's change form open, until `expires_at` (presence.py)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    since = models.DateTimeField(_("editing since"))
    expires_at = models.DateTimeField(_("counts until"), db_index=True)

    class Meta:
        verbose_name = _("article being edited")
        verbose_name_plural = _("articles being edited")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="presence_unique_user"),
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.article_id}"


class Autosave(models.Model):
    """A staff member's text of an unpublished article as their open form last held it, kept
    by its script until they save or discard it (newsroom/autosave.py). Not a change to the
    article: no revision, no audit entry, nothing readers or other editors see."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    headline = models.CharField(_("headline"), max_length=250, blank=True)
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"), blank=True)
    # The revision the form was opened at: a restored text is saved against it, so a save
    # made by someone else since is shown as a conflict, never overwritten.
    based_on = models.PositiveBigIntegerField(_("opened at revision"), default=0)
    saved_at = models.DateTimeField(_("autosaved"), default=timezone.now)

    class Meta:
        verbose_name = _("autosaved text")
        verbose_name_plural = _("autosaved texts")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="autosave_unique_user"),
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.article_id}"


class Page(models.Model):
    """A static page of an edition: About, Contacts, Support..."""

    class Kind(models.TextChoices):
        ABOUT = "about", _("About")
        CONTACTS = "contacts", _("Contacts")
        SUPPORT = "support", _("Support the website")
        OTHER = "other", _("Other")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="pages", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    body = models.TextField(_("body"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    in_footer = models.BooleanField(_("link in the footer"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["edition", "position", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="page_unique_slug"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        with override(self.edition.language):
            return reverse("site:page", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.slug and self.edition_id and taken_by_the_site(self.edition.language,
                                                                self.slug):
            raise ValidationError({"slug": _(
                "The address /%(language)s/%(slug)s/ is the site's own (search, news lists, "
                "the text-only edition…): choose another slug.") % {
                "language": self.edition.language, "slug": self.slug}})


class AuditEntry(models.Model):
    """Who did what, when: written by the actions, never edited."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who (as then)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=250)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        permissions = [("view_audit_log", _("Can read the audit log"))]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_name} {self.action} {self.object_repr}"


class SiteSettings(models.Model):
    """What editors change about the site without a developer: one row per edition."""

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="settings", verbose_name=_("edition")
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contacts = models.TextField(_("contacts"), blank=True)
    support_text = models.TextField(_("support call to action"), blank=True)
    # The newsroom's own call or campaign in the masthead, beside "Support the website":
    # a link of its choosing, never a third party's advertisement.
    campaign_text = models.CharField(
        _("masthead call to action"), max_length=60, blank=True,
        help_text=_("A few words shown in the masthead of every page of this edition beside "
                    "“Support the website”, linking to the address below."),
    )
    campaign_url = models.CharField(
        _("masthead call to action address"), max_length=500, blank=True,
        validators=[RegexValidator(
            r"^(/(?![/\\])|https?://)[^\s\\]*$",  # no //host, no /\host (browsers read it so)
            _("Give an address on this site starting with / or a full https:// address."),
        )],
    )
    # Stored as the admin made it (newsroom/logo.py): re-encoded, no metadata, 96 px high.
    logo = models.ImageField(
        _("logo"), upload_to="logos/", blank=True, width_field="logo_width",
        height_field="logo_height",
        help_text=_("Shown in the masthead of every page of this edition before the site's "
                    "name, 48 pixels high. A PNG (best with a transparent background), JPEG "
                    "or WebP; without one, the name's first letter stands there."),
    )
    logo_width = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return str(self.edition)


class SocialAccount(models.Model):
    """One of the outlet's accounts readers can follow ("Follow us")."""

    class Network(models.TextChoices):
        TELEGRAM = "telegram", "Telegram"
        YOUTUBE = "youtube", "YouTube"
        INSTAGRAM = "instagram", "Instagram"
        FACEBOOK = "facebook", "Facebook"
        X = "x", "X"
        VK = "vk", "VK"
        TIKTOK = "tiktok", "TikTok"
        MASTODON = "mastodon", "Mastodon"
        WHATSAPP = "whatsapp", "WhatsApp"
        OTHER = "other", _("Other")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="social_accounts",
        null=True, blank=True, verbose_name=_("edition"),
        help_text=_("Leave empty to show in every edition."),
    )
    network = models.CharField(_("network"), max_length=12, choices=Network.choices)
    label = models.CharField(_("label"), max_length=80)
    url = models.URLField(_("address"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")

    def __str__(self):
        return self.label


class DonationMethod(models.Model):
    """A way to support the outlet, listed on the Support page."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank transfer")
        CARD = "card", _("Card or PayPal link")
        CRYPTO = "crypto", _("Cryptocurrency")
        OTHER = "other", _("Other")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="donation_methods",
        null=True, blank=True, verbose_name=_("edition"),
        help_text=_("Leave empty to show in every edition."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    details = models.TextField(
        _("details"), blank=True, help_text=_("Bank details or instructions, as plain text.")
    )
    url = models.URLField(_("link"), blank=True)
    address = models.CharField(
        _("wallet address"), max_length=200, blank=True,
        help_text=_("For cryptocurrencies: shown with a QR code."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("donation method")
        verbose_name_plural = _("donation methods")

    def __str__(self):
        return self.title

    def clean(self):
        if self.kind == self.Kind.CRYPTO and not self.address:
            raise ValidationError({"address": _("Give the wallet address.")})
        if self.kind == self.Kind.CARD and not self.url:
            raise ValidationError({"url": _("Give the payment link.")})


class TaskWorker(models.Model):
    """A task worker (`samizdat worker`) as last seen: its heartbeat is the lease on the task
    it runs, and a task whose worker stopped beating is run again (newsroom/worker.py)."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self):
        return self.worker_id


class TaskOnce(models.Model):
    """An effect a task has had that must not happen twice (an email sent for one event),
    for tasks that may run again after their worker was lost (newsroom/worker.py: `once`)."""

    key = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("task effect")
        verbose_name_plural = _("task effects")

    def __str__(self):
        return self.key
