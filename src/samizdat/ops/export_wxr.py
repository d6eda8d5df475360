"""`samizdat export --wxr`: the archive as a WordPress export (WXR 1.2) WordPress can import.

Articles become posts, pages pages, sections categories, tags tags, authors WordPress
authors (no email: staff accounts are not exported), approved comments comments with their
parents, photos attachments that WordPress's importer downloads from the live site. Text is
written in CDATA sections; written as it is read, article by article.
"""

import email.utils
import re
import zoneinfo
from collections import Counter
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Max, Prefetch

from samizdat.progress import progress

from .export import CHUNK

NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
STATUSES = {"published": "publish", "scheduled": "future", "review": "pending",
            "draft": "draft", "unpublished": "draft"}
NO_DATE = "0000-00-00 00:00:00"
# Characters XML 1.0 does not allow at all, even in CDATA.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PLACED = re.compile(r"<p>\s*\[photo\s+(\d{1,12})\]\s*</p>")


def cdata(text) -> str:
    text = FORBIDDEN.sub("", str(text or ""))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def plain(text) -> str:
    return escape(FORBIDDEN.sub("", str(text or "")))


def _local(moment) -> str:
    if moment is None:
        return NO_DATE
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M:%S")


def _gmt(moment) -> str:
    if moment is None:
        return NO_DATE
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")


def _terms(model) -> dict[int, tuple[str, str, str]]:
    """id -> (nicename, name, description); a slug several editions share gets the
    edition's language after it, as WordPress wants one term per nicename."""
    rows = list(model.objects.order_by("edition__position", "pk")
                .values_list("pk", "slug", "name", "edition__language",
                             *(["description"] if model.__name__ == "Section" else [])))
    shared = Counter(row[1] for row in rows)
    return {row[0]: (row[1] if shared[row[1]] == 1 else f"{row[1]}-{row[3]}", row[2],
                     row[4] if len(row) > 4 else "") for row in rows}


def write_wxr(path, *, emails: bool = False, chunk: int = CHUNK, stream=None) -> int:
    """Write the WXR file; returns the number of items (posts, pages, attachments)."""
    from samizdat.comments.models import Comment
    from samizdat.newsroom.models import Article, Author, Byline, Edition, Page, Section, Tag
    from samizdat.photos.models import Photo

    sections, tags = _terms(Section), _terms(Tag)
    authors = dict(Author.objects.values_list("pk", "slug"))
    last_article = Article.objects.aggregate(n=Max("pk"))["n"] or 0
    last_page = Page.objects.aggregate(n=Max("pk"))["n"] or 0
    page_offset, photo_offset = last_article, last_article + last_page
    first = Edition.objects.order_by("position", "language").first()
    site = settings.SITE_URL
    items = 0
    total = Article.objects.count() + Page.objects.count() + Photo.objects.count()
    with open(path, "w", encoding="utf-8", newline="\n") as out, \
            progress(total, "wordpress.xml", stream) as bar:
        w = out.write
        w('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n')
        w("".join(f'\txmlns:{name}="{uri}"\n' for name, uri in NAMESPACES.items()) + ">\n")
        w("<channel>\n")
        w(f"\t<title>{plain(first.site_name if first else 'Samizdat')}</title>\n")
        w(f"\t<link>{plain(site)}</link>\n")
        w(f"\t<description>{plain(first.tagline if first else '')}</description>\n")
        w(f"\t<language>{plain(first.language if first else settings.LANGUAGE_CODE)}"
          "</language>\n")
        w("\t<wp:wxr_version>1.2</wp:wxr_version>\n")
        w(f"\t<wp:base_site_url>{plain(site)}</wp:base_site_url>\n")
        w(f"\t<wp:base_blog_url>{plain(site)}</wp:base_blog_url>\n")
        for pk, name, slug in Author.objects.order_by("pk").values_list("pk", "name", "slug"):
            w(f"\t<wp:author><wp:author_id>{pk}</wp:author_id>"
              f"<wp:author_login>{cdata(slug)}</wp:author_login>"
              f"<wp:author_email>{cdata('')}</wp:author_email>"
              f"<wp:author_display_name>{cdata(name)}</wp:author_display_name>"
              f"<wp:author_first_name>{cdata('')}</wp:author_first_name>"
              f"<wp:author_last_name>{cdata('')}</wp:author_last_name></wp:author>\n")
        for pk, (nicename, name, description) in sections.items():
            w(f"\t<wp:category><wp:term_id>{pk}</wp:term_id>"
              f"<wp:category_nicename>{cdata(nicename)}</wp:category_nicename>"
              f"<wp:category_parent>{cdata('')}</wp:category_parent>"
              f"<wp:cat_name>{cdata(name)}</wp:cat_name>"
              f"<wp:category_description>{cdata(description)}</wp:category_description>"
              "</wp:category>\n")
        for pk, (nicename, name, _description) in tags.items():
            w(f"\t<wp:tag><wp:term_id>{pk}</wp:term_id><wp:tag_slug>{cdata(nicename)}"
              f"</wp:tag_slug><wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n")
        w("\t<generator>Samizdat</generator>\n")

        for photo in Photo.objects.order_by("pk").iterator(chunk_size=chunk):
            url = site + photo.url(photo.original)
            w(_item(
                title=photo.name or photo.caption[:60] or f"photo-{photo.pk}",
                link=url, guid=url, creator="", body="", excerpt=photo.caption,
                post_id=photo_offset + photo.pk, moment=photo.uploaded_at, status="inherit",
                name=f"photo-{photo.key}", post_type="attachment", comment_status="closed",
                extra=f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n"
                      + _meta("_wp_attachment_image_alt", photo.alt_text)))
            items += 1
            bar.update(1)

        approved = Comment.objects.filter(status="approved").order_by("pk")
        articles = (Article.objects.order_by("pk").select_related("edition").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.order_by("position", "id")),
            Prefetch("tags", queryset=Tag.objects.only("pk").order_by("pk")),
            Prefetch("extra_sections", queryset=Section.objects.only("pk").order_by("pk")),
            Prefetch("comments", queryset=approved, to_attr="approved"),
        ))
        originals = _originals()
        for article in articles.iterator(chunk_size=chunk):
            bylines = [authors[b.author_id] for b in article.bylines.all()]
            moment = article.published_at or (
                article.publish_at if article.status == "scheduled" else None)
            terms = []
            for section_id in [article.section_id, *(s.pk for s in
                                                     article.extra_sections.all())]:
                if section_id:
                    nicename, name, _d = sections[section_id]
                    terms.append(f'\t\t<category domain="category" nicename={quoteattr(nicename)}>'
                                 f"{cdata(name)}</category>\n")
            for tag in article.tags.all():
                nicename, name, _d = tags[tag.pk]
                terms.append(f'\t\t<category domain="post_tag" nicename={quoteattr(nicename)}>'
                             f"{cdata(name)}</category>\n")
            meta = _meta("_samizdat_id", article.pk) + _meta("_samizdat_edition",
                                                             article.edition.language)
            if article.hero_photo_id:
                meta += _meta("_thumbnail_id", photo_offset + article.hero_photo_id)
            if len(bylines) > 1:
                meta += _meta("_samizdat_authors", ", ".join(bylines))
            body = PLACED.sub(lambda m: _img(m, originals, site), article.body)
            link = site + article.get_absolute_url()
            w(_item(
                title=article.headline, link=link, guid=f"{site}/a/{article.pk}/",
                creator=bylines[0] if bylines else "", body=body, excerpt=article.lead,
                post_id=article.pk, moment=moment, created=article.created_at,
                modified=article.updated_at or article.modified_at,
                status=STATUSES[article.status], name=article.slug, post_type="post",
                comment_status="closed" if article.comment_policy == "closed" else "open",
                sticky=article.is_featured, extra="".join(terms) + meta
                + "".join(_comment(c, emails) for c in article.approved)))
            items += 1
            bar.update(1)

        for page in Page.objects.order_by("pk").select_related("edition").iterator(
                chunk_size=chunk):
            w(_item(
                title=page.title, link=site + page.get_absolute_url(),
                guid=site + page.get_absolute_url(), creator="", body=page.body, excerpt="",
                post_id=page_offset + page.pk, moment=page.modified_at,
                status="publish" if page.is_published else "draft", name=page.slug,
                post_type="page", comment_status="closed", menu_order=page.position,
                extra=_meta("_samizdat_edition", page.edition.language)))
            items += 1
            bar.update(1)
        w("</channel>\n</rss>\n")
    return items


