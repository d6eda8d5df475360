"""What the API answers: the shapes of its JSON, as the OpenAPI schema describes them."""

import datetime

from ninja import Field, Schema

from samizdat.site.helpers import absolute


class Error(Schema):
    detail: str = Field(description="What went wrong, in the language the client asked for.")


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(Schema):
    detail: str
    errors: list[FieldError] = Field(description="Each parameter that was not understood.")


class OnMainSite(Schema):
    """`url`: the object's address on the main site (SAMIZDAT_SITE_URL), whatever host
    served the request."""

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute(obj.get_absolute_url())


class Named(Schema):
    slug: str
    name: str


class EditionOut(OnMainSite):
    language: str
    site_name: str
    tagline: str
    url: str


class SectionOut(OnMainSite):
    slug: str
    name: str
    edition: str
    url: str

    @staticmethod
    def resolve_edition(obj) -> str:
        return obj.edition.language


class TagOut(SectionOut):
    pass


class AuthorOut(OnMainSite):
    slug: str
    name: str
    bio: str
    url: str


class ArticleItem(OnMainSite):
    id: int
    edition: str = Field(description="The edition's language code.")
    headline: str
    lead: str
    url: str = Field(description="The article's address on the main site.")
    published_at: datetime.datetime
    updated_at: datetime.datetime | None
    section: Named | None
    tags: list[Named]
    authors: list[Named]
    is_photo_report: bool
    has_video: bool

    @staticmethod
    def resolve_edition(obj) -> str:
        return obj.edition.language

    @staticmethod
    def resolve_tags(obj) -> list:
        return list(obj.tags.all())

    @staticmethod
    def resolve_authors(obj) -> list:
        return [byline.author for byline in obj.bylines.all()]


class ArticleDetail(ArticleItem):
    body: str = Field(description="The text as sanitised HTML; a paragraph `[photo N]` "
                                  "stands for a photo placed in the text.")


class ArticlePage(Schema):
    items: list[ArticleItem]
    next: str | None = Field(description="The cursor of the next page; null on the last one.")


class TagPage(Schema):
    items: list[TagOut]
    next: str | None


class AuthorPage(Schema):
    items: list[AuthorOut]
    next: str | None


class SearchHit(ArticleItem):
    headline_html: str = Field(description="The headline as escaped HTML, matches in <mark>.")
    snippet_html: str = Field(description="A passage around the first match, escaped HTML.")
    score: float


class SearchPage(Schema):
    items: list[SearchHit]
    total: int = Field(description="How many matching articles were ranked.")
    next: str | None
