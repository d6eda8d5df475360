"""`samizdat import_wordpress`: a WordPress export (Tools → Export) into one edition."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from samizdat.newsroom.models import Edition
from samizdat.ops.wordpress import BATCH, Importer, Stopped, parse_section_map


class Command(BaseCommand):
    help = ("Import a WordPress export (WXR, .xml or .xml.gz) into one edition: posts, pages, "
            "categories, tags, authors, comments, images and the old addresses. Run it again "
            "to bring in what changed or to finish an interrupted import.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the export file (.xml or .xml.gz)")
        parser.add_argument("--edition", required=True, metavar="LANG",
                            help="the edition's language: be, ru, en ...")
        parser.add_argument("--media", type=Path, metavar="DIR",
                            help="a copy of the old site's wp-content/uploads folder")
        parser.add_argument("--section-map", default="", metavar="FILE_OR_PAIRS",
                            help="category=section pairs, comma-separated, or a file of "
                                 "such lines: categories put in existing sections")
        parser.add_argument("--dry-run", action="store_true",
                            help="read and check everything, report, write nothing")
        parser.add_argument("--batch", type=int, default=BATCH,
                            help=f"items per transaction (default {BATCH})")

    def handle(self, *args, **options):
        path = options["file"]
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        edition = Edition.objects.filter(language=options["edition"]).first()
        if edition is None:
            known = ", ".join(Edition.objects.values_list("language", flat=True)) or "-"
            raise CommandError(_("There is no edition %(lang)s (there are: %(known)s); "
                                 "run `samizdat up` after setting SAMIZDAT_LANGUAGES.")
                               % {"lang": options["edition"], "known": known})
        media = options["media"]
        if media is not None and not media.is_dir():
            raise CommandError(_("The media folder %(path)s does not exist.") % {"path": media})
        try:
            section_map = parse_section_map(options["section_map"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["batch"] < 1:
            raise CommandError(_("--batch must be at least 1."))
        importer = Importer(path, edition, media=media, section_map=section_map,
                            dry_run=options["dry_run"], batch=options["batch"],
                            stream=self.stderr)
        try:
            report = importer.run()
        except Stopped as exc:
            for line in importer.report.lines():
                self.stdout.write(line)
            raise CommandError(exc.message) from None
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        for line in report.lines():
            self.stdout.write(line)
