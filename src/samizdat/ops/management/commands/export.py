"""`samizdat export OUT`: everything the newsroom owns, as files (docs/export.md)."""

from django.core.management.base import BaseCommand, CommandError

from samizdat.ops.export import CHUNK, ExportError, export


class Command(BaseCommand):
    help = ("Write editions, sections, tags, authors, articles (bylines, tags, revisions, "
            "translations, photo reports), pages, comments, redirects, settings, social "
            "accounts, donation methods and photos as JSON Lines files and the photos' "
            "originals into OUT, with a manifest. Staff accounts are not exported.")

    def add_arguments(self, parser):
        parser.add_argument("out", help="A new or empty folder.")
        parser.add_argument("--wxr", action="store_true",
                            help="Also write wordpress.xml, a WordPress (WXR 1.2) export of "
                                 "the articles, pages, authors, sections, tags and approved "
                                 "comments.")
        parser.add_argument("--comment-emails", action="store_true",
                            help="Include commenters' email addresses (left out by default; "
                                 "see docs/export.md).")
        parser.add_argument("--chunk-size", type=int, default=CHUNK,
                            help=f"Rows read per query (default {CHUNK}).")

    def handle(self, *args, out, wxr, comment_emails, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be 1 or more.")
        try:
            summary = export(out, wxr=wxr, emails=comment_emails, chunk=chunk_size,
                             stream=self.stderr._out)
        except ExportError as error:
            raise CommandError(f"{error}.") from error
        for missing in summary.missing:
            self.stderr.write(self.style.WARNING(f"photo file missing from storage: {missing}"))
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in summary.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"Exported {counts}; {summary.photo_files} photo files "
            f"({summary.photo_bytes / 2**20:.1f} MB) in {summary.seconds:.1f} s "
            f"({summary.articles_per_second:.0f} articles/s) into {summary.out}."))
