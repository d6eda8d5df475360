"""The article editor's writing desk: the text in the centre, the publishing controls in a
panel beside it, Save first in the form."""

import json
import re
from pathlib import Path

import lxml.html
import polib
import pytest


def change_url(article):
    return f"/admin/newsroom/article/{article.pk}/change/"


@pytest.fixture
def draft(make_article, contributor):
    return make_article(status="draft", user=contributor, headline="The draft",
                        body="<p>The first body.</p>")


def test_the_text_is_the_centre_and_the_controls_stand_beside_it(signed_in, draft):
    (editor,) = signed_in("editor")
    response = editor.get(change_url(draft))
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content.decode())
    main, side = page.get_element_by_id("desk").getchildren()
    assert main.get("class") == "desk-main" and side.get("class") == "desk-side"
    in_main = {e.get("name") for e in main.iter("input", "textarea", "select")}
    in_side = {e.get("name") for e in side.iter("input", "textarea", "select")}
    assert {"headline", "lead", "body"} <= in_main
    assert not {"section", "tags", "edition", "publish_at_0", "hero_photo", "slug"} & in_main
    assert {"section", "tags", "edition", "publish_at_0", "hero_photo", "slug",
            "bylines-0-author", "translation_of", "_submit", "_publish"} <= in_side
    # The body's editor loads the desk's tools, which find the photo library's addresses.
    config = json.loads(main.xpath(".//textarea[@name='body']")[0].get(
        "data-django-prose-editor-configurable"))
    assert config["js_modules"][-1] == "/static/newsroom/editor-tools.js"
    assert config["extensions"]["SamizdatPhoto"] and config["extensions"]["SamizdatVideo"]
    desk = page.get_element_by_id("desk")
    assert desk.get("data-photo-pick") == "/admin/photos/photo/pick/"
    assert desk.get("data-photo-upload") == "/admin/photos/photo/pick/upload/"
    # The photo report stays with the text; the admin's navigation gives the desk its width.
    assert main.xpath(".//*[@id='gallery-group']") and not page.xpath("//*[@id='nav-sidebar']")
    # Enter in a field saves, as in any admin form: Save is the form's first submit button,
    # never a workflow button ("Submit for review") nor "Unlink".
    first = page.get_element_by_id("article_form").xpath(".//input[@type='submit']"
                                                          " | .//button[@type='submit']")[0]
    assert first.get("name") == "_save"
    # Every button once: the stock rows at the form's foot are replaced, not repeated.
    names = [e.get("name") for e in page.xpath("//input[@type='submit']")]
    assert names.count("_save") == 1 and names.count("_submit") == 1


def test_a_new_article_gets_the_desk_too(signed_in):
    (editor,) = signed_in("editor")
    page = lxml.html.fromstring(editor.get("/admin/newsroom/article/add/").content.decode())
    assert page.get_element_by_id("desk").xpath(".//textarea[@name='body']")
    assert page.xpath("//div[@class='desk-side']//select[@name='section']")


STATIC = Path(__file__).resolve().parents[2] / "src" / "samizdat" / "newsroom" / "static"
LOCALE = STATIC.parent.parent / "locale"
# gettext("…") and ngettext("…", "…", n) in the desk's scripts.
JS_MESSAGE = re.compile(r"\b(?:gettext|ngettext)\(\s*\"((?:[^\"\\]|\\.)*)\"")


@pytest.mark.parametrize("language", ["be", "ru", "en"])
def test_the_scripts_strings_are_translated_and_served(signed_in, language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "djangojs.po"))
    assert not catalogue.untranslated_entries() and not catalogue.fuzzy_entries()
    known = {e.msgid for e in catalogue}
    used = {m for path in STATIC.rglob("*.js") for m in JS_MESSAGE.findall(path.read_text())}
    assert used and used <= known, sorted(used - known)
    # The admin's own JavaScript catalogue serves them, in the staff member's language.
    (editor,) = signed_in("editor", language=language)
    script = editor.get("/admin/jsi18n/").content.decode()
    reading = catalogue.find("reading time %(minutes)s min").msgstr
    assert json.dumps(reading)[1:-1] in script or reading in script
