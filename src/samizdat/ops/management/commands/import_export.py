"""`samizdat import_export DIR`: load a Samizdat export into an empty site (docs/export.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from samizdat.ops.reimport import LoadError, load, make_renditions


class Command(BaseCommand):
    help = ("Load an export written by `samizdat export` into this site, which must hold no "
            "content yet. Ids are kept; everything goes in one transaction, so a bad line "
            "changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The export's folder (it holds manifest.json).")
        parser.add_argument("--renditions", choices=["now", "queue"], default="now",
                            help="Make the photos' renditions at once (default), or leave "
                                 "them to the task worker (`samizdat worker`).")

    def handle(self, *args, folder, renditions, **options):
        try:
            loaded = load(folder, stream=self.stderr)
        except LoadError as error:
            raise CommandError(_("%(error)s. Nothing was changed.") % {"error": error}
                               ) from error
        for name in loaded.missing_files:
            self.stderr.write(self.style.WARNING(_(
                "Photo file missing in the export (it was missing when exported): %(name)s")
                % {"name": name}))
        failed = make_renditions(loaded.photo_ids, queue=renditions == "queue",
                                 stream=self.stderr)
        for problem in failed:
            self.stderr.write(self.style.WARNING(
                _("Renditions not made for %(photo)s") % {"photo": problem}))
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in loaded.counts.items())
        if renditions == "queue":
            done = _("Imported %(counts)s; %(files)d photo files, renditions queued for the "
                     "worker.")
        else:
            done = _("Imported %(counts)s; %(files)d photo files, renditions made.")
        self.stdout.write(self.style.SUCCESS(
            done % {"counts": counts, "files": loaded.photo_files}))
