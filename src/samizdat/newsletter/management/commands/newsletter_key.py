"""`samizdat newsletter_key`: print a new SAMIZDAT_SUBSCRIBER_KEY (it is not stored anywhere)."""

import secrets

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Print a new key for SAMIZDAT_SUBSCRIBER_KEY, which encrypts newsletter subscribers' "
            "addresses. Keep a copy off the server: without it the addresses are lost "
            "(docs/newsletter.md).")

    def handle(self, *args, **options):
        self.stdout.write(secrets.token_urlsafe(32))
