"""What the footer of every reader page needs to know: whether to show the form. Kept in
each worker's memory for as long as the SITE stamp stays the same, like the rest of the
page's chrome, so a page costs no query for it."""

import threading

from samizdat.site import pagecache

from . import crypto

_memo = threading.local()


def newsletter_offered(edition) -> bool:
    if not crypto.configured():
        return False
    version = pagecache.site_version()
    memo = getattr(_memo, "value", None)
    if memo is None or memo[0] != version:
        from .models import EditionNewsletter

        off = set(EditionNewsletter.objects.filter(is_active=False)
                  .values_list("edition_id", flat=True))
        memo = (version, off)
        _memo.value = memo
    return edition.pk not in memo[1]
