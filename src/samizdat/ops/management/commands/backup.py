"""`samizdat backup [--to DIR | s3://bucket/prefix]`: one encrypted archive (docs/backup.md)."""

from django.core.management.base import BaseCommand, CommandError

from samizdat.ops.backup import CHUNK, BackupError, backup, keygen


class Command(BaseCommand):
    help = ("Write one encrypted archive of the database (staff accounts and their second "
            "factors included), the photo files, the secret key and the mirrors' signing key "
            "to a folder or an S3 prefix; print its path or URL last.")

    def add_arguments(self, parser):
        parser.add_argument("--to", default="",
                            help="A folder or s3://bucket/prefix (default: SAMIZDAT_BACKUP_TO).")
        parser.add_argument("--keep-daily", type=int, default=0, metavar="N",
                            help="Then keep only the newest archive of each of the last N days "
                                 "that have one (and those --keep-weekly keeps).")
        parser.add_argument("--keep-weekly", type=int, default=0, metavar="N",
                            help="Then keep only the newest archive of each of the last N weeks "
                                 "that have one (and those --keep-daily keeps).")
        parser.add_argument("--keygen", metavar="FILE",
                            help="Instead of a backup, write a new age key pair's private key "
                                 "into FILE (keep it off this server) and print its public key "
                                 "for SAMIZDAT_BACKUP_RECIPIENTS.")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help="Never ask for a passphrase on the terminal.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK,
                            help=f"Rows read per query (default {CHUNK}).")

    def handle(self, *args, to, keep_daily, keep_weekly, keygen, chunk_size, interactive,
               **options):
        if keygen:
            return self._keygen(keygen)
        try:
            result = backup(to, keep_daily=keep_daily, keep_weekly=keep_weekly,
                            ask=interactive, chunk=chunk_size)
        except BackupError as error:
            raise CommandError(f"{error}.") from error
        for name in result.missing:
            self.stderr.write(self.style.WARNING(f"photo file deleted during the backup: {name}"))
        for name in result.deleted:
            self.stderr.write(f"deleted by the retention policy: {name}")
        rows = sum(result.counts.values())
        self.stderr.write(
            f"Backed up {rows} rows of {len(result.counts)} tables and {result.files} photo "
            f"files ({result.files_sent} new, {result.bytes_sent / 2**20:.1f} MB sent) in "
            f"{result.seconds:.1f} s; archive {result.size / 2**20:.1f} MB.")
        self.stdout.write(result.url)

    def _keygen(self, path):
        import os

        private, public = keygen()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists; name a new file.") from None
        with os.fdopen(descriptor, "w") as out:
            out.write(private)
        self.stderr.write(f"Private key written to {path}: move it off this server.")
        self.stdout.write(public)
