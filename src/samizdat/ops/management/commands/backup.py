"""`samizdat backup [--to DIR | s3://bucket/prefix]`: one encrypted archive (docs/backup.md)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from samizdat.ops.backup import CHUNK, BackupError, backup, keygen


def lower_priority(nice: int) -> None:
    """Run `nice` steps below the readers.

    os.nice alone is not enough on Linux with autogroup scheduling (the default on desktop
    and many server kernels): the CPU is first shared between sessions, then between the
    processes of one by their nice values, so a niced backup in its own session still got
    as much CPU as the whole web server in another one. A backup that leads its own session
    (a systemd service, cron, `setsid samizdat backup`) therefore lowers its session's
    share too; one started from an interactive shell leaves the shell's session alone.
    """
    os.nice(nice)
    if os.getsid(0) != os.getpid():
        return
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(nice))
    except OSError:  # no autogroup scheduling here: os.nice is all there is
        pass


class Command(BaseCommand):
    help = ("Write one encrypted archive of the database (staff accounts and their second "
            "factors included), the photo files, the secret key and the mirrors' signing key "
            "to a folder or an S3 prefix; print its path or URL last.")

    from_command_line = False

    def run_from_argv(self, argv):
        self.from_command_line = True
        return super().run_from_argv(argv)

    def add_arguments(self, parser):
        parser.add_argument("--to", default="",
                            help="A folder or s3://bucket/prefix (default: SAMIZDAT_BACKUP_TO).")
        parser.add_argument("--keep-daily", type=int, default=None, metavar="N",
                            help="Then keep only the newest archive of each of the last N days "
                                 "that have one (and those --keep-weekly keeps; default: "
                                 "SAMIZDAT_BACKUP_KEEP_DAILY, 0: all).")
        parser.add_argument("--keep-weekly", type=int, default=None, metavar="N",
                            help="Then keep only the newest archive of each of the last N weeks "
                                 "that have one (and those --keep-daily keeps; default: "
                                 "SAMIZDAT_BACKUP_KEEP_WEEKLY, 0: all).")
        parser.add_argument("--keygen", metavar="FILE",
                            help="Instead of a backup, write a new age key pair's private key "
                                 "into FILE (keep it off this server) and print its public key "
                                 "for SAMIZDAT_BACKUP_RECIPIENTS.")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help="Never ask for a passphrase on the terminal.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK,
                            help=f"Rows read per query (default {CHUNK}).")
        parser.add_argument("--nice", type=int, default=10, metavar="N",
                            help="Run at this much lower CPU priority, so readers come first "
                                 "while it compresses and encrypts (default 10; 0: as started).")

    def handle(self, *args, to, keep_daily, keep_weekly, keygen, chunk_size, interactive,
               nice, **options):
        if keygen:
            return self._keygen(keygen)
        if nice > 0 and self.from_command_line:
            lower_priority(nice)  # the process's own: never a caller's (call_command)
        if keep_daily is None:
            keep_daily = settings.BACKUP_KEEP_DAILY
        if keep_weekly is None:
            keep_weekly = settings.BACKUP_KEEP_WEEKLY
        try:
            result = backup(to, keep_daily=keep_daily, keep_weekly=keep_weekly,
                            ask=interactive, chunk=chunk_size, stream=self.stderr)
        except BackupError as error:
            raise CommandError(f"{error}.") from error
        except OSError as error:  # a full disk, a target gone read-only, a lost mount
            raise CommandError(_(
                "The backup could not be written: %(error)s. The earlier backups at the target "
                "are as they were.") % {"error": error}) from error
        for name in result.missing:
            self.stderr.write(self.style.WARNING(
                _("Photo file deleted during the backup: %(name)s") % {"name": name}))
        for name in result.deleted:
            self.stderr.write(_("Deleted by the retention policy: %(name)s") % {"name": name})
        self.stderr.write(_(
            "Backed up %(rows)d rows of %(tables)d tables and %(files)d photo files (%(new)d "
            "new, %(sent).1f MB sent) in %(seconds).1f s; archive %(size).1f MB.") % {
            "rows": sum(result.counts.values()), "tables": len(result.counts),
            "files": result.files, "new": result.files_sent,
            "sent": result.bytes_sent / 2**20, "seconds": result.seconds,
            "size": result.size / 2**20})
        self.stdout.write(result.url)

    def _keygen(self, path):
        private, public = keygen()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(_("%(path)s exists; name a new file.") % {"path": path}
                               ) from None
        with os.fdopen(descriptor, "w") as out:
            out.write(private)
        self.stderr.write(_("Private key written to %(path)s: move it off this server.")
                          % {"path": path})
        self.stdout.write(public)
