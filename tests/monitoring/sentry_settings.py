"""The site's settings (SAMIZDAT_SENTRY_DSN from the environment) with a failing view."""

from samizdat.settings import *  # noqa: F403

ROOT_URLCONF = "tests.monitoring.urls"
