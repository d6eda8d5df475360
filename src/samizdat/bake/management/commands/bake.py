"""`samizdat bake [--out DIR]`: the whole public site as plain files (docs/deployment.md)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samizdat.bake.baker import BakeError, bake


class Command(BaseCommand):
    help = ("Write every public page, feed, static file and photo as plain files that work "
            "from any web server, folder, bucket or disk; switch to them atomically.")

    def add_arguments(self, parser):
        parser.add_argument("--out", default="",
                            help="Where the copy goes: a link to the finished version "
                                 f"(default: SAMIZDAT_BAKE_DIR, now {settings.BAKE_DIR}).")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help="Processes rendering pages (default: one per CPU).")
        parser.add_argument("--sample", type=int, default=0, metavar="N",
                            help="Only measure: render N of the pages, chosen at random, "
                                 "and say how long a whole bake would take. Writes nothing.")

    def handle(self, *args, out, workers, sample, **options):
        if workers < 1 or sample < 0:
            raise CommandError("--workers must be 1 or more, --sample 0 or more.")
        try:
            summary = bake(out or settings.BAKE_DIR, workers=workers, stream=self.stderr,
                           sample=sample)
        except BakeError as error:
            raise CommandError(f"{error}. The previous copy is unchanged.") from error
        if sample:
            rate = summary.pages_per_second
            whole = summary.listing_seconds + (summary.listed / rate if rate else 0)
            self.stdout.write(self.style.SUCCESS(
                f"Rendered {summary.pages} of {summary.listed} pages at {rate:.0f} pages/s "
                f"({summary.workers} processes); listing them took "
                f"{summary.listing_seconds:.1f} s. A whole bake: about {whole / 60:.0f} min."))
            return
        for path in summary.missing:
            self.stderr.write(self.style.WARNING(f"left out (gone, or not a photo file): {path}"))
        self.stdout.write(self.style.SUCCESS(
            f"Baked {summary.pages} pages, {summary.files} files copied, "
            f"{summary.redirects} redirects in {summary.seconds:.1f} s "
            f"({summary.pages_per_second:.0f} pages/s, {summary.workers} processes) "
            f"into {summary.out}."))
