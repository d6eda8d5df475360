"""The reader templates' `url` and `static`, which remember their answers within a process."""

import pytest
from django.urls import NoReverseMatch, set_urlconf
from django.utils import translation

from samizdat.site.jinja import static, url


def test_url_answers_for_the_active_language_and_urlconf(scaffold):
    with translation.override("en"):
        assert url("site:home") == "/en/"
        assert url("site:section", "world") == "/en/section/world/"
        assert url("admin:index").startswith("/")
    with translation.override("ru"):
        assert url("site:home") == "/ru/"
        assert url("site:section", "world") == "/ru/section/world/"
    # The reader host's URLconf (SAMIZDAT_ADMIN_HOST set) has no admin: the same name fails.
    set_urlconf("samizdat.urls_reader")
    try:
        with pytest.raises(NoReverseMatch):
            url("admin:index")
    finally:
        set_urlconf(None)


def test_static_follows_a_change_of_static_url(settings):
    assert static("site/site.css").startswith(settings.STATIC_URL)
    settings.STATIC_URL = "/elsewhere/"
    assert static("site/site.css").startswith("/elsewhere/")
