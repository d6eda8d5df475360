"""`samizdat demo --articles N [--stories]`: fill the database with realistic multilingual news."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from samizdat.newsroom import demo


class Command(BaseCommand):
    help = "Create demo editions, sections, tags, authors, pages, staff and N articles."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=300,
                            help="How many articles to create (default 300).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")
        parser.add_argument("--password", default="",
                            help="Password for the demo staff accounts (default: generated).")
        parser.add_argument("--stories", action="store_true",
                            help="Also add the hand-written stories, the newest dated today "
                                 "(once: a second run adds none).")

    def handle(self, *args, articles, seed, password, stories, **options):
        if articles < 0:
            raise CommandError("--articles must be zero or more.")
        password = password or secrets.token_urlsafe(12)
        made = demo.generate(articles, seed=seed, stream=self.stderr)
        if stories:
            made += demo.load_stories(stream=self.stderr)
        staff = demo.create_staff(password)
        self.stdout.write(self.style.SUCCESS(f"Created {made} articles."))
        self.stdout.write(
            "Staff accounts (new ones get this password): "
            + ", ".join(u.username for u in staff.values()) + f" / {password}"
        )
