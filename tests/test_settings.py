"""Settings read in many processes at once."""

import os
import subprocess
import sys


def test_processes_starting_together_on_a_new_site_share_one_secret_key(tmp_path):
    env = {**os.environ, "SAMIZDAT_VAR_DIR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "samizdat.settings"}
    env.pop("SAMIZDAT_SECRET_KEY", None)
    env.pop("SAMIZDAT_PRODUCTION", None)
    show = "from django.conf import settings; print(settings.SECRET_KEY)"
    started = [subprocess.Popen([sys.executable, "-c", show], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(8)]
    answers = [p.communicate(timeout=120) for p in started]
    assert all(p.returncode == 0 for p in started), [err for _, err in answers]
    keys = {out.strip() for out, _ in answers}
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert [f.name for f in (tmp_path / "var").iterdir() if "secret" in f.name] == ["secret_key"]
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
