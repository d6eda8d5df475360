"""`samizdat restore ARCHIVE`: a backup back into a fresh install (docs/backup.md)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from samizdat.ops.backup import BackupError
from samizdat.ops.restore import restore


class Command(BaseCommand):
    help = ("Check an archive written by `samizdat backup` (decryption, every checksum, its "
            "schema) and load it into this site's database and media, all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive's path or s3:// URL.")
        parser.add_argument("-i", "--identity", action="append", default=[], metavar="FILE",
                            help="An age identity file holding the private key (repeatable). "
                                 "Without one, the passphrase is used "
                                 "(SAMIZDAT_BACKUP_PASSPHRASE, or asked).")
        parser.add_argument("--replace", action="store_true",
                            help="Delete everything in this site's database first (otherwise "
                                 "a database with content is refused).")

    def handle(self, *args, archive, identity, replace, **options):
        try:
            done = restore(archive, identity_files=identity, replace=replace,
                           ask=sys.stdin.isatty(), stream=self.stderr)
        except BackupError as error:
            raise CommandError(f"{error}.") from error
        for note in done.notes:
            self.stderr.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(_(
            "Restored %(rows)d rows of %(tables)d tables and %(files)d photo files in "
            "%(seconds).1f s from %(archive)s.") % {
            "rows": sum(done.counts.values()), "tables": len(done.counts),
            "files": done.files, "seconds": done.seconds, "archive": archive}))
