"""Fixtures shared by the desk's tests."""

import pytest
from django.test import Client

from tests.conftest import sign_in


@pytest.fixture
def signed_in(staff):
    """A browser of its own for each role given, signed in, asking for English."""

    def make(*roles, language="en"):
        clients = []
        for role in roles:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            sign_in(client, staff[role])
            clients.append(client)
        return clients

    return make
