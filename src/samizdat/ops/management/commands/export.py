"""`samizdat export OUT`: everything the newsroom owns, as files (docs/export.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
        parser.add_argument("--subscribers-for", metavar="ADMINISTRATOR", default="",
                            help="Also write the newsletter's confirmed subscribers with their "
                                 "addresses decrypted (subscribers.jsonl), at the request of "
                                 "this administrator (a user name), recorded in the audit log. "
                                 "Left out by default (docs/newsletter.md).")
        parser.add_argument("--chunk-size", type=int, default=CHUNK,
                            help=f"Rows read per query (default {CHUNK}).")

    def handle(self, *args, out, wxr, comment_emails, chunk_size, subscribers_for,
               **options):
        if chunk_size < 1:
            raise CommandError(_("--chunk-size must be 1 or more."))
        if subscribers_for:
            from django.core.exceptions import PermissionDenied

            from samizdat.newsletter.export import administrator

            try:
                administrator(subscribers_for)
            except PermissionDenied as error:
                raise CommandError(str(error)) from error
        try:
            summary = export(out, wxr=wxr, emails=comment_emails, chunk=chunk_size,
                             stream=self.stderr)
        except ExportError as error:
            raise CommandError(f"{error}.") from error
        if subscribers_for:
            from samizdat.newsletter.export import write_subscribers

            count = write_subscribers(summary.out, subscribers_for)
            self.stderr.write(_("Wrote %(count)d newsletter subscribers' addresses (audited).")
                              % {"count": count})
        for missing in summary.missing:
            self.stderr.write(self.style.WARNING(
                _("Photo file missing from storage: %(name)s") % {"name": missing}))
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in summary.counts.items())
        self.stdout.write(self.style.SUCCESS(_(
            "Exported %(counts)s; %(files)d photo files (%(size).1f MB) in %(seconds).1f s "
            "(%(speed).0f articles/s) into %(out)s.") % {
            "counts": counts, "files": summary.photo_files,
            "size": summary.photo_bytes / 2**20, "seconds": summary.seconds,
            "speed": summary.articles_per_second, "out": summary.out}))
