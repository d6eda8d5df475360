"""The pages nginx shows while the application is down (samizdat.mirrors.unavailable)."""

import pytest

from samizdat.mirrors.models import Mirror
from samizdat.mirrors.unavailable import unavailable_dir, write_unavailable_pages

pytestmark = pytest.mark.django_db


def test_one_page_per_edition_language_with_the_onion_and_the_mirrors(settings, scaffold):
    settings.ONION_ADDRESS = "example2onion.onion"
    Mirror.objects.create(name="A", kind="folder", target="/srv/a",
                          public_url="https://copy.example.net/news/")
    Mirror.objects.create(name="Off", kind="folder", target="/srv/c", is_active=False,
                          public_url="https://gone.example.net/")
    folder = write_unavailable_pages()
    assert folder == unavailable_dir() == settings.VAR_DIR / "unavailable"
    titles = {"be": "Часова недаступны", "ru": "Временно недоступен",
              "en": "Temporarily unavailable"}
    for language, title in titles.items():
        html = (folder / f"{language}.html").read_text()
        assert f'<html lang="{language}">' in html and title in html
        assert f'href="http://example2onion.onion/{language}/"' in html
        assert "https://copy.example.net/news/" in html and "gone.example.net" not in html
    # For addresses outside the editions (the API, robots.txt): the first language's.
    assert (folder / "default.html").read_bytes() == (folder / "be.html").read_bytes()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no leftovers


def test_a_change_to_the_mirrors_writes_them_again(scaffold, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Mirror.objects.create(name="B", kind="folder", target="/srv/b",
                              public_url="https://b.example.net/")
    assert "https://b.example.net/" in (unavailable_dir() / "ru.html").read_text()
    mirror = Mirror.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        mirror.delete()
    assert "https://b.example.net/" not in (unavailable_dir() / "ru.html").read_text()


def test_without_onion_or_mirrors_the_page_only_says_to_come_back(settings, scaffold):
    settings.ONION_ADDRESS = ""
    html = (write_unavailable_pages() / "en.html").read_text()
    assert "try again in a few minutes" in html and "<ul>" not in html
