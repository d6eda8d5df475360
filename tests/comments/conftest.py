"""Comment fixtures: a published article, and posting as a browser on this site would."""

import pytest
from django.utils import translation

from samizdat.comments.models import Comment


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def article(make_article):
    from samizdat.newsroom.models import Article

    made = make_article(headline="Court hearing", slug="court-hearing")
    return Article.objects.select_related("edition", "section").get(pk=made.pk)


@pytest.fixture
def post(client, article, django_capture_on_commit_callbacks):
    """POST a comment as a same-site form (or JSON with json=True); returns the response.
    What the action does after its commit (touching the page cache) runs, as in production."""

    def send(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return _send(*args, **kwargs)

    def _send(target=None, json=False, address="198.51.100.7", **fields):
        target = target or article
        url = f"/en/comments/{target.pk}/post/"
        headers = {"HTTP_SEC_FETCH_SITE": "same-origin", "REMOTE_ADDR": address}
        if json:
            import json as _json

            return client.post(url, data=_json.dumps(fields), content_type="application/json",
                               **headers)
        data = {"name": "Ales", "body": "A thoughtful comment.", "email": "", "website": "",
                **fields}
        return client.post(url, data, **headers)

    return send


def approved(article):
    return list(Comment.objects.filter(article=article, status="approved"))
