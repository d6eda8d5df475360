"""Comments in Chromium: hostile input stays text, replies open in place, the puzzle is
solved by the browser, and the form works without JavaScript."""

import pytest

from samizdat.comments.models import Comment
from samizdat.newsroom.models import Article

pytestmark = pytest.mark.browser

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "\u202egnp.exe",
    '"><svg onload=alert(1)>',
]


def _article():
    return (Article.objects.published().filter(edition__language="en")
            .select_related("edition").order_by("-published_at").first())


def test_hostile_comments_are_shown_as_text_and_run_nothing(watched, site, settings):
    settings.COMMENTS_CLIENT_LIMIT = 100
    article = _article()
    w = watched()
    page = w.page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for n, body in enumerate(HOSTILE):
        page.goto(site + article.get_absolute_url())
        page.fill("#cf-name", f"<b>Troll {n}</b>")
        page.fill("#cf-body", body)
        page.click(".comment-form button[type=submit]")
        page.wait_for_load_state()
        assert "Thank you" in page.locator("h1").inner_text()
    assert set(Comment.objects.filter(name__startswith="<b>Troll").values_list(
        "status", "held_for")) == {("approved", "")}
    # Another reader (this browser may keep its own copy of the page for a minute).
    reader = watched()
    reader.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    reader.page.goto(site + article.get_absolute_url())
    comments = reader.page.locator("#comments .comment-body")
    texts = comments.all_inner_texts()
    for body in HOSTILE[:3]:
        assert any(body in t for t in texts), body
    shown = reader.page.locator(".comment script, .comment img, .comment svg")
    assert shown.count() == 0
    assert not dialogs and not w.errors and not reader.errors and not w.foreign_requests()


@pytest.mark.parametrize("web_crypto", [True, False], ids=["web-crypto", "plain-http"])
def test_reply_opens_in_place_and_the_puzzle_is_solved_by_the_browser(watched, site,
                                                                      settings, web_crypto):
    settings.COMMENTS_CLIENT_LIMIT, settings.COMMENTS_CHALLENGE_BITS = 0, 12
    article = _article()
    root = Comment.objects.filter(article=article, status="approved", depth=0).first()
    if root is None:
        root = Comment.objects.create(article=article, name="Olga", body="First words",
                                      client="b" * 32, status="approved")
    w = watched()
    page = w.page
    if not web_crypto:
        # As on a mirror or onion address over plain HTTP: no Web Crypto, the script's own
        # SHA-256 does the work.
        page.add_init_script("Object.defineProperty(Crypto.prototype, 'subtle', "
                             "{get: () => undefined});")
    page.goto(site + article.get_absolute_url())
    page.locator(f"#comment-{root.pk} > .comment-actions a.reply").click()
    form = page.locator(f"#comment-{root.pk} #comment-form")  # moved under the comment
    assert form.is_visible() and page.locator(".replying strong").inner_text() == root.name
    page.fill("#cf-name", "Ales")
    page.fill("#cf-body", f"A reply that needs a puzzle ({web_crypto})")
    page.click("#comment-form button[type=submit]")
    # The site asks for the puzzle; the page solves it and sends the comment again.
    page.wait_for_url("**/post/", timeout=10000)
    page.locator("h1", has_text="Thank you").wait_for(timeout=20000)
    reply = Comment.objects.get(body=f"A reply that needs a puzzle ({web_crypto})")
    assert reply.parent_id == root.pk and reply.status == "approved"
    assert [e for e in w.errors if "429" not in e] == [] and not w.foreign_requests()


def test_the_form_works_without_javascript(watched, site):
    article = _article()
    w = watched(java_script_enabled=False)
    page = w.page
    page.goto(site + article.get_absolute_url())
    root = Comment.objects.filter(article=article, status="approved", depth=0).first()
    if root is not None:
        page.locator(f"#comment-{root.pk} > .comment-actions a.reply").click()
        page.wait_for_load_state()
        assert "/reply/" in page.url
    page.fill("#cf-name", "No script")
    page.fill("#cf-body", "Plain form, no JavaScript")
    page.click("#comment-form button[type=submit]")
    page.wait_for_load_state()
    assert Comment.objects.filter(body="Plain form, no JavaScript").exists()
    assert "Thank you" in page.locator("h1").inner_text()
