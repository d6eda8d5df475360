"""Autosaved drafts: the open form's text kept per staff member without touching the article,
offered back on reopening, and never a way around the edit-conflict protection."""

import json

import lxml.html
import pytest

from samizdat.newsroom.models import Article, AuditEntry, Autosave, Revision
from tests.newsroom.test_conflict import change_url, form_data, open_form, save


def autosave_url(article):
    return f"/admin/newsroom/article/{article.pk}/autosave/"


@pytest.fixture
def draft(make_article, contributor):
    return make_article(status="draft", user=contributor, headline="The draft",
                        lead="The first lead.", body="<p>The first body.</p>")


def offer(client, article):
    """The autosaved text the change form offers back, or None."""
    page = lxml.html.fromstring(client.get(change_url(article)).content.decode())
    found = page.xpath("//script[@id='autosave-data']")
    return json.loads(found[0].text) if found else None


def test_the_text_is_kept_for_its_author_alone_and_the_article_is_untouched(
        signed_in, draft):
    mine, theirs = signed_in("contributor", "editor")
    opened = open_form(mine, draft)["opened_revision"][0]
    revisions, audits = Revision.objects.count(), AuditEntry.objects.count()
    for text in ("<p>Half a sentence</p>", "<p>Half a sentence more<script>x</script></p>"):
        answer = mine.post(autosave_url(draft), {
            "headline": "A better headline", "lead": "", "body": text,
            "opened_revision": opened})
        assert answer.status_code == 200 and answer.json()["time"]
    kept = Autosave.objects.get()
    assert (kept.user.username, kept.body, kept.based_on) == (
        "contributor", "<p>Half a sentence more</p>", int(opened))
    # Not a change to the article: no revision, no audit entry, nothing else sees it.
    draft.refresh_from_db()
    assert (draft.headline, draft.body) == ("The draft", "<p>The first body.</p>")
    assert (Revision.objects.count(), AuditEntry.objects.count()) == (revisions, audits)
    assert offer(theirs, draft) is None
    assert offer(mine, draft) == {"headline": "A better headline", "lead": "",
                                  "body": "<p>Half a sentence more</p>",
                                  "based_on": int(opened)}
    # Discarding lets it go; saving the form does too.
    assert mine.post(autosave_url(draft), {"discard": "1"}).json() == {"discarded": True}
    assert offer(mine, draft) is None
    mine.post(autosave_url(draft), {"headline": "Again", "body": "<p>x</p>",
                                    "opened_revision": opened})
    data = open_form(mine, draft)
    assert "autosave" in lxml.html.fromstring(mine.get(change_url(draft)).content.decode()
                                              ).get_element_by_id("desk").get("data-autosave")
    assert save(mine, draft, data, headline="Saved by hand").status_code == 302
    assert not Autosave.objects.exists()


def test_a_restored_text_meets_the_conflict_check_of_the_version_it_was_typed_on(
        signed_in, draft):
    """Typed and autosaved against one version, restored after someone else saved: the save
    is refused with their changes, exactly as if the form had stayed open."""
    mine, theirs = signed_in("editor", "administrator")
    opened = open_form(mine, draft)["opened_revision"][0]
    mine.post(autosave_url(draft), {"headline": "Mine", "lead": "The first lead.",
                                    "body": "<p>My body.</p>", "opened_revision": opened})
    assert save(theirs, draft, open_form(theirs, draft),
                body="<p>Their body.</p>").status_code == 302
    # Reopened: the form is at their version, the offer at the one the text was typed on.
    kept = offer(mine, draft)
    reopened = open_form(mine, draft)
    assert kept["based_on"] == int(opened) < int(reopened["opened_revision"][0])
    # What the script's "Restore" puts into the form, the version included.
    response = save(mine, draft, reopened, headline=kept["headline"], body=kept["body"],
                    opened_revision=str(kept["based_on"]))
    assert response.status_code == 200 and b"article-conflict" in response.content
    assert Article.objects.get(pk=draft.pk).body == "<p>Their body.</p>"
    assert form_data(response)["headline"] == ["Mine"]  # the input is kept to save again


def test_published_articles_and_others_articles_are_not_autosaved(
        signed_in, draft, make_article):
    editor, contributor, moderator = signed_in("editor", "contributor", "moderator")
    published = make_article(headline="Out")
    refused = editor.post(autosave_url(published), {"headline": "x", "body": "<p>x</p>"})
    assert refused.status_code == 409 and refused.json()["errors"]
    page = lxml.html.fromstring(editor.get(change_url(published)).content.decode())
    assert page.get_element_by_id("desk").get("data-autosave") is None
    assert contributor.post(autosave_url(published), {"body": "x"}).status_code in (403, 404)
    assert moderator.post(autosave_url(draft), {"body": "x"}).status_code in (403, 404)
    assert editor.get(autosave_url(draft)).status_code == 405
    other = make_article(status="draft", headline="Another")
    forged = editor.post(autosave_url(draft), {"body": "<p>x</p>",
                                               "opened_revision": open_form(editor, other)[
                                                   "opened_revision"][0]})
    assert forged.status_code == 409  # a version of another article
    assert not Autosave.objects.exists()
