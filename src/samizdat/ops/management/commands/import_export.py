"""`samizdat import_export DIR`: load a Samizdat export into an empty site (docs/export.md)."""

from django.core.management.base import BaseCommand, CommandError

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
            loaded = load(folder, stream=self.stderr._out)
        except LoadError as error:
            raise CommandError(f"{error}. Nothing was changed.") from error
        for name in loaded.missing_files:
            self.stderr.write(self.style.WARNING(
                f"photo file missing in the export (it was missing when exported): {name}"))
        failed = make_renditions(loaded.photo_ids, queue=renditions == "queue",
                                 stream=self.stderr._out)
        for problem in failed:
            self.stderr.write(self.style.WARNING(f"renditions not made for {problem}"))
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in loaded.counts.items())
        made = "queued for the worker" if renditions == "queue" else "made"
        self.stdout.write(self.style.SUCCESS(
            f"Imported {counts}; {loaded.photo_files} photo files, renditions {made}."))
