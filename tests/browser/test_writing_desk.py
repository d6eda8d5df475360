"""The article editor's writing tools in Chromium, in Belarusian: the desk's layout at 1280 px
and on a narrow screen, the word count under the body, the text autosaved and restored after
a reload, a photo placed from the library's dialog and shown as the photo, a video from the
toolbar, and the text saved as readers' pages expect it. Two page loads for all of it."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from samizdat.newsroom import autosave
from samizdat.newsroom.models import Article, Autosave
from samizdat.photos.embeds import VIDEO
from samizdat.photos.models import Photo
from tests.conftest import sign_in

pytestmark = pytest.mark.browser

EDITOR = ".field-body .prose-editor > .ProseMirror"


@pytest.fixture
def desk(watched, site):
    """A browser at 1280 × 800, signed in as the editor, asking for Belarusian."""
    client = Client()
    sign_in(client, get_user_model().objects.get(username="editor"))
    w = watched(viewport={"width": 1280, "height": 800}, locale="be-BY",
                extra_http_headers={"Accept-Language": "be"})
    w.page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": site}])
    return w


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def serious_axe_violations(page, selector):
    """axe's serious and critical findings within `selector` (the desk's own parts; the
    admin's stock widgets around them are another matter)."""
    results = Axe().run(page, context=selector)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_writing_an_article(desk, site, monkeypatch):
    monkeypatch.setattr(autosave, "EVERY_SECONDS", 2)
    article = Article.objects.filter(status="draft").order_by("pk").first()
    page = desk.page
    page.goto(site + f"/admin/newsroom/article/{article.pk}/change/")
    page.locator(EDITOR).wait_for()

    # The text in the centre, the publishing panel beside it.
    main, side = box(page, ".desk-main"), box(page, ".desk-side")
    assert side["x"] >= main["x"] + main["width"] and main["width"] > side["width"] > 300
    assert box(page, "#id_section")["x"] > main["x"] + main["width"]

    # The word count follows the text, not its markup.
    count = page.locator("#body-count")
    assert "слоў" in count.inner_text() or "словы" in count.inner_text()
    page.click(EDITOR)
    page.keyboard.press("Control+A")
    page.keyboard.type("Адно два тры чатыры пяць.")
    page.keyboard.press("Enter")
    page.keyboard.type("Шэсць!")
    expect(count).to_have_text("6 слоў · час чытання 1 хв")

    # Autosaved for this editor alone, and offered back when the form is opened again.
    expect(page.locator("#autosave-status")).to_contain_text("Аўтаматычна захавана")
    for _ in range(50):  # a round may have gone out between two words: wait for the whole
        if Autosave.objects.filter(body__contains="Шэсць").exists():
            break
        page.wait_for_timeout(200)
    assert Article.objects.get(pk=article.pk).body == article.body
    page.reload()
    page.locator(EDITOR).wait_for()
    assert count.inner_text() != "6 слоў · час чытання 1 хв"
    page.click("#autosave-offer [data-restore]")
    expect(count).to_have_text("6 слоў · час чытання 1 хв")
    assert "Адно два тры" in page.input_value("#id_body")

    assert serious_axe_violations(page, ".desk-text") == []

    # A photo from the library: searched, picked, placed, and shown as the photo itself.
    photo = Photo.objects.order_by("-pk")[3]
    page.click("button[title='Паставіць фота з бібліятэкі']")
    dialog = page.locator(".desk-photo-dialog")
    assert dialog.locator("h3").inner_text() == "Паставіць фота"
    dialog.locator("input[type=search]").fill(photo.name)
    dialog.locator(f".desk-photo-card[data-id='{photo.pk}']").click()
    assert f"[photo {photo.pk}]" in dialog.locator(".desk-photo-chosen").inner_text()
    assert serious_axe_violations(page, ".desk-photo-dialog") == []
    dialog.locator(".desk-photo-place").click()
    shown = page.locator(f".placed-photo-preview[data-id='{photo.pk}'] img")
    shown.wait_for()
    assert shown.get_attribute("src") == photo.preview_url()
    assert page.evaluate("document.querySelector('.placed-photo-preview img').naturalWidth") > 0
    assert count.inner_text().startswith("6 ")  # the code is not a word

    # A video from the toolbar: anything but YouTube or Vimeo is refused with a reason.
    page.click("button[title='Уставіць відэа (YouTube, Vimeo)']")
    address = page.locator(".prose-editor-dialog input[name=address]")
    address.fill("https://example.org/clip")
    page.click(".prose-editor-dialog button[type=submit]")
    page.locator(".prose-editor-dialog .prose-editor-help", has_text="Гэта не адрас").wait_for()
    address.fill("https://youtu.be/aqz-KE-bpKQ")
    page.click(".prose-editor-dialog button[type=submit]")
    page.locator(".ProseMirror p.placed-video").wait_for()

    # On a narrow screen the panel follows the text.
    page.set_viewport_size({"width": 900, "height": 800})
    main, side = box(page, ".desk-main"), box(page, ".desk-side")
    assert side["y"] >= main["y"] + main["height"]
    assert desk.errors == [] and desk.foreign_requests() == []

    # Saved, the text holds the placement and the video as the reader pages render them.
    with page.expect_navigation():
        page.click(".desk-publish input[name=_save]")
    body = Article.objects.get(pk=article.pk).body
    assert body.startswith("<p>Адно два тры чатыры пяць.</p>")
    assert not Autosave.objects.exists()  # saved: nothing left to offer
    assert f"<p>[photo {photo.pk}]</p>" in body
    assert [m.group("link") for m in re.finditer(VIDEO, body)] == [
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ"]
