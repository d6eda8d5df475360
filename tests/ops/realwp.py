"""A throwaway real WordPress (Debian's package, run by the PHP CLI on MariaDB) for the tests.

Each `Site` is one fresh WordPress database (`samizdat_wp_<random>`, dropped afterwards) and
one wp-content folder, set up by the PHP scripts in tests/ops/wordpress/ through WordPress's
own functions. `make_export` fills a site as editors would and writes its export with
WordPress's own exporter; `python -m tests.ops.realwp` does that into tests/ops/data/, which
is how the committed fixture was made.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WORDPRESS = Path(os.environ.get("SAMIZDAT_WP_ROOT", "/usr/share/wordpress"))
SCRIPTS = Path(__file__).parent / "wordpress"
DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "wordpress-6.1-real.xml"
FIXTURE_UPLOADS = DATA / "wordpress-6.1-real-uploads"
# MariaDB's socket by default: its root account answers the system's root there on a fresh
# Debian install, where it has no password to give over TCP.
DB_HOST = os.environ.get("SAMIZDAT_WP_DB_HOST", "localhost")
SOCKET = Path("/run/mysqld/mysqld.sock")
HOME = "https://news.example.org"
TIME_ZONE = "Europe/Minsk"
PERMALINKS = "/%year%/%monthnum%/%postname%/"
PHOTOS = ("photo", "gallery-1", "gallery-2")
# What the PHP CLI needs beyond its defaults: mysqli for WordPress, SimpleXML for the loader.
EXTENSIONS = ("mysqli", "SimpleXML")
WHAT = ("Debian's WordPress and PHP with MariaDB (apt-get install --no-install-recommends "
        "wordpress php php-cgi php-cli php-mysql php-xml mariadb-server; see .ci/run)")


def _mariadb() -> bool:
    host, _sep, port = DB_HOST.partition(":")
    try:
        if host == "localhost":
            with socket.socket(socket.AF_UNIX) as unix:
                unix.settimeout(2)
                unix.connect(str(SOCKET))
        else:
            socket.create_connection((host, int(port or 3306)), timeout=2).close()
    except OSError:
        return False
    return True


def available() -> bool:
    """Whether a WordPress can be run here: php with its extensions, the package, MariaDB."""
    php = shutil.which("php")
    if not php or not (WORDPRESS / "wp-settings.php").is_file():
        return False
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout
    return all(name in modules.split() for name in EXTENSIONS) and _mariadb()


class Site:
    """One WordPress site: its own database and wp-content folder under `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.content = folder / "wp-content"
        self.uploads = self.content / "uploads"
        self.database = f"samizdat_wp_{uuid.uuid4().hex[:12]}"

    def php(self, script: str, *args: str) -> str:
        """Run tests/ops/wordpress/<script>.php against this site; its standard output."""
        env = {**os.environ, "SAMIZDAT_WP_DB": self.database,
               "SAMIZDAT_WP_CONTENT": str(self.content), "SAMIZDAT_WP_HOME": HOME,
               "SAMIZDAT_WP_ROOT": str(WORDPRESS), "SAMIZDAT_WP_DB_HOST": DB_HOST}
        done = subprocess.run(["php", str(SCRIPTS / f"{script}.php"), *args], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0 or "Fatal error" in done.stderr:
            raise RuntimeError(f"{script}.php failed ({done.returncode}): "
                               f"{done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def json(self, script: str, *args: str):
        return json.loads(self.php(script, *args))

    def install(self) -> None:
        self.content.mkdir(parents=True, exist_ok=True)
        self.php("db", "create")
        self.php("install", TIME_ZONE, PERMALINKS)

    def drop(self) -> None:
        self.php("db", "drop")


@contextmanager
def site(folder: Path) -> Iterator[Site]:
    """A freshly installed WordPress, its database dropped afterwards."""
    made = Site(folder)
    try:
        made.install()
        yield made
    finally:
        made.drop()


def make_export(folder: Path) -> tuple[Path, Path, dict]:
    """A WordPress filled as tests/ops/wordpress/build.php says, exported by WordPress:
    (the export file, the uploads folder, the ids WordPress gave what build.php made)."""
    from samizdat.photos import samples

    photos = folder / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    for seed, name in enumerate(PHOTOS):
        (photos / f"{name}.jpg").write_bytes(samples.jpeg(320, 240, seed=seed))
    export = folder / "wordpress.xml"
    with site(folder) as wordpress:
        ids = wordpress.json("build", str(photos))
        wordpress.php("export", str(export))
    return export, wordpress.uploads, ids


def main() -> None:
    """Make the committed fixture again: the export and the originals of its uploads."""
    with tempfile.TemporaryDirectory() as tmp:
        export, uploads, _ids = make_export(Path(tmp))
        shutil.copyfile(export, FIXTURE)
        shutil.rmtree(FIXTURE_UPLOADS, ignore_errors=True)
        for name in PHOTOS:  # WordPress's resized copies are not read by the importer
            original = next(uploads.rglob(f"{name}.jpg"))
            target = FIXTURE_UPLOADS / original.relative_to(uploads)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, target)


if __name__ == "__main__":
    main()
