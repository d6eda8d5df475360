"""Signed links in the mails to commenters: confirming an address, stopping reply mail.

Here, not in views.py, so the tasks that write the mails and the views that read the links
share them without importing each other.
"""

from django.core import signing

EMAIL_SALT = "samizdat.comments.email"


def email_token(comment, purpose: str) -> str:
    return signing.dumps({"c": comment.pk, "p": purpose}, salt=EMAIL_SALT)


def comment_of(token: str, purpose: str, days: int) -> int | None:
    """The comment a link names, or None for a forged, expired or other purpose's link."""
    try:
        data = signing.loads(token, salt=EMAIL_SALT, max_age=86400 * days)
    except signing.BadSignature:
        return None
    return data["c"] if data.get("p") == purpose else None
