"""The be, ru and en catalogues are complete, compiled, and cover every marked string."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import need

SRC = Path(__file__).resolve().parent.parent / "src" / "samizdat"
LANGUAGES = ("be", "ru", "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_compiled(language):
    po_path = SRC / "locale" / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"{language}: untranslated {missing[:10]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:10]}"
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    in_mo = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled}
    for entry in catalogue.translated_entries():
        assert (entry.msgctxt, entry.msgid) in in_mo, (
            f"{language}: django.mo is older than django.po; run `make messages`"
        )


def test_every_marked_string_is_in_the_catalogues(tmp_path):
    need(shutil.which("xgettext") is not None, "GNU gettext (apt-get install gettext)")
    work = tmp_path / "samizdat"
    shutil.copytree(SRC, work, ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [sys.executable, "-m", "samizdat", "makemessages", "-l", "en", "--no-obsolete",
         "--no-location"],
        cwd=work, check=True, capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(work / "locale/en/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(SRC / "locale/en/LC_MESSAGES/django.po"))}
    new = sorted(fresh - known)
    assert not new, f"not in the catalogues, run `make messages`: {new[:10]}"
