"""Fixtures for the API tests."""

import pytest


@pytest.fixture(autouse=True)
def _quick_staff_passwords(settings):
    """The staff the shared fixtures create sign in nowhere here: hash their passwords fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
