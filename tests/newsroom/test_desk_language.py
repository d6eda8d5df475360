"""No English on the desk of a staff member who reads Belarusian or Russian.

The desk's pages (the dashboard, the article list, the writing desk, the site settings, the
comments queue) are read as tests/site/test_languages.py reads reader pages: every Latin
word in their visible text and in the labels a screen reader speaks, but for names that
stay the same in every language.
"""

import re

import pytest

from samizdat.comments import services as comments
from samizdat.newsroom.models import SiteSettings
from tests.site.test_languages import NAMES, _english

# Names and codes the desk shows as they are in any language.
DESK_NAMES = NAMES | {
    "Samizdat", "YouTube", "Vimeo", "JPEG", "PNG", "WebP",
    "be", "ru", "en",  # editions named by their codes
    "editor", "moderator",  # the staff member's user name
    "slug",  # "Адрас (slug)": the word WordPress and Ghost use, kept for those who know it
    "NONE", "NOARCHIVE",  # the admin's robots meta
}
TEXTAREA = re.compile(r"(?is)<textarea\b.*?</textarea>")  # the article's own text


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_desk_speaks_the_staff_members_language(signed_in, scaffold, make_article,
                                                    language):
    article = make_article(language=language, headline="Мост адкрылі", lead="Пасля рамонту.",
                           body="<p>Рух аднавіўся.</p>", status="review")
    published = make_article(language=language, headline="Навіны дня", lead="Коратка.",
                             body="<p>Тэкст.</p>")
    comments.post(published, comments.Draft(name="Чытач", body="Дзякуй за тэкст."), "test")
    settings = SiteSettings.objects.get(edition=scaffold["editions"][language])
    editor, moderator = signed_in("editor", "moderator", language=language)
    pages = {
        "/admin/": editor,
        f"/admin/newsroom/article/?edition__id__exact={article.edition_id}": editor,
        f"/admin/newsroom/article/{article.pk}/change/": editor,
        "/admin/newsroom/article/add/": editor,
        f"/admin/newsroom/sitesettings/{settings.pk}/change/": editor,
        "/admin/comments/comment/": moderator,
    }
    found = {}
    for url, client in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        words = _english(TEXTAREA.sub(" ", response.content.decode()), DESK_NAMES)
        if words:
            found[url] = sorted(set(words))
    assert found == {}
