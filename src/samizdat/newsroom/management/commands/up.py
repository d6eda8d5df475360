"""`samizdat up`: prepare a local site: migrate, load demo content on an empty database."""

import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from samizdat.newsroom import demo, stories
from samizdat.newsroom.models import Article


class Command(BaseCommand):
    help = "Migrate, fill an empty database with demo content and say how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=300)

    def handle(self, *args, articles, **options):
        call_command("migrate", interactive=False, verbosity=0)
        credentials = settings.VAR_DIR / "demo-login.txt"
        if not Article.objects.exists():
            password = secrets.token_urlsafe(12)
            now = timezone.now()
            # The archive ends where the hand-written stories begin: those are what a new
            # user reads first, the machine-composed ones lie beneath them.
            demo.generate(articles, stream=self.stderr, now=now - stories.SPAN)
            demo.load_stories(now=now, stream=self.stderr)
            demo.create_staff(password)
            credentials.write_text(f"admin {password}\n")
            credentials.chmod(0o600)
        # Where to open it is `samizdat dev`'s to say, once it serves: the port is its.
        self.stdout.write(self.style.SUCCESS("Samizdat is ready; `samizdat dev` serves it."))
        if credentials.exists():
            user, password = credentials.read_text().split()
            self.stdout.write(f"  Log in as '{user}' with password '{password}' "
                              f"(also: editor, contributor, moderator; kept in {credentials})")
            self.stdout.write("  The first sign-in sets up a second factor: scan the QR code with "
                              "an authenticator app, or type its key into one.")
