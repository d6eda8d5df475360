"""Reader pages in a real browser: they render, link up, stay on our origin and pass axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from samizdat.newsroom.models import Article, SiteSettings, Tag

pytestmark = pytest.mark.browser


def _paths():
    article = (Article.objects.published().filter(edition__language="en")
               .select_related("edition").order_by("-published_at").first())
    tag = Tag.objects.filter(edition__language="en", articles__status="published").first()
    return {
        "home": "/en/",
        "section": article.section.get_absolute_url(),
        "article": article.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "archive": f"/en/news/{article.published_at.year}/",
        "support": "/en/support/",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_render_stay_on_origin_and_pass_axe(watched, site, scheme):
    # Dark mode follows the system: axe checks the contrast of both palettes, the
    # masthead's call to action included.
    settings = SiteSettings.objects.get(edition__language="en")
    settings.campaign_text, settings.campaign_url = "Write to prisoners", "/en/about/"
    settings.save()
    axe = Axe()
    for name, path in _paths().items():
        w = watched(color_scheme=scheme)
        response = w.page.goto(site + path)
        assert response.status == 200, name
        assert w.page.locator("h1").count() >= 1, name
        assert w.page.get_attribute("html", "lang") == "en"
        assert w.page.locator(".masthead .campaign").is_visible(), name
        results = axe.run(w.page)
        bad = [v for v in results.response["violations"]
               if v.get("impact") in ("serious", "critical")]
        assert not bad, f"{name} ({scheme}): " + "; ".join(f"{v['id']}: {v['help']}" for v in bad)
        assert not w.foreign_requests(), f"{name}: {w.foreign_requests()}"
        assert not w.errors, f"{name}: {w.errors}"


def test_click_through_home_section_article_tag_and_back(watched, site):
    w = watched()
    page = w.page
    page.goto(site + "/ru/")
    assert page.get_attribute("html", "lang") == "ru"
    page.locator(".columns section h2 a").first.click()
    page.wait_for_load_state()
    assert "/ru/section/" in page.url
    page.locator("ul.list a").first.click()
    page.wait_for_load_state()
    assert "/ru/news/" in page.url
    headline = page.locator("h1").inner_text()
    page.locator("ul.tags a").first.click()
    page.wait_for_load_state()
    assert "/ru/tag/" in page.url
    page.go_back()
    assert page.locator("h1").inner_text() == headline
    assert not w.foreign_requests()
    assert not w.errors


def test_keyboard_skip_link_comes_first_and_moves_to_main(watched, site):
    w = watched()
    page = w.page
    page.goto(site + "/be/")
    assert page.get_attribute("html", "lang") == "be"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.locator("a.skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_article_fits_a_phone_prints_and_reads_without_javascript(watched, site):
    path = _paths()["article"]
    w = watched(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = w.page
    page.goto(site + path)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert page.locator("article .body p").first.is_visible()
    page.screenshot(path="/tmp/samizdat-article-360.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("nav.sections").is_visible()
    assert not page.locator(".share").is_visible()
    assert page.locator("article h1").is_visible()


def test_admin_rich_text_editor_loads_without_csp_violations(watched, site):
    w = watched()
    page = w.page
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    # First sign-in: the admin insists on enrolling an authenticator, shown as a QR code.
    assert "/admin/second-factor/enrol/" in page.url
    assert page.locator(".qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#id_code", authenticator_code(secret))
    page.click("input[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=I have saved them, continue")
    page.wait_for_load_state()
    page.goto(site + "/admin/newsroom/article/add/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.wait_for(timeout=10000)
    editor.click()
    page.keyboard.type("Typed in the browser")
    assert "Typed in the browser" in editor.inner_text()
    # The photo form: a click on the picture sets the focal point's fields.
    from samizdat.photos.models import Photo

    page.goto(site + f"/admin/photos/photo/{Photo.objects.first().pk}/change/")
    picture = page.locator("img[data-focal-picker]")
    picture.wait_for()
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    assert page.input_value("#id_focal_x") == "0.25"
    assert page.input_value("#id_focal_y") == "0.75"
    # The moderation queue by keyboard: j moves to the second comment, a approves it.
    from samizdat.comments.models import Comment

    waiting = list(Comment.objects.filter(status="pending").order_by("-reports", "id")[:2])
    page.goto(site + "/admin/comments/comment/")
    page.click("text=Moderation queue")
    page.wait_for_load_state()
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert Comment.objects.get(pk=waiting[1].pk).status == "approved"
    assert Comment.objects.get(pk=waiting[0].pk).status == "pending"
    assert not w.foreign_requests()
    assert not [e for e in w.errors if "Content Security Policy" in e], w.errors


def authenticator_code(secret: str) -> str:
    """What a phone's authenticator app shows now for this base32 key."""
    from base64 import b32decode

    from django_otp.oath import totp

    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def test_photo_report_shows_every_photo_from_our_origin(watched, site):
    article = (Article.objects.published().filter(edition__language="en",
                                                  is_photo_report=True, gallery__isnull=False)
               .select_related("edition").distinct().first())
    w = watched(viewport={"width": 390, "height": 800}, device_scale_factor=2)
    page = w.page
    page.goto(site + article.get_absolute_url())
    figures = page.locator(".gallery figure")
    assert figures.count() == article.gallery.count() >= 3
    for i in range(figures.count()):  # lazy images load as the reader scrolls to them
        figures.nth(i).scroll_into_view_if_needed()
        figures.nth(i).locator("img").evaluate("img => img.decode()")
    images = page.eval_on_selector_all(".gallery img", """imgs => imgs.map(i => ({
        src: i.currentSrc, width: i.naturalWidth, shown: i.getBoundingClientRect().width}))""")
    for image in images:
        assert image["width"] > 0 and image["src"].endswith(".webp"), image
        # A phone gets a rendition sized for its screen, not the original.
        assert image["width"] <= 800 and image["shown"] <= 390
    assert page.locator(".gallery figcaption").first.inner_text()
    assert not w.foreign_requests(), w.foreign_requests()
    assert not w.errors, w.errors