def _originals() -> dict[int, str]:
    """Photo id -> its original's path: what placed photos become in a post's text."""
    from samizdat.photos.models import Photo

    return dict(Photo.objects.values_list("pk", "original"))


def _img(match, originals: dict, site: str) -> str:
    name = originals.get(int(match.group(1)))
    if name is None:
        return ""
    return f'<p><img src="{escape(site + settings.MEDIA_URL + name)}" alt="" /></p>'


def _meta(key: str, value) -> str:
    return (f"\t\t<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
            f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>\n")


def _comment(comment, emails: bool) -> str:
    # A reply keeps its parent: only approved comments are written, and a reply is shown
    # only under an approved parent, so the parent is always in the file.
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{comment.pk}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{cdata(comment.name)}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{cdata(comment.email if emails else '')}"
        "</wp:comment_author_email>\n"
        "\t\t\t<wp:comment_author_url></wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{cdata('')}</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{cdata(_local(comment.created_at))}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{cdata(_gmt(comment.created_at))}"
        "</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{cdata(comment.body)}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{cdata('1')}</wp:comment_approved>\n"
        f"\t\t\t<wp:comment_type>{cdata('comment')}</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
        "\t\t</wp:comment>\n"
    )


def _item(*, title, link, guid, creator, body, excerpt, post_id, moment, status, name,
          post_type, comment_status, created=None, modified=None, sticky=False, menu_order=0,
          extra="") -> str:
    shown = moment or created
    return (
        "\t<item>\n"
        f"\t\t<title>{cdata(title)}</title>\n"
        f"\t\t<link>{plain(link)}</link>\n"
        f"\t\t<pubDate>{email.utils.format_datetime(moment) if moment else ''}</pubDate>\n"
        f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{plain(guid)}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata(body)}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(_local(shown))}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(_gmt(moment))}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{cdata(_local(modified or shown))}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{cdata(_gmt(modified or shown))}</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{cdata(comment_status)}</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata(name)}</wp:post_name>\n"
        f"\t\t<wp:status>{cdata(status)}</wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        f"\t\t<wp:menu_order>{menu_order}</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata(post_type)}</wp:post_type>\n"
        f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
        f"\t\t<wp:is_sticky>{int(sticky)}</wp:is_sticky>\n"
        f"{extra}"
        "\t</item>\n"
    )
