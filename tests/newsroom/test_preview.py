"""Preview links: a draft shown as readers will see it, only to staff who may edit it."""

import pytest

from samizdat.site.preview import make_token
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_preview_is_for_editors_only_and_never_cached(client, make_article, staff):
    draft = make_article(status="draft", headline="Unreleased investigation")
    token = make_token(draft)
    url = f"/en/preview/{token}/"

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]

    sign_in(client, staff["moderator"])
    assert client.get(url).status_code == 404

    sign_in(client, staff["editor"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"Unreleased investigation" in response.content
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]

    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/en/preview/{flipped}/").status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
