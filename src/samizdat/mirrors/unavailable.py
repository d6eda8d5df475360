"""The page nginx shows while the application is down: where else the news can be read."""

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def unavailable_dir() -> Path:
    return Path(settings.VAR_DIR) / "unavailable"


def write_unavailable_pages() -> Path:
    """Write `<language>.html` for every edition's language, and `default.html` (the first
    language's), into VAR_DIR/unavailable, and return that folder.

    nginx serves them with a 503 when the application does not answer and the baked copy
    has no page for the address (the `@unavailable` location of docs/nginx/samizdat.conf),
    so they must say everything without the application: the onion address and the
    mirrors, in the language of the edition the reader was in. `samizdat serve` writes
    them at start, and a change to the mirrors writes them again.
    """
    from samizdat.newsroom.models import Edition

    from .models import Mirror

    folder = unavailable_dir()
    folder.mkdir(parents=True, exist_ok=True)
    editions = {edition.language: edition for edition in Edition.objects.all()}
    mirrors = list(Mirror.objects.filter(is_active=True).exclude(public_url="")
                   .values_list("public_url", flat=True))
    onion = settings.ONION_ADDRESS
    for position, (language, _name) in enumerate(settings.LANGUAGES):
        edition = editions.get(language)
        home = edition.get_absolute_url() if edition else f"/{language}/"
        with translation.override(language):
            html = render_to_string("mirrors/unavailable.html", {
                "language": language,
                "site_name": edition.site_name if edition else "",
                "onion": f"http://{onion}{home}" if onion else "",
                "mirrors": mirrors,
            }).encode()
        names = [f"{language}.html", "default.html"] if position == 0 else [f"{language}.html"]
        for name in names:
            temporary = folder / f".{name}.{uuid.uuid4().hex}"
            temporary.write_bytes(html)
            os.replace(temporary, folder / name)  # nginx never sends half a page
    return folder
