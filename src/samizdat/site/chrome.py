"""The parts around every page of an edition: sections menu, footer pages, social links."""

from django.db.models import Q

from samizdat.newsroom.models import Edition, Page, Section, SiteSettings, SocialAccount


def site_chrome(edition: Edition) -> dict:
    """Computed once per request and edition (the edition object carries it)."""
    chrome = getattr(edition, "_chrome", None)
    if chrome is None:
        chrome = {
            "editions": list(Edition.objects.all()),
            "sections": list(Section.objects.filter(edition=edition)),
            "pages": list(
                Page.objects.filter(edition=edition, is_published=True, in_footer=True)
                .only("title", "slug", "kind", "edition_id")
            ),
            "social": list(
                SocialAccount.objects.filter(Q(edition=edition) | Q(edition__isnull=True))
            ),
            "settings": SiteSettings.objects.filter(edition=edition).first(),
        }
        chrome["support_page"] = next(
            (p for p in chrome["pages"] if p.kind == Page.Kind.SUPPORT), None
        )
        edition._chrome = chrome
    return chrome
