"""Photos for readers from this site's own address, whatever storage holds them.

In production nginx serves /media/ from the folder itself (docs/nginx/samizdat.conf) and
this view answers only what nginx cannot: everything with a bucket behind it, and the
development server. Only photo files are served, never anything else in storage.
"""

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .images import EXTENSION, MIME

NAME = re.compile(r"^photos/[0-9a-f]{2}/[0-9a-f]{16}/[\w.-]{1,40}$")
TYPES = {f".{ext}": MIME[fmt] for fmt, ext in EXTENSION.items()}


@require_safe
def media(request, path):
    suffix = path[path.rfind("."):] if "." in path else ""
    if not NAME.match(path) or ".." in path or suffix not in TYPES:
        raise Http404("not a photo")
    try:  # one request to storage; a name removed meanwhile (an old thumbnail) is a 404
        stored = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("no such photo") from error
    response = FileResponse(stored, content_type=TYPES[suffix])
    # A name always holds the same picture (a new focal point makes new names).
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Disposition"] = "inline"
    return response

