"""A story from the contributor's draft to the reader's page, in Chromium, each role in a
browser of its own: the contributor writes and submits it; the moderator's dashboard leads to
the comments; the editor sees it waiting on the dashboard, links its Belarusian version from
the search box, schedules it, then publishes it at once; the reader's page names the
translation. Screenshots of each step are written to SAMIZDAT_SCREENSHOTS when it is set
(docs/screenshots/ for the editors' guide)."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from samizdat.newsroom.models import Article, Edition, Section
from samizdat.newsroom.workflow import Status
from tests.browser.test_writing_desk import serious_axe_violations
from tests.conftest import sign_in

pytestmark = pytest.mark.browser

EDITOR = ".field-body .prose-editor > .ProseMirror"
HEADLINE = "The river bridge reopens after two years of repairs"


@pytest.fixture
def as_role(watched, site):
    """A browser at 1280 × 900 signed in as `role`, asking for English."""

    def open_as(role):
        client = Client()
        sign_in(client, get_user_model().objects.get(username=role))
        w = watched(viewport={"width": 1280, "height": 900}, locale="en-GB",
                    extra_http_headers={"Accept-Language": "en"})
        w.page.context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": site}])
        return w

    return open_as


def pick(page, field, text):
    """Choose from one of the desk's search boxes (Django's select2) by typing."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.locator(".select2-results__option", has_text=text).first.click()


def shot(page, name, tmp_path):
    folder = Path(os.environ.get("SAMIZDAT_SCREENSHOTS") or tmp_path)
    page.screenshot(path=str(folder / f"desk-{name}.png"), full_page=True)


def test_a_story_from_the_contributor_to_the_reader(as_role, site, tmp_path):
    english = Edition.objects.get(language="en")
    section = Section.objects.filter(edition=english).order_by("position").first()
    english_keys = Article.objects.filter(edition=english).values("translation_key")
    belarusian = (Article.objects.filter(edition__language="be", status=Status.PUBLISHED)
                  .exclude(translation_key__in=english_keys).order_by("-pk").first())

    # The contributor writes a draft and submits it for review.
    contributor = as_role("contributor")
    page = contributor.page
    page.goto(site + "/admin/newsroom/article/add/")
    page.locator(EDITOR).wait_for()
    page.select_option("#id_edition", str(english.pk))
    page.fill("#id_headline", HEADLINE)
    page.fill("#id_lead", "Cars and trams cross the river again from Monday morning.")
    page.click(EDITOR)
    page.keyboard.type("The city council said the works finished a month early.")
    pick(page, "section", section.name)
    shot(page, "1-contributor-writes", tmp_path)
    with page.expect_navigation():
        page.click("input[name=_submit]")
    article = Article.objects.get(headline=HEADLINE)
    assert article.status == Status.REVIEW and article.created_by.username == "contributor"
    assert "works finished a month early" in article.body
    # A contributor has no button to publish.
    page.goto(site + f"/admin/newsroom/article/{article.pk}/change/")
    assert page.locator("input[name=_publish]").count() == 0
    assert contributor.errors == [] and contributor.foreign_requests() == []

    # The moderator's dashboard starts with the comments and opens their queue; no article
    # tools, no technical blocks.
    moderator = as_role("moderator")
    page = moderator.page
    page.goto(site + "/admin/")
    assert page.locator("#content h2").first.inner_text().startswith(
        "Comments waiting for moderation")
    assert page.locator("h2", has_text="Technical state").count() == 0
    assert page.locator("h2", has_text="Waiting for review").count() == 0
    assert serious_axe_violations(page, "#content") == []
    page.click("text=Open the moderation queue")
    page.wait_for_load_state()
    assert "/admin/comments/comment/" in page.url
    assert moderator.errors == [] and moderator.foreign_requests() == []

    # The editor finds it waiting on the dashboard.
    editor = as_role("editor")
    page = editor.page
    page.goto(site + "/admin/")
    assert serious_axe_violations(page, "#content") == []
    waiting = page.locator("section", has_text="Waiting for review").first
    waiting.locator("a", has_text=HEADLINE).click()
    page.locator(EDITOR).wait_for()
    assert page.url.endswith(f"/admin/newsroom/article/{article.pk}/change/")

    # Links the Belarusian version from the search box, never by its number.
    pick(page, "translation_of", belarusian.headline[:15])

    # Schedules it for tomorrow morning.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    if page.locator("#id_publish_at_0").count():
        page.fill("#id_publish_at_0", tomorrow.isoformat())
        page.fill("#id_publish_at_1", "08:30")
    else:
        page.fill("#id_publish_at", f"{tomorrow.isoformat()} 08:30")
    # The panel's parts stand one under another (its fieldsets once stuck over each other).
    parts = page.evaluate("""() => [...document.querySelectorAll('.desk > .desk-side > *')]
        .filter(e => e.offsetHeight).map(e => {
            const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })""")
    assert len(parts) > 4
    assert all(upper[1] <= lower[0] + 1
               for upper, lower in zip(parts, parts[1:], strict=False)), parts
    shot(page, "2-editor-links-and-schedules", tmp_path)
    with page.expect_navigation():
        page.click("input[name=_schedule]")
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED, page.locator(".errorlist").all_inner_texts()
    assert timezone.localtime(article.publish_at).date() == tomorrow
    belarusian.refresh_from_db()
    assert article.translation_key and article.translation_key == belarusian.translation_key

    # Then news moves faster: published now.
    page.goto(site + f"/admin/newsroom/article/{article.pk}/change/")
    page.locator("#article-translations", has_text=belarusian.headline).wait_for()
    with page.expect_navigation():
        page.click("input[name=_publish]")
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    shot(page, "3-editor-published", tmp_path)
    assert editor.errors == [] and editor.foreign_requests() == []

    # A reader finds it on the home page and its Belarusian version from the article.
    reader = as_role("editor").page.context.browser.new_context(locale="en-GB")
    page = reader.new_page()
    page.goto(site + "/en/")
    page.locator("a", has_text=HEADLINE).first.click()
    assert page.url.endswith(article.get_absolute_url())
    link = page.locator(f"a[hreflang=be][href='{belarusian.get_absolute_url()}']")
    assert link.count() >= 1
    assert reader.cookies() == []  # a reader who only reads gets no cookie
    reader.close()


def test_the_editor_uploads_the_logo_and_readers_see_it_in_the_masthead(
        as_role, watched, site, tmp_path):
    """Admin → Site settings → logo, clicked through: a photo with GPS data goes in, the
    masthead shows a 96-pixel-high PNG from this origin, and the reader's page asks nothing
    of any other."""
    from samizdat.newsroom.models import SiteSettings
    from samizdat.photos import samples

    settings_row = SiteSettings.objects.get(edition__language="en")
    w = as_role("editor")
    page = w.page
    page.goto(site + f"/admin/newsroom/sitesettings/{settings_row.pk}/change/")
    page.set_input_files("input[name=logo]", files=[{
        "name": "masthead.jpg", "mimeType": "image/jpeg",
        "buffer": samples.jpeg(600, 200, seed=5)}])
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    settings_row.refresh_from_db()
    assert settings_row.logo.name.endswith(".png") and settings_row.logo_height == 96

    reader = watched(viewport={"width": 1280, "height": 900})
    reader.page.goto(site + "/en/")
    image = reader.page.locator(".brand img.logo-image")
    assert image.get_attribute("src") == settings_row.logo.url
    loaded = image.evaluate("i => i.complete && i.naturalHeight")
    assert loaded == 96
    assert reader.foreign_requests() == []
    shot(reader.page, "logo-masthead", tmp_path)
