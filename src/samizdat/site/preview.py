"""Signed preview links: a draft as readers will see it, for staff who may edit it."""

from django.core import signing

SALT = "samizdat.preview"
MAX_AGE = 7 * 24 * 3600


def make_token(article) -> str:
    return signing.dumps({"a": article.pk}, salt=SALT, compress=True)


def read_token(token: str) -> int | None:
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE)["a"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
