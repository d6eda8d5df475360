"""Remember when each session signed in, so an administrator can end older sessions."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from samizdat.newsroom.services import audit

from .services import SESSION_LOGIN_AT


@receiver(user_logged_in)
def note_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_LOGIN_AT] = time.time()
    audit(user, "signed in", user)
